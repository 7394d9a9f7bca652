"""Background work of platform transparency: the stale flag and the monthly index."""

from django_tasks import task


@task()
def stale_sweep() -> int:
    """Flag disclosures not confirmed within the city's limit (90 days by default)."""
    from yizhan.transparency import services

    return services.stale_sweep()


@task()
def index_refresh() -> int:
    """Recompute this month's and last month's commission index."""
    from yizhan.transparency import services

    return services.index_refresh()
