"""Planning a day's volunteer trips: Google OR-Tools routing, and the greedy baseline.

Pure Python on plain data (no database), so the planner, the `volunteer plan` command, the
benchmark and the property tests all run the same code.

The model. Each request is one *job*: pick up at A, drive straight to B (one passenger party
per car at a time: privacy, the maximum ride time and a plan anyone can check). Each
*shift* is one volunteer's available window that day, starting from home or their station;
a volunteer with a morning and an evening window has two shifts, which never overlap (the
app refuses overlapping availability). The solver chooses, per shift, an ordered list of
jobs, minimising *empty driving* (start point or last drop-off to the next pick-up), with:

- time windows: pick-up no earlier than the request's earliest time, drop-off no later than
  its latest time; the volunteer leaves no earlier than the shift opens and drops the last
  passenger off before it closes;
- credentials and vehicle: a ride needs a volunteer qualified to drive with enough seats
  (and a wheelchair-capable car when asked); a meal needs a qualified rider or driver;
- maximum ride time: a job whose direct ride is longer than its maximum is refused at booking;
- pins (the coordinator's override) restrict a job to one volunteer; locked jobs (trips a
  volunteer already accepted) keep their volunteer and time, so a new solve never silently
  drops an accepted trip (if one no longer fits it is reported, not dropped);
- a standing ride's preferred driver (the one who drove it before) gets a soft preference.

Jobs that cannot all be served are dropped at a penalty far above any driving, so the
solver serves every job it can and then drives as little as it can.
"""

import time
from dataclasses import dataclass, field

from yizhan.volunteering.travel import DEFAULT, TravelModel, handling_minutes

Point = tuple[float, float]

DRIVE = "drive"  # qualified to carry passengers in a car
MEAL = "meal"  # qualified to deliver meals (rider or driver)

DROP_PENALTY_M = 10_000_000  # 10,000 km: serving a job always beats any detour
LOCKED_PENALTY_M = 1_000_000_000
PREFERENCE_PENALTY_M = 3_000  # a standing ride's usual driver is worth 3 km of empty driving


@dataclass(frozen=True)
class Job:
    key: str
    pickup: Point
    dropoff: Point
    earliest: int  # minutes after the day's local midnight: earliest pick-up
    latest: int  # latest drop-off
    needs: str = DRIVE
    passengers: int = 1
    wheelchair: bool = False
    preferred: str | None = None  # volunteer key
    pinned: str | None = None  # volunteer key: only this volunteer
    locked_at: int | None = None  # an accepted trip's pick-up minute (with `pinned`)


@dataclass(frozen=True)
class Shift:
    volunteer: str
    start: Point
    opens: int
    closes: int
    can: frozenset = frozenset({DRIVE, MEAL})
    seats: int = 4
    wheelchair: bool = False


@dataclass
class Leg:
    job: str
    volunteer: str
    shift: int
    pickup_at: int
    dropoff_at: int
    empty_km: float
    leave_at: int  # when the volunteer sets off from the start point or the last drop-off


@dataclass
class Plan:
    legs: list[Leg] = field(default_factory=list)
    unserved: list[str] = field(default_factory=list)
    late: list[str] = field(default_factory=list)
    seconds: float = 0.0
    method: str = ""
    conflicts: list[str] = field(default_factory=list)  # locked jobs that no longer fit

    @property
    def served(self) -> int:
        return len(self.legs)

    @property
    def empty_km(self) -> float:
        return round(sum(leg.empty_km for leg in self.legs), 3)

    def figures(self) -> dict:
        return {
            "method": self.method,
            "served": self.served,
            "unserved": len(self.unserved),
            "empty_km": round(self.empty_km, 2),
            "late_arrivals": len(self.late),
            "solve_seconds": round(self.seconds, 3),
        }


def duration(job: Job, model: TravelModel) -> int:
    """Minutes from pick-up to drop-off: handling, then the direct ride."""
    return handling_minutes(wheelchair=job.wheelchair) + model.minutes(job.pickup, job.dropoff)


def qualified(job: Job, shift: Shift) -> bool:
    if job.pinned and job.pinned != shift.volunteer:
        return False
    if job.needs not in shift.can:
        return False
    return not (
        job.needs == DRIVE
        and (shift.seats < job.passengers or (job.wheelchair and not shift.wheelchair))
    )


def fits_alone(job: Job, shift: Shift, model: TravelModel) -> bool:
    """Could this shift serve this job if it did nothing else?"""
    if not qualified(job, shift):
        return False
    earliest = max(job.earliest, shift.opens + model.minutes(shift.start, job.pickup))
    if job.locked_at is not None:
        earliest = max(earliest, job.locked_at)
    drop = earliest + duration(job, model)
    return drop <= min(job.latest, shift.closes)


# --- OR-Tools --------------------------------------------------------------------------------


def solve(
    jobs: list[Job],
    shifts: list[Shift],
    *,
    model: TravelModel = DEFAULT,
    time_limit_s: float = 10.0,
    solution_limit: int | None = None,
) -> Plan:
    """The OR-Tools plan (routing with time windows, allowed vehicles, drop penalties).

    The search stops at the time limit, or after `solution_limit` improving solutions if
    that comes first: a bound by solutions gives the same plan on any machine (the demo)."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    started = time.perf_counter()
    plan = Plan(method="or-tools")
    if not jobs:
        plan.seconds = time.perf_counter() - started
        return plan
    feasible_for = {
        j.key: [v for v, s in enumerate(shifts) if fits_alone(j, s, model)] for j in jobs
    }
    live = [j for j in jobs if feasible_for[j.key]]
    plan.unserved = [j.key for j in jobs if not feasible_for[j.key]]
    plan.conflicts = [j.key for j in jobs if j.locked_at is not None and not feasible_for[j.key]]
    if not live or not shifts:
        plan.seconds = time.perf_counter() - started
        return plan

    n_shifts = len(shifts)
    end_node = 0
    start_nodes = list(range(1, n_shifts + 1))
    first_job = n_shifts + 1
    n_nodes = first_job + len(live)
    durations = [duration(j, model) for j in live]

    def out_point(node):  # where the volunteer is when leaving `node`
        if 1 <= node <= n_shifts:
            return shifts[node - 1].start
        return live[node - first_job].dropoff

    # Empty metres and minutes between nodes (the end node is free: volunteers end anywhere).
    metres = [[0] * n_nodes for _ in range(n_nodes)]
    minutes = [[0] * n_nodes for _ in range(n_nodes)]
    for a in range(1, n_nodes):
        here = out_point(a)
        service = durations[a - first_job] if a >= first_job else 0
        minutes[a][end_node] = service
        for b in range(first_job, n_nodes):
            if a == b:
                continue
            target = live[b - first_job].pickup
            metres[a][b] = round(model.km(here, target) * 1000)
            minutes[a][b] = service + model.minutes(here, target)

    manager = pywrapcp.RoutingIndexManager(n_nodes, n_shifts, start_nodes, [end_node] * n_shifts)
    routing = pywrapcp.RoutingModel(manager)

    # Arc costs: one matrix for everyone, plus one per volunteer some standing ride prefers.
    preferred_by = {j.preferred for j in live if j.preferred}
    cost_ids: dict[str | None, int] = {}
    for who in [None, *sorted(preferred_by)]:
        matrix = [row[:] for row in metres]
        for b in range(first_job, n_nodes):
            job = live[b - first_job]
            if job.preferred and job.preferred != who:
                for a in range(1, n_nodes):
                    if a != b:
                        matrix[a][b] += PREFERENCE_PENALTY_M
        cost_ids[who] = routing.RegisterTransitMatrix(matrix)
    for v, shift in enumerate(shifts):
        who = shift.volunteer if shift.volunteer in preferred_by else None
        routing.SetArcCostEvaluatorOfVehicle(cost_ids[who], v)

    time_cb = routing.RegisterTransitMatrix(minutes)
    horizon = max([s.closes for s in shifts] + [j.latest for j in live]) + 1
    routing.AddDimension(time_cb, horizon, horizon, False, "time")
    clock = routing.GetDimensionOrDie("time")
    for v, shift in enumerate(shifts):
        clock.CumulVar(routing.Start(v)).SetRange(shift.opens, shift.closes)
        clock.CumulVar(routing.End(v)).SetRange(shift.opens, shift.closes)
    for i, job in enumerate(live):
        index = manager.NodeToIndex(first_job + i)
        latest_pickup = job.latest - durations[i]
        if job.locked_at is not None:
            clock.CumulVar(index).SetRange(job.locked_at, job.locked_at)
        else:
            clock.CumulVar(index).SetRange(job.earliest, latest_pickup)
        routing.VehicleVar(index).SetValues([-1, *feasible_for[job.key]])
        penalty = LOCKED_PENALTY_M if job.locked_at is not None else DROP_PENALTY_M
        routing.AddDisjunction([index], penalty)
    for v in range(n_shifts):
        routing.AddVariableMinimizedByFinalizer(clock.CumulVar(routing.Start(v)))

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = (
        routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    )
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    spent = time.perf_counter() - started
    # Keep a margin for reading the solution back, so the whole call stays within the limit.
    params.time_limit.FromMilliseconds(max(200, int((time_limit_s * 0.9 - spent) * 1000)))
    if solution_limit:
        params.solution_limit = solution_limit
    solution = routing.SolveWithParameters(params)
    if solution is None:  # no solution at all: say so rather than guess
        plan.unserved += [j.key for j in live]
        plan.seconds = time.perf_counter() - started
        return plan

    served = set()
    for v, shift in enumerate(shifts):
        index = solution.Value(routing.NextVar(routing.Start(v)))
        here, free_at = shift.start, None
        while not routing.IsEnd(index):
            node = manager.IndexToNode(index)
            job = live[node - first_job]
            pickup_at = solution.Min(clock.CumulVar(index))
            travel = model.minutes(here, job.pickup)
            leave_at = pickup_at - travel if free_at is None else free_at
            plan.legs.append(
                Leg(
                    job=job.key,
                    volunteer=shift.volunteer,
                    shift=v,
                    pickup_at=pickup_at,
                    dropoff_at=pickup_at + durations[node - first_job],
                    empty_km=round(model.km(here, job.pickup), 3),
                    leave_at=leave_at,
                )
            )
            served.add(job.key)
            here, free_at = job.dropoff, pickup_at + durations[node - first_job]
            index = solution.Value(routing.NextVar(index))
    for job in live:
        if job.key not in served:
            plan.unserved.append(job.key)
            if job.locked_at is not None:
                plan.conflicts.append(job.key)
    plan.seconds = time.perf_counter() - started
    return plan


# --- The greedy baseline ---------------------------------------------------------------------


def greedy(jobs: list[Job], shifts: list[Shift], *, model: TravelModel = DEFAULT) -> Plan:
    """What a dispatcher with a list does: take requests by earliest time; give each to the
    nearest qualified volunteer who is free and can reach it in time; failing that, to the
    one who can get there soonest (a late arrival); failing that, nobody."""
    started = time.perf_counter()
    plan = Plan(method="greedy")
    position = [s.start for s in shifts]
    free_at = [s.opens for s in shifts]
    used = [False] * len(shifts)
    for job in sorted(jobs, key=lambda j: (j.earliest, j.latest, j.key)):
        dur = duration(job, model)
        on_time, late = [], []
        for v, shift in enumerate(shifts):
            if not qualified(job, shift):
                continue
            travel = model.minutes(position[v], job.pickup)
            pickup_at = max(job.earliest, free_at[v] + travel)
            if pickup_at + dur > shift.closes:
                continue
            km = model.km(position[v], job.pickup)
            if pickup_at + dur <= job.latest:
                on_time.append((km, v, pickup_at, travel))
            else:
                late.append((pickup_at, km, v, travel))
        if on_time:
            km, v, pickup_at, travel = min(on_time)
        elif late:
            pickup_at, km, v, travel = min(late)
            plan.late.append(job.key)
        else:
            plan.unserved.append(job.key)
            continue
        leave_at = free_at[v] if used[v] else pickup_at - travel
        plan.legs.append(
            Leg(
                job=job.key,
                volunteer=shifts[v].volunteer,
                shift=v,
                pickup_at=pickup_at,
                dropoff_at=pickup_at + dur,
                empty_km=round(km, 3),
                leave_at=leave_at,
            )
        )
        position[v], free_at[v], used[v] = job.dropoff, pickup_at + dur, True
    plan.seconds = time.perf_counter() - started
    return plan


# --- Checking a plan (used by tests and the insertion of a single request) -------------------


def violations(plan: Plan, jobs: list[Job], shifts: list[Shift], *, model=DEFAULT) -> list[str]:
    """Everything wrong with a plan: windows, shifts, qualifications, a volunteer in two
    places at once, travel too short between trips. Empty when the plan is feasible."""
    by_key = {j.key: j for j in jobs}
    found = []
    per_shift: dict[int, list[Leg]] = {}
    for leg in plan.legs:
        job, shift = by_key[leg.job], shifts[leg.shift]
        if not qualified(job, shift):
            found.append(f"{leg.job}: {shift.volunteer} is not qualified")
        if leg.pickup_at < job.earliest:
            found.append(f"{leg.job}: picked up before the window opens")
        if leg.dropoff_at != leg.pickup_at + duration(job, model):
            found.append(f"{leg.job}: drop-off time does not follow from the pick-up")
        if leg.dropoff_at > job.latest and leg.job not in plan.late:
            found.append(f"{leg.job}: dropped off after the window closes")
        per_shift.setdefault(leg.shift, []).append(leg)
    for v, legs in per_shift.items():
        shift = shifts[v]
        legs.sort(key=lambda leg: leg.pickup_at)
        here, free = shift.start, shift.opens
        for leg in legs:
            job = by_key[leg.job]
            if leg.pickup_at < free + model.minutes(here, job.pickup):
                found.append(f"{leg.job}: {shift.volunteer} cannot be there in time")
            here, free = job.dropoff, leg.dropoff_at
        if legs and legs[-1].dropoff_at > shift.closes:
            found.append(f"{legs[-1].job}: past the end of {shift.volunteer}'s window")
    by_volunteer: dict[str, list[Leg]] = {}
    for leg in plan.legs:
        by_volunteer.setdefault(leg.volunteer, []).append(leg)
    for volunteer, legs in by_volunteer.items():
        legs.sort(key=lambda leg: leg.pickup_at)
        for a, b in zip(legs, legs[1:], strict=False):
            if b.pickup_at < a.dropoff_at:
                found.append(f"{volunteer} is in two trips at once: {a.job} and {b.job}")
    return found


def best_insertion(
    job: Job, shifts: list[Shift], legs: list[Leg], jobs: dict[str, Job], *, model=DEFAULT
) -> tuple[int, int, float] | None:
    """Where one more job fits with the least extra empty driving, keeping every existing
    leg where it is: (shift index, pick-up minute, extra km), or None. Used to re-plan a
    declined trip and to place an urgent request without moving anyone's accepted trips."""
    best = None
    for v, shift in enumerate(shifts):
        if not qualified(job, shift):
            continue
        mine = sorted((leg for leg in legs if leg.shift == v), key=lambda leg: leg.pickup_at)
        stops = [(shift.start, shift.opens)] + [
            (jobs[leg.job].dropoff, leg.dropoff_at) for leg in mine
        ]
        nexts = [(jobs[leg.job].pickup, leg.pickup_at) for leg in mine] + [(None, shift.closes)]
        for (here, free), (after, must_end) in zip(stops, nexts, strict=True):
            pickup_at = max(job.earliest, free + model.minutes(here, job.pickup))
            drop = pickup_at + duration(job, model)
            if drop > job.latest:
                continue
            if after is None:
                if drop > must_end:
                    continue
                extra = model.km(here, job.pickup)
            else:
                if drop + model.minutes(job.dropoff, after) > must_end:
                    continue
                extra = (
                    model.km(here, job.pickup)
                    + model.km(job.dropoff, after)
                    - model.km(here, after)
                )
            if best is None or extra < best[2]:
                best = (v, pickup_at, extra)
    return best
