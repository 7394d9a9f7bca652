"""Membership and check-in: the readers.

Members are found through `person_index` (a keyed hash), never through a plain user column;
pages that show members decrypt the page's rows and load those users in one query. Other
apps ask `is_grid_member` / `grid_members_among` (reports marks grid members' reports).
"""

import datetime as dt
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from yizhan.accounts import selectors as accounts
from yizhan.core.errors import NotFound
from yizhan.core.paging import window
from yizhan.membership import registry as registries
from yizhan.membership.models import (
    HELD_STATES,
    LIVE_STATES,
    SENSITIVE_FAMILIES,
    Family,
    GridAppointment,
    Membership,
    Officer,
    Organisation,
    Registry,
    RegistryQuery,
    SensitiveConsent,
    Transfer,
)
from yizhan.membership.rules import LOCAL, card_token, person_index, rests_on_guess
from yizhan.orgs import selectors as orgs
from yizhan.places import selectors as places

S = Membership.State
T = Transfer.State
G = GridAppointment.State
ORG_RELATED = ("district", "subdistrict", "community", "station", "parent")


# --- a worker's own ----------------------------------------------------------------------


def my_memberships(user) -> list[Membership]:
    """The person's memberships (live first), each with `waiting`: its pending check-in."""
    rows = list(
        Membership.objects.filter(person_index=person_index(user.pk))
        .exclude(state__in=(S.TRANSFERRED,))
        .select_related(*(f"organisation__{r}" for r in ORG_RELATED), "organisation")
        .order_by("-applied_at", "-id")
    )
    waiting = {
        t.membership_id: t
        for t in Transfer.objects.filter(membership__in=rows, state=T.PENDING).select_related(
            "to_org"
        )
    }
    for m in rows:
        m.waiting = waiting.get(m.pk)
    order = {S.ACTIVE: 0, S.SUSPENDED: 1, S.PENDING: 2, S.ENDED: 3, S.REJECTED: 4}
    return sorted(rows, key=lambda m: order.get(m.state, 9))


def membership_for_owner(user, membership_id: int) -> Membership:
    membership = (
        Membership.objects.filter(pk=membership_id, person_index=person_index(user.pk))
        .select_related(*(f"organisation__{r}" for r in ORG_RELATED), "organisation")
        .first()
    )
    if membership is None:
        raise NotFound()
    return membership


def history(membership) -> list:
    """The membership's history with the memberships it continues (transfers), oldest first."""
    chain, current = [], membership
    while current is not None:
        chain.append(current.pk)
        current = current.previous
    from yizhan.membership.models import MembershipEvent

    return list(
        MembershipEvent.objects.filter(membership_id__in=chain)
        .select_related("membership__organisation")
        .order_by("at", "id")
    )


def card_verify_url(membership) -> str:
    return reverse(
        "membership:card_verify", args=[membership.number, card_token(membership.number)]
    )


def card_by_number(number: str) -> Membership | None:
    """The live membership a card number belongs to (None: no such card, or no longer live)."""
    return (
        Membership.objects.filter(number=number, state__in=HELD_STATES)
        .select_related("organisation")
        .first()
    )


def has_consent(user, family: str) -> bool:
    return SensitiveConsent.objects.filter(
        person_index=person_index(user.pk), family=family, withdrawn_at=None
    ).exists()


def consents(user) -> list[SensitiveConsent]:
    return list(
        SensitiveConsent.objects.filter(person_index=person_index(user.pk)).order_by("-given_at")
    )


def waiting_transfer(membership) -> Transfer | None:
    return (
        Transfer.objects.filter(membership=membership, state=T.PENDING)
        .select_related("to_org")
        .first()
    )


def transfer_for_owner(user, transfer_id: int) -> Transfer:
    transfer = (
        Transfer.objects.filter(pk=transfer_id, membership__person_index=person_index(user.pk))
        .select_related("from_org", "to_org", "station", "membership")
        .first()
    )
    if transfer is None:
        raise NotFound()
    return transfer


# --- organisations -------------------------------------------------------------------------


def organisation_get(organisation_id: int) -> Organisation:
    org = Organisation.objects.select_related(*ORG_RELATED).filter(pk=organisation_id).first()
    if org is None:
        raise NotFound()
    return org


def organisation_by_code(code: str) -> Organisation:
    org = Organisation.objects.select_related(*ORG_RELATED).filter(code=code, active=True).first()
    if org is None:
        raise NotFound()
    return org


def organisations_to_join(
    *, family: str | None = None, district_id: int | None = None, q: str = ""
):
    qs = (
        Organisation.objects.filter(active=True, accepts_members=True)
        .exclude(family=Family.GRID)
        .select_related(*ORG_RELATED)
    )
    if family in Family.values:
        qs = qs.filter(family=family)
    if district_id:
        qs = qs.filter(district_id=district_id)
    q = (q or "").strip()[:40]
    if q:
        qs = qs.filter(name__contains=q)
    return qs.order_by("family", "district__code", "name")


def organisations_here(*, station=None, community=None):
    """Organisations a worker may check in with at a station (or in a community): those at the
    station first, then the community's, the subdistrict's and the district's."""
    if station is not None and community is None:
        community = station.community
    if community is None:
        clauses = Q(station=station) if station is not None else Q(pk__in=[])
    else:
        subdistrict = community.subdistrict
        clauses = (
            Q(community=community)
            | Q(subdistrict=subdistrict, community=None)
            | Q(district=subdistrict.district, subdistrict=None, community=None)
        )
        if station is not None:
            clauses |= Q(station=station)
    rows = list(
        Organisation.objects.filter(clauses, active=True, accepts_members=True)
        .exclude(family=Family.GRID)
        .select_related(*ORG_RELATED)
    )

    def rank(org):
        if station is not None and org.station_id == station.pk:
            return 0
        if org.community_id:
            return 1
        return 2 if org.subdistrict_id else 3

    return sorted(rows, key=lambda o: (rank(o), o.family, o.name))


def stations_near(*, lat: float, lng: float, limit: int = 6):
    from yizhan.stations import selectors as stations

    return stations.nearest_stations(lat=lat, lng=lng, limit=limit)


def station_by_code(code: str):
    from yizhan.stations import selectors as stations

    station = stations.station_by_code(code)
    if station is None:
        raise NotFound()
    return station


def children(organisation) -> list[Organisation]:
    return list(
        organisation.children.filter(active=True).select_related(*ORG_RELATED).order_by("name")
    )


def subtree(organisation):
    return Organisation.objects.filter(path__startswith=organisation.path)


# --- the organisation console --------------------------------------------------------------


def console_organisations(user) -> list[Organisation]:
    """The organisations a person works for: their posts, their communities' grid rosters and,
    for the city administrator, the roots of every tree."""
    from yizhan.membership import permissions as perms

    ids = {org_id for org_id, _path in perms._posts(user)}
    rows = list(Organisation.objects.filter(pk__in=ids).select_related(*ORG_RELATED))
    communities = perms.grid_community_ids(user)
    if communities:
        rows += list(
            Organisation.objects.filter(family=Family.GRID, community_id__in=communities)
            .exclude(pk__in=ids)
            .select_related(*ORG_RELATED)
        )
    if perms.is_city_admin(user):
        rows += list(
            Organisation.objects.filter(parent=None)
            .exclude(family=Family.GRID)
            .exclude(pk__in=ids)
            .select_related(*ORG_RELATED)
        )
    return sorted(rows, key=lambda o: (o.family, o.path))


def organisation_figures(organisation, *, now=None) -> dict:
    now = now or timezone.now()
    tree = subtree(organisation)
    members = Membership.objects.filter(organisation__in=tree)
    counts = dict(
        members.filter(state__in=LIVE_STATES)
        .values_list("state")
        .annotate(n=Count("id"))
        .order_by()
    )
    incoming = Transfer.objects.filter(to_org__in=tree, state=T.PENDING)
    return {
        "active": counts.get(S.ACTIVE, 0),
        "suspended": counts.get(S.SUSPENDED, 0),
        "pending": counts.get(S.PENDING, 0),
        "incoming": incoming.count(),
        "overdue": incoming.filter(due_at__lt=now).count(),
        "employers": members.filter(state__in=HELD_STATES, employer__isnull=False)
        .values("employer_id")
        .distinct()
        .count(),
    }


def _attach_people(memberships) -> list:
    """Set `.member` (the User, or None once erased) on each membership of a page."""
    rows = list(memberships)
    ids = {m.user_id for m in rows if m.user_id}
    users = get_user_model().objects.select_related("worker__platform").in_bulk(list(ids))
    for m in rows:
        m.member = users.get(m.user_id)
    return rows


def applications(organisation) -> list[Membership]:
    rows = (
        Membership.objects.filter(organisation__in=subtree(organisation), state=S.PENDING)
        .select_related("organisation")
        .order_by("applied_at", "id")[:200]
    )
    rows = _attach_people(rows)
    earlier = defaultdict(list)
    indexes = [m.id_index for m in rows if m.id_index]
    if indexes:
        for m in (
            Membership.objects.filter(id_index__in=indexes)
            .exclude(state=S.PENDING)
            .select_related("organisation")
            .order_by("-applied_at")
        ):
            earlier[(m.id_index, m.family)].append(m)
    for m in rows:
        # The blind index finds earlier memberships of the same ID number: a returning
        # member (or a second account) is visible before anyone approves.
        m.earlier = earlier.get((m.id_index, m.family), []) if m.id_index else []
    return rows


def incoming_transfers(organisation) -> list[Transfer]:
    rows = list(
        Transfer.objects.filter(to_org__in=subtree(organisation), state=T.PENDING)
        .select_related("from_org", "to_org", "station", "membership")
        .order_by("due_at", "id")[:200]
    )
    people = {m.pk: m for m in _attach_people([t.membership for t in rows])}
    now = timezone.now()
    for t in rows:
        t.membership = people[t.membership_id]
        t.overdue = t.due_at < now
        t.guessed = rests_on_guess(t.due_at)
    return rows


def outgoing_transfers(organisation, *, limit: int = 50) -> list[Transfer]:
    return list(
        Transfer.objects.filter(from_org__in=subtree(organisation))
        .select_related("from_org", "to_org")
        .order_by("-requested_at", "-id")[:limit]
    )


def members_page(organisation, *, page=None, state: str | None = None, number: str = ""):
    qs = Membership.objects.filter(organisation__in=subtree(organisation)).select_related(
        "organisation"
    )
    qs = qs.filter(state=state) if state in S.values else qs.filter(state__in=HELD_STATES)
    number = (number or "").strip()[:20]
    if number:
        qs = qs.filter(number__startswith=number.upper())
    win = window(qs.order_by("number", "id"), page, per_page=30)
    win.items = _attach_people(win.items)
    return win


def membership_get(membership_id: int) -> Membership:
    membership = (
        Membership.objects.select_related(
            *(f"organisation__{r}" for r in ORG_RELATED),
            "organisation",
            "employer",
            "home_district",
        )
        .filter(pk=membership_id)
        .first()
    )
    if membership is None:
        raise NotFound()
    _attach_people([membership])
    return membership


def transfers_of(membership) -> list[Transfer]:
    return list(
        Transfer.objects.filter(Q(membership=membership) | Q(new_membership=membership))
        .select_related("from_org", "to_org", "station")
        .order_by("-requested_at")
    )


def officers(organisation) -> list[Officer]:
    return list(organisation.officers.select_related("user").order_by("post", "id"))


def escalated_transfers(*, limit: int = 200) -> list[Transfer]:
    """Check-ins past their deadline, for the city's supervision (no member named)."""
    return list(
        Transfer.objects.filter(state=T.PENDING, escalated_at__isnull=False)
        .select_related("from_org", "to_org", "to_org__district")
        .order_by("due_at", "id")[:limit]
    )


# --- coverage (两个覆盖) ---------------------------------------------------------------------


def coverage_by_district(*, family: str = Family.UNION, district_ids=None) -> list[dict]:
    """Per district: registered workers and how many are members (by home district), employers
    and how many have at least one member among their workers (organisation coverage)."""
    districts = list(places.districts())
    if district_ids is not None:
        districts = [d for d in districts if d.pk in district_ids]
    workers = dict(
        accounts.worker_list()
        .order_by()
        .values("home_district_id")
        .annotate(n=Count("id"))
        .values_list("home_district_id", "n")
    )
    held = Membership.objects.filter(family=family, state__in=HELD_STATES)
    members = dict(
        held.order_by()
        .values("home_district_id")
        .annotate(n=Count("person_index", distinct=True))
        .values_list("home_district_id", "n")
    )
    employers = dict(
        orgs.employers()
        .order_by()
        .values("district_id")
        .annotate(n=Count("id"))
        .values_list("district_id", "n")
    )
    covered = dict(
        held.filter(employer__isnull=False)
        .order_by()
        .values("employer__district_id")
        .annotate(n=Count("employer_id", distinct=True))
        .values_list("employer__district_id", "n")
    )
    rows = []
    for d in districts:
        w, m = workers.get(d.pk, 0), members.get(d.pk, 0)
        e, c = employers.get(d.pk, 0), covered.get(d.pk, 0)
        rows.append(
            {
                "district": d,
                "workers": w,
                "members": m,
                "members_pct": round(100 * m / w, 1) if w else None,
                "employers": e,
                "covered": c,
                "covered_pct": round(100 * c / e, 1) if e else None,
            }
        )
    return rows


def coverage_by_organisation(*, family: str = Family.UNION, district_ids=None) -> list[dict]:
    """Per organisation of a family: live members and employers covered (its own members)."""
    qs = Organisation.objects.filter(family=family, active=True).select_related("district")
    if district_ids is not None:
        qs = qs.filter(district_id__in=district_ids)
    orgs_ = list(qs.order_by("path"))
    held = Membership.objects.filter(organisation__in=orgs_, state__in=HELD_STATES).order_by()
    members = dict(
        held.values("organisation_id").annotate(n=Count("id")).values_list("organisation_id", "n")
    )
    employers = dict(
        held.filter(employer__isnull=False)
        .values("organisation_id")
        .annotate(n=Count("employer_id", distinct=True))
        .values_list("organisation_id", "n")
    )
    return [
        {
            "organisation": o,
            "depth": max(0, o.path.count("/") - 2),
            "members": members.get(o.pk, 0),
            "employers": employers.get(o.pk, 0),
        }
        for o in orgs_
    ]


# --- grid members ----------------------------------------------------------------------------


def _active_at(qs, at):
    if at is None:
        return qs.filter(state=G.ACTIVE)
    return qs.filter(
        Q(started_at__lte=at),
        Q(ended_at__isnull=True) | Q(ended_at__gt=at),
        state__in=(G.ACTIVE, G.SUSPENDED, G.ENDED),
    )


def is_grid_member(user, community_id, at: dt.datetime | None = None) -> bool:
    """Whether `user` is a part-time grid member of the community (now, or at `at`: e.g. when a
    report was made). Reports use it to mark a grid member's report."""
    user_id = getattr(user, "pk", user)
    if not user_id or not community_id:
        return False
    return _active_at(
        GridAppointment.objects.filter(user_id=user_id, community_id=community_id), at
    ).exists()


def grid_members_among(rows) -> set[tuple[int, int]]:
    """The bulk variant for a page of reports: `rows` are (user_id, community_id) pairs, or
    (user_id, community_id, at) triples; returns the (user_id, community_id) pairs that are
    grid members (at `at` when given). One query per page."""
    rows = [r for r in rows if r and r[0] and r[1]]
    if not rows:
        return set()
    users = {r[0] for r in rows}
    communities = {r[1] for r in rows}
    spans = defaultdict(list)
    for user_id, community_id, state, started, ended in GridAppointment.objects.filter(
        user_id__in=users, community_id__in=communities, started_at__isnull=False
    ).values_list("user_id", "community_id", "state", "started_at", "ended_at"):
        spans[(user_id, community_id)].append((state, started, ended))
    found = set()
    for row in rows:
        key = (row[0], row[1])
        at = row[2] if len(row) > 2 else None
        for state, started, ended in spans.get(key, ()):
            if (
                at is None
                and state == G.ACTIVE
                or at is not None
                and started <= at
                and (ended is None or ended > at)
            ):
                found.add(key)
    return found


def my_appointments(user) -> list[GridAppointment]:
    return list(
        GridAppointment.objects.filter(user=user)
        .exclude(state__in=(G.DECLINED,))
        .select_related("community__subdistrict__district", "roster")
        .order_by("-proposed_at")
    )


def appointment_for_owner(user, appointment_id: int) -> GridAppointment:
    appointment = (
        GridAppointment.objects.filter(pk=appointment_id, user=user)
        .select_related("community__subdistrict__district", "roster")
        .first()
    )
    if appointment is None:
        raise NotFound()
    return appointment


def my_grid(user, *, limit: int = 100):
    """The open hazard reports in the communities where the person is an active grid member."""
    from yizhan.reports import selectors as reports

    active = [a for a in my_appointments(user) if a.state == G.ACTIVE]
    ids = sorted({a.community_id for a in active})
    return active, (
        list(reports.open_in_communities(community_ids=ids, limit=limit)) if ids else []
    )


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return (
        dt.datetime.combine(first, dt.time(0), tzinfo=LOCAL),
        dt.datetime.combine(following, dt.time(0), tzinfo=LOCAL),
    )


def roster(community_id: int) -> list[GridAppointment]:
    return list(
        GridAppointment.objects.filter(community_id=community_id)
        .exclude(state__in=(G.DECLINED,))
        .select_related("user")
        .order_by("state", "-proposed_at")
    )


def grid_activity(*, community_id: int, month: dt.date) -> list[dict]:
    """Monthly activity per grid member of a community: hazard reports filed that month and
    how many of them were resolved (from the reports app)."""
    from yizhan.reports import selectors as reports

    start, end = month_bounds(month)
    appointments = [
        a
        for a in roster(community_id)
        if a.started_at and a.started_at < end and (a.ended_at is None or a.ended_at >= start)
    ]
    counts = reports.activity_by_reporter(
        reporter_ids=[a.user_id for a in appointments], start=start, end=end
    )
    return [
        {"appointment": a, **counts.get(a.user_id, {"filed": 0, "resolved": 0})}
        for a in appointments
    ]


def user_by_mobile(mobile: str):
    """An account by its mobile number (officers need not be workers)."""
    from yizhan.core.pii import blind_index
    from yizhan.core.validators import normalise_mobile

    mobile = normalise_mobile(mobile or "")
    if not mobile.isdigit():
        return None
    return get_user_model().objects.filter(mobile_index=blind_index(mobile), is_active=True).first()


def worker_by_mobile(mobile: str):
    profile = accounts.worker_list(mobile=mobile).first() if mobile else None
    return profile.user if profile is not None else None


# --- registries ---------------------------------------------------------------------------


def registry_questions() -> list[tuple[str, str]]:
    questions = [(code, str(label)) for code, label in registries.LOCAL_QUESTIONS.items()]
    for registry in Registry.objects.filter(active=True).exclude(kind="local").order_by("code"):
        questions.append((registry.question, str(registry.name)))
    return questions


def askable_organisations():
    """Organisations a registry question may name: not unions or parties (sensitive)."""
    return (
        Organisation.objects.filter(active=True)
        .exclude(family__in=SENSITIVE_FAMILIES)
        .order_by("family", "name")
    )


def registry_log(user, *, limit: int = 100) -> list[RegistryQuery]:
    from yizhan.membership import permissions as perms

    qs = RegistryQuery.objects.select_related("asked_by", "department", "registry", "organisation")
    if not perms.is_city_admin(user):
        departments = perms.department_ids(user)
        qs = qs.filter(Q(department_id__in=departments) | Q(asked_by=user))
    labels = dict(registry_questions())
    rows = list(qs.order_by("-at", "-id")[:limit])
    for row in rows:
        row.question_label = labels.get(row.question, row.question)
    return rows


# --- a person's data ---------------------------------------------------------------------------


def personal_data(user) -> dict:
    index = person_index(user.pk)
    memberships = Membership.objects.filter(person_index=index).select_related("organisation")
    return {
        "memberships": [
            {
                "organisation": m.organisation.name,
                "kind": m.organisation.get_kind_display(),
                "state": m.state,
                "number": m.number,
                "member_since": m.member_since.isoformat() if m.member_since else None,
                "applied_at": m.applied_at.isoformat(),
                "history": [
                    {"at": e.at.isoformat(), "action": e.action, "note": e.note}
                    for e in m.history.all()
                ],
            }
            for m in memberships
        ],
        "check_ins": [
            {
                "from": t.from_org.name,
                "to": t.to_org.name,
                "state": t.state,
                "requested_at": t.requested_at.isoformat(),
                "due_at": t.due_at.isoformat(),
            }
            for t in Transfer.objects.filter(membership__person_index=index).select_related(
                "from_org", "to_org"
            )
        ],
        "consents": [
            {
                "family": c.family,
                "version": c.version,
                "given_at": c.given_at.isoformat(),
                "withdrawn_at": c.withdrawn_at.isoformat() if c.withdrawn_at else None,
            }
            for c in SensitiveConsent.objects.filter(person_index=index)
        ],
        "grid_appointments": [
            {
                "community": a.community.name,
                "grid": a.grid,
                "state": a.state,
                "started_at": a.started_at.isoformat() if a.started_at else None,
                "ended_at": a.ended_at.isoformat() if a.ended_at else None,
            }
            for a in GridAppointment.objects.filter(user=user).select_related("community")
        ],
    }


# --- city dashboards (驾驶舱, issue 18): facts and headlines for the portal ----------------
# Read by the portal only (yizhan.portal.dashboards); see core.dashboards and
# docs/DASHBOARDS.md. Counts only, never who: union and party membership is sensitive.
# A member's district is their home district when they joined (a snapshot, as on the
# coverage page); a check-in's is the receiving organisation's.


def dashboard_facts(*, start, end):
    """Per local day in [start, end), by the receiving organisation's district and family
    (k1): check-ins (transfers requested at a station or an organisation's code)."""
    from django.db.models.functions import TruncDate

    from yizhan.core.dashboards import Fact

    rows = (
        Transfer.objects.filter(requested_at__gte=start, requested_at__lt=end)
        .annotate(local_day=TruncDate("requested_at", tzinfo=timezone.get_current_timezone()))
        .values("local_day", "to_org__district_id", "family")
        .annotate(n=Count("id"))
        .order_by()
    )
    for r in rows:
        yield Fact(
            "membership.check_ins", r["local_day"], r["to_org__district_id"], r["n"], k1=r["family"]
        )


def _per_district(rows) -> dict:
    return {district: n for district, n in rows}


def dashboard_headlines(*, scope):
    """Now: union members (people holding a live union membership), union organisations
    taking members, the share of registered workers who are members, registered workers
    whose home district has a union organisation taking members (within reach), employers
    with at least one member; in the period: check-ins and those still waiting for the
    receiving organisation. Members, organisations and workers in reach also per district
    (`extra["by_district"]`, shown on the coverage page). Six grouped queries."""
    from django.utils.translation import gettext_lazy as _

    from yizhan.core.dashboards import Headline

    held = Membership.objects.filter(family=Family.UNION, state__in=HELD_STATES).order_by()
    members = _per_district(
        held.values("home_district_id")
        .annotate(n=Count("person_index", distinct=True))
        .values_list("home_district_id", "n")
    )
    organisations = _per_district(
        Organisation.objects.filter(
            family=Family.UNION, active=True, accepts_members=True, district__isnull=False
        )
        .order_by()
        .values("district_id")
        .annotate(n=Count("id"))
        .values_list("district_id", "n")
    )
    workers = accounts.workers_per_district()
    reach = {d: n for d, n in workers.items() if organisations.get(d)}
    employers = held.filter(employer__isnull=False)
    since, until = scope.moments
    check_ins = Transfer.objects.filter(requested_at__gte=since, requested_at__lt=until)
    if scope.district_ids is not None:
        employers = employers.filter(employer__district_id__in=scope.district_ids)
        check_ins = check_ins.filter(to_org__district_id__in=scope.district_ids)

    def total(per: dict) -> int:
        if scope.district_ids is None:
            return sum(per.values())
        return sum(n for d, n in per.items() if d in scope.district_ids)

    def only(per: dict) -> dict:
        if scope.district_ids is None:
            return {d: n for d, n in per.items() if d is not None}
        return {d: n for d, n in per.items() if d in scope.district_ids}

    n_members, n_workers = total(members), total(workers)
    moved = check_ins.aggregate(n=Count("id"), waiting=Count("id", filter=Q(state=T.PENDING)))
    group = _("Membership")
    coverage = {"coverage": True}
    return [
        Headline(
            "membership.members",
            _("Union members"),
            n_members,
            group=group,
            extra={**coverage, "by_district": only(members), "column": _("Union members")},
        ),
        Headline(
            "membership.share",
            _("Registered workers who are union members"),
            round(100 * n_members / n_workers, 1) if n_workers else None,
            unit="%",
            group=group,
            extra=coverage,
        ),
        Headline(
            "membership.organisations",
            _("Union organisations taking members"),
            total(organisations),
            group=group,
            extra={
                **coverage,
                "by_district": only(organisations),
                "column": _("Union organisations"),
            },
        ),
        Headline(
            "membership.workers_in_reach",
            _("Workers within reach of a union organisation"),
            total(reach),
            hint=_(
                "Registered workers whose home district has a union organisation taking members"
            ),
            group=group,
            extra={
                **coverage,
                "by_district": only(reach),
                "column": _("Workers within reach of a union organisation"),
            },
        ),
        Headline(
            "membership.employers_covered",
            _("Employers with union members"),
            employers.aggregate(n=Count("employer_id", distinct=True))["n"],
            group=group,
            extra=coverage,
        ),
        Headline("membership.check_ins", _("Check-ins"), moved["n"], group=group),
        Headline(
            "membership.check_ins_waiting",
            _("Check-ins waiting for acknowledgement"),
            moved["waiting"],
            group=group,
        ),
    ]
