"""Each history entry says whom it is addressed to. Existing entries: the steps the worker
was told about become public, everything else (routing notes, handling notes, returns,
extensions, deadline notices) stays among staff."""

from django.db import migrations, models

# Frozen here: the model's PUBLIC_ACTIONS may grow, this migration must not change.
PUBLIC_ACTIONS = [
    "submit",
    "accept",
    "sign_for",
    "reply",
    "follow_up",
    "reopen",
    "close",
    "mediation",
    "platform_statement",
]


def addressed_to_the_worker(apps, schema_editor):
    CaseEvent = apps.get_model("cases", "CaseEvent")
    CaseEvent.objects.filter(action__in=PUBLIC_ACTIONS).update(visibility="public")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_urge_reassign"),
    ]

    operations = [
        migrations.AddField(
            model_name="caseevent",
            name="visibility",
            field=models.CharField(
                choices=[("public", "The worker and staff"), ("staff", "Staff only")],
                default="staff",
                max_length=8,
                verbose_name="seen by",
            ),
        ),
        migrations.RunPython(addressed_to_the_worker, migrations.RunPython.noop),
    ]
