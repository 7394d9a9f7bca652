"""`make bench`: run every benchmark in bench/ (files not starting with _ or run) in turn,
against the database in DATABASE_URL (make bench starts a throwaway PostgreSQL).

`python bench/run.py --tiny` runs each at its smallest size, in seconds to a minute: most
benches are tiny by default (`--full` for the city's size); those listed in TINY_ARGS are
full by default and take the flag given there.
"""

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Benches whose default run is the full one, and the argument that makes them tiny.
TINY_ARGS = {
    "bench_maps": ["--tiny"],
    "bench_static_budget": ["--tiny"],
}


def main() -> int:
    failed = 0
    only = os.environ.get("BENCH", "")
    tiny = "--tiny" in sys.argv[1:]
    for script in sorted(HERE.glob("*.py")):
        if script.name.startswith("_") or script.name == "run.py" or only not in script.stem:
            continue
        print(f"\n## {script.stem}", flush=True)
        args = TINY_ARGS.get(script.stem, []) if tiny else []
        result = subprocess.run([sys.executable, str(script), *args], cwd=HERE.parent)
        failed += result.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
