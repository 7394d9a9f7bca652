from django.urls import path

from yizhan.news import views

app_name = "news"
urlpatterns = [
    path("", views.list_view, name="list"),
    path("<id:pk>/", views.article_view, name="article"),
    path("<id:pk>/comments/", views.comment_view, name="comment"),
    path("pinyin/", views.pinyin_view, name="pinyin"),
    path("comments/<id:pk>/delete/", views.comment_delete_view, name="comment_delete"),
    path("comments/<id:pk>/report/", views.comment_report_view, name="comment_report"),
    path("console/", views.console_view, name="console"),
    path("console/new/", views.console_new_view, name="console_new"),
    path("console/words/", views.words_view, name="words"),
    path("console/<id:pk>/", views.console_article_view, name="console_article"),
    path("console/<id:pk>/preview/", views.console_preview_view, name="console_preview"),
    path("console/<id:pk>/<str:action>/", views.console_action_view, name="console_action"),
    path("moderation/", views.moderation_view, name="moderation"),
    path("moderation/<id:pk>/", views.moderate_view, name="moderate"),
    path("moderation/<id:pk>/reveal/", views.reveal_view, name="reveal"),
]
