"""The Billing Summary's search index on SQLite: an FTS5 trigram table (decision 0032).

The search matches part of an account, policy or invoice number or an insured name,
case-insensitively (``LIKE '%term%'``). A B-tree cannot serve a leading wildcard; on
PostgreSQL pg_trgm GIN indexes do (migration 0002). On SQLite this FTS5 table with the
``trigram`` tokenizer does: one row per searchable value, so a phrase query finds the
values containing the term without reading the others.

- One row per value, ``rowid = id * 4 + kind`` (0 account number, 1 insured name,
  2 policy number, 3 invoice number) and the account's id in ``account_id``. A phrase
  never spans two values, and the triggers reach a row by its rowid (FTS5 finds a row
  by anything else only by reading the whole table).
- Triggers on the three tables keep it in step on insert, update (of the searched
  columns only: a balance refresh touches no index row) and delete.
- It only narrows: the selector keeps Django's ``icontains`` on the real columns for
  the few accounts it finds, so results equal the plain LIKE search exactly (the
  tokenizer also folds non-ASCII case, which SQLite's LIKE does not).

Nothing here runs on PostgreSQL.
"""

# Every SQL string here is built from the constants of this module, never from input
# (the search term is always a bound parameter).
# ruff: noqa: S608
from __future__ import annotations

import functools
import logging
import sqlite3
from contextlib import closing
from typing import Any

logger = logging.getLogger(__name__)

TABLE = "billing_search_trigram"
MIGRATION = "0004_summary_search_sqlite_trigram"
MIN_TERM_LENGTH = 3  # a trigram index cannot find anything shorter
# Users with up to this many accounts search them without the index: reading them all
# costs about as much as the index at 1,000 accounts (2 ms a query on the bench data),
# and unlike the index it does not grow with the matches in other users' accounts.
MIN_ACCOUNTS = 1_000
# A term found in more values than this anywhere in the table (a word of every insured
# name, "000" in every number) is searched without the index: the index's cost grows
# with the matches in the whole table (about 3 µs each), reading the user's accounts
# with their number (about 8 µs an account, policies and invoices included).
MAX_MATCHES = 10_000

# (kind, table, column holding the value, column holding the account id)
SOURCES = (
    (0, "billing_billingaccount", "number", "id"),
    (1, "billing_billingaccount", "insured_name", "id"),
    (2, "billing_policy", "number", "account_id"),
    (3, "billing_invoice", "number", "account_id"),
)
TABLES = {
    # table: (trigger name stem, the kinds it feeds, the columns that change the index)
    "billing_billingaccount": ("account", (0, 1), ("id", "number", "insured_name")),
    "billing_policy": ("policy", (2,), ("id", "number", "account_id")),
    "billing_invoice": ("invoice", (3,), ("id", "number", "account_id")),
}


def _source(kind: int) -> tuple[str, str]:
    for k, _table, value, account in SOURCES:
        if k == kind:
            return value, account
    raise ValueError(kind)  # pragma: no cover


def _triggers() -> dict[str, str]:
    """CREATE TRIGGER statements by trigger name."""
    triggers = {}
    for table, (stem, kinds, watched) in TABLES.items():
        inserts = " ".join(
            f"INSERT INTO {TABLE}(rowid, value, account_id) "
            f"VALUES (new.id * 4 + {kind}, new.{_source(kind)[0]}, new.{_source(kind)[1]});"
            for kind in kinds
        )
        deletes = " ".join(
            f"DELETE FROM {TABLE} WHERE rowid = old.id * 4 + {kind};" for kind in kinds
        )
        changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in watched)
        triggers[f"{TABLE}_{stem}_insert"] = (
            f"CREATE TRIGGER {TABLE}_{stem}_insert AFTER INSERT ON {table} BEGIN {inserts} END"
        )
        triggers[f"{TABLE}_{stem}_update"] = (
            f"CREATE TRIGGER {TABLE}_{stem}_update AFTER UPDATE OF {', '.join(watched)} "
            f"ON {table} WHEN {changed} BEGIN {deletes} {inserts} END"
        )
        triggers[f"{TABLE}_{stem}_delete"] = (
            f"CREATE TRIGGER {TABLE}_{stem}_delete AFTER DELETE ON {table} BEGIN {deletes} END"
        )
    return triggers


def _populate(cursor: Any) -> None:
    cursor.execute(f"DELETE FROM {TABLE}")
    for kind, table, value, account in SOURCES:
        cursor.execute(
            f"INSERT INTO {TABLE}(rowid, value, account_id) "
            f"SELECT id * 4 + {kind}, {value}, {account} FROM {table}"
        )
    # Merge the segments the bulk insert wrote into one b-tree: fewer to read per query.
    cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('optimize')")


@functools.cache
def supported() -> bool:
    """Whether this process's SQLite library has FTS5 and its trigram tokenizer
    (SQLite 3.34 or newer, built with FTS5). Without them there is no index and the
    search reads the user's accounts, as before the index."""
    try:
        with closing(sqlite3.connect(":memory:")) as probe:
            probe.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'trigram')")
    except sqlite3.Error:
        return False
    return True


def install(connection: Any) -> None:
    """Create the table and its triggers and index every existing value (SQLite with
    FTS5 trigram only)."""
    if connection.vendor != "sqlite":
        return
    if not supported():
        logger.warning(
            "SQLite %s has no FTS5 trigram tokenizer: the Billing Summary search reads "
            "every account of the user (decision 0032).",
            sqlite3.sqlite_version,
        )
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5("
            "value, account_id UNINDEXED, tokenize = 'trigram case_sensitive 0')"
        )
        for name, sql in _triggers().items():
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(sql)
        _populate(cursor)


def uninstall(connection: Any) -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for name in _triggers():
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def ensure(connection: Any) -> bool:
    """Put back a table or triggers that are missing although the migration ran, and
    re-index; True when it had to.

    Django's SQLite schema editor changes a column by copying the table into a new one
    and dropping the old, which drops the old table's triggers with it; and a SQLite
    library upgraded to one with the trigram tokenizer finds no table. Run after every
    ``migrate`` (``post_migrate``), so neither leaves the index missing or stale.
    """
    if connection.vendor != "sqlite" or not supported():
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM django_migrations WHERE app = 'billing' AND name = %s", [MIGRATION]
        )
        if not cursor.fetchone():
            return False  # not installed yet (or migrated back before it)
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE name = %s OR (type = 'trigger' AND name LIKE %s)",
            [TABLE, f"{TABLE}_%"],
        )
        present = {name for (name,) in cursor.fetchall()}
    if present >= {TABLE, *_triggers()}:
        return False
    install(connection)
    return True


def phrase(term: str) -> str:
    """``term`` as one FTS5 string: everything in it literal (quotes doubled), so no
    user input is read as FTS5 syntax (``OR``, ``NEAR(``, ``*``, ``^``, column filters)."""
    return '"' + term.replace('"', '""') + '"'


def usable(term: str) -> bool:
    """Whether the index can answer ``term``: 3 characters or more, no NUL, and a
    SQLite with the trigram tokenizer (so migration 0004 created the index)."""
    return len(term) >= MIN_TERM_LENGTH and "\x00" not in term and supported()


def is_narrow(*, connection: Any, term: str) -> bool:
    """Whether ``term`` is found in at most ``MAX_MATCHES`` values (reads at most that
    many entries of the index)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {TABLE} WHERE {TABLE} MATCH %s LIMIT %s)",
            [phrase(term), MAX_MATCHES + 1],
        )
        return int(cursor.fetchone()[0]) <= MAX_MATCHES


def account_ids_sql() -> str:
    """A subquery of the ids of accounts with a value that may contain the term (one
    parameter: ``phrase(term)``); a superset that the caller re-checks with LIKE."""
    return f"SELECT account_id FROM {TABLE} WHERE {TABLE} MATCH %s"
