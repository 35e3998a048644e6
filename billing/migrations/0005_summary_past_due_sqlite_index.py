"""A partial covering index of past-due accounts, for counting the Past due filter on
SQLite (decision 0032, billing/past_due_index.py). Nothing on PostgreSQL."""

from django.db import migrations

from billing import past_due_index


def create(apps, schema_editor):
    past_due_index.install(schema_editor.connection)


def drop(apps, schema_editor):
    past_due_index.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("billing", "0004_summary_search_sqlite_trigram")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
