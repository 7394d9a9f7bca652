"""Membership bench (docs/MEMBERSHIP.md, "Figures"):

1. a city of registered workers (bulk inserts: encrypted mobile, name and ID number, keyed
   hashes), a third of them members of volunteer teams;
2. the registry's bulk yes/no check through `services.registry_check` (the real use case: the
   keyed hash of every row, batched lookups against the blind index, the log row): ID numbers
   half registered, half not — "is this a registered worker?" and "a volunteer?";
3. the transfer sweep (`services.transfer_sweep`) over pending check-ins: a third overdue
   (escalated to the city), a third due by the end of the next working day (reminded), a third
   later (untouched); then the second sweep, which must find nothing to do;
4. anchors in the same run: one lookup of one ID number by its blind index, repeated; the keyed
   hashes alone.

    python bench/bench_membership.py            # tiny: 3,000 workers, 1,000 IDs, 500 pending
    python bench/bench_membership.py --full     # 300,000 workers, 100,000 IDs, 50,000 pending

Without DATABASE_URL it runs on a throwaway SQLite file; `make bench` gives it PostgreSQL.
"""

import argparse
import datetime as dt
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "src"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yizhan.settings")
os.environ.setdefault("YIZHAN_FAST_PASSWORD_HASHER", "true")
if not os.environ.get("DATABASE_URL"):
    _tmp = tempfile.mkdtemp(prefix="bench-membership-")
    os.environ["DATABASE_URL"] = f"sqlite:///{_tmp}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from _common import machine, report  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

SIZES = {
    "tiny": {"workers": 3_000, "ids": 1_000, "pending": 500},
    "full": {"workers": 300_000, "ids": 100_000, "pending": 50_000},
}
BATCH = 5_000


def say(message: str) -> None:
    print(message, flush=True)


def id_number(serial: int) -> str:
    from yizhan.core.validators import id_check_char

    born = dt.date(1970, 1, 1) + dt.timedelta(days=serial % 12_000)
    first17 = f"620102{born:%Y%m%d}{serial // 12_000 % 1000:03d}"
    return first17 + id_check_char(first17)


def city(n_workers: int):
    from django.contrib.auth.hashers import make_password

    from yizhan.accounts.models import Role, RoleAssignment, User, WorkerProfile
    from yizhan.core.pii import blind_index
    from yizhan.places.models import District

    districts = [District.objects.create(code=f"62010{i}", name=f"区{i}") for i in range(2, 10)]
    password = make_password("bench")
    admin = User.objects.create(
        mobile="13900000001",
        mobile_index=blind_index("13900000001"),
        name="管理员",
        password=password,
    )
    RoleAssignment.objects.create(user=admin, role=Role.CITY_ADMIN)
    dept_user = User.objects.create(
        mobile="13900000004",
        mobile_index=blind_index("13900000004"),
        name="人社干部",
        password=password,
    )
    from yizhan.orgs.models import Department

    RoleAssignment.objects.create(
        user=dept_user,
        role=Role.DEPARTMENT_OFFICER,
        department=Department.objects.create(code="hrss", name="人社局"),
    )
    now = timezone.now()
    started = time.perf_counter()
    for start in range(0, n_workers, BATCH):
        users, profiles = [], []
        for i in range(start, min(n_workers, start + BATCH)):
            mobile = f"15{i:09d}"
            users.append(
                User(
                    mobile=mobile, mobile_index=blind_index(mobile), name="骑手", password=password
                )
            )
        User.objects.bulk_create(users)
        if users[0].pk is None:
            ids = dict(
                User.objects.filter(mobile_index__in=[u.mobile_index for u in users]).values_list(
                    "mobile_index", "id"
                )
            )
            for u in users:
                u.pk = u.id = ids[u.mobile_index]
        for offset, user in enumerate(users):
            number = id_number(start + offset)
            profiles.append(
                WorkerProfile(
                    user=user,
                    kind="delivery_rider",
                    home_district=districts[(start + offset) % len(districts)],
                    id_number=number,
                    id_number_index=blind_index(number),
                    consent_version="2026-11",
                    consent_at=now,
                )
            )
        WorkerProfile.objects.bulk_create(profiles)
    say(f"city: {n_workers:,} workers in {time.perf_counter() - started:.1f} s")
    return admin, dept_user, districts


def organisations(admin, districts):
    from yizhan.accounts.models import User
    from yizhan.core.pii import blind_index
    from yizhan.membership import services
    from yizhan.membership.models import Officer

    union = services.organisation_create(
        actor=admin, kind="union_federation", name="总工会", code="u"
    )
    branches = []
    for i, d in enumerate(districts):
        branch = services.organisation_create(
            actor=admin,
            kind="union_branch",
            name=f"{d.name}工会",
            code=f"u{i}",
            parent=union,
            district=d,
        )
        officer = User.objects.create(
            mobile=f"1390001{i:04d}", mobile_index=blind_index(f"1390001{i:04d}"), name="干事"
        )
        Officer.objects.create(organisation=branch, user=officer)
        branches.append(branch)
    team = services.organisation_create(
        actor=admin, kind="volunteer_team", name="小蜜蜂", code="bees"
    )
    return branches, team


def memberships(branches, team, n_workers: int, n_pending: int):
    """A third of the workers in a team; `n_pending` union members with a check-in waiting."""
    from yizhan.accounts.models import WorkerProfile
    from yizhan.membership.models import Membership, Transfer
    from yizhan.membership.rules import due_after, format_number, person_index

    now = timezone.now()
    started = time.perf_counter()
    profiles = WorkerProfile.objects.order_by("id").values_list("user_id", "id_number_index")
    rows, serial = [], 0
    for i, (user_id, index) in enumerate(list(profiles)):
        if i % 3 == 0:
            serial += 1
            rows.append(
                Membership(
                    organisation=team,
                    family="team",
                    person=str(user_id),
                    person_index=person_index(user_id),
                    id_index=index,
                    state="active",
                    number=format_number("team", 2026, serial),
                    applied_at=now,
                )
            )
        if len(rows) >= BATCH:
            Membership.objects.bulk_create(rows)
            rows = []
    Membership.objects.bulk_create(rows)
    say(f"team memberships: {serial:,} in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    # Pending check-ins: due dates spread over the past week and the next two weeks.
    offsets = [-5, -2, 0, 1, 5, 10]
    movers = list(profiles[:n_pending])
    for start in range(0, len(movers), BATCH):
        chunk = movers[start : start + BATCH]
        members = []
        for j, (user_id, index) in enumerate(chunk):
            k = start + j
            members.append(
                Membership(
                    organisation=branches[k % len(branches)],
                    family="union",
                    person=str(user_id),
                    person_index=person_index(user_id),
                    id_index=index,
                    state="active",
                    number=format_number("union", 2026, k + 1),
                    applied_at=now,
                )
            )
        Membership.objects.bulk_create(members)
        if members[0].pk is None:
            ids = dict(
                Membership.objects.filter(
                    family="union", number__in=[m.number for m in members]
                ).values_list("number", "id")
            )
            for m in members:
                m.pk = m.id = ids[m.number]
        transfers = []
        for j, m in enumerate(members):
            k = start + j
            requested = now + dt.timedelta(days=offsets[k % len(offsets)] - 5)
            transfers.append(
                Transfer(
                    membership=m,
                    family="union",
                    from_org=m.organisation,
                    to_org=branches[(k + 1) % len(branches)],
                    requested_at=requested,
                    working_days=3,
                    due_at=due_after(requested, 3),
                )
            )
        Transfer.objects.bulk_create(transfers)
    say(f"pending check-ins: {n_pending:,} in {time.perf_counter() - started:.1f} s")


def measure(size: str) -> None:
    from yizhan.core.pii import blind_index
    from yizhan.membership import services
    from yizhan.membership.models import Transfer

    n = SIZES[size]
    call_command("migrate", verbosity=0)
    with transaction.atomic():
        admin, dept_user, districts = city(n["workers"])
        branches, team = organisations(admin, districts)
    memberships(branches, team, n["workers"], n["pending"])

    half = n["ids"] // 2
    asked = [id_number(i * (n["workers"] // half)) for i in range(half)]  # registered
    asked += [id_number(n["workers"] + 1 + i) for i in range(n["ids"] - half)]  # not registered
    rows = []

    def check(question):
        started = time.perf_counter()
        answers = services.registry_check(
            actor=dept_user,
            question=question,
            id_numbers=asked,
            purpose="bench",
            legal_basis="bench",
        )
        return time.perf_counter() - started, sum(answers)

    seconds, yes = check("registered_worker")
    assert yes == half, yes
    rows.append(
        (
            f"bulk yes/no, registered worker: {n['ids']:,} IDs against {n['workers']:,} workers",
            f"**{seconds:.2f} s** ({n['ids'] / seconds:,.0f} rows/s; {yes:,} yes)",
        )
    )
    seconds_v, yes_v = check("volunteer")
    rows.append(
        (
            f"bulk yes/no, volunteer: {n['ids']:,} IDs against {n['workers'] // 3:,} team members",
            f"{seconds_v:.2f} s ({yes_v:,} yes)",
        )
    )

    started = time.perf_counter()
    for number in asked:
        blind_index(number)
    hashing = time.perf_counter() - started
    rows.append((f"anchor: keyed hashes alone, {n['ids']:,} IDs", f"{hashing:.2f} s"))
    from yizhan.accounts.models import WorkerProfile

    probes = asked[:1000]
    started = time.perf_counter()
    for number in probes:
        WorkerProfile.objects.filter(id_number_index=blind_index(number)).exists()
    one = (time.perf_counter() - started) / len(probes)
    rows.append(
        (
            "anchor: one ID, one query (hash + indexed lookup)",
            f"{one * 1e6:.0f} µs → {one * n['ids']:.1f} s for the list one by one",
        )
    )
    rows.append(("bulk ÷ one-by-one", f"{seconds / (one * n['ids']):.2f}"))

    from django.urls import reverse

    reverse("membership:mine")  # a worker process has its URLs loaded: not part of the sweep
    pending = Transfer.objects.filter(state="pending").count()
    started = time.perf_counter()
    result = services.transfer_sweep()
    sweep = time.perf_counter() - started
    rows.append(
        (
            f"transfer sweep, {pending:,} pending",
            f"**{sweep:.2f} s** ({result.reminded:,} reminded, {result.escalated:,} escalated; digests per organisation)",
        )
    )
    started = time.perf_counter()
    again = services.transfer_sweep()
    rows.append(
        (
            "the next sweep (nothing new to do)",
            f"{(time.perf_counter() - started) * 1000:.0f} ms ({again.reminded + again.escalated} acted on)",
        )
    )
    assert again.reminded == again.escalated == 0

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    rows.append(("machine", f"{machine()}, {connection.vendor}, load average {load:.1f}"))
    report(f"Membership ({size})", rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--full", action="store_true", help="300,000 workers, 100,000 IDs, 50,000 pending"
    )
    parser.add_argument("--tiny", action="store_true", help="the default size (for bench/run.py)")
    args = parser.parse_args()
    measure("full" if args.full else "tiny")
    return 0


if __name__ == "__main__":
    sys.exit(main())
