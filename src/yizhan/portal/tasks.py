"""Background work of the dashboards, run by the task worker."""

from django_tasks import task


@task()
def dashboard_refresh() -> dict:
    """The periodic rollup job: new days rolled up, snapshots retaken (portal.services)."""
    from yizhan.portal import services

    return services.dashboard_refresh()


@task()
def dashboard_live() -> dict:
    """Today so far rolled up, so no page request counts the day cold (portal.services)."""
    from yizhan.portal import services

    return services.dashboard_live_refresh()


@task()
def monthly_reports() -> int:
    from yizhan.portal import services

    return len(services.monthly_reports_generate())


@task()
def planning_run(run_id: int) -> str:
    from yizhan.portal import services

    return services.planning_execute(run_id=run_id).status
