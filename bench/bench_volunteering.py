"""Volunteer dispatch: the OR-Tools plan against a greedy nearest-free-volunteer baseline
on the same day over Lanzhou (docs/VOLUNTEERING.md, "Figures").

Requests have time windows (appointments, rides home, exam escorts, meals); volunteers have
one or two windows, cars with 4 or 6 seats (a quarter take a wheelchair) or e-bikes (meals
only). Reported per method: requests served (and how many could be served at all, each on
its own), empty driving (km), late arrivals, solve time; the anchor is the greedy baseline
run on the same input in the same process, and a fixed CPU loop times the machine.

    python bench/bench_volunteering.py            # tiny: 20 requests, 8 volunteers, 2 s
    python bench/bench_volunteering.py --full     # 200 requests, 60 volunteers, 10 s limit
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yizhan.settings")

from _common import machine, report  # noqa: E402

from yizhan.volunteering import dispatch, scenario  # noqa: E402


def cpu_anchor() -> float:
    """Seconds for a fixed amount of pure-Python arithmetic (compares machines)."""
    started = time.perf_counter()
    total = 0.0
    for i in range(2_000_000):
        total += (i % 7) * 0.5
    return time.perf_counter() - started


def run(requests: int, volunteers: int, limit: float, seed: int) -> dict:
    day = scenario.day(requests_n=requests, volunteers_n=volunteers, seed=seed)
    feasible = sum(
        any(dispatch.fits_alone(j, s, dispatch.DEFAULT) for s in day.shifts) for j in day.jobs
    )
    best = dispatch.solve(day.jobs, day.shifts, time_limit_s=limit)
    greedy = dispatch.greedy(day.jobs, day.shifts)
    for plan in (best, greedy):
        broken = dispatch.violations(plan, day.jobs, day.shifts)
        assert not broken, broken[:3]
    return {"feasible": feasible, "or_tools": best.figures(), "greedy": greedy.figures()}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true", help="200 requests, 60 volunteers, 10 s")
    parser.add_argument("--seeds", type=int, default=1, help="independent days to average")
    parser.add_argument("--tiny", action="store_true", help="seconds: 12 requests, 0.5 s")
    args = parser.parse_args()
    requests, volunteers, limit = (200, 60, 10.0) if args.full else (20, 8, 2.0)
    if args.tiny:
        requests, volunteers, limit = 12, 5, 0.5
    anchor = cpu_anchor()
    rows = [("machine", machine()), ("cpu anchor (2M float adds)", f"{anchor:.3f} s")]
    cuts = []
    for seed in range(20261129, 20261129 + args.seeds):
        out = run(requests, volunteers, limit, seed)
        o, g = out["or_tools"], out["greedy"]
        cut = 100 * (1 - o["empty_km"] / g["empty_km"]) if g["empty_km"] else 0.0
        cuts.append(cut)
        rows += [
            (
                f"seed {seed}",
                f"{requests} requests ({out['feasible']} feasible), {volunteers} volunteers",
            ),
            (
                "  OR-Tools",
                f"served {o['served']}, empty {o['empty_km']} km, late {o['late_arrivals']}, "
                f"{o['solve_seconds']} s",
            ),
            (
                "  greedy",
                f"served {g['served']}, empty {g['empty_km']} km, late {g['late_arrivals']}, "
                f"{g['solve_seconds']} s",
            ),
            ("  empty driving vs greedy", f"-{cut:.1f}%"),
        ]
    report("Volunteer dispatch (OR-Tools vs greedy)", rows)
    rows = []
    rows.append(("mean cut in empty driving", f"-{sum(cuts) / len(cuts):.1f}%"))
    report("Summary", rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
