from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    """资讯: articles, moderated comments, and the pinyin reading aid."""

    name = "yizhan.news"
    label = "news"
    verbose_name = _("News and notices")
