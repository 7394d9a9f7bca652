"""`make bench`: run every benchmark in bench/ (files not starting with _ or run) in turn,
each in a database of its own, against the PostgreSQL cluster in DATABASE_URL (make bench
starts a throwaway one). `make test` runs them all with `--tiny` (seconds each), so none
can rot unnoticed.

    python bench/run.py [--tiny] [NAME ...]     # NAME: part of a script's name
    BENCH=points make bench                     # the same filter from make

The migrations run once, into a template database; each script then gets a copy of it
(`CREATE DATABASE … TEMPLATE`), dropped when it finishes. tests/test_benches.py runs each
script the same way, tiny, in make test's PostgreSQL pass.
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


def prepare(url: str, template: str = "bench_template") -> dict:
    """Migrate into a fresh template database; return the environment the scripts run in."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), YIZHAN_HOME=str(ROOT))
    admin(url, f"DROP DATABASE IF EXISTS {template}", f"CREATE DATABASE {template}")
    subprocess.run(
        [sys.executable, "-m", "yizhan.cli", "migrate", "--noinput", "-v0"],
        env={**env, "DATABASE_URL": with_database(url, template)},
        cwd=ROOT,
        check=True,
    )
    return env


def run_one(
    script: Path,
    *,
    url: str,
    env: dict,
    tiny: bool,
    template: str = "bench_template",
    timeout: float | None = None,
    capture: bool = False,
) -> subprocess.CompletedProcess:
    """One script in a copy of the template database, dropped after."""
    name = f"{template}_{script.stem}"
    admin(url, f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name} TEMPLATE {template}")
    try:
        return subprocess.run(
            [sys.executable, str(script), *(["--tiny"] if tiny else [])],
            env={**env, "DATABASE_URL": with_database(url, name)},
            cwd=ROOT,
            timeout=timeout,
            capture_output=capture,
            text=capture,
        )
    finally:
        admin(url, f"DROP DATABASE IF EXISTS {name}")


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
    template = "bench_template"
    env = prepare(url, template)
    failed = []
    for script in scripts(only):
        print(f"\n## {script.stem}{' (tiny)' if args.tiny else ''}", flush=True)
        started = time.monotonic()
        result = run_one(script, url=url, env=env, tiny=args.tiny, template=template)
        took = time.monotonic() - started
        print(f"-- {script.stem}: {'ok' if result.returncode == 0 else 'FAILED'} in {took:.0f} s")
        if result.returncode:
            failed.append(script.stem)
    admin(url, f"DROP DATABASE IF EXISTS {template}")
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
