"""axe-core (WCAG 2.2 A and AA) and horizontal overflow, page by page, at desktop and
phone size; screenshots of the Billing Summary for the README."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .harness import PHONE, assert_no_overflow, axe, screenshot

pytestmark = pytest.mark.e2e

# (label, path, the h1 that proves the page rendered, who looks at it)
SIGNED_IN_PAGES = [
    ("summary", "/billing/", "Billing Summary", "insured@example.com"),
    ("help", "/help/billing/", "Billing help", "insured@example.com"),
    ("notifications", "/notifications/", "Notifications", "insured@example.com"),
    # a list with a read notification (and the bell flow's unread one, if it ran first)
    ("notification list", "/notifications/", "Notifications", "e2e-bell@example.com"),
    ("profile", "/accounts/profile/", "Your profile", "insured@example.com"),
]


@pytest.mark.parametrize(
    ("label", "path", "heading", "email"), SIGNED_IN_PAGES, ids=[p[0] for p in SIGNED_IN_PAGES]
)
def test_signed_in_page_has_no_axe_violations_and_no_overflow(
    signed_in_page, label, path, heading, email
):
    for size, options in (("desktop", {}), ("phone", {"viewport": PHONE, "is_mobile": True})):
        page = signed_in_page(email, **options)
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)

        assert axe(page, label=f"{label} ({size})") == [], f"axe violations on {path} ({size})"
        assert_no_overflow(page)


def test_the_profile_menu_passes_axe_when_open(signed_in_page):
    page = signed_in_page("insured@example.com")
    page.get_by_role("banner").locator("summary", has_text="Your profile").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    assert axe(page, ".menu--profile", label="profile menu (open)") == []
    assert_no_overflow(page)


def test_screenshots_of_the_billing_summary(signed_in_page):
    page = signed_in_page("insured@example.com")
    page.goto("/billing/")
    expect(page.get_by_role("table").locator("tbody tr")).to_have_count(3)

    paths = screenshot(page, "billing-summary")
    assert all(path.stat().st_size > 10_000 for path in paths)
