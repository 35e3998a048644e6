"""The one definition of what the Billing Summary can search, filter and sort by.

The page and the Excel export both read the query string through
``BillingAccountFilterForm`` and hand the resulting ``BillingAccountQuery`` to
``billing.selectors.billing_account_list``, so the two can never disagree about which
rows are selected or in which order. Sort keys come from ``SORTS``, an allow-list that
maps the names used in URLs to database orderings; a raw ``?sort=`` never reaches
``order_by``.

Bad input never fails the page: a field that does not validate gets a message at the
field and is left out of the query, everything else still applies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F, OrderBy
from django.utils.http import urlencode

from .models import LineOfBusiness

SEARCH_MAX_LENGTH = 100
DUE_SOON_DAYS = 30
PAGE_SIZES = (10, 25, 50, 100)
DEFAULT_PAGE_SIZE = 25
# The fields inside the Filters panel (it opens by itself when one of them is invalid).
FILTER_FIELDS = frozenset(
    {"status", "due_from", "due_to", "total_min", "total_max", "company", "lob", "autopay"}
)


@dataclass(frozen=True)
class Sort:
    label: str
    # Every ordering ends with the primary key, so pages never overlap or skip a row.
    ordering: tuple[str | OrderBy, ...]


SORTS: dict[str, Sort] = {
    "": Sort("None", ("number", "id")),
    "acct": Sort("Billing Acct # (A–Z)", ("number", "id")),
    "-acct": Sort("Billing Acct # (Z–A)", ("-number", "-id")),
    "-total": Sort("Total Due (high to low)", ("-total_due", "-id")),
    "total": Sort("Total Due (low to high)", ("total_due", "id")),
    "due": Sort("Due Date (soonest)", (F("next_due_date").asc(nulls_last=True), "id")),
    "-due": Sort("Due Date (latest)", (F("next_due_date").desc(nulls_last=True), "-id")),
}


class Status:
    PAST_DUE = "past_due"
    DUE_SOON = "due_soon"
    NOTHING_DUE = "nothing_due"
    CHOICES = [
        (PAST_DUE, "Past due"),
        (DUE_SOON, f"Due in the next {DUE_SOON_DAYS} days"),
        (NOTHING_DUE, "Nothing due"),
    ]


AUTOPAY_CHOICES = [("", "Any"), ("on", "On"), ("off", "Off")]


@dataclass(frozen=True)
class BillingAccountQuery:
    """What the insured asked for: search, filters and sort, already validated."""

    search: str = ""
    sort: str = ""
    statuses: tuple[str, ...] = ()
    due_from: date | None = None
    due_to: date | None = None
    total_min: Decimal | None = None
    total_max: Decimal | None = None
    company: str = ""
    line_of_business: str = ""
    autopay: str = ""
    # The day "past due" and "due in the next 30 days" are counted from.
    today: date = field(default_factory=date.today)

    @property
    def ordering(self) -> tuple[str | OrderBy, ...]:
        return SORTS.get(self.sort, SORTS[""]).ordering

    @property
    def due_soon_until(self) -> date:
        return self.today + timedelta(days=DUE_SOON_DAYS)

    @property
    def is_narrowed(self) -> bool:
        """True when a search or a filter may hide some of the user's accounts."""
        return any(
            (
                self.search,
                self.statuses,
                self.due_from,
                self.due_to,
                self.total_min is not None,
                self.total_max is not None,
                self.company,
                self.line_of_business,
                self.autopay,
            )
        )


class LenientDecimalField(forms.DecimalField):
    """An amount as people type it: ``1500``, ``1,500.00`` or ``$1,500``."""

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = re.sub(r"[\s$,]", "", value)
        try:
            return super().to_python(value)
        except (InvalidOperation, ValueError) as exc:  # pragma: no cover - defensive
            raise ValidationError(self.error_messages["invalid"], code="invalid") from exc


DATE_INPUT_FORMATS = ["%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y"]
DATE_MESSAGES = {"invalid": "Enter a date such as 12/26/2023."}
AMOUNT_MESSAGES = {
    "invalid": "Enter an amount such as 1500 or 1,500.00.",
    "min_value": "Enter an amount of 0 or more.",
    "max_digits": "Enter an amount below 1,000,000,000,000.",
    "max_whole_digits": "Enter an amount below 1,000,000,000,000.",
    "max_decimal_places": "Enter an amount with at most 2 decimal places (cents).",
}


class BillingAccountFilterForm(forms.Form):
    """Reads the summary's query string (also the export's). Every field is optional."""

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        strip=True,
        error_messages={
            "max_length": f"Search for at most {SEARCH_MAX_LENGTH} characters: an account, "
            "policy or invoice number, or a name.",
            "null_characters_not_allowed": "Search may not contain null characters.",
        },
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": "Account, policy or invoice number, or insured name",
                "autocomplete": "off",
            }
        ),
    )
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[(key, s.label) for key, s in SORTS.items()],
        error_messages={"invalid_choice": "That sort is not available; showing “None”."},
    )
    status = forms.MultipleChoiceField(
        label="Status",
        required=False,
        choices=Status.CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Choose Past due, Due in the next 30 days or Nothing due."
        },
    )
    due_from = forms.DateField(
        label="From",
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        error_messages=DATE_MESSAGES,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    due_to = forms.DateField(
        label="To",
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        error_messages=DATE_MESSAGES,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    total_min = LenientDecimalField(
        label="Minimum ($)",
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        error_messages=AMOUNT_MESSAGES,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "0.00"}),
    )
    total_max = LenientDecimalField(
        label="Maximum ($)",
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        error_messages=AMOUNT_MESSAGES,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "0.00"}),
    )
    company = forms.ChoiceField(
        label="Company",
        required=False,
        error_messages={"invalid_choice": "Choose one of your companies from the list."},
    )
    lob = forms.ChoiceField(
        label="Line of business",
        required=False,
        choices=[("", "Any"), *LineOfBusiness.choices],
        error_messages={"invalid_choice": "Choose a line of business from the list."},
    )
    autopay = forms.ChoiceField(
        label="Autopay",
        required=False,
        choices=AUTOPAY_CHOICES,
        error_messages={"invalid_choice": "Choose Any, On or Off."},
    )
    page_size = forms.TypedChoiceField(
        label="Rows per page",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[(n, str(n)) for n in PAGE_SIZES],
        error_messages={"invalid_choice": f"Showing {DEFAULT_PAGE_SIZE} rows per page."},
    )

    def __init__(self, *args: Any, companies: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].choices = [("", "Any"), *companies]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        due_from, due_to = data.get("due_from"), data.get("due_to")
        if due_from and due_to and due_from > due_to:
            self.add_error("due_to", "The end date is before the start date.")
        low, high = data.get("total_min"), data.get("total_max")
        if low is not None and high is not None and low > high:
            self.add_error("total_max", "The maximum is below the minimum.")
        return data

    # The form is always bound to the query string; a field that failed is simply left
    # out (Django drops it from cleaned_data), so the rest of the query still applies.
    def to_query(self, *, today: date) -> BillingAccountQuery:
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        data = self.cleaned_data
        return BillingAccountQuery(
            search=data.get("q") or "",
            sort=data.get("sort") or "",
            statuses=tuple(data.get("status") or ()),
            due_from=data.get("due_from"),
            due_to=data.get("due_to"),
            total_min=data.get("total_min"),
            total_max=data.get("total_max"),
            company=data.get("company") or "",
            line_of_business=data.get("lob") or "",
            autopay=data.get("autopay") or "",
            today=today,
        )

    @property
    def rows_per_page(self) -> int:
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return int(self.cleaned_data.get("page_size") or DEFAULT_PAGE_SIZE)


@dataclass(frozen=True)
class Chip:
    label: str
    remove_query: str  # the query string without this filter
    is_search: bool = False


def filter_chips(*, form: BillingAccountFilterForm, params: dict[str, list[str]]) -> list[Chip]:
    """One removable chip per applied search term or filter, in the panel's order."""
    data = form.cleaned_data
    chips: list[Chip] = []

    def without(name: str, value: str | None = None) -> str:
        rest = {
            k: [v for v in vs if not (k == name and (value is None or v == value))]
            for k, vs in params.items()
            if k != "page"
        }
        return urlencode({k: vs for k, vs in rest.items() if vs}, doseq=True)

    if data.get("q"):
        chips.append(Chip(f"Search: “{data['q']}”", without("q"), is_search=True))
    labels = dict(Status.CHOICES)
    for value in data.get("status") or ():
        chips.append(Chip(labels[value], without("status", value)))
    if data.get("due_from"):
        chips.append(Chip(f"Due from {data['due_from']:%m/%d/%Y}", without("due_from")))
    if data.get("due_to"):
        chips.append(Chip(f"Due by {data['due_to']:%m/%d/%Y}", without("due_to")))
    if data.get("total_min") is not None:
        chips.append(Chip(f"Total due from ${data['total_min']:,.2f}", without("total_min")))
    if data.get("total_max") is not None:
        chips.append(Chip(f"Total due up to ${data['total_max']:,.2f}", without("total_max")))
    if data.get("company"):
        names = dict(form.fields["company"].choices)  # type: ignore[attr-defined]
        chips.append(Chip(f"Company: {names[data['company']]}", without("company")))
    if data.get("lob"):
        chips.append(Chip(f"Line of business: {LineOfBusiness(data['lob']).label}", without("lob")))
    if data.get("autopay"):
        chips.append(Chip(f"Autopay: {data['autopay']}", without("autopay")))
    return chips
