"""Membership in the demo city: the union tree (the city federation, a branch per district and a
new-employment pool per county), the party's mobile-member stations, the ten 小蜜蜂 volunteer
teams, "1 member + 10 riders" liaison groups, community grid-member rosters; members, pending
applications and check-ins waiting (some overdue); a residence-permit registry as a CSV file;
one officer login per kind of organisation.

    seed_membership(rng_seed=20261129)   # after the city, its staff and workers exist

Deterministic: the same seed gives the same organisations, members and numbers.
"""

import csv
import datetime as dt
import random
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from yizhan.accounts.demo import demo_password_hash
from yizhan.accounts.models import Role, RoleAssignment, User, WorkerProfile
from yizhan.core import bulk
from yizhan.core.pii import blind_index
from yizhan.membership import services
from yizhan.membership.models import (
    Family,
    GridAppointment,
    Membership,
    MembershipCounter,
    MembershipEvent,
    Officer,
    Organisation,
    Registry,
    SensitiveConsent,
)
from yizhan.membership.registry import match_hash
from yizhan.membership.rules import CONSENT_VERSION, format_number, person_index
from yizhan.places.models import Community, District
from yizhan.stations.models import Station

K = Organisation.Kind
CITY_ADMIN = "13900000001"
DEMO_WORKER = "13800000001"
COUNTIES = {"620121", "620122", "620123"}
RESIDENCE_CSV = "var/registries/residence_permits.csv"
RESIDENCE_MATCH_KEY = "demo-only-residence-match-key"
TEAM_NUMBERS = "一二三四五六七八九十"

# One officer login per kind of organisation: (mobile, name, organisation code, post).
OFFICERS = [
    ("13900000101", "城关区工会联合会干事", "union-620102", Officer.Post.OFFICER),
    ("13900000102", "七里河区工会联合会干事", "union-620103", Officer.Post.OFFICER),
    ("13900000103", "市总工会新就业部部长", "union-lz", Officer.Post.CHAIR),
    ("13900000104", "城关区流动党员服务站书记", "party-620102", Officer.Post.SECRETARY),
    ("13900000105", "小蜜蜂志愿服务总队队长", "bees", Officer.Post.LEADER),
    ("13900000106", "联络组组长", "liaison-1", Officer.Post.LEADER),
]


def demo_logins() -> list[tuple[str, str, str]]:
    """(mobile, what the login is, organisation) for `yizhan demo-logins`; the community grid
    roster is run by the demo grid officer (13900000003)."""
    names = dict(Organisation.objects.values_list("code", "name"))
    return [(mobile, name, names.get(code, "")) for mobile, name, code, _post in OFFICERS]


def _org(admin, **fields) -> Organisation:
    return services.organisation_create(actor=admin, **fields)


def _build_tree(admin, rng, districts, stations_by_kind):
    orgs: dict[str, Organisation] = {}
    orgs["union-lz"] = _org(admin, kind=K.UNION_FEDERATION, name="兰州市总工会", code="union-lz")
    orgs["party-lz"] = _org(
        admin, kind=K.PARTY_COMMITTEE, name="兰州市新兴领域党委", code="party-lz"
    )
    orgs["bees"] = _org(
        admin,
        kind=K.VOLUNTEER_TEAM,
        name="兰州“小蜜蜂”志愿服务总队",
        code="bees",
        accepts_members=False,
    )
    regional = {
        s.community.subdistrict.district_id: s for s in stations_by_kind.get("regional", [])
    }
    for d in districts:
        county = d.code in COUNTIES
        orgs[f"union-{d.code}"] = _org(
            admin,
            kind=K.UNION_POOL if county else K.UNION_BRANCH,
            name=f"{d.name}新就业形态劳动者{'会员池' if county else '工会联合会'}",
            code=f"union-{d.code}",
            parent=orgs["union-lz"],
            district=d,
            ack_working_days=3 if d.code == "620103" else 5,
        )
        station = regional.get(d.pk)
        orgs[f"party-{d.code}"] = _org(
            admin,
            kind=K.PARTY_STATION,
            name=f"{d.name}新就业群体流动党员服务站",
            code=f"party-{d.code}",
            parent=orgs["party-lz"],
            district=d if station is None else None,
            station=station,
        )
    for i, (code, platform) in enumerate((("longshang", "陇上快送"), ("jincheng", "金城外卖")), 1):
        orgs[f"party-branch-{i}"] = _org(
            admin,
            kind=K.PARTY_BRANCH,
            name=f"{platform}兰州城关片区骑手党支部",
            code=f"party-branch-{code}",
            parent=orgs["party-620102"],
            district=districts[0],
        )
    bees = sorted(stations_by_kind.get("little_bee", []), key=lambda s: s.code)
    picks = rng.sample(bees, min(10, len(bees)))
    for i, station in enumerate(sorted(picks, key=lambda s: s.code)):
        orgs[f"bees-{i + 1}"] = _org(
            admin,
            kind=K.VOLUNTEER_TEAM,
            name=f"“小蜜蜂”志愿服务队第{TEAM_NUMBERS[i]}分队",
            code=f"bees-{i + 1}",
            parent=orgs["bees"],
            station=station,
        )
    return orgs


def _liaison_groups(admin, rng, orgs, communities, surnames):
    urban = [c for c in communities if c.subdistrict.district.code in ("620102", "620103")]
    for i, community in enumerate(rng.sample(urban, min(8, len(urban))), 1):
        orgs[f"liaison-{i}"] = _org(
            admin,
            kind=K.LIAISON_GROUP,
            name=f"{community.name}“1+10”骑手联络组（{rng.choice(surnames)}师傅）",
            code=f"liaison-{i}",
            community=community,
        )


def _bulk_members(rng, org_people: list[tuple[Organisation, WorkerProfile]], now, counters):
    """Active memberships in bulk (with their two history rows and, for unions and parties, the
    separate consent)."""
    rows, consents = [], []
    for org, profile in org_people:
        counters[org.family] = counters.get(org.family, 0) + 1
        since = now - dt.timedelta(days=rng.randint(20, 700))
        rows.append(
            Membership(
                organisation=org,
                family=org.family,
                person=str(profile.user_id),
                person_index=person_index(profile.user_id),
                id_index=profile.id_number_index or "",
                employer_id=profile.employer_id,
                home_district_id=profile.home_district_id,
                state=Membership.State.ACTIVE,
                number=format_number(org.family, now.year, counters[org.family]),
                member_since=timezone.localtime(since).date(),
                via=rng.choice([Membership.Via.APP, Membership.Via.APP, Membership.Via.QR]),
                applied_at=since - dt.timedelta(days=rng.randint(1, 5)),
                decided_at=since,
            )
        )
        if org.family in (Family.UNION, Family.PARTY):
            consents.append(
                SensitiveConsent(
                    person=str(profile.user_id),
                    person_index=person_index(profile.user_id),
                    family=org.family,
                    version=CONSENT_VERSION,
                    given_at=since - dt.timedelta(days=5),
                )
            )
    Membership.objects.bulk_create(rows, batch_size=1000)
    SensitiveConsent.objects.bulk_create(consents, batch_size=1000, ignore_conflicts=True)
    if rows and rows[0].pk is None:  # a backend without RETURNING: read the ids back
        ids = dict(Membership.objects.filter(state="active").values_list("number", "id"))
        for r in rows:
            r.pk = ids[r.number]
    events = []
    for pk, applied, decided in ((r.pk, r.applied_at, r.decided_at) for r in rows):
        events.append(
            MembershipEvent(membership_id=pk, at=applied, action="applied", to_state="pending")
        )
        events.append(
            MembershipEvent(
                membership_id=pk,
                at=decided,
                action="approved",
                from_state="pending",
                to_state="active",
            )
        )
    bulk.insert(events)


def _officer_logins(orgs):
    password = demo_password_hash()
    for mobile, name, code, post in OFFICERS:
        user = User.objects.filter(mobile_index=blind_index(mobile)).first()
        if user is None:
            user = User.objects.create(
                mobile=mobile, mobile_index=blind_index(mobile), name=name, password=password
            )
        if code in orgs:
            Officer.objects.get_or_create(
                organisation=orgs[code], user=user, defaults={"post": post}
            )


def _residence_registry(rng, profiles):
    """A residence-permit register as the police would deliver it: keyed hashes only."""
    path = Path(settings.PROJECT_DIR) / RESIDENCE_CSV
    path.parent.mkdir(parents=True, exist_ok=True)
    sample = [p for p in profiles if rng.random() < 0.2]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id_hash"])
        for profile in sample:
            if profile.id_number:
                writer.writerow([match_hash(RESIDENCE_MATCH_KEY, profile.id_number)])
    Registry.objects.update_or_create(
        code="gaj-residence",
        defaults={
            "name": "居住证登记（公安局，演示 CSV）",
            "kind": Registry.Kind.CSV,
            "question": "residence_permit",
            "csv_path": RESIDENCE_CSV,
            "match_key": RESIDENCE_MATCH_KEY,
        },
    )
    Registry.objects.update_or_create(
        code="rsj-insurance",
        defaults={
            "name": "社会保险参保登记（人社局，HTTP，待接通）",
            "kind": Registry.Kind.HTTP,
            "question": "social_insurance",
            "url": "http://127.0.0.1:8765/v1/check",
            "key_id": "yizhan-demo",
            "secret": "demo-only-registry-secret",
            "match_key": "demo-only-insurance-match-key",
            "active": False,
        },
    )


def seed_membership(*, rng_seed: int = 20261129) -> dict:
    """Build the demo's organisations, members, rosters, pending work and logins."""
    rng = random.Random(rng_seed)
    now = timezone.now()
    with transaction.atomic():
        admin = User.objects.get_by_mobile(CITY_ADMIN)
        districts = list(District.objects.order_by("code"))
        communities = list(
            Community.objects.select_related("subdistrict__district")
            .defer("boundary", "subdistrict__boundary", "subdistrict__district__boundary")
            .order_by("code")
        )
        stations_by_kind: dict[str, list] = {}
        stations = Station.objects.select_related("community__subdistrict__district").defer(
            "community__boundary",
            "community__subdistrict__boundary",
            "community__subdistrict__district__boundary",
        )
        for station in stations.exclude(community=None):
            stations_by_kind.setdefault(station.kind, []).append(station)
        orgs = _build_tree(admin, rng, districts, stations_by_kind)
        surnames = list("王李张刘陈杨赵黄周吴徐孙马朱胡郭何")
        _liaison_groups(admin, rng, orgs, communities, surnames)
        _officer_logins(orgs)

        profiles = list(
            WorkerProfile.objects.filter(erased_at=None)
            .select_related("user", "home_district")
            # Not their encrypted fields: 9,000 decryptions for the few the services read.
            .defer("home_district__boundary", "id_number", "user__mobile", "user__name")
            .order_by("id")
        )
        demo_index = blind_index(DEMO_WORKER)
        worker = next(p for p in profiles if p.user.mobile_index == demo_index)
        others = [p for p in profiles if p.pk != worker.pk]
        rng.shuffle(others)
        n = len(others)
        union = others[: n * 12 // 100]
        party = others[n * 12 // 100 : n * 14 // 100]
        rest = others[n * 14 // 100 :]
        teams = [o for code, o in orgs.items() if code.startswith("bees-")]
        liaison = [o for code, o in orgs.items() if code.startswith("liaison-")]
        pairs = [(orgs[f"union-{worker.home_district.code}"], worker)]
        pairs += [(orgs[f"union-{p.home_district.code}"], p) for p in union]
        pairs += [(orgs[f"party-{p.home_district.code}"], p) for p in party]
        # Twelve per team and ten per liaison group at demo size; fewer in a small city.
        n_teams = min(12 * len(teams), len(rest) * 3 // 10)
        n_liaison = min(10 * len(liaison), len(rest) * 2 // 10)
        n_pending = min(25, len(rest) // 10)
        pairs += [(teams[i % len(teams)], p) for i, p in enumerate(rest[:n_teams])]
        rest = rest[n_teams:]
        pairs += [(liaison[i % len(liaison)], p) for i, p in enumerate(rest[:n_liaison])]
        rest = rest[n_liaison:]
        pairs.append((teams[0], worker))
        counters: dict[str, int] = {}
        _bulk_members(rng, pairs, now, counters)
        for family, last in counters.items():
            MembershipCounter.objects.update_or_create(
                family=family, year=now.year, defaults={"last": last}
            )

        # Applications waiting for review.
        for profile in rest[:n_pending]:
            target = (
                orgs[f"union-{profile.home_district.code}"]
                if rng.random() < 0.6
                else rng.choice(teams)
            )
            services.membership_apply(user=profile.user, organisation=target, consent=True)
        rest = rest[n_pending:]

        # Check-ins waiting: union members who moved, some past their deadline.
        movers = rng.sample(union, min(15, len(union)))
        union_orgs = [o for code, o in orgs.items() if code.startswith("union-62")]
        for i, profile in enumerate(movers):
            current = orgs[f"union-{profile.home_district.code}"]
            target = rng.choice([o for o in union_orgs if o.pk != current.pk])
            services.check_in(
                user=profile.user,
                organisation=target,
                now=now - dt.timedelta(days=[0, 1, 2, 4, 9][i % 5], hours=rng.randint(0, 8)),
            )
        services.transfer_sweep(now=now)

        # Community grid-member rosters: the demo grid officer's community first.
        grid_officer = RoleAssignment.objects.filter(role=Role.GRID_OFFICER).select_related(
            "user", "community__subdistrict__district"
        )
        first = grid_officer.first()
        grid_communities = [first.community] if first else []
        chengguan = [c for c in communities if c.subdistrict.district.code == "620102"]
        grid_communities += [
            c for c in rng.sample(chengguan, min(5, len(chengguan))) if c not in grid_communities
        ]
        candidates = iter(rest)
        appointments = 0
        for community in grid_communities:
            roster = services.roster_for(community=community)
            people = ([worker] if community == grid_communities[0] else []) + [
                p for p in (next(candidates, None) for _ in range(rng.randint(3, 5))) if p
            ]
            for j, profile in enumerate(people):
                start = now - dt.timedelta(days=rng.randint(10, 200))
                state = (
                    GridAppointment.State.PROPOSED
                    if j == len(people) - 1
                    else GridAppointment.State.ACTIVE
                )
                GridAppointment.objects.create(
                    roster=roster,
                    community=community,
                    user=profile.user,
                    grid="" if j % 2 else f"第{j + 1}网格",
                    state=state,
                    proposed_at=start - dt.timedelta(days=2),
                    proposed_by=first.user if first else admin,
                    started_at=start if state == GridAppointment.State.ACTIVE else None,
                )
                appointments += 1
        _residence_registry(rng, profiles)
    return {
        "organisations": Organisation.objects.count(),
        "memberships": Membership.objects.count(),
        "appointments": appointments,
    }
