"""Reading accounts: people directories for staff (masked) and a person's own view."""

from django.db.models import Q

from yizhan.accounts.models import WorkerProfile
from yizhan.core.pii import blind_index
from yizhan.core.validators import normalise_mobile


def worker_list(*, district_id=None, kind=None, mobile=None):
    qs = WorkerProfile.objects.select_related("user", "platform", "home_district").filter(
        erased_at=None
    )
    if district_id:
        qs = qs.filter(home_district_id=district_id)
    if kind:
        qs = qs.filter(kind=kind)
    if mobile:
        qs = qs.filter(Q(user__mobile_index=blind_index(normalise_mobile(mobile))))
    return qs.order_by("-user__date_joined", "-id")


def worker_get(*, worker_id: int) -> WorkerProfile:
    return WorkerProfile.objects.select_related(
        "user", "platform", "employer", "home_district"
    ).get(pk=worker_id)


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
