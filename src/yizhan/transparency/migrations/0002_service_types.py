"""The service types a city starts with (the administrator edits them in the back office)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from yizhan.transparency.defaults import ensure_service_types

    ensure_service_types(apps.get_model("transparency", "ServiceType"))


class Migration(migrations.Migration):
    dependencies = [("transparency", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
