"""Background work of the reports app."""

from django_tasks import task


@task()
def autoclose_resolved() -> int:
    from yizhan.reports.services import reports_autoclose

    return reports_autoclose()
