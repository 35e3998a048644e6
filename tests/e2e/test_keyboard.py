"""Keyboard use of the shell: the skip link, the tab order of the top navigation, the
profile menu with Enter and Escape, and a visible focus indicator at each stop."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

_FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    name: (el.innerText || el.getAttribute("aria-label") || el.title || "").trim(),
    tag: el.tagName.toLowerCase(), id: el.id,
    inHeader: !!el.closest("header"), inMain: !!el.closest("main"),
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    onScreen: box.right > 0 && box.bottom > 0 && box.left < innerWidth && box.top < innerHeight,
  };
}"""


def tab(page, times=1, *, shift=False):
    for _ in range(times):
        page.keyboard.press("Shift+Tab" if shift else "Tab")
    return page.evaluate(_FOCUSED)


def test_tab_reaches_every_top_navigation_control_in_order_with_visible_focus(
    signed_in_page,
):
    page = signed_in_page("insured@example.com")  # on the Billing Summary

    stops = [tab(page) for _ in range(7)]

    assert stops[0]["name"] == "Skip to main content"
    names = [stop["name"] for stop in stops]
    assert names[1:5] == ["Insured Portal", "Billing", "Start A Claim", "Help with billing"]
    assert names[5].startswith("Notifications"), names  # ", 2 unread" once reminders ran
    assert names[6].startswith("Your profile"), names
    assert all(stop["inHeader"] or stop["name"] == "Skip to main content" for stop in stops)
    for stop in stops:
        assert stop["outline"], f"no visible focus indicator on {stop['name']!r}"
        assert stop["onScreen"], f"{stop['name']!r} has focus but is off screen"
    # Shift+Tab walks back.
    assert tab(page, shift=True)["name"].startswith("Notifications")


def test_the_skip_link_moves_focus_to_the_main_content(signed_in_page):
    page = signed_in_page("insured@example.com")
    page.goto("/help/billing/")

    first = tab(page)
    assert first["name"] == "Skip to main content"
    assert first["onScreen"], "the skip link must be visible when focused"
    page.keyboard.press("Enter")

    expect(page.locator(":focus")).to_have_id("main")
    after = tab(page)
    assert after["inMain"], f"Tab after the skip link went to {after}"
    assert after["name"] == "The Billing Summary"  # the first link of the page itself


def test_the_profile_menu_opens_with_enter_and_closes_with_escape(signed_in_page):
    page = signed_in_page("insured@example.com")
    menu = page.get_by_role("banner").locator("summary", has_text="Your profile")
    menu.focus()

    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Profile")).to_be_visible()
    assert tab(page)["name"] == "Profile"

    page.keyboard.press("Escape")
    expect(page.get_by_role("link", name="Profile")).to_be_hidden()
    expect(menu).to_be_focused()

    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/accounts/profile/$"))
