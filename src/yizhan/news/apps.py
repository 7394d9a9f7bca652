from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    """资讯: articles, moderated comments, and the pinyin reading aid."""

    name = "yizhan.news"
    label = "news"
    verbose_name = _("News and notices")

    def ready(self):
        from yizhan.core import periodic, personal_data
        from yizhan.news import services

        personal_data.register(
            "news",
            _("News comments and reading preferences"),
            export=services.export_for,
            erase=services.erase_for,
        )
        periodic.register(
            "news.publish_due", "yizhan.news.tasks.publish_due_articles", every_seconds=60
        )
        periodic.register(
            "news.purge_views", "yizhan.news.tasks.purge_old_views", every_seconds=86400
        )
