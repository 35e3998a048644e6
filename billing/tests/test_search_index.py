"""The summary's search through the SQLite trigram index (decision 0032).

Every search test here runs twice: through the index (``MIN_ACCOUNTS`` at 0, so any
user's search of 3+ characters takes it on SQLite) and by reading the user's accounts
(the plain LIKE search). Both must give the same rows, on SQLite and on PostgreSQL
(where there is no index and both runs take the pg_trgm-served search).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import User
from accounts.tests.factories import AccountGrantFactory, UserFactory
from billing import search_index
from billing.filters import BillingAccountQuery
from billing.models import BillingAccount, Invoice, Policy
from billing.selectors import BillingAccountPaginator, billing_account_list
from billing.tests.factories import BillingAccountFactory, InvoiceFactory, PolicyFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 3)
on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="the index is SQLite's")


def account(user: User, number: str, name: str = "Plain Name Co") -> BillingAccount:
    acct = BillingAccountFactory(number=number, insured_name=name)
    AccountGrantFactory(user=user, account=acct)
    return acct


def numbers(user: User, term: str, **query: Any) -> list[str]:
    q = BillingAccountQuery(today=TODAY, search=term, **query)
    return [a.number for a in billing_account_list(user=user, query=q)]


def both_ways(user: User, term: str) -> list[str]:
    """The rows through the index, asserted equal to the rows of the plain search."""
    old = search_index.MIN_ACCOUNTS
    try:
        search_index.MIN_ACCOUNTS = 10**9
        plain = numbers(user, term)
        search_index.MIN_ACCOUNTS = 0
        indexed = numbers(user, term)
    finally:
        search_index.MIN_ACCOUNTS = old
    assert indexed == plain, (term, indexed, plain)
    return indexed


def indexed_values(acct: BillingAccount) -> set[str]:
    """What the SQLite index holds for one account (reads the whole index: tests only)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT value FROM {search_index.TABLE} WHERE account_id = %s",  # noqa: S608
            [acct.pk],
        )
        return {value for (value,) in cursor.fetchall()}


@pytest.fixture
def user() -> User:
    return UserFactory()


@pytest.fixture
def through_index(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(search_index, "MIN_ACCOUNTS", 0)
    yield


@pytest.fixture
def sample(user: User) -> dict[str, BillingAccount]:
    accts = {
        "number": account(user, "7100000123", "Harbor Storage"),
        "policy": account(user, "7100000456", "Quiet Fields"),
        "invoice": account(user, "7100000789", "Atlas Freight Lines"),
    }
    PolicyFactory(account=accts["policy"], number="CA-2026-77123")
    InvoiceFactory(account=accts["invoice"], number="INV-88-0042")
    return accts


def test_finds_partial_account_policy_and_invoice_numbers_and_names_ignoring_case(
    user: User, sample: dict[str, BillingAccount]
) -> None:
    assert both_ways(user, "0000123") == ["7100000123"]
    assert both_ways(user, "7100000") == ["7100000123", "7100000456", "7100000789"]
    assert both_ways(user, "ca-2026-77") == ["7100000456"]
    assert both_ways(user, "2026-771") == ["7100000456"]
    assert both_ways(user, "inv-88") == ["7100000789"]
    assert both_ways(user, "88-004") == ["7100000789"]
    assert both_ways(user, "atlas FREIGHT") == ["7100000789"]
    assert both_ways(user, "reight li") == ["7100000789"]
    assert both_ways(user, "ca-2026-771234") == []  # longer than the policy number


def test_a_term_never_matches_across_two_values(user: User) -> None:
    acct = account(user, "7200000001", "Alpha")
    PolicyFactory(account=acct, number="PA-1")
    PolicyFactory(account=acct, number="PB-2")

    # Neither value contains these, though the values side by side would.
    for term in ("Alpha7200", "PA-1PB", "PA-1 PB-2", "0001Alpha"):
        assert both_ways(user, term) == []


HOSTILE = (
    'Quote "Q" Holdings',
    "Star*Co Supplies",
    "North OR South",
    "NEAR(it) Logistics",
    "Hundred 100% Freight",
    "a_b Transport",
    "O'Brien & Sons",
    "Ærøskøbing Fähre Ünion",
    "東京 Trading 株式会社",
    "emoji 🚚 Haulage",
    "Back\\slash Ltd",
    "Caret ^start Co",
    "Colon value:x Co",
    "Minus -not Co",
)


@pytest.fixture
def hostile(user: User) -> None:
    for i, name in enumerate(HOSTILE):
        account(user, f"73000000{i:02d}", name)
    account(user, "7300000099", "axb Transport")  # a_b must not match axb


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ('"', ["7300000000"]),
        ('"Q"', ["7300000000"]),
        ('""', []),
        ('Quote "Q', ["7300000000"]),
        ("*", ["7300000001"]),
        ("Star*", ["7300000001"]),
        ("Sta*", []),  # not a prefix query
        ("OR", ["7300000002", "7300000005", "7300000099"]),  # "Transport": the plain search
        ("h OR S", ["7300000002"]),
        ("North OR Nothing", []),  # not an FTS5 OR
        ("Star OR Quote", []),
        ("NEAR(", ["7300000003"]),
        ("NEAR(it)", ["7300000003"]),
        ("NEAR(Star Quote)", []),
        ("%", ["7300000004"]),
        ("100%", ["7300000004"]),
        ("0%", ["7300000004"]),
        ("1%F", []),
        ("_", ["7300000005"]),
        ("a_b", ["7300000005"]),
        ("_b T", ["7300000005"]),
        ("'", ["7300000006"]),
        ("O'Brien", ["7300000006"]),
        ("' OR 1=1 --", []),
        ("Ærøskøbing", ["7300000007"]),
        ("Fähre", ["7300000007"]),
        ("東京 Tr", ["7300000008"]),
        ("株式会社", ["7300000008"]),
        ("🚚 H", ["7300000009"]),
        ("\\", ["7300000010"]),
        ("k\\s", ["7300000010"]),
        ("^start", ["7300000011"]),
        ("^st", ["7300000011"]),
        ("value:x", ["7300000012"]),
        ("value:", ["7300000012"]),
        ("-not", ["7300000013"]),
        ("- + ( ) :", []),
        ("AND", []),
        ("NOT Co", ["7300000013"]),  # "-not Co", not an FTS5 NOT
    ],
)
def test_hostile_terms_are_searched_literally(
    user: User, hostile: None, term: str, expected: list[str]
) -> None:
    assert both_ways(user, term) == expected


def test_non_ascii_case_follows_the_plain_search_of_each_database(
    user: User, hostile: None
) -> None:
    # The trigram index folds the case of any letter; SQLite's LIKE only of ASCII
    # letters, PostgreSQL's UPPER of all. The result stays each database's plain one.
    found = both_ways(user, "ærøSKØBING")
    if connection.vendor == "sqlite":
        assert found == []
    assert both_ways(user, "ÆRØSKØBING fähre") == both_ways(user, "ærøskøbing FÄHRE")


def test_a_long_term_finds_nothing_and_breaks_nothing(user: User, hostile: None) -> None:
    assert both_ways(user, "x" * 10_000) == []
    assert both_ways(user, '"' * 10_000) == []
    assert both_ways(user, "NEAR(" * 2_000) == []
    assert both_ways(user, ("Star*Co Supplies " * 600)[:10_000]) == []


def test_random_substrings_in_random_case_give_the_plain_searchs_rows(user: User) -> None:
    rng = random.Random(3)
    alphabet = "abcXYZ0123-_%' \"*()"
    values = []
    for i in range(40):
        name = "".join(rng.choice(alphabet) for _ in range(rng.randint(3, 14)))
        acct = account(user, f"74000000{i:02d}", name)
        policy = PolicyFactory(account=acct, number=f"P-{rng.randint(0, 999):03d}-{i}")
        values += [(name, acct.number), (acct.number, acct.number), (policy.number, acct.number)]
    for _ in range(60):
        value, owner = rng.choice(values)
        start = rng.randint(0, len(value) - 3)
        term = value[start : rng.randint(start + 3, len(value))]
        term = "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in term)
        assert owner in both_ways(user, term), (term, value)


def test_another_users_accounts_never_appear(user: User, through_index: None) -> None:
    mine = account(user, "7500000001", "Shared Name Freight")
    other = UserFactory()
    theirs = account(other, "7500000002", "Shared Name Freight")
    PolicyFactory(account=theirs, number="SH-7500000001-X")  # holds my number too
    InvoiceFactory(account=theirs, number="INV-Shared Name")
    BillingAccountFactory(number="7500000003", insured_name="Shared Name Freight")  # nobody's

    assert numbers(user, "Shared Name") == [mine.number]
    assert numbers(user, "7500000001") == [mine.number]
    assert numbers(user, "750000000") == [mine.number]
    assert numbers(user, "7500000002") == []
    assert numbers(user, "SH-75") == []
    assert numbers(other, "Shared Name") == [theirs.number]
    assert numbers(other, "7500000001") == [theirs.number]  # through its policy
    assert numbers(UserFactory(), "Shared Name") == []


def test_an_account_renamed_renumbered_or_deleted_after_indexing(
    user: User, through_index: None
) -> None:
    acct = account(user, "7600000001", "Original Name")
    assert numbers(user, "Original") == ["7600000001"]

    acct.insured_name = "Renamed Carrier"
    acct.save()
    assert numbers(user, "Original") == []
    assert numbers(user, "renamed CARR") == ["7600000001"]

    BillingAccount.objects.filter(pk=acct.pk).update(number="7699999999")
    assert numbers(user, "7600000001") == []
    assert numbers(user, "99999") == ["7699999999"]

    acct.delete()
    assert numbers(user, "Renamed") == []
    assert numbers(user, "99999") == []


def test_a_policy_or_invoice_added_changed_moved_or_deleted_later(
    user: User, through_index: None
) -> None:
    first = account(user, "7700000001")
    second = account(user, "7700000002")
    assert numbers(user, "GL-5555") == []

    policy = PolicyFactory(account=first, number="GL-5555-01")
    invoice = InvoiceFactory(account=first, number="INV-4444-01")
    assert numbers(user, "GL-5555") == ["7700000001"]
    assert numbers(user, "4444-0") == ["7700000001"]

    policy.number = "GL-6666-01"
    policy.save()
    Invoice.objects.filter(pk=invoice.pk).update(account=second)
    assert numbers(user, "GL-5555") == []
    assert numbers(user, "GL-6666") == ["7700000001"]
    assert numbers(user, "4444-0") == ["7700000002"]

    Policy.objects.filter(pk=policy.pk).delete()
    invoice.delete()
    assert numbers(user, "GL-6666") == []
    assert numbers(user, "4444-0") == []


@on_sqlite
def test_the_index_holds_each_value_once_and_follows_every_change(user: User) -> None:
    acct = account(user, "7800000001", "Indexed Co")
    policy = PolicyFactory(account=acct, number="IX-1")
    invoice = InvoiceFactory(account=acct, number="INV-IX-1")
    assert indexed_values(acct) == {"7800000001", "Indexed Co", "IX-1", "INV-IX-1"}

    # A balance change touches no index row; a rename replaces one.
    BillingAccount.objects.filter(pk=acct.pk).update(past_due=5, total_due=5)
    acct.refresh_from_db()
    acct.insured_name = "Reindexed Co"
    acct.save()
    policy.number = "IX-2"
    policy.save()
    assert indexed_values(acct) == {"7800000001", "Reindexed Co", "IX-2", "INV-IX-1"}

    invoice.delete()
    policy.delete()
    assert indexed_values(acct) == {"7800000001", "Reindexed Co"}
    acct_pk = acct.pk
    acct.delete()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {search_index.TABLE} WHERE account_id = %s",  # noqa: S608
            [acct_pk],
        )
        assert cursor.fetchone()[0] == 0


@on_sqlite
def test_the_search_reads_the_index_only_when_it_helps(
    user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(3):
        account(user, f"79000000{i:02d}")
    account(UserFactory(), "7900000099")  # someone else's: counts as a match in the table

    def uses_index(term: str) -> bool:
        query = BillingAccountQuery(today=TODAY, search=term)
        return search_index.TABLE in str(billing_account_list(user=user, query=query).query)

    # A user with few accounts: reading them is cheaper than the index.
    assert not uses_index("9000000")
    monkeypatch.setattr(search_index, "MIN_ACCOUNTS", 2)
    assert uses_index("9000000")
    assert not uses_index("90")  # too short for trigrams
    # A term found in more values of the table than MAX_MATCHES (4 numbers here).
    monkeypatch.setattr(search_index, "MAX_MATCHES", 3)
    assert not uses_index("9000000")
    assert uses_index("900000001")  # one value
    assert numbers(user, "9000000") == ["7900000000", "7900000001", "7900000002"]


@pytest.mark.parametrize("query", [{}, {"sort": "-total"}, {"statuses": ("past_due",)}])
def test_both_ways_of_fetching_a_page_give_the_rows_of_an_indexed_search(
    user: User, through_index: None, query: dict[str, Any]
) -> None:
    for i in range(12):
        acct = account(user, f"80000000{i:02d}", name=f"Page Test {i}")
        BillingAccount.objects.filter(pk=acct.pk).update(
            past_due=i % 3, current_due=i, total_due=i % 3 + i
        )
    account(UserFactory(), "8000000099", name="Page Test 99")
    q = BillingAccountQuery(today=TODAY, search="page TEST", **query)
    expected = [a.number for a in billing_account_list(user=user, query=q)]
    assert expected and "8000000099" not in expected

    walked = BillingAccountPaginator(user=user, query=q, per_page=5)
    walked._table_size = lambda: 1  # type: ignore[method-assign]
    sorted_ = BillingAccountPaginator(user=user, query=q, per_page=5)
    sorted_._table_size = lambda: 10**9  # type: ignore[method-assign]
    for paginator in (walked, sorted_):
        assert paginator.count == len(expected)
        rows = [a.number for n in paginator.page_range for a in paginator.page(n).object_list]
        assert rows == expected


@on_sqlite
def test_ensure_puts_back_dropped_triggers_and_indexes_what_they_missed(user: User) -> None:
    # What a migration that rebuilds billing_policy on SQLite does to its triggers.
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {search_index.TABLE}_policy_insert")
    acct = account(user, "8100000001")
    PolicyFactory(account=acct, number="MISSED-1")
    assert "MISSED-1" not in indexed_values(acct)

    assert search_index.ensure(connection) is True
    assert "MISSED-1" in indexed_values(acct)
    assert search_index.ensure(connection) is False
    PolicyFactory(account=acct, number="AFTER-1")
    assert "AFTER-1" in indexed_values(acct)


@on_sqlite
@pytest.mark.django_db(transaction=True)
def test_the_migration_indexes_the_rows_that_existed_before_it() -> None:
    user = UserFactory()
    executor = MigrationExecutor(connection)
    executor.migrate([("billing", "0003_invoice_reminder")])
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE name = %s", [search_index.TABLE])
            assert cursor.fetchone() is None
        acct = account(user, "8200000001", "Seeded Before")
        PolicyFactory(account=acct, number="SB-POL-1")
        InvoiceFactory(account=acct, number="SB-INV-1")
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes("billing"))
    assert indexed_values(acct) == {"8200000001", "Seeded Before", "SB-POL-1", "SB-INV-1"}
    search_index.MIN_ACCOUNTS, old = 0, search_index.MIN_ACCOUNTS
    try:
        assert numbers(user, "seeded bef") == numbers(user, "POL-1") == ["8200000001"]
    finally:
        search_index.MIN_ACCOUNTS = old


@on_sqlite
def test_ensure_builds_an_index_the_migration_could_not(user: User) -> None:
    # The migration ran on a SQLite without the trigram tokenizer; the library was
    # upgraded since: the next migrate builds the index from the data.
    search_index.uninstall(connection)
    acct = account(user, "8300000001", "Upgraded Later")
    assert search_index.ensure(connection) is True
    assert indexed_values(acct) == {"8300000001", "Upgraded Later"}


def test_without_the_trigram_tokenizer_the_search_reads_the_users_accounts(
    user: User, sample: dict[str, BillingAccount], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_index, "supported", lambda: False)
    monkeypatch.setattr(search_index, "MIN_ACCOUNTS", 0)
    query = BillingAccountQuery(today=TODAY, search="ca-2026-77")

    assert search_index.TABLE not in str(billing_account_list(user=user, query=query).query)
    assert numbers(user, "ca-2026-77") == ["7100000456"]
    assert search_index.ensure(connection) is False
