"""`yizhan demo-load` on SQLite, as `make demo` runs it: the whole command in a fresh
process and a fresh database, timed from outside (Python start-up and Django set-up
included), 3 runs. Twice: with every app's seeder, and without the seeders added after
issue 12 was filed (places' landmarks, volunteering, transparency, news, training), so the
demo's own cost and the new apps' are told apart.

    python bench/demo_load.py [--tiny] [--runs 3]

The database is a SQLite file of its own whatever DATABASE_URL says (`make bench` runs
this with the others); the media files go to a temporary folder too. The database is
migrated once and copied for each run: the time is `demo-load`'s alone. Likewise the
project's sources are compiled to bytecode once (`src/**/__pycache__`, ignored by git), as
`make demo`'s migrate leaves them for the demo-load after it: where PYTHONDONTWRITEBYTECODE
is set (as on the project machine) every run would otherwise compile them again, about
0.4 s that no second run elsewhere pays. `--compile-each-run` skips that step.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from _common import ROOT, load_average, machine

LATER = [
    ("yizhan.places.demo", "seed_landmarks"),
    ("yizhan.volunteering.demo", "seed_volunteering"),
    ("yizhan.transparency.demo", "seed_transparency"),
    ("yizhan.news.demo", "seed_news"),
    ("yizhan.training.demo", "seed_training"),
]
WITHOUT = (
    "import importlib, os, sys\n"
    "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'yizhan.settings')\n"
    "import django\n"
    "django.setup()\n"
    "for module, name in {later!r}:\n"
    "    try:\n"
    "        setattr(importlib.import_module(module), name, lambda *a, **k: None)\n"
    "    except ImportError:\n"
    "        pass\n"
    "from yizhan.cli import main\n"
    "main(['yizhan', 'demo-load', *sys.argv[1:]])\n"
)


def environment(tmp: str) -> dict:
    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite:///{tmp}/demo.sqlite3",
        YIZHAN_VAR_DIR=tmp,
        MEDIA_ROOT=f"{tmp}/media",
        YIZHAN_PRIVATE_MEDIA_ROOT=f"{tmp}/private",
        PYTHONPATH=str(ROOT / "src"),
        LOG_LEVEL="WARNING",
    )
    env.pop("YIZHAN_ENV", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def compile_sources(folder: str) -> None:
    """The project's sources compiled to bytecode beside them, once (the runs read it; a
    bytecode folder elsewhere, PYTHONPYCACHEPREFIX, would hide the installed packages')."""
    env = environment(folder)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "src")],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def migrated(folder: str) -> str:
    """A migrated, empty SQLite database, made once and copied for every run (migrating is
    not part of `demo-load`'s time)."""
    subprocess.run(
        [sys.executable, "-m", "yizhan.cli", "migrate", "--noinput", "-v0"],
        env=environment(folder),
        cwd=ROOT,
        check=True,
    )
    return f"{folder}/demo.sqlite3"


def one_run(*, template: str, with_all: bool, scale: str) -> tuple[float, float, float]:
    with tempfile.TemporaryDirectory(prefix="bench-demo-") as tmp:
        shutil.copy(template, f"{tmp}/demo.sqlite3")
        env = environment(tmp)
        if with_all:
            command = [sys.executable, "-m", "yizhan.cli", "demo-load", "--scale", scale]
        else:
            command = [sys.executable, "-c", WITHOUT.format(later=LATER), "--scale", scale]
        load = load_average()
        started = time.perf_counter()
        cpu = os.times()
        subprocess.run(command, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        after = os.times()
        took = time.perf_counter() - started
        return (
            took,
            (after.children_user - cpu.children_user)
            + (after.children_system - cpu.children_system),
            load,
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tiny", action="store_true", help="the small city, one run, every seeder")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--compile-each-run",
        action="store_true",
        help="no bytecode compiled beforehand (with PYTHONDONTWRITEBYTECODE: compiled every run)",
    )
    args, _ = parser.parse_known_args()
    runs = 1 if args.tiny else args.runs
    scale = "small" if args.tiny else "demo"
    print(f"machine: {machine()}")
    print(f"\n### `yizhan demo-load --scale {scale}` on SQLite, {runs} run(s), wall (CPU) seconds")
    variants = (True,) if args.tiny else (True, False)
    results: dict[bool, list] = {v: [] for v in variants}
    with tempfile.TemporaryDirectory(prefix="bench-demo-template-") as folder:
        template = migrated(folder)
        if not args.compile_each_run:
            compile_sources(folder)
        for _ in range(runs):  # interleaved, so both see the same load
            for with_all in variants:
                results[with_all].append(one_run(template=template, with_all=with_all, scale=scale))
    labels = {True: "with every seeder", False: "without the later apps"}
    for with_all in variants:
        label = labels[with_all]
        walls = [r[0] for r in results[with_all]]
        cells = ", ".join(f"{w:.1f} ({c:.1f}) at load {lo:.1f}" for w, c, lo in results[with_all])
        print(
            f"- {label}: {cells}; min {min(walls):.1f} s, median {statistics.median(walls):.1f} s"
        )


if __name__ == "__main__":
    main()
