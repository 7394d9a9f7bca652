"""Shared bench helpers: Django set-up against DATABASE_URL and percentile reporting."""

import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yizhan.settings")
    import django

    django.setup()


def fresh_database():
    """Migrate the database named by DATABASE_URL (bench runs use a throwaway cluster)."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def percentiles(samples_s: list[float]) -> dict:
    ordered = sorted(samples_s)

    def pick(q):
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return {
        "n": len(ordered),
        "p50_ms": pick(0.50),
        "p99_ms": pick(0.99),
        "mean_ms": statistics.fmean(ordered) * 1000,
    }


def timed(fn, *args, **kwargs) -> float:
    start = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - start


def machine() -> str:
    return f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}"


def report(title: str, rows: list[tuple[str, str]]) -> None:
    print(f"\n### {title}")
    for name, value in rows:
        print(f"- {name}: {value}")
