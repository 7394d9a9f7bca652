"""`make bench`: run every benchmark in bench/ (files not starting with _ or run) in turn,
against the database in DATABASE_URL (make bench starts a throwaway PostgreSQL)."""

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    failed = 0
    only = os.environ.get("BENCH", "")
    for script in sorted(HERE.glob("*.py")):
        if script.name.startswith("_") or script.name == "run.py" or only not in script.stem:
            continue
        print(f"\n## {script.stem}", flush=True)
        result = subprocess.run([sys.executable, str(script)], cwd=HERE.parent)
        failed += result.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
