from django.urls import path

from yizhan.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/sms/", views.sms_login_view, name="sms_login"),
    path("logout/", views.logout_view, name="logout"),
    path("register/", views.register_view, name="register"),
    path("me/", views.profile_view, name="profile"),
    path("me/export.json", views.export_view, name="export"),
    path("me/delete/", views.delete_request_view, name="delete"),
    path("me/delete/<uuid:token>/", views.deletion_status_view, name="deletion_status"),
    path("demo/texts/", views.demo_texts_view, name="demo_texts"),
    path("staff/people/", views.people_view, name="people"),
    path("staff/people/search/", views.people_search_view, name="people_search"),
    path("staff/people/<id:worker_id>/", views.person_view, name="person"),
]
