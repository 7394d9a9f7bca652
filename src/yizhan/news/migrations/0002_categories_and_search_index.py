"""The four categories, and on PostgreSQL the GIN index behind Chinese full-text search."""

from django.db import migrations

INDEX = "news_article_search_gin"


def add_categories(apps, schema_editor):
    from yizhan.news.defaults import ensure

    ensure(apps.get_model("news", "Category"))


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON news_article "
            "USING gin (to_tsvector('simple'::regconfig, search_text))"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("news", "0001_initial")]

    operations = [
        migrations.RunPython(add_categories, migrations.RunPython.noop),
        migrations.RunPython(add_index, drop_index),
    ]
