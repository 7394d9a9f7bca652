"""Reading accounts: people directories for staff (masked) and a person's own view."""

import re

from django.db.models import Q
from django.utils.translation import gettext_lazy

from yizhan.accounts.models import WorkerProfile
from yizhan.core.errors import NotFound
from yizhan.core.listing import Column, Sorting
from yizhan.core.pii import blind_index, mask_index, name_index
from yizhan.core.validators import normalise_mobile

_FULL_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def worker_list(*, district_id=None, kind=None, mobile=None, platform_id=None, ids=None, sort=None):
    """Workers whose data was not erased, newest first unless `sort` (a core.listing.Sorting)
    says otherwise; `ids` narrows to the result of a people search."""
    qs = WorkerProfile.objects.select_related("user", "platform", "home_district").filter(
        erased_at=None
    )
    if district_id:
        qs = qs.filter(home_district_id=district_id)
    if kind:
        qs = qs.filter(kind=kind)
    if platform_id:
        qs = qs.filter(platform_id=platform_id)
    if mobile:
        qs = qs.filter(Q(user__mobile_index=blind_index(normalise_mobile(mobile))))
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    if sort is not None and sort.order_by():
        return qs.order_by(*sort.order_by())
    return qs.order_by("-user__date_joined", "-id")


# The people list's columns: what a header may sort by (names and numbers are encrypted:
# they cannot be sorted by the database, and are not).
PEOPLE_COLUMNS = [
    Column("name", gettext_lazy("Name")),
    Column("mobile", gettext_lazy("Mobile number")),
    Column("kind", gettext_lazy("Kind of work"), ("kind", "id")),
    Column("platform", gettext_lazy("Platform"), ("platform__name", "id")),
    Column("district", gettext_lazy("Home district"), ("home_district__code", "id")),
    Column("joined", gettext_lazy("Registered"), ("user__date_joined", "id")),
]


def people_sorting(value) -> Sorting:
    return Sorting(PEOPLE_COLUMNS, value, default="-joined")


# What the people search box understands: a whole mobile number, a masked one as staff see it
# on screen (138****1234: the first three and last four digits), or a whole name.
_MASKED_MOBILE = re.compile(r"^(1\d{2})\s*[*＊xX]{1,8}\s*(\d{4})$")
SEARCH_MAX = 500  # a common name matches many people; the list shows at most this many


def people_matching(query: str) -> tuple[str, list[int]]:
    """Worker profile ids matching a search, and what the query was read as ("mobile",
    "masked", "name" or "" for nothing searchable). Each form is a lookup of a blind index:
    nobody's data is decrypted to search."""
    text = "".join((query or "").split())
    mobile = normalise_mobile(text)
    live = WorkerProfile.objects.filter(erased_at=None)
    if _FULL_MOBILE.match(mobile):
        found = live.filter(user__mobile_index=blind_index(mobile))
        by = "mobile"
    elif match := _MASKED_MOBILE.match(text):
        found = live.filter(user__mobile_mask_index=mask_index(*match.groups()))
        by = "masked"
    elif text and not any(ch.isdigit() for ch in text) and len(text) <= 40:
        found = live.filter(user__name_index=name_index(text))
        by = "name"
    else:
        return "", []
    return by, list(found.order_by("id").values_list("id", flat=True)[:SEARCH_MAX])


def worker_get(*, worker_id: int) -> WorkerProfile:
    """The worker's profile; NotFound when there is none."""
    profile = (
        WorkerProfile.objects.select_related("user", "platform", "employer", "home_district")
        .filter(pk=worker_id)
        .first()
    )
    if profile is None:
        raise NotFound
    return profile


def user_by_mobile(mobile: str):
    """The account with this mobile number (as people type it), or None."""
    from yizhan.accounts.models import User

    return User.objects.filter(mobile_index=blind_index(normalise_mobile(mobile or ""))).first()


def active_user(user_id):
    """The active user with this id, or None (also for an id that is not a number, as may
    arrive in an event's payload)."""
    from yizhan.accounts.models import User

    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        return None
    if not 0 < user_id < 2**63:
        return None
    return User.objects.filter(pk=user_id, is_active=True).first()


def users_holding(role: str, **scope):
    """Active users who hold `role`, within a scope when one is given:
    `users_holding(Role.DEPARTMENT_OFFICER, department_id__in=[3, 4])`,
    `users_holding(Role.GRID_OFFICER, community=c)`, `users_holding(Role.DISPATCHER)`.
    The one place that reads role assignments to find whom to tell or ask."""
    from yizhan.accounts.models import User

    filters = {f"role_assignments__{name}": value for name, value in scope.items()}
    return (
        User.objects.filter(is_active=True, role_assignments__role=role, **filters)
        .distinct()
        .order_by("id")
    )


def worker_ids_by_mobile(mobiles) -> dict[str, int]:
    """{mobile: user id} for those of `mobiles` that belong to a worker's account (one query);
    other apps link a caller to their account without reading accounts' models."""
    from yizhan.accounts.models import User

    index = {blind_index(m): m for m in mobiles if m}
    found = User.objects.filter(mobile_index__in=index, worker__isnull=False).values_list(
        "mobile_index", "id"
    )
    return {index[i]: uid for i, uid in found}


# --- city dashboards (issue 18): coverage ------------------------------------------------


def workers_per_district() -> dict[int, int]:
    """{district id: registered workers living there} (an index-only count)."""
    from django.db.models import Count

    rows = (
        WorkerProfile.objects.filter(erased_at=None)
        .values("home_district_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {r["home_district_id"]: r["n"] for r in rows}


# --- Added for membership's registry checks (yes/no against the blind index) ------------


def registered_id_indexes(indexes) -> set[str]:
    """Which of these ID-number blind indexes belong to a registered worker whose data was
    not erased. Takes at most a few hundred indexes per call (the caller batches)."""
    return set(
        WorkerProfile.objects.filter(id_number_index__in=list(indexes), erased_at=None).values_list(
            "id_number_index", flat=True
        )
    )
