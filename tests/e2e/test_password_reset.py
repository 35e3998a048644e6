"""Password reset by email: the request is queued, the worker sends it over SMTP, and
the link in the email sets a new password. Proves the served app's mail path end to end."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .harness import axe, sign_in

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "Blue-harbor-lantern-2026"


def test_a_reset_link_arrives_by_email_and_sets_a_new_password(new_page, base_url, mailbox):
    page = new_page()
    mark = mailbox.mark()
    page.goto("/accounts/sign-in/")
    page.get_by_role("link", name="Forgot your password?").click()
    assert axe(page, label="password reset") == []
    page.get_by_label("Email").fill("e2e-reset@example.com")
    page.get_by_role("button", name="Email me a reset link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")

    mail = mailbox.wait_for(lambda m: "e2e-reset@example.com" in m.rcpt_tos, after=mark)
    assert "Reset your" in mail.subject
    link = re.search(r"http://\S+/accounts/password-reset/\S+/", mail.text)
    assert link, mail.text

    page.goto(link.group(0))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    assert axe(page, label="choose a new password") == []
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save new password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password was changed")

    sign_in(page, base_url, "e2e-reset@example.com", password=NEW_PASSWORD)
    expect(page).to_have_url(re.compile(r"/billing/$"))
