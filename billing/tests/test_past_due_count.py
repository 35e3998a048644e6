"""The Past due count on SQLite: a walk of a partial index of the past-due accounts,
probing the grants, for users with most of the table's accounts (decision 0032)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.tests.factories import AccountGrantFactory, UserFactory
from billing import past_due_index
from billing.filters import BillingAccountQuery, Status
from billing.models import BillingAccount
from billing.selectors import BillingAccountPaginator, billing_account_list
from billing.tests.factories import BillingAccountFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 3)
PAST_DUE = BillingAccountQuery(today=TODAY, statuses=(Status.PAST_DUE,))


def account(user: User | None, past_due: str, current_due: str = "0") -> BillingAccount:
    past, current = Decimal(past_due), Decimal(current_due)
    acct = BillingAccountFactory(past_due=past, current_due=current, total_due=past + current)
    if user is not None:
        AccountGrantFactory(user=user, account=acct)
    return acct


def paginator(user: User, query: BillingAccountQuery, *, table_size: int) -> Any:
    p = BillingAccountPaginator(user=user, query=query, per_page=5)
    p._table_size = lambda: table_size  # type: ignore[method-assign]
    return p


@pytest.fixture
def user() -> User:
    user = UserFactory()
    for past, current in [("10", "0"), ("0.01", "5"), ("0", "7"), ("0", "0"), ("250.5", "0")]:
        account(user, past, current)
    other = UserFactory()
    account(other, "99")  # someone else's past-due account
    shared = account(other, "12")  # shared with the user
    AccountGrantFactory(user=user, account=shared)
    account(None, "40")  # nobody's
    return user


def counts(user: User, query: BillingAccountQuery) -> tuple[int, int, str]:
    """(count as a big share of the table, count as a small share, SQL of the first)."""
    big = paginator(user, query, table_size=1)
    with CaptureQueriesContext(connection) as ctx:
        first = big.count
    small = paginator(user, query, table_size=10**9).count
    return first, small, " ".join(q["sql"] for q in ctx.captured_queries)


def test_the_count_is_the_same_either_way_and_the_rows_of_the_list(user: User) -> None:
    expected = billing_account_list(user=user, query=PAST_DUE).count()
    big, small, sql = counts(user, PAST_DUE)

    assert big == small == expected == 4
    assert (past_due_index.COUNT_SQL % user.pk in sql) == (connection.vendor == "sqlite")
    rows = [
        a.number
        for p in (paginator(user, PAST_DUE, table_size=1),)
        for n in p.page_range
        for a in p.page(n).object_list
    ]
    assert rows == [a.number for a in billing_account_list(user=user, query=PAST_DUE)]


@pytest.mark.parametrize(
    "extra",
    [
        {"statuses": (Status.PAST_DUE, Status.NOTHING_DUE)},
        {"statuses": (Status.DUE_SOON,)},
        {"search": "999"},
        {"total_min": Decimal("100")},
        {"autopay": "off"},
    ],
)
def test_other_filters_keep_the_join(user: User, extra: dict[str, Any]) -> None:
    query = BillingAccountQuery(today=TODAY, **{"statuses": (Status.PAST_DUE,), **extra})
    big, small, sql = counts(user, query)

    assert big == small == billing_account_list(user=user, query=query).count()
    assert "CROSS JOIN" not in sql


def test_a_sort_does_not_change_the_count(user: User) -> None:
    query = BillingAccountQuery(today=TODAY, statuses=(Status.PAST_DUE,), sort="-total")
    big, small, sql = counts(user, query)
    assert big == small == 4
    assert (past_due_index.COUNT_SQL % user.pk in sql) == (connection.vendor == "sqlite")


def test_an_inactive_user_counts_nothing(user: User) -> None:
    user.is_active = False
    user.save()
    assert counts(user, PAST_DUE)[:2] == (0, 0)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the index is SQLite's")
def test_the_count_walks_the_past_due_index_and_reads_no_account_row(user: User) -> None:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + past_due_index.COUNT_SQL, [user.pk])
        plan = [row[-1] for row in cursor.fetchall()]
    assert plan[0].endswith(f"USING COVERING INDEX {past_due_index.INDEX}"), plan
    assert "COVERING INDEX" in plan[1] and "(user_id=? AND account_id=?)" in plan[1], plan
    assert "INTEGER PRIMARY KEY" not in " ".join(plan)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the index is SQLite's")
def test_ensure_puts_back_the_index_a_table_rebuild_drops(user: User) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX {past_due_index.INDEX}")
    assert past_due_index.ensure(connection) is True
    assert past_due_index.ensure(connection) is False
    assert counts(user, PAST_DUE)[0] == 4
