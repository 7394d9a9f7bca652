"""Erasure recovery (a token for the person's status page, when and how often it was queued)
and SMS codes with a purpose (login or registration)."""

import uuid

from django.db import migrations, models


def give_tokens(apps, schema_editor):
    DeletionRequest = apps.get_model("accounts", "DeletionRequest")
    for row in DeletionRequest.objects.filter(token=None):
        row.token = uuid.uuid4()
        row.save(update_fields=["token"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_district_officer"),
    ]

    operations = [
        migrations.AddField(
            model_name="deletionrequest",
            name="queued_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="deletionrequest",
            name="runs_queued",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="deletionrequest",
            name="token",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.RunPython(give_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="deletionrequest",
            name="token",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AddField(
            model_name="onetimecode",
            name="purpose",
            field=models.CharField(
                choices=[("login", "Log in"), ("register", "Register")],
                default="login",
                max_length=10,
            ),
        ),
    ]
