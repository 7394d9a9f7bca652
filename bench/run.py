"""`make bench`: run every benchmark in bench/ (files not starting with _ or run) in turn,
each in a database of its own, against the PostgreSQL cluster in DATABASE_URL (make bench
starts a throwaway one). `make test` runs them all with `--tiny` (seconds each), so none
can rot unnoticed.

    python bench/run.py [--tiny] [NAME ...]     # NAME: part of a script's name
    BENCH=points make bench                     # the same filter from make

The migrations run once, into a template database; each script then gets a copy of it
(`CREATE DATABASE … TEMPLATE`), dropped when it finishes.
"""

import argparse
import os
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def scripts(only: list[str]) -> list[Path]:
    found = [
        s for s in sorted(HERE.glob("*.py")) if not s.name.startswith("_") and s.name != "run.py"
    ]
    return [s for s in found if not only or any(o in s.stem for o in only)]


def with_database(url: str, name: str) -> str:
    parts = urllib.parse.urlparse(url)
    return urllib.parse.urlunparse(parts._replace(path=f"/{name}"))


def admin(url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="every benchmark at a tiny size")
    parser.add_argument("only", nargs="*", help="run the scripts whose name contains one of these")
    args = parser.parse_args()
    only = args.only or [b for b in os.environ.get("BENCH", "").split(",") if b]
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        print("bench/run.py needs PostgreSQL: bash scripts/with-postgres.sh …", file=sys.stderr)
        return 2
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), YIZHAN_HOME=str(ROOT))
    template = "bench_template"
    admin(url, f"DROP DATABASE IF EXISTS {template}", f"CREATE DATABASE {template}")
    subprocess.run(
        [sys.executable, "-m", "yizhan.cli", "migrate", "--noinput", "-v0"],
        env={**env, "DATABASE_URL": with_database(url, template)},
        cwd=ROOT,
        check=True,
    )
    failed = []
    for script in scripts(only):
        name = f"bench_{script.stem}"
        admin(url, f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name} TEMPLATE {template}")
        print(f"\n## {script.stem}{' (tiny)' if args.tiny else ''}", flush=True)
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, str(script), *(["--tiny"] if args.tiny else [])],
            env={**env, "DATABASE_URL": with_database(url, name)},
            cwd=ROOT,
        )
        took = time.monotonic() - started
        print(f"-- {script.stem}: {'ok' if result.returncode == 0 else 'FAILED'} in {took:.0f} s")
        if result.returncode:
            failed.append(script.stem)
        admin(url, f"DROP DATABASE IF EXISTS {name}")
    admin(url, f"DROP DATABASE IF EXISTS {template}")
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
