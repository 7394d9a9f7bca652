from django.urls import path

from yizhan.points import views

app_name = "points"
urlpatterns = [
    path("points/", views.my_points_view, name="mine"),
    path("points/statement/<id:year>-<id:month>/", views.statement_view, name="statement"),
    path("points/catalog/", views.catalog_view, name="catalog"),
    path("points/catalog/<id:item_id>/", views.redeem_confirm_view, name="redeem_confirm"),
    path("points/redeem/", views.redeem_view, name="redeem"),
    path("points/r/<str:code>/", views.redemption_view, name="redemption"),
    path("points/r/<str:code>/cancel/", views.cancel_view, name="cancel"),
    path("points/r/<str:code>/qr.svg", views.qr_view, name="qr"),
    path("points/wishes/", views.wishes_view, name="wishes"),
    path("points/leaderboard/", views.leaderboard_view, name="leaderboard"),
    path("points/keeper/", views.keeper_view, name="keeper"),
    path("points/admin/", views.admin_home_view, name="admin"),
    path("points/admin/wishes/", views.admin_wishes_view, name="admin_wishes"),
    path("points/admin/wishes/<id:wish_id>/", views.admin_wish_view, name="admin_wish"),
    path("points/admin/catalog/", views.admin_catalog_view, name="admin_catalog"),
    path("points/admin/rules/", views.admin_rules_view, name="admin_rules"),
    path("points/admin/rules/<id:rule_id>/", views.admin_rule_view, name="admin_rule"),
    path("points/admin/redemptions/", views.admin_ledger_view, name="admin_ledger"),
    path("points/admin/redemptions.xlsx", views.admin_ledger_xlsx_view, name="admin_ledger_xlsx"),
    path("points/admin/grant/", views.admin_grant_view, name="admin_grant"),
]
