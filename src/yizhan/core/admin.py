from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from yizhan.core import workdays
from yizhan.core.models import AuditLog, Notification, WorkdayOverride

admin.site.site_header = _("Yizhan back office")
admin.site.site_title = _("Yizhan back office")
admin.site.index_title = _("City administration")


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "subject_type", "subject_id", "fields", "reason", "ip")
    list_filter = ("action", "subject_type")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # append-only


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(admin.ModelAdmin):
    list_display = ("date", "is_workday", "name")
    list_filter = ("is_workday",)
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        workdays.clear_cache()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        workdays.clear_cache()


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "verb", "text", "read_at")
    list_filter = ("verb",)
    raw_id_fields = ("recipient",)


# --- django_tasks_db's table of background tasks --------------------------------------------
# The package ships no Chinese. Its models' verbose names are gettext msgids: naming them
# here puts them in our catalogue, which translates them (our apps come first in
# INSTALLED_APPS). Changing the models' Meta would make a migration in a package we do not own.

from django.apps import apps  # noqa: E402
from django.utils.translation import pgettext_lazy  # noqa: E402
from django_tasks_db.admin import DBTaskResultAdmin  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

TASK_WORDS = (
    _("Task Result"),
    _("Task Results"),
    _("status"),
    _("enqueued at"),
    _("started at"),
    _("finished at"),
    _("args kwargs"),
    _("priority"),
    _("task path"),
    _("worker id"),
    _("queue name"),
    _("backend name"),
    _("run after"),
    _("return value"),
    _("exception class path"),
    _("traceback"),
    pgettext_lazy("Task", "Ready"),
    pgettext_lazy("Task", "Running"),
    pgettext_lazy("Task", "Failed"),
    pgettext_lazy("Task", "Successful"),
)
apps.get_app_config("django_tasks_database").verbose_name = _("Background tasks")

if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    """The task table with headings in the reader's language."""

    list_display = (
        "short_id",
        "task_label",
        "status",
        "enqueued_at",
        "started_at",
        "finished_at",
        "priority",
        "queue_name",
    )

    @admin.display(description=_("number"))
    def short_id(self, obj):
        return str(obj.id)[:8]

    @admin.display(description=_("task"))
    def task_label(self, obj):
        return obj.task_name

    @admin.display(description=_("traceback"))
    def formatted_traceback(self, obj):
        return super().formatted_traceback(obj)

    @admin.display(description=_("run after"))
    def display_run_after(self, obj):
        return super().display_run_after(obj)
