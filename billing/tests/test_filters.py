"""The summary's query string, read by one form for the page and the export."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.http import QueryDict
from django.utils.http import urlencode

from billing.filters import (
    DEFAULT_PAGE_SIZE,
    SORTS,
    BillingAccountFilterForm,
    BillingAccountQuery,
    filter_chips,
)

TODAY = date(2026, 12, 3)
COMPANIES = [("aig", "American Insurance Group"), ("harbor", "Harbor Casualty Company")]


def read(query_string: str) -> tuple[BillingAccountFilterForm, BillingAccountQuery]:
    form = BillingAccountFilterForm(QueryDict(query_string), companies=COMPANIES)
    return form, form.to_query(today=TODAY)


def test_an_empty_query_string_means_all_accounts_in_the_default_order() -> None:
    form, query = read("")

    assert form.is_valid()
    assert query == BillingAccountQuery(today=TODAY)
    assert not query.is_narrowed
    assert query.ordering == ("number", "id")
    assert form.rows_per_page == DEFAULT_PAGE_SIZE


def test_every_filter_is_read_from_the_query_string() -> None:
    form, query = read(
        "q=+Atlas+&sort=-total&status=past_due&status=due_soon&due_from=2026-12-01"
        "&due_to=12/31/2026&total_min=$1,500&total_max=20000.50&company=aig"
        "&lob=commercial_auto&autopay=off&page_size=50"
    )

    assert form.is_valid(), form.errors
    assert query.search == "Atlas"
    assert query.sort == "-total"
    assert query.statuses == ("past_due", "due_soon")
    assert (query.due_from, query.due_to) == (date(2026, 12, 1), date(2026, 12, 31))
    assert (query.total_min, query.total_max) == (Decimal("1500"), Decimal("20000.50"))
    assert (query.company, query.line_of_business, query.autopay) == (
        "aig",
        "commercial_auto",
        "off",
    )
    assert query.is_narrowed
    assert form.rows_per_page == 50


def test_sort_keys_come_from_an_allow_list_and_end_with_the_primary_key() -> None:
    assert [s.label for s in SORTS.values()] == [
        "None",
        "Billing Acct # (A–Z)",
        "Billing Acct # (Z–A)",
        "Total Due (high to low)",
        "Total Due (low to high)",
        "Due Date (soonest)",
        "Due Date (latest)",
    ]
    for sort in SORTS.values():
        assert str(sort.ordering[-1]).endswith("id")


@pytest.mark.parametrize(
    "sort", ["number; DROP TABLE billing_billingaccount", "-total_due", "insured_name", "?"]
)
def test_an_unknown_sort_falls_back_to_none_with_a_message(sort: str) -> None:
    form, query = read(urlencode({"sort": sort}))

    assert query.sort == ""
    assert "not available" in form.errors["sort"][0]


def test_malformed_dates_and_amounts_get_messages_and_the_rest_still_applies() -> None:
    form, query = read("due_from=31/31/2026&due_to=tomorrow&total_min=abc&total_max=1e999&q=71")

    assert form.errors["due_from"] == ["Enter a date such as 12/26/2023."]
    assert form.errors["due_to"] == ["Enter a date such as 12/26/2023."]
    assert "Enter an amount" in form.errors["total_min"][0]
    assert "total_max" in form.errors
    assert (query.due_from, query.due_to, query.total_min, query.total_max) == (None,) * 4
    assert query.search == "71"


def test_negative_amounts_and_too_many_cents_are_refused() -> None:
    form, query = read("total_min=-5&total_max=10.001")

    assert form.errors["total_min"] == ["Enter an amount of 0 or more."]
    assert "2 decimal places" in form.errors["total_max"][0]
    assert query.total_min is None and query.total_max is None


def test_ranges_the_wrong_way_round_are_refused_at_the_second_field() -> None:
    form, query = read("due_from=2026-12-31&due_to=2026-12-01&total_min=500&total_max=100")

    assert form.errors["due_to"] == ["The end date is before the start date."]
    assert form.errors["total_max"] == ["The maximum is below the minimum."]
    assert query.due_to is None and query.total_max is None
    assert query.due_from == date(2026, 12, 31) and query.total_min == Decimal("500")


def test_a_search_of_ten_thousand_characters_gets_a_message_not_a_query() -> None:
    form, query = read("q=" + "7" * 10_000)

    assert "at most 100 characters" in form.errors["q"][0]
    assert query.search == ""


def test_a_null_character_in_the_search_is_refused() -> None:
    form, query = read("q=71%00")

    assert "q" in form.errors
    assert query.search == ""


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("company", "keystone"),  # a real company, but not one of this user's
        ("lob", "space_travel"),
        ("autopay", "maybe"),
        ("status", "overdue"),
        ("page_size", "1000000"),
    ],
)
def test_values_outside_the_offered_choices_are_refused(param: str, value: str) -> None:
    form, query = read(f"{param}={value}")

    assert param in form.errors
    assert not query.is_narrowed
    assert form.rows_per_page == DEFAULT_PAGE_SIZE


def test_due_soon_counts_thirty_days_from_today() -> None:
    _, query = read("status=due_soon")

    assert query.due_soon_until == date(2027, 1, 2)


def test_each_applied_filter_becomes_a_chip_whose_link_removes_only_it() -> None:
    query_string = "q=Atlas&status=past_due&status=nothing_due&company=harbor&autopay=on&page=3"
    form, _ = read(query_string)
    params = {k: QueryDict(query_string).getlist(k) for k in QueryDict(query_string)}

    chips = filter_chips(form=form, params=params)

    assert [c.label for c in chips] == [
        "Search: “Atlas”",
        "Past due",
        "Nothing due",
        "Company: Harbor Casualty Company",
        "Autopay: on",
    ]
    past_due = QueryDict(chips[1].remove_query)
    assert past_due.getlist("status") == ["nothing_due"]
    assert past_due["q"] == "Atlas" and "page" not in past_due
    assert "q" not in QueryDict(chips[0].remove_query)
    assert chips[0].is_search and not chips[1].is_search


def test_invalid_filters_make_no_chips() -> None:
    form, _ = read("total_min=abc&due_from=never")

    assert filter_chips(form=form, params={"total_min": ["abc"], "due_from": ["never"]}) == []
