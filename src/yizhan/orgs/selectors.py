"""Reading the organisations other apps point at: platforms, employers, departments."""

from yizhan.orgs.models import Department, Employer, Platform

PlatformKind = Platform.Kind


def platforms():
    return Platform.objects.order_by("name")


def platform_get(*, platform_id=None, code=None) -> Platform | None:
    qs = Platform.objects.all()
    if platform_id is not None:
        return qs.filter(pk=platform_id).first()
    return qs.filter(code=code).first() if code else None


def departments():
    return Department.objects.order_by("name")


def department_get(*, department_id=None, code=None) -> Department | None:
    qs = Department.objects.all()
    if department_id is not None:
        return qs.filter(pk=department_id).first()
    return qs.filter(code=code).first() if code else None


def employers():
    return Employer.objects.order_by("name")


# --- city dashboards (issue 18): coverage ------------------------------------------------


def employers_per_district() -> dict[int | None, int]:
    """{district id: employers registered there}."""
    from django.db.models import Count

    rows = Employer.objects.values("district_id").annotate(n=Count("id")).order_by()
    return {r["district_id"]: r["n"] for r in rows}
