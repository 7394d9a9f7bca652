"""`make bench`: run every bench/bench_*.py in turn against the database in DATABASE_URL
(scripts/with-postgres.sh provides a throwaway PostgreSQL). Each bench prints its figures;
docs/BENCHMARKS.md records them with the machine they were taken on."""

import subprocess
import sys
from pathlib import Path


def main() -> int:
    here = Path(__file__).resolve().parent
    benches = sorted(here.glob("bench_*.py"))
    only = sys.argv[1:]
    failed = 0
    for bench in benches:
        if only and bench.stem.removeprefix("bench_") not in only:
            continue
        print(f"== {bench.stem} ==", flush=True)
        failed += subprocess.call([sys.executable, str(bench)]) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
