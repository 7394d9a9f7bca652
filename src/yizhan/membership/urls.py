"""Membership pages under /membership/: the worker's, then the officers' and the city's."""

from django.urls import path

from yizhan.membership import views

app_name = "membership"
urlpatterns = [
    path("", views.mine_view, name="mine"),
    path("card/<id:membership_id>/", views.card_view, name="card"),
    path("card/<id:membership_id>/qr.svg", views.card_qr_view, name="card_qr"),
    path("card/<id:membership_id>/leave/", views.leave_view, name="leave"),
    path("v/<slug:number>/<slug:token>/", views.card_verify_view, name="card_verify"),
    path("join/", views.join_view, name="join"),
    path("o/<slug:code>/", views.organisation_view, name="organisation"),
    path("check-in/", views.check_in_view, name="check_in"),
    path("check-in/<slug:code>/", views.at_station_view, name="at_station"),
    path("check-ins/<id:transfer_id>/", views.transfer_view, name="transfer"),
    path("consent/", views.consent_view, name="consent"),
    path("grid/", views.grid_view, name="grid"),
    path("grid/appointments/<id:appointment_id>/", views.appointment_view, name="appointment"),
    # officers
    path("staff/", views.console_view, name="console"),
    path("staff/org/new/", views.org_new_view, name="org_new_root"),
    path("staff/org/<id:organisation_id>/", views.org_view, name="org"),
    path("staff/org/<id:organisation_id>/new/", views.org_new_view, name="org_new"),
    path("staff/org/<id:organisation_id>/members/", views.members_view, name="members"),
    path("staff/org/<id:organisation_id>/officers/", views.officers_view, name="officers"),
    path("staff/org/<id:organisation_id>/qr/", views.org_qr_view, name="org_qr"),
    path("staff/applications/<id:membership_id>/approve/", views.approve_view, name="approve"),
    path("staff/applications/<id:membership_id>/reject/", views.reject_view, name="reject"),
    path(
        "staff/check-ins/<id:transfer_id>/acknowledge/", views.acknowledge_view, name="acknowledge"
    ),
    path("staff/check-ins/<id:transfer_id>/decline/", views.decline_view, name="decline"),
    path("staff/members/<id:membership_id>/", views.member_view, name="member"),
    path(
        "staff/members/<id:membership_id>/<slug:step>/", views.member_step_view, name="member_step"
    ),
    path("staff/grid/<id:community_id>/", views.roster_view, name="roster"),
    path(
        "staff/grid/appointments/<id:appointment_id>/<slug:step>/",
        views.appointment_step_view,
        name="appointment_step",
    ),
    # the city and departments
    path("staff/coverage/", views.coverage_view, name="coverage"),
    path("staff/escalations/", views.escalations_view, name="escalations"),
    path("staff/registry/", views.registry_view, name="registry"),
]
