"""The city's starting list of hazard categories (the administrator edits them later)."""

from django.db import migrations

from yizhan.reports.defaults import ensure

def create(apps, schema_editor):
    ensure(apps.get_model("reports", "Category"))


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
