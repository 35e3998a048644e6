"""Trigram search index for the Billing Summary on SQLite (decision 0032).

An FTS5 table with the trigram tokenizer over account numbers, insured names, policy
numbers and invoice numbers, triggers that keep it in step, and every existing row
indexed. PostgreSQL has its pg_trgm indexes (0002); there this does nothing.
"""

from django.db import migrations

from billing import search_index


def create(apps, schema_editor):
    search_index.install(schema_editor.connection)


def drop(apps, schema_editor):
    search_index.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("billing", "0003_invoice_reminder")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
