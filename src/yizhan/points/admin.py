"""The back office for points. The ledger (accounts, postings, entries, redemptions) is
read-only here: every change goes through the services, so it is balanced and recorded."""

from django.contrib import admin

from yizhan.points.models import (
    Account,
    CatalogItem,
    EarningRule,
    Entry,
    HardshipApproval,
    Posting,
    Redemption,
    RedemptionEvent,
    Sponsor,
    Wish,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # append-only


class EntryInline(admin.TabularInline):
    model = Entry
    extra = 0
    can_delete = False
    readonly_fields = ("account", "amount")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "code", "owner", "sponsor", "balance")
    list_filter = ("kind",)
    search_fields = ("code",)


@admin.register(Posting)
class PostingAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "kind",
        "source_type",
        "source_id",
        "rule",
        "reason",
        "created_by",
        "created_at",
    )
    list_filter = ("kind", "source_type")
    date_hierarchy = "created_at"
    inlines = [EntryInline]


class RedemptionEventInline(admin.TabularInline):
    model = RedemptionEvent
    extra = 0
    can_delete = False
    readonly_fields = ("status", "at", "by", "note")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Redemption)
class RedemptionAdmin(ReadOnlyAdmin):
    list_display = (
        "display_code",
        "item",
        "station",
        "points",
        "status",
        "created_at",
        "expires_at",
    )
    list_filter = ("status",)
    search_fields = ("code",)
    date_hierarchy = "created_at"
    inlines = [RedemptionEventInline]


@admin.register(EarningRule)
class EarningRuleAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "code",
        "source",
        "category",
        "rank",
        "points",
        "daily_cap",
        "monthly_cap",
        "active",
    )
    list_filter = ("source", "active")

    def has_delete_permission(self, request, obj=None):
        return False  # awards name their rule; deactivate instead


@admin.register(Sponsor)
class SponsorAdmin(admin.ModelAdmin):
    list_display = ("name", "contact")


@admin.register(HardshipApproval)
class HardshipApprovalAdmin(admin.ModelAdmin):
    list_display = ("worker", "first_month", "last_month", "reason")
    raw_id_fields = ("worker",)
    exclude = ("approved_by",)

    def save_model(self, request, obj, form, change):
        obj.approved_by = obj.approved_by or request.user
        super().save_model(request, obj, form, change)


@admin.register(CatalogItem)
class CatalogItemAdmin(admin.ModelAdmin):
    list_display = ("name", "price", "stock", "sponsor", "active")
    list_filter = ("active",)
    filter_horizontal = ("stations",)
    exclude = ("created_by",)

    def get_readonly_fields(self, request, obj=None):
        # Stock moves with redemptions: change it with "restock" on the points pages.
        return ("stock",) if obj else ()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Wish)
class WishAdmin(ReadOnlyAdmin):
    list_display = ("title", "status", "created_at", "decided_at")
    list_filter = ("status",)
