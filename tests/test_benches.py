"""Every benchmark in bench/ runs, at its tiny size (seconds), so none can rot unnoticed:
each script in a subprocess, in a database of its own copied from a freshly migrated
template (as `make bench` runs them), and must exit 0. PostgreSQL only — the scripts use
COPY, pgbench and row locks — so make test's PostgreSQL pass runs them; `-m "not bench"`
leaves them out."""

import os
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import run as bench_run  # noqa: E402  (bench/run.py: how make bench runs a script)

TEMPLATE = "test_bench_template"
URL = os.environ.get("DATABASE_URL", "")

pytestmark = [
    pytest.mark.bench,
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql" or not URL.startswith("postgres"),
        reason="the benchmarks run on PostgreSQL (make test's PostgreSQL pass)",
    ),
]


@pytest.fixture(scope="module")
def bench_env():
    env = bench_run.prepare(URL, TEMPLATE)
    # The scripts time and print; they must not inherit the test run's settings overrides.
    env.pop("DJANGO_SETTINGS_MODULE", None)
    yield env
    bench_run.admin(URL, f"DROP DATABASE IF EXISTS {TEMPLATE}")


@pytest.mark.parametrize("script", bench_run.scripts([]), ids=lambda s: s.stem)
def test_benchmark_runs_clean_at_its_tiny_size(script, bench_env):
    result = bench_run.run_one(
        script, url=URL, env=bench_env, tiny=True, template=TEMPLATE, timeout=240, capture=True
    )
    assert result.returncode == 0, (
        f"bench/{script.name} --tiny exited {result.returncode}\n"
        f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    )
