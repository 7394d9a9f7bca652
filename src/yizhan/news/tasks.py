"""News background work: scheduled publishing (every minute) and the views purge."""

from django_tasks import task

from yizhan.news import services


@task()
def publish_due_articles() -> int:
    return services.publish_due()


@task()
def purge_old_views() -> int:
    return services.purge_old_views()
