"""Signing in, wrong passwords, lockout, and who reaches the staff admin."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .harness import DEMO_PASSWORD, assert_no_overflow, axe, screenshot, sign_in

pytestmark = pytest.mark.e2e


def test_insured_signs_in_and_lands_on_the_billing_summary_with_three_accounts(new_page, base_url):
    page = new_page()
    sign_in(page, base_url, "insured@example.com")

    expect(page).to_have_url(re.compile(r"/billing/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Billing Summary")
    rows = page.get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(3)


def test_a_wrong_password_says_so_and_keeps_the_email(new_page, base_url):
    page = new_page()
    sign_in(page, base_url, "insured@example.com", password="not-the-password")

    expect(page).to_have_url(re.compile(r"/accounts/sign-in/"))
    expect(page.get_by_role("alert")).to_contain_text(
        "That email and password don't match our records"
    )
    expect(page.get_by_label("Email")).to_have_value("insured@example.com")
    expect(page.get_by_label("Password")).to_have_value("")


def test_five_wrong_passwords_pause_sign_in_even_with_the_right_one(new_page, base_url):
    page = new_page()
    for _ in range(5):
        sign_in(page, base_url, "e2e-lockout@example.com", password="wrong-password-123")

    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in is paused for this account")
    expect(page.get_by_role("alert")).to_contain_text("too many unsuccessful attempts")

    # The right password does not get through while the pause lasts.
    sign_in(page, base_url, "e2e-lockout@example.com", password=DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in is paused for this account")
    assert "/billing/" not in page.url


def test_billing_staff_reach_the_staff_admin(signed_in_page):
    page = signed_in_page("billing@example.com")
    page.goto("/staff/")

    expect(page).to_have_url(re.compile(r"/staff/$"))
    expect(page.get_by_role("heading", name="Billing administration")).to_be_visible()


def test_an_insured_is_refused_the_staff_admin(signed_in_page):
    page = signed_in_page("insured@example.com")
    page.goto("/staff/")

    expect(page).to_have_url(re.compile(r"/staff/login/"))
    expect(page.get_by_text("not authorized to access this page")).to_be_visible()
    expect(page.get_by_role("heading", name="Billing administration")).to_have_count(0)


def test_sign_in_page_passes_axe_and_fits_phone_and_desktop(new_page, base_url):
    page = new_page()
    page.goto("/accounts/sign-in/")

    assert axe(page, label="sign-in") == []
    assert_no_overflow(page)
    screenshot(page, "sign-in")
    page.set_viewport_size({"width": 390, "height": 844})
    assert_no_overflow(page)
