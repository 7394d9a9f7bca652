from django.urls import path

from yizhan.training import views

app_name = "training"
urlpatterns = [
    # the worker's pages (phone)
    path("", views.index_view, name="index"),
    path("a/<id:activity_id>/", views.activity_view, name="activity"),
    path("a/<id:activity_id>/signup/", views.signup_view, name="signup"),
    path("a/<id:activity_id>/cancel/", views.cancel_view, name="cancel"),
    path("a/<id:activity_id>/accept/", views.accept_view, name="accept"),
    path("a/<id:activity_id>/decline/", views.decline_view, name="decline"),
    path("a/<id:activity_id>/quiz/", views.quiz_view, name="quiz"),
    path("a/<id:activity_id>/calendar.ics", views.activity_ics_view, name="activity_ics"),
    path("mine/", views.mine_view, name="mine"),
    path("pass/", views.pass_view, name="pass"),
    path("pass/<str:code>/", views.pass_scan_view, name="pass_scan"),
    path("scan/", views.scan_view, name="scan"),
    path("scan/confirm/", views.scan_confirm_view, name="scan_confirm"),
    path("wish/", views.wish_view, name="wish"),
    path("certificates/<str:code>.pdf", views.certificate_view, name="certificate"),
    path("verify/", views.verify_view, name="verify"),
    path("verify/<str:code>/", views.verify_view, name="verify_code"),
    path("feed/<str:token>.ics", views.feed_view, name="feed"),
    # the organiser's console (desktop)
    path("console/", views.console_view, name="console"),
    path("console/new/", views.console_new_view, name="console_new"),
    path("console/new/heat/", views.console_heat_view, name="console_heat"),
    path("console/demand/", views.console_demand_groups_view, name="console_demand"),
    path("console/a/<id:activity_id>/", views.console_activity_view, name="console_activity"),
    path("console/a/<id:activity_id>/cancel/", views.console_cancel_view, name="console_cancel"),
    path("console/a/<id:activity_id>/invite/", views.console_invite_view, name="console_invite"),
    path("console/a/<id:activity_id>/demands/", views.console_demand_view, name="console_demands"),
    path("console/s/<id:session_id>/door/", views.console_door_view, name="door"),
    path("console/s/<id:session_id>/door.svg", views.console_door_qr_view, name="door_qr"),
    path("console/s/<id:session_id>/scan/", views.console_scan_view, name="door_scan"),
    path("console/s/<id:session_id>/manual/", views.console_manual_view, name="door_manual"),
    path("console/s/<id:session_id>/checkout/", views.console_checkout_view, name="door_checkout"),
]
