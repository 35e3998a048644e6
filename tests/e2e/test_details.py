"""Billing Details and Payment Options (issue 4): one account in full, its download,
and how to pay, as a modal and as a plain page."""

from __future__ import annotations

import re
import uuid

import openpyxl
import pytest
from playwright.sync_api import expect

from .harness import (
    PHONE,
    assert_focus_stays_in_modal,
    assert_no_overflow,
    axe,
    modal_close_with_escape,
    modal_open,
    screenshot,
)

pytestmark = pytest.mark.e2e

PAST_DUE_ACCOUNT = "4000012345"  # insured@example.com's past-due account in seed_demo


@pytest.fixture(scope="module")
def details_path(app) -> str:
    public_id = app.shell(
        "from billing.models import BillingAccount\n"
        f"print(BillingAccount.objects.get(number='{PAST_DUE_ACCOUNT}').public_id)"
    )
    return f"/billing/accounts/{uuid.UUID(public_id)}/"


def test_billing_details_shows_the_account_and_passes_axe_on_desktop_and_phone(
    signed_in_page, details_path
):
    for size, options in (("desktop", {}), ("phone", {"viewport": PHONE, "is_mobile": True})):
        page = signed_in_page("insured@example.com", **options)
        page.goto(details_path)

        expect(page.get_by_role("heading", level=1)).to_have_text("Billing Details")
        expect(page.get_by_role("main")).to_contain_text(PAST_DUE_ACCOUNT)
        expect(page.get_by_role("main")).to_contain_text("Past due")
        for heading in ("Policies", "Invoices and Installments", "Payment History"):
            expect(page.get_by_role("heading", name=heading)).to_be_visible()
        assert axe(page, label=f"details ({size})") == []
        assert_no_overflow(page)
        if size == "desktop":
            screenshot(page, "billing-details", full_page=True)
        assert "4000012345" not in page.url  # an opaque id, not the account number


def test_an_account_that_is_not_yours_is_not_found(signed_in_page):
    page = signed_in_page("insured@example.com")
    response = page.goto(f"/billing/accounts/{uuid.uuid4()}/")

    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("We couldn't find that page")


def test_payment_options_opens_as_a_modal_from_details_and_closes_with_escape(
    signed_in_page, details_path
):
    page = signed_in_page("insured@example.com")
    page.goto(details_path)
    opener = page.get_by_role("main").get_by_role("link", name="Payment Options")

    dialog = modal_open(page, opener)

    expect(page.get_by_role("dialog", name="Payment Options")).to_be_visible()
    expect(dialog).to_contain_text(PAST_DUE_ACCOUNT)
    assert axe(page, "#modal", label="payment options modal (details)") == []
    assert_no_overflow(page)
    screenshot(page, "payment-options")
    assert_focus_stays_in_modal(page, presses=10)
    modal_close_with_escape(page, opener)


def test_payment_options_modal_fits_a_phone_and_closes_with_its_button(
    signed_in_page, details_path
):
    page = signed_in_page("insured@example.com", viewport=PHONE, is_mobile=True)
    page.goto(details_path)
    opener = page.get_by_role("main").get_by_role("link", name="Payment Options")

    dialog = modal_open(page, opener)
    assert_no_overflow(page)
    close = dialog.get_by_role("button", name="Close Payment Options")
    expect(close).to_be_in_viewport()
    close.click()

    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()


def test_payment_options_works_as_a_plain_page_without_javascript(signed_in_page, details_path):
    page = signed_in_page("insured@example.com", java_script_enabled=False)
    page.goto(details_path)
    page.get_by_role("main").get_by_role("link", name="Payment Options").click()

    expect(page).to_have_url(re.compile(r"/billing/payment-options/\?account="))
    expect(page.get_by_role("heading", level=1)).to_have_text("Payment Options")
    expect(page.get_by_role("main")).to_contain_text(PAST_DUE_ACCOUNT)
    # axe needs JavaScript (evaluate never returns in a page without it): audit the
    # same page in a normal context.
    plain_page = page.url
    page = signed_in_page("insured@example.com")
    page.goto(plain_page)
    assert axe(page, label="payment options page") == []
    assert_no_overflow(page)


def test_the_account_download_has_an_invoices_and_a_payments_sheet(
    signed_in_page, details_path, tmp_path
):
    page = signed_in_page("insured@example.com")
    page.goto(details_path)

    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile(r"^Download")).click()
    download = info.value

    assert download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.suggested_filename  # openpyxl wants the extension
    download.save_as(saved)
    workbook = openpyxl.load_workbook(saved, read_only=True)
    assert workbook.sheetnames == ["Invoices", "Payments"]
    assert workbook["Invoices"].max_row > 1
