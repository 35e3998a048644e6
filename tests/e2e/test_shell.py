"""The portal shell on every page: Start A Claim, help, the bell, the profile."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .harness import axe

pytestmark = pytest.mark.e2e


def test_start_a_claim_links_to_the_claims_system(signed_in_page):
    page = signed_in_page("insured@example.com")

    link = page.get_by_role("link", name="Start A Claim")
    expect(link).to_be_visible()
    expect(link).to_have_attribute("href", re.compile(r"^https?://"))


def test_the_help_icon_opens_billing_help(signed_in_page):
    page = signed_in_page("insured@example.com")
    page.get_by_role("banner").get_by_role("link", name="Help with billing").click()

    expect(page).to_have_url(re.compile(r"/help/billing/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Billing help")
    for column in ("BILLING ACCT #", "TOTAL DUE", "DUE DATE", "ACTIONS"):
        expect(page.get_by_role("term").filter(has_text=column)).to_be_visible()
    expect(page.get_by_role("heading", name="How to pay")).to_be_visible()
    expect(page.get_by_role("heading", name="Billing Support")).to_be_visible()


def test_a_notification_shows_under_the_bell_and_can_be_marked_read(app, signed_in_page):
    app.shell(
        "from accounts.models import User\n"
        "from portal.services import notification_create\n"
        "notification_create(user=User.objects.get(email='e2e-bell@example.com'),"
        " title='Invoice 4410 is due in 7 days', body='$120.00 is due on the account.',"
        " link='/billing/', dedupe_key='e2e-bell-1')"
    )
    page = signed_in_page("e2e-bell@example.com")
    bell = page.get_by_role("banner").get_by_role("link", name=re.compile(r"^Notifications"))
    expect(bell).to_have_accessible_name("Notifications, 1 unread")

    bell.click()
    expect(page).to_have_url(re.compile(r"/notifications/$"))
    item = page.get_by_role("listitem").filter(has_text="Invoice 4410 is due in 7 days")
    expect(item).to_contain_text("Unread")
    expect(item).to_contain_text("$120.00 is due on the account.")

    item.get_by_role("button", name=re.compile(r"^Mark as read")).click()
    expect(page).to_have_url(re.compile(r"/notifications/$"))
    expect(item).not_to_contain_text("Unread")
    expect(item.get_by_role("button")).to_have_count(0)
    expect(bell).to_have_accessible_name("Notifications")


def test_profile_shows_the_email_read_only_and_saves_a_new_phone(signed_in_page):
    page = signed_in_page("e2e-profile@example.com")
    page.get_by_role("banner").locator("summary", has_text="Your profile").click()
    page.get_by_role("link", name="Profile").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")
    email = page.get_by_label("Email", exact=True)
    expect(email).to_have_value("e2e-profile@example.com")
    expect(email).not_to_be_editable()

    page.get_by_label("Phone on file").fill("(614) 555-0188")
    page.get_by_role("button", name="Save profile").click()

    expect(page.get_by_role("status")).to_contain_text("Your profile was saved.")
    page.reload()
    expect(page.get_by_label("Phone on file")).to_have_value(re.compile(r"555.0188"))
    expect(page.get_by_label("Email", exact=True)).to_have_value("e2e-profile@example.com")


def test_a_bad_phone_is_refused_at_the_field_and_keeps_what_was_typed(signed_in_page):
    page = signed_in_page("e2e-profile@example.com")
    page.goto("/accounts/profile/")

    page.get_by_label("Phone on file").fill("call me maybe")
    page.get_by_role("button", name="Save profile").click()

    phone = page.get_by_label("Phone on file")
    expect(phone).to_have_value("call me maybe")
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(phone).to_have_accessible_description(re.compile(r"valid phone number", re.I))
    assert axe(page, label="profile with an error") == []
