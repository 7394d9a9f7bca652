"""Background work of the accounts app (run by the task worker, `yizhan db_worker`)."""

from django_tasks import task


@task()
def erase_personal_data(request_id: int) -> bool:
    from yizhan.accounts.services import personal_data_erase

    return personal_data_erase(request_id=request_id)


@task()
def recover_erasures() -> list[int]:
    from yizhan.accounts.services import erasures_recover

    return erasures_recover()
