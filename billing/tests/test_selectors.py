"""billing_account_list: the rows the summary pages through and the export writes."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from accounts.models import User
from accounts.tests.factories import AccountGrantFactory, UserFactory
from billing.filters import BillingAccountQuery
from billing.models import BillingAccount, Company, LineOfBusiness
from billing.selectors import (
    EXPORT_FIELDS,
    BillingAccountPaginator,
    billing_account_export_rows,
    billing_account_list,
    billing_company_choices,
)
from billing.tests.factories import (
    BillingAccountFactory,
    CompanyFactory,
    InvoiceFactory,
    PolicyFactory,
)

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 3)


def account(user: User, **fields: Any) -> BillingAccount:
    past = Decimal(fields.pop("past_due", "0"))
    current = Decimal(fields.pop("current_due", "0"))
    acct = BillingAccountFactory(
        past_due=past, current_due=current, total_due=past + current, **fields
    )
    AccountGrantFactory(user=user, account=acct)
    return acct


def numbers(user: User, **query: Any) -> list[str]:
    rows = billing_account_list(user=user, query=BillingAccountQuery(today=TODAY, **query))
    return [a.number for a in rows]


@pytest.fixture
def user() -> User:
    return UserFactory()


def test_search_finds_whole_and_partial_account_numbers(user: User) -> None:
    account(user, number="7100000123")
    account(user, number="7100000456")

    assert numbers(user, search="7100000123") == ["7100000123"]
    assert numbers(user, search="0045") == ["7100000456"]


def test_search_finds_policy_and_invoice_numbers_and_names_ignoring_case(user: User) -> None:
    by_policy = account(user, number="1000000001")
    PolicyFactory(account=by_policy, number="CA-2026-77123")
    by_invoice = account(user, number="1000000002")
    InvoiceFactory(account=by_invoice, number="INV-88-0042")
    account(user, number="1000000003", insured_name="Atlas Freight Lines")
    account(user, number="1000000004", insured_name="Someone Else")

    assert numbers(user, search="ca-2026-77") == ["1000000001"]
    assert numbers(user, search="inv-88") == ["1000000002"]
    assert numbers(user, search="ATLAS freight") == ["1000000003"]


def test_an_account_matching_twice_is_listed_once(user: User) -> None:
    acct = account(user, number="2000000001", insured_name="Policy Holder 2000")
    PolicyFactory(account=acct, number="P-2000-1")
    PolicyFactory(account=acct, number="P-2000-2")
    InvoiceFactory(account=acct, number="I-2000-1")

    assert numbers(user, search="2000") == ["2000000001"]


@pytest.mark.parametrize("term", ["%", "_", "50%", "a_c"])
def test_percent_and_underscore_are_searched_literally(user: User, term: str) -> None:
    account(user, number="3000000001", insured_name="Fifty 50% Off")
    account(user, number="3000000002", insured_name="abc Holdings")
    account(user, number="3000000003", insured_name="a_c Holdings")

    expected = {"%": ["3000000001"], "50%": ["3000000001"], "_": ["3000000003"]}
    assert numbers(user, search=term) == expected.get(term, ["3000000003"])


@pytest.mark.parametrize(
    "term",
    ["' OR 1=1 --", '"; DROP TABLE billing_billingaccount; --', "<script>alert(1)</script>", "\\"],
)
def test_sql_and_html_metacharacters_find_nothing_and_break_nothing(user: User, term: str) -> None:
    account(user, number="4000000001")

    assert numbers(user, search=term) == []
    assert numbers(user) == ["4000000001"]


def test_another_users_accounts_are_never_listed_whatever_the_query(user: User) -> None:
    mine = account(user, number="5000000001", insured_name="Shared Name", past_due="10")
    other = UserFactory()
    account(other, number="5000000002", insured_name="Shared Name", past_due="10")
    BillingAccountFactory(number="5000000003", insured_name="Shared Name")  # nobody's

    assert numbers(user, search="Shared") == [mine.number]
    assert numbers(user, statuses=("past_due",)) == [mine.number]
    assert numbers(user, search="5000000002") == []


def test_status_filters_past_due_due_soon_and_nothing_due(user: User) -> None:
    account(user, number="6000000001", past_due="50", next_due_date=TODAY - timedelta(days=3))
    account(user, number="6000000002", current_due="75", next_due_date=TODAY + timedelta(days=30))
    account(user, number="6000000003", current_due="75", next_due_date=TODAY + timedelta(days=31))
    account(user, number="6000000004")

    assert numbers(user, statuses=("past_due",)) == ["6000000001"]
    assert numbers(user, statuses=("due_soon",)) == ["6000000002"]
    assert numbers(user, statuses=("nothing_due",)) == ["6000000004"]
    # Several statuses widen the list: an account in any of them is shown.
    assert numbers(user, statuses=("past_due", "nothing_due")) == ["6000000001", "6000000004"]


def test_due_date_and_total_due_ranges_are_inclusive(user: User) -> None:
    account(user, number="7000000001", current_due="100.00", next_due_date=date(2026, 12, 10))
    account(user, number="7000000002", current_due="250.00", next_due_date=date(2026, 12, 20))
    account(user, number="7000000003", current_due="999.99", next_due_date=date(2027, 1, 5))

    assert numbers(user, due_from=date(2026, 12, 10), due_to=date(2026, 12, 20)) == [
        "7000000001",
        "7000000002",
    ]
    assert numbers(user, total_min=Decimal("250"), total_max=Decimal("999.99")) == [
        "7000000002",
        "7000000003",
    ]


def test_company_line_of_business_and_autopay_filters(user: User) -> None:
    harbor = CompanyFactory(code="harbor", name="Harbor Casualty Company")
    auto = account(user, number="8000000001", company=harbor, autopay=True)
    PolicyFactory(account=auto, line_of_business=LineOfBusiness.COMMERCIAL_AUTO)
    property_ = account(user, number="8000000002")
    PolicyFactory(account=property_, line_of_business=LineOfBusiness.COMMERCIAL_PROPERTY)

    assert numbers(user, company="harbor") == ["8000000001"]
    assert numbers(user, line_of_business="commercial_property") == ["8000000002"]
    assert numbers(user, autopay="on") == ["8000000001"]
    assert numbers(user, autopay="off") == ["8000000002"]


def test_each_sort_orders_the_rows_with_accounts_without_a_due_date_last(user: User) -> None:
    account(user, number="9000000002", current_due="300", next_due_date=date(2026, 12, 20))
    account(user, number="9000000001", current_due="100", next_due_date=date(2026, 12, 10))
    account(user, number="9000000003")

    assert numbers(user, sort="") == ["9000000001", "9000000002", "9000000003"]
    assert numbers(user, sort="acct") == ["9000000001", "9000000002", "9000000003"]
    assert numbers(user, sort="-acct") == ["9000000003", "9000000002", "9000000001"]
    assert numbers(user, sort="-total") == ["9000000002", "9000000001", "9000000003"]
    assert numbers(user, sort="total") == ["9000000003", "9000000001", "9000000002"]
    assert numbers(user, sort="due") == ["9000000001", "9000000002", "9000000003"]
    assert numbers(user, sort="-due") == ["9000000002", "9000000001", "9000000003"]


def test_equal_sort_values_keep_a_stable_order_by_id(user: User) -> None:
    accounts = [account(user, current_due="10") for _ in range(5)]

    rows = billing_account_list(user=user, query=BillingAccountQuery(sort="total", today=TODAY))

    assert [a.pk for a in rows] == sorted(a.pk for a in accounts)


def test_company_choices_are_the_companies_of_the_users_accounts(user: User) -> None:
    mine = CompanyFactory(code="aig", name="American Insurance Group")
    account(user, company=mine)
    account(user, company=mine)
    account(UserFactory(), company=CompanyFactory(code="other", name="Other Co"))

    assert billing_company_choices(user=user) == [("aig", "American Insurance Group")]
    assert Company.objects.count() >= 2


def test_export_rows_carry_the_sheet_columns_and_the_policy_numbers(user: User) -> None:
    acct = account(
        user,
        number="1100000001",
        insured_name="Atlas",
        past_due="20",
        current_due="30.55",
        next_due_date=date(2026, 12, 26),
    )
    PolicyFactory(account=acct, number="CA-1")
    PolicyFactory(account=acct, number="GL-2")
    account(user, number="1100000002")

    rows = list(billing_account_export_rows(user=user, query=BillingAccountQuery(today=TODAY)))

    assert len(EXPORT_FIELDS) == 8
    number, insured, company, total, past, due, status, policies = rows[0]
    assert (number, insured, company) == ("1100000001", "Atlas", acct.company.name)
    assert (total, past, due, status) == (
        Decimal("50.55"),
        Decimal("20.00"),
        date(2026, 12, 26),
        "active",
    )
    assert sorted(policies.split(", ")) == ["CA-1", "GL-2"]
    assert rows[1][0] == "1100000002" and rows[1][7] is None


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"sort": "-total"},
        {"sort": "due"},
        {"sort": "-due", "statuses": ("past_due", "nothing_due")},
        {"search": "1", "sort": "-acct"},
    ],
)
def test_both_ways_of_fetching_a_page_give_the_rows_of_the_list(
    user: User, query: dict[str, Any]
) -> None:
    for i in range(12):
        account(
            user,
            number=f"12000000{i:02d}",
            past_due=str(i % 3),
            current_due=str(i * 7 % 5),
            next_due_date=None if i % 4 == 0 else TODAY + timedelta(days=i * 5 % 9),
        )
    account(UserFactory(), number="1200000099")  # someone else's, in the same table
    q = BillingAccountQuery(today=TODAY, **query)
    expected = [a.number for a in billing_account_list(user=user, query=q)]

    # The table's size decides; it is stubbed, as ids are not reused between tests.
    # A user with almost all the table's accounts: pages walk the sort order's index.
    walked = BillingAccountPaginator(user=user, query=q, per_page=5)
    walked._table_size = lambda: 1  # type: ignore[method-assign]
    # A user with a small share of a big table: pages sort the user's own accounts.
    sorted_ = BillingAccountPaginator(user=user, query=q, per_page=5)
    sorted_._table_size = lambda: 10**9  # type: ignore[method-assign]

    for paginator in (walked, sorted_):
        assert paginator.count == len(expected)
        rows = [a.number for n in paginator.page_range for a in paginator.page(n).object_list]
        assert rows == expected
    assert "EXISTS" in str(walked.page(1).object_list.query)
    assert "EXISTS" not in str(sorted_.page(1).object_list.query)


def test_an_unfiltered_count_reads_the_grants_alone(user: User) -> None:
    account(user)
    account(user)
    account(UserFactory())

    paginator = BillingAccountPaginator(user=user, query=BillingAccountQuery(), per_page=25)

    assert paginator.count == 2


def test_company_choices_are_cached_per_user(user: User, django_assert_num_queries: Any) -> None:
    account(user, company=CompanyFactory(code="keystone", name="Keystone"))
    first = billing_company_choices(user=user)

    with django_assert_num_queries(0):
        assert billing_company_choices(user=user) == first == [("keystone", "Keystone")]


def test_the_grant_count_is_cached_and_a_changed_grant_clears_it(
    user: User, django_assert_num_queries: Any
) -> None:
    def count() -> int:
        return BillingAccountPaginator(user=user, query=BillingAccountQuery(), per_page=25).count

    account(user)
    account(user)
    assert count() == 2
    with django_assert_num_queries(0):
        assert count() == 2

    granted = account(user)  # a grant saved
    assert count() == 3
    user.account_grants.get(account=granted).delete()  # and one deleted
    assert count() == 2


def test_a_new_grant_shows_its_company_in_the_filter_at_once(user: User) -> None:
    account(user, company=CompanyFactory(code="keystone", name="Keystone"))
    assert billing_company_choices(user=user) == [("keystone", "Keystone")]

    account(user, company=CompanyFactory(code="harbor", name="Harbor Casualty"))

    assert billing_company_choices(user=user) == [
        ("harbor", "Harbor Casualty"),
        ("keystone", "Keystone"),
    ]
