"""Shared bench helpers: Django set-up against DATABASE_URL and percentile reporting."""

import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def production_settings() -> None:
    """Run this process with the production profile (YIZHAN_ENV=production: DEBUG off,
    persistent database connections, cached templates, hashed static files), as the
    queue benchmarks must; call before `setup_django`. The demo's keys, so data loaded by
    the demo generator stays readable; static files collected once into var/bench/static."""
    os.environ.update(
        {
            "YIZHAN_ENV": "production",
            "SECRET_KEY": "bench-" + "x" * 50,
            "ALLOWED_HOSTS": "testserver,localhost,127.0.0.1",
            "YIZHAN_PII_KEYS": "ZGVtby1vbmx5LWtleS1kby1ub3QtdXNlLWluLXByb2Q=",
            "YIZHAN_PII_HASH_KEY": "demo-only-hash-key",
            "YIZHAN_SMS_LOG_BACKEND_ALLOWED": "true",
            "YIZHAN_SERVE_MEDIA": "false",
            "STATIC_ROOT": str(ROOT / "var" / "bench" / "static"),
            "LOG_LEVEL": "ERROR",
        }
    )


def collect_static() -> None:
    """Hashed static files, as production renders pages with (`{% static %}` reads the
    manifest). Pages are what is measured, not file serving: the files are hashed but not
    compressed (WhiteNoise's gzip/brotli pass takes a minute and changes no page), and the
    collection is reused while the source files are unchanged."""
    import hashlib

    from django.conf import settings
    from django.contrib.staticfiles import finders
    from django.core.files.storage import storages
    from django.core.management import call_command

    backend = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": backend}}
    storages._storages.pop("staticfiles", None)
    digest = hashlib.sha256()
    for finder in finders.get_finders():
        for path, storage in finder.list([]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    stamp = Path(settings.STATIC_ROOT) / ".bench-sources"
    if stamp.exists() and stamp.read_text() == digest.hexdigest():
        return
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(digest.hexdigest())


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


def load_average() -> float:
    """The 1-minute load average (the machine is shared: every figure is given with it)."""
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def summarise(runs: list[dict], specs: list[tuple]) -> str:
    """A markdown table: one row per (label, key, field) over the repetitions, with the
    min and the median (`key` None: the field is on the run itself)."""

    def cell(value):
        if isinstance(value, float):
            return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"
        return f"{value:,}" if isinstance(value, int) else str(value)

    head = ["measure", *[f"run {r.get('rep', i + 1)}" for i, r in enumerate(runs)], "min", "median"]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for label, key, name in specs:
        values = [(r[key] if key else r)[name] for r in runs]
        lines.append(
            "| "
            + " | ".join(
                [label, *map(cell, values), cell(min(values)), cell(statistics.median(values))]
            )
            + " |"
        )
    loads = [
        max(v.get("load", 0) for v in r.values() if isinstance(v, dict) and "load" in v)
        for r in runs
    ]
    lines.append(
        "| load average (1 min, highest at a measure's start) | "
        + " | ".join([f"{x:.1f}" for x in loads] + ["", ""])
        + " |"
    )
    return "\n".join(lines)
