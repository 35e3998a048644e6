"""The Billing Summary (issue 3) in a real Chromium: search, sort, filters and chips,
pagination and history, the row menu by keyboard, Download as Excel read back, the
same page without JavaScript, axe and phone size.

Most flows use fleet@example.com (2,500 accounts) and update the list in place (htmx);
each test checks that the page was not reloaded where it should not be, and that the
URL carries what the list shows."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from playwright.sync_api import expect

from .harness import PHONE, assert_no_overflow, axe, modal_close_with_escape, screenshot

pytestmark = pytest.mark.e2e

FLEET = "fleet@example.com"
FLEET_COUNT = "1–25 of 2,500 accounts"
ACCOUNT = "7100000042"  # a fleet account in seed_demo ("… Terminal 0042 (…)")
# The served app counts "past due" and "the next 30 days" from its own day.
APP_TZ = ZoneInfo("America/New_York")

# The Sort by options as the page labels them, with the URL key each one sets.
SORT_OPTIONS = {
    "None": "",
    "Billing Acct # (A–Z)": "acct",
    "Billing Acct # (Z–A)": "-acct",
    "Total Due (high to low)": "-total",
    "Total Due (low to high)": "total",
    "Due Date (soonest)": "due",
    "Due Date (latest)": "-due",
}

_ROWS = """() => Array.from(document.querySelectorAll("#summary tbody tr")).map((tr) => ({
  number: tr.querySelector("th[scope=row] a").textContent.trim(),
  total: tr.querySelector("td[data-label='Total Due']").textContent.trim(),
  due: tr.querySelector("td[data-label='Due Date']").textContent.trim(),
  pastDue: !!tr.querySelector("th[scope=row] .tag--past-due") &&
    tr.querySelector("th[scope=row]").textContent.includes("Past due"),
}))"""


# --- helpers (this file's own; the shared ones live in harness.py) --------------------
def rows(page: Any) -> list[dict[str, Any]]:
    """The table as a person reads it: number, total due, due date (None: nothing due),
    and whether the row says "Past due" in text."""
    read = []
    for row in page.evaluate(_ROWS):
        total = re.match(r"\$([\d,]+\.\d\d)", row["total"])
        assert total, f"total due not shown as currency: {row['total']!r}"
        due = re.fullmatch(r"\d\d/\d\d/\d{4}", row["due"])
        assert due or row["due"] == "Nothing due", f"unexpected due date {row['due']!r}"
        read.append(
            {
                "number": row["number"],
                "total": Decimal(total.group(1).replace(",", "")),
                "due": datetime.strptime(row["due"], "%m/%d/%Y").date() if due else None,
                "past_due": row["pastDue"],
            }
        )
    return read


def numbers(page: Any) -> list[str]:
    return [row["number"] for row in rows(page)]


def count(page: Any) -> Any:
    """The result count ("1–25 of 2,500 accounts"), a live region."""
    return page.locator("#summary").get_by_role("status").first


def in_place(page: Any, action: Any) -> None:
    """Do ``action`` and wait until htmx has swapped and settled the new list; fail if
    the page was loaded again instead (the list must update in place)."""
    page.evaluate(
        """() => {
          window.__summaryPage = window.__summaryPage || Math.random();
          window.__settled = false;
          document.body.addEventListener("htmx:afterSettle",
            () => { window.__settled = true; }, {once: true});
        }"""
    )
    marker = page.evaluate("() => window.__summaryPage")
    action()
    page.wait_for_function("() => window.__settled === true")
    assert page.evaluate("() => window.__summaryPage") == marker, "the page was reloaded"


def query(page: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def search(page: Any, text: str) -> None:
    page.get_by_role("searchbox", name="Search").fill(text)
    in_place(page, lambda: page.get_by_role("button", name="Search", exact=True).click())


def filters_toggle(page: Any) -> Any:
    return page.locator("#summary details.filters > summary")


def open_filters(page: Any) -> None:
    toggle = filters_toggle(page)
    if toggle.locator("xpath=..").get_attribute("open") is None:
        toggle.click()
    expect(page.get_by_role("button", name="Apply filters")).to_be_visible()


def apply_filters(page: Any) -> None:
    in_place(page, lambda: page.get_by_role("button", name="Apply filters").click())


def chips(page: Any) -> Any:
    return page.get_by_role("group", name="Applied search and filters")


def today() -> date:
    return datetime.now(APP_TZ).date()


# --- search ---------------------------------------------------------------------------
def test_fleet_search_by_number_policy_invoice_and_name_updates_the_list_in_place(
    signed_in_page,
):
    page = signed_in_page(FLEET)  # lands on the Billing Summary
    assert urlsplit(page.url).path == "/billing/"
    expect(count(page)).to_have_text(FLEET_COUNT)
    assert len(rows(page)) == 25

    # A partial account number: every account whose number contains it.
    search(page, "0000123")
    found = numbers(page)
    assert found and all("0000123" in n for n in found), found
    expect(count(page)).to_have_text(f"1–{len(found)} of {len(found)} accounts")
    assert query(page)["q"] == ["0000123"]

    # The insured's name, in lower case.
    name = "atlas freight lines – terminal 0042"
    search(page, name)
    assert numbers(page) == [ACCOUNT]
    expect(count(page)).to_have_text("1–1 of 1 account")

    # One of its policy numbers, as its Billing Details page shows it.
    page.get_by_role("link", name=ACCOUNT, exact=True).click()
    policies = page.get_by_role("region", name="Policies")
    policy = policies.get_by_role("rowheader").first.inner_text().strip()
    assert ACCOUNT in policy
    page.go_back()
    expect(page.get_by_role("searchbox", name="Search")).to_have_value(name)

    # The policy and an invoice number, in lower case.
    for term in (policy.lower(), f"inv-{ACCOUNT}-01"):
        search(page, term)
        assert numbers(page) == [ACCOUNT], term
        expect(count(page)).to_have_text("1–1 of 1 account")
        assert query(page)["q"] == [term]
        expect(chips(page)).to_contain_text(f"Search: “{term}”")
        expect(page.get_by_role("searchbox", name="Search")).to_have_value(term)


# --- sort -----------------------------------------------------------------------------
def test_sort_by_each_option_orders_the_rows(signed_in_page):
    page = signed_in_page(FLEET)  # on the Billing Summary
    sort = page.get_by_label("Sort by")
    expect(sort.locator("option:checked")).to_have_text("None")  # the default
    default = numbers(page)
    assert default == sorted(default)

    for label, key in SORT_OPTIONS.items():
        if key == "":
            continue
        in_place(page, lambda label=label: sort.select_option(label=label))
        assert query(page)["sort"] == [key]
        expect(sort.locator("option:checked")).to_have_text(label)
        expect(count(page)).to_have_text(FLEET_COUNT)
        got = rows(page)
        assert len(got) == 25
        nums = [r["number"] for r in got]
        totals = [r["total"] for r in got]
        dues = [r["due"] for r in got]
        if key == "acct":
            assert nums == sorted(nums) and nums[0] == "7100000001"
        elif key == "-acct":
            assert nums == sorted(nums, reverse=True) and nums[0] == "7100002500"
        elif key == "-total":
            assert totals == sorted(totals, reverse=True), totals
        elif key == "total":
            assert totals == sorted(totals), totals
        elif key == "due":
            assert None not in dues and dues == sorted(dues), dues
        elif key == "-due":
            assert None not in dues and dues == sorted(dues, reverse=True), dues

    in_place(page, lambda: sort.select_option(label="None"))
    assert numbers(page) == default


# --- filters and chips ----------------------------------------------------------------
def test_status_filters_show_as_chips_and_each_chip_removes_its_filter(signed_in_page):
    page = signed_in_page(FLEET)  # on the Billing Summary
    day = today()

    open_filters(page)
    page.get_by_role("checkbox", name="Past due").check()
    apply_filters(page)
    assert query(page)["status"] == ["past_due"]
    expect(chips(page)).to_contain_text("Past due")
    expect(filters_toggle(page)).to_contain_text("Filters (1 applied)")
    got = rows(page)
    assert got and all(r["past_due"] for r in got)
    assert all(r["due"] and r["due"] < day for r in got)
    past_due_count = count(page).inner_text()
    assert re.fullmatch(r"1–25 of [\d,]+ accounts", past_due_count)

    # The chip removes the filter; the list comes back in place.
    in_place(page, lambda: chips(page).get_by_role("link", name="Remove Past due").click())
    expect(count(page)).to_have_text(FLEET_COUNT)
    expect(chips(page)).to_have_count(0)
    assert "status" not in query(page)

    open_filters(page)
    page.get_by_role("checkbox", name="Due in the next 30 days").check()
    apply_filters(page)
    got = rows(page)
    assert got, "nothing due in the next 30 days"
    for row in got:
        assert row["total"] > 0 and not row["past_due"]
        assert day - timedelta(days=1) <= row["due"] <= day + timedelta(days=31), row
    expect(chips(page)).to_contain_text("Due in the next 30 days")

    in_place(page, lambda: chips(page).get_by_role("link", name="Clear all").click())
    expect(count(page)).to_have_text(FLEET_COUNT)

    open_filters(page)
    page.get_by_role("checkbox", name="Nothing due").check()
    apply_filters(page)
    got = rows(page)
    assert got and all(r["total"] == 0 and r["due"] is None for r in got)
    expect(chips(page)).to_contain_text("Nothing due")
    in_place(page, lambda: chips(page).get_by_role("link", name="Clear all").click())
    expect(count(page)).to_have_text(FLEET_COUNT)
    assert query(page) == {}


def test_ranges_company_line_and_autopay_filters_combine_as_chips(signed_in_page):
    page = signed_in_page(FLEET)  # on the Billing Summary
    start, end = today(), today() + timedelta(days=20)

    open_filters(page)
    page.get_by_label("From", exact=True).fill(start.isoformat())
    page.get_by_label("To", exact=True).fill(end.isoformat())
    page.get_by_label("Minimum ($)").fill("1,000")
    page.get_by_label("Maximum ($)").fill("$15000")
    apply_filters(page)

    got = rows(page)
    assert got
    for row in got:
        assert start <= row["due"] <= end, row
        assert Decimal(1000) <= row["total"] <= Decimal(15000), row
    for text in (
        f"Due from {start:%m/%d/%Y}",
        f"Due by {end:%m/%d/%Y}",
        "Total due from $1,000.00",
        "Total due up to $15,000.00",
    ):
        expect(chips(page)).to_contain_text(text)
    narrowed = count(page).inner_text()

    # Company, line of business and autopay narrow further; each is a chip.
    open_filters(page)
    company = page.get_by_label("Company", exact=True)
    company_name = company.locator("option").nth(1).inner_text()
    company.select_option(index=1)
    lob = page.get_by_label("Line of business")
    lob_name = lob.locator("option").nth(1).inner_text()
    lob.select_option(index=1)
    page.get_by_label("Autopay").select_option(label="On")
    apply_filters(page)

    q = query(page)
    assert q["company"] and q["lob"] and q["autopay"] == ["on"]
    for text in (f"Company: {company_name}", f"Line of business: {lob_name}", "Autopay: on"):
        expect(chips(page)).to_contain_text(text)
    expect(filters_toggle(page)).to_contain_text("Filters (7 applied)")
    assert count(page).inner_text() != narrowed

    # The panel, reopened, shows what is applied.
    open_filters(page)
    expect(page.get_by_label("Minimum ($)")).to_have_value("1,000")
    expect(page.get_by_label("Autopay").locator("option:checked")).to_have_text("On")

    in_place(page, lambda: chips(page).get_by_role("link", name="Remove Autopay: on").click())
    assert "autopay" not in query(page) and "company" in query(page)
    expect(chips(page).get_by_role("listitem")).to_have_count(6)

    in_place(page, lambda: chips(page).get_by_role("link", name="Clear all").click())
    expect(count(page)).to_have_text(FLEET_COUNT)
    expect(chips(page)).to_have_count(0)


def test_filters_open_with_chips_pass_axe_and_fit_desktop_and_phone(signed_in_page):
    path = "/billing/?status=past_due&total_min=500&autopay=off&sort=-total"
    for size, options in (("desktop", {}), ("phone", {"viewport": PHONE, "is_mobile": True})):
        page = signed_in_page(FLEET, **options)
        page.goto(path)
        expect(chips(page).get_by_role("listitem")).to_have_count(3)
        open_filters(page)

        assert axe(page, label=f"summary, filters open with chips ({size})") == []
        assert_no_overflow(page)
        if size == "desktop":
            screenshot(page, "billing-summary-filters")


# --- pagination, history, reload ------------------------------------------------------
def test_pagination_rows_per_page_back_and_reload(signed_in_page):
    page = signed_in_page(FLEET)  # on the Billing Summary
    first_page = numbers(page)
    pages = page.get_by_role("navigation", name="Pages")
    expect(pages).to_contain_text("Page 1 of 100")

    in_place(page, lambda: pages.get_by_role("link", name="Next page").click())
    expect(count(page)).to_have_text("26–50 of 2,500 accounts")
    assert query(page)["page"] == ["2"]
    second_page = numbers(page)
    assert second_page[0] > first_page[-1]

    in_place(page, lambda: pages.get_by_role("link", name="Previous page").click())
    expect(count(page)).to_have_text(FLEET_COUNT)
    assert numbers(page) == first_page

    in_place(page, lambda: page.get_by_label("Rows per page").select_option("50"))
    expect(count(page)).to_have_text("1–50 of 2,500 accounts")
    assert query(page)["page_size"] == ["50"]
    assert len(rows(page)) == 50

    # Browser Back gives the previous list (25 rows per page) and its URL.
    page.go_back()
    expect(count(page)).to_have_text(FLEET_COUNT)
    assert "page_size" not in query(page)
    assert numbers(page) == first_page

    # Search, a filter, a sort and a page: a reload (a full page load) keeps them all.
    search(page, "71000")
    open_filters(page)
    page.get_by_role("checkbox", name="Past due").check()
    apply_filters(page)
    in_place(page, lambda: page.get_by_label("Sort by").select_option(label="Due Date (latest)"))
    in_place(page, lambda: page.get_by_role("link", name="Next page").click())
    before = (page.url, count(page).inner_text(), numbers(page))
    assert before[1].startswith("26–")

    page.reload()
    assert page.url == before[0]
    expect(count(page)).to_have_text(before[1])
    assert numbers(page) == before[2]
    expect(page.get_by_role("searchbox", name="Search")).to_have_value("71000")
    expect(page.get_by_label("Sort by").locator("option:checked")).to_have_text("Due Date (latest)")
    expect(chips(page)).to_contain_text("Past due")
    assert all(r["past_due"] for r in rows(page))


def test_nothing_matches_says_so_and_its_link_clears_search_and_filters(signed_in_page):
    page = signed_in_page(FLEET)
    page.goto("/billing/?status=nothing_due")
    search(page, "no such account 9z9z")

    expect(count(page)).to_have_text("0 accounts")
    empty = page.get_by_role("heading", name="No accounts match your search and filters")
    expect(empty).to_be_visible()
    expect(page.locator("#summary table")).to_have_count(0)
    assert axe(page, label="summary, nothing matches") == []

    in_place(page, lambda: page.get_by_role("link", name="Clear search and filters").click())
    expect(count(page)).to_have_text(FLEET_COUNT)
    assert query(page) == {}
    expect(page.get_by_role("searchbox", name="Search")).to_have_value("")


def test_bad_amount_and_backwards_dates_get_a_message_at_the_field_and_keep_the_text(
    signed_in_page,
):
    page = signed_in_page(FLEET)  # on the Billing Summary
    open_filters(page)
    page.get_by_label("Minimum ($)").fill("12,50x")
    start, end = today() + timedelta(days=5), today() - timedelta(days=5)  # backwards
    page.get_by_label("From", exact=True).fill(start.isoformat())
    page.get_by_label("To", exact=True).fill(end.isoformat())
    apply_filters(page)

    # The panel stays open on its errors; the typed text is still there.
    minimum = page.get_by_label("Minimum ($)")
    expect(minimum).to_be_visible()
    expect(minimum).to_have_value("12,50x")
    expect(minimum).to_have_attribute("aria-invalid", "true")
    expect(minimum).to_have_accessible_description("Enter an amount such as 1500 or 1,500.00.")
    to = page.get_by_label("To", exact=True)
    expect(to).to_have_value(end.isoformat())
    expect(page.get_by_label("From", exact=True)).to_have_value(start.isoformat())
    expect(to).to_have_accessible_description("The end date is before the start date.")
    expect(page.get_by_role("alert")).to_contain_text("Everything else is applied")
    # The bad amount and the end of the backwards range are not applied; the rest is.
    expect(chips(page).get_by_role("listitem")).to_have_count(1)
    expect(chips(page)).to_contain_text(f"Due from {start:%m/%d/%Y}")
    got = rows(page)
    assert got and all(r["due"] >= start for r in got)
    assert axe(page, "#summary", label="summary, filter errors") == []


# --- the row menu ---------------------------------------------------------------------
def _row_menu_toggle(page: Any, number: str) -> Any:
    return page.locator("#summary summary", has_text=f"Actions for account {number}")


def test_row_menu_by_keyboard_view_details_payment_options_and_billing_support(signed_in_page):
    page = signed_in_page(FLEET)
    page.goto(f"/billing/?q={ACCOUNT}")
    assert numbers(page) == [ACCOUNT]
    toggle = _row_menu_toggle(page, ACCOUNT)
    menu = page.locator("#summary details.row-menu")
    item = menu.get_by_role("link")

    # Tab to the menu from the account link before it; Enter opens it.
    page.get_by_role("link", name=ACCOUNT, exact=True).focus()
    page.keyboard.press("Tab")
    expect(toggle).to_be_focused()
    page.keyboard.press("Enter")
    expect(item).to_have_text(["View details", "Payment options", "Billing support"])
    expect(menu.get_by_role("link", name="View details")).to_be_visible()
    assert axe(page, label="summary, row menu open") == []
    # Escape closes it and focus stays on its toggle; Space opens it again.
    page.keyboard.press("Escape")
    expect(menu.get_by_role("link", name="View details")).to_be_hidden()
    expect(toggle).to_be_focused()
    page.keyboard.press("Space")
    expect(menu.get_by_role("link", name="View details")).to_be_visible()

    # Payment options: the modal on this account; Escape closes it, focus comes back.
    payment = menu.get_by_role("link", name="Payment options")
    payment.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Payment Options")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(ACCOUNT)
    page.keyboard.press("Escape")
    expect(page.locator("dialog#modal")).to_be_hidden()
    expect(page.locator("#modal-content")).to_be_empty()
    expect(toggle).to_be_focused()  # the menu closed with Escape: its toggle has focus

    # Billing support: Email Us with this account chosen.
    page.keyboard.press("Enter")
    support = menu.get_by_role("link", name="Billing support")
    support.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Email Us")
    expect(dialog).to_be_visible()
    account = dialog.get_by_label("Billing Account Number")
    expect(account.locator("option:checked")).to_contain_text(ACCOUNT)
    expect(dialog).to_contain_text(f"Contacts for account {ACCOUNT}")
    modal_close_with_escape(page, toggle)

    # View details: the account's Billing Details page.
    page.keyboard.press("Enter")
    details = menu.get_by_role("link", name="View details")
    details.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/billing/accounts/[0-9a-f-]{36}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Billing Details")
    expect(page.get_by_role("main")).to_contain_text(ACCOUNT)


# --- Download as Excel ----------------------------------------------------------------
def test_download_as_excel_has_the_rows_on_screen_in_the_same_order(signed_in_page, tmp_path):
    page = signed_in_page(FLEET)  # on the Billing Summary
    search(page, "710000")  # accounts 7100000001 … 7100000999 and 7100001000: 1,000
    open_filters(page)
    page.get_by_role("checkbox", name="Past due").check()
    apply_filters(page)
    in_place(
        page, lambda: page.get_by_label("Sort by").select_option(label="Total Due (high to low)")
    )
    shown = rows(page)
    total = int(
        re.search(r"of ([\d,]+) account", count(page).inner_text()).group(1).replace(",", "")
    )
    assert total > len(shown) == 25  # more than one page: the file has them all

    with page.expect_download() as info:
        page.get_by_role("link", name="Download as Excel").click()
    download = info.value
    assert re.fullmatch(r"billing-accounts-\d{4}-\d\d-\d\d\.xlsx", download.suggested_filename)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)

    sheet = openpyxl.load_workbook(saved).active
    header = [cell.value for cell in sheet[1]]
    assert header == [
        "Billing account number",
        "Insured",
        "Company",
        "Total due",
        "Past due",
        "Due date",
        "Status",
        "Policies",
    ]
    assert sheet.freeze_panes == "A2"
    data = list(sheet.iter_rows(min_row=2))
    assert len(data) == total
    assert [r[0].value for r in data[:25]] == [r["number"] for r in shown]
    for cells, row in zip(data[:25], shown, strict=True):
        _, _, _, total_due, past_due, due, *_ = cells
        assert total_due.data_type == "n" and "$" in total_due.number_format
        assert Decimal(str(total_due.value)).quantize(Decimal("0.01")) == row["total"]
        assert past_due.data_type == "n" and past_due.value > 0
        assert due.is_date and due.value.date() == row["due"]
    totals = [r[3].value for r in data]
    assert totals == sorted(totals, reverse=True)


# --- without JavaScript ---------------------------------------------------------------
def test_search_and_a_filter_work_as_full_pages_without_javascript(signed_in_page):
    page = signed_in_page(FLEET, java_script_enabled=False)  # on the Billing Summary
    assert urlsplit(page.url).path == "/billing/"
    expect(count(page)).to_have_text(FLEET_COUNT)

    page.get_by_role("searchbox", name="Search").fill("terminal 004")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_load_state()
    # A plain GET, its empty fields dropped from the address (a redirect).
    assert query(page) == {"q": ["terminal 004"]}
    # (no page.evaluate here: it never returns without JavaScript; locators do)
    found = page.locator("#summary tbody th[scope=row] a").all_inner_texts()
    assert found and all(re.fullmatch(r"710000004\d", n) for n in found), found

    filters_toggle(page).click()  # a <details>: opens without JavaScript
    page.get_by_role("checkbox", name="Past due").check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    assert query(page) == {"q": ["terminal 004"], "status": ["past_due"]}
    past_due_rows = page.locator("#summary tbody tr")
    expect(past_due_rows.first).to_be_visible()
    for i in range(past_due_rows.count()):
        expect(past_due_rows.nth(i).get_by_role("rowheader")).to_contain_text("Past due")
    expect(chips(page)).to_contain_text("Past due")
    url = page.url

    # axe needs JavaScript: audit the same URL in a normal page.
    page = signed_in_page(FLEET)
    page.goto(url)
    assert axe(page, label="summary, search and filter (no-JS URL)") == []


# --- the demo insured's summary for the README ----------------------------------------
def test_screenshot_of_the_household_summary(signed_in_page):
    page = signed_in_page("insured@example.com")  # on the Billing Summary
    expect(count(page)).to_have_text("1–3 of 3 accounts")
    got = rows(page)
    assert sum(r["past_due"] for r in got) == 1  # marked in text, not by colour alone
    paths = screenshot(page, "billing-summary")
    assert all(path.stat().st_size > 10_000 for path in paths)
