"""Trigram indexes for the Billing Summary's search (PostgreSQL only).

The search matches part of an account, policy or invoice number or an insured name,
case-insensitively: Django writes ``UPPER(col::text) LIKE UPPER('%term%')``. A B-tree
cannot serve a leading wildcard; a pg_trgm GIN index on the same expression can, so a
search reads the few matching rows instead of every account, policy and invoice.
SQLite has no pg_trgm; migration 0004 gives it an FTS5 trigram table instead
(decision 0032).
"""

from django.db import migrations

INDEXES = [
    ("billing_account_number_trgm", "billing_billingaccount", "number"),
    ("billing_account_insured_trgm", "billing_billingaccount", "insured_name"),
    ("billing_policy_number_trgm", "billing_policy", "number"),
    ("billing_invoice_number_trgm", "billing_invoice", "number"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
