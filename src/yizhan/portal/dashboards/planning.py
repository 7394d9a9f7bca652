"""Station planning: where and when workers are out of reach of an open station, and where N
new stations would reach most of them.

1. Activity: check-ins (at the station, at their hour), report locations (at the hour they
   were filed) over the last 90 days, and delivery hot spots imported from CSV, binned into
   H3 cells (resolution 9, about 0.1 km²) per hour of the week (168 hours, Monday 00:00 first).
2. Supply: each station's opening hours over a reference week (the finder's schedules).
3. Gaps: a cell is covered at an hour when a station open at that hour is within 1 km of the
   cell's centre; the rest of its activity is a gap.
4. Placement: choose N of the candidate sites (imported from CSV), each assumed open every
   hour, to cover the most gap activity — a maximum-coverage model solved exactly with OR-Tools
   CP-SAT, beside the classic greedy heuristic (add the site that covers most of what is left)
   on the same data. CP-SAT starts from the greedy answer, so it is never worse.
"""

import datetime as dt
import math
import time
from collections import defaultdict

import h3
import numpy as np

RES = 9
REACH_M = 1000
HOURS = 168
EARTH_M = 6371008.8


def how(weekday: int, hour: int) -> int:
    return weekday * 24 + hour


def _distances_m(lat, lng, points: np.ndarray) -> np.ndarray:
    """Great-circle metres from one point to many (`points`: radians, [[lat, lng], ...])."""
    if not len(points):
        return np.array([])
    la, ln = math.radians(lat), math.radians(lng)
    a = (
        np.sin((points[:, 0] - la) / 2) ** 2
        + math.cos(la) * np.cos(points[:, 0]) * np.sin((points[:, 1] - ln) / 2) ** 2
    )
    return 2 * EARTH_M * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def activity(points) -> dict[str, np.ndarray]:
    """{cell: 168 weights} from (lat, lng, weekday, hour, weight) rows."""
    cells: dict[str, np.ndarray] = {}
    for lat, lng, weekday, hour, weight in points:
        c = h3.latlng_to_cell(lat, lng, RES)
        if c not in cells:
            cells[c] = np.zeros(HOURS, dtype=np.int64)
        cells[c][how(weekday, hour)] += weight
    return cells


def gaps(cells: dict[str, np.ndarray], supply) -> dict[str, np.ndarray]:
    """{cell: 168 weights of activity with no open station within REACH_M}. `supply` is
    [(id, lat, lng, 168 open flags)]."""
    if supply:
        where = np.radians(np.array([(s[1], s[2]) for s in supply], dtype=float))
        open_at = np.array([s[3] for s in supply], dtype=bool)  # stations × hours
    out = {}
    for c, weights in cells.items():
        lat, lng = h3.cell_to_latlng(c)
        if supply:
            near = _distances_m(lat, lng, where) <= REACH_M
            covered = open_at[near].any(axis=0) if near.any() else np.zeros(HOURS, dtype=bool)
        else:
            covered = np.zeros(HOURS, dtype=bool)
        out[c] = np.where(covered, 0, weights)
    return out


def coverage_sets(cells: list[str], candidates) -> list[list[int]]:
    """For each candidate (lat, lng), the indexes of the cells whose centre is within reach."""
    centres = np.radians(np.array([h3.cell_to_latlng(c) for c in cells], dtype=float))
    sets = []
    for lat, lng in candidates:
        if not cells:
            sets.append([])
            continue
        sets.append([int(i) for i in np.nonzero(_distances_m(lat, lng, centres) <= REACH_M)[0]])
    return sets


def greedy(weights: list[int], sets: list[list[int]], n: int) -> list[int]:
    """The classic heuristic: n times, the site covering most of the weight still uncovered."""
    covered: set[int] = set()
    chosen: list[int] = []
    for _ in range(min(n, len(sets))):
        best, gain = None, 0
        for j, s in enumerate(sets):
            if j in chosen:
                continue
            g = sum(weights[i] for i in s if i not in covered)
            if g > gain:
                best, gain = j, g
        if best is None:
            break
        chosen.append(best)
        covered.update(sets[best])
    return chosen


def covered_weight(weights, sets, chosen) -> int:
    return int(sum(weights[i] for i in {i for j in chosen for i in sets[j]}))


def cp_sat(weights: list[int], sets: list[list[int]], n: int, *, seconds: float, hint=()):
    """Maximum coverage, exactly (or the best found within `seconds`): x_j picks site j,
    y_i marks cell i covered, y_i <= sum of the x_j that reach it, sum x_j <= n."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{j}") for j in range(len(sets))]
    reach: dict[int, list[int]] = defaultdict(list)
    for j, s in enumerate(sets):
        for i in s:
            reach[i].append(j)
    y = {i: model.new_bool_var(f"y{i}") for i in reach if weights[i] > 0}
    for i, var in y.items():
        model.add(var <= sum(x[j] for j in reach[i]))
    model.add(sum(x) <= n)
    model.maximize(sum(int(weights[i]) * var for i, var in y.items()))
    for j in hint:
        model.add_hint(x[j], True)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 2
    solver.parameters.random_seed = 1
    status = solver.solve(model)
    chosen = (
        [j for j in range(len(sets)) if solver.value(x[j])]
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        else list(hint)
    )
    return chosen, solver.status_name(status), solver.best_objective_bound


def plan(*, points, supply, candidates, n: int, seconds: float) -> dict:
    """The whole analysis as JSON-able data: gaps per cell and hour, both placements."""
    started = time.perf_counter()
    cells = activity(points)
    open_gaps = gaps(cells, supply)
    order = sorted(open_gaps, key=lambda c: -int(open_gaps[c].sum()))
    weights = [int(open_gaps[c].sum()) for c in order]
    total = int(sum(int(w.sum()) for w in cells.values()))
    uncovered = int(sum(weights))
    sets = coverage_sets(order, [(c["lat"], c["lng"]) for c in candidates])
    t0 = time.perf_counter()
    g = greedy(weights, sets, n)
    greedy_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    c, status, bound = cp_sat(weights, sets, n, seconds=seconds, hint=g)
    cp_s = time.perf_counter() - t0
    g_cov, c_cov = covered_weight(weights, sets, g), covered_weight(weights, sets, c)
    if c_cov < g_cov:  # never report a worse answer than the hint it started from
        c, c_cov = g, g_cov
    by_hour = np.zeros(HOURS, dtype=np.int64)
    for w in open_gaps.values():
        by_hour += w
    chosen_cells = {i for j in c for i in sets[j]}
    return {
        "res": RES,
        "reach_m": REACH_M,
        "sites": n,
        "total": total,
        "covered_before": total - uncovered,
        "uncovered": uncovered,
        "gaps_by_hour": [int(v) for v in by_hour],
        "cells": [
            {
                "cell": cell,
                "lat": round(h3.cell_to_latlng(cell)[0], 6),
                "lng": round(h3.cell_to_latlng(cell)[1], 6),
                "activity": int(cells[cell].sum()),
                "gap": weights[i],
                "gap_hours": {str(h): int(v) for h, v in enumerate(open_gaps[cell]) if v},
                "outline": [[round(a, 6), round(b, 6)] for a, b in h3.cell_to_boundary(cell)],
                "reached_after": i in chosen_cells,
            }
            for i, cell in enumerate(order)
            if weights[i] or cells[cell].sum()
        ][:3000],
        "candidates": candidates,
        "greedy": {
            "sites": [candidates[j]["id"] for j in g],
            "covered": g_cov,
            "seconds": round(greedy_s, 3),
        },
        "cpsat": {
            "sites": [candidates[j]["id"] for j in c],
            "covered": c_cov,
            "status": status,
            "bound": bound,
            "seconds": round(cp_s, 3),
        },
        "covered_after": total - uncovered + c_cov,
        "seconds": round(time.perf_counter() - started, 3),
    }


def reference_week(now) -> dt.datetime:
    """Monday 00:00 (local) of the week after `now`'s: the week the opening hours describe."""
    from django.utils import timezone

    tz = timezone.get_current_timezone()
    local = now.astimezone(tz)
    monday = local.date() - dt.timedelta(days=local.weekday()) + dt.timedelta(days=7)
    return dt.datetime.combine(monday, dt.time(0), tzinfo=tz)
