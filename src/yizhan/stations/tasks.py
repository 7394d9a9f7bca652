"""Background work of the stations app (run by the task worker, `yizhan db_worker`)."""

from django_tasks import task


@task()
def import_stations(job_id: int) -> str:
    from yizhan.stations.services import import_job_run

    return import_job_run(job_id=job_id).status
