"""The harness's own checks can fail: a check that cannot fail proves nothing."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .harness import (
    assert_focus_stays_in_modal,
    axe,
    focus_in_modal,
    modal_close_with_escape,
    modal_open,
    overflow_problems,
)

pytestmark = pytest.mark.e2e

PIXEL = "data:image/gif;base64,R0lGODlhAQABAAAAACw="


def test_axe_reports_an_image_without_alt_text(new_page):
    page = new_page()
    page.set_content(
        f'<html lang="en"><title>t</title><main><h1>t</h1><img src="{PIXEL}"></main></html>'
    )

    violations = axe(page, label="harness self-test (expects image-alt)")

    assert [violation["id"] for violation in violations] == ["image-alt"]


def test_overflow_check_finds_a_wide_element_but_not_one_in_a_scroller(new_page):
    page = new_page(viewport={"width": 390, "height": 844})
    page.set_content(
        '<div id="scroller" style="overflow-x:auto"><table id="ok" style="width:900px">'
        '<tr><td>x</td></tr></table></div><p id="wide" style="width:600px">x</p>'
        '<details><summary>More</summary><p id="closed" style="width:900px">x</p></details>'
    )

    problems = overflow_problems(page)

    assert any("p#wide" in problem for problem in problems)
    assert any(problem.startswith("document is") for problem in problems)
    assert not any("table#ok" in problem for problem in problems)
    assert not any("p#closed" in problem for problem in problems)  # not shown


_ADD_OPENER = """() => {
  const opener = document.createElement("a");
  opener.href = "/accounts/profile/";
  opener.className = "btn btn--secondary";
  opener.textContent = "Open test modal";
  opener.setAttribute("hx-get", "/accounts/profile/");
  opener.setAttribute("hx-select", "main .card");
  opener.setAttribute("hx-target", "#modal-content");
  opener.setAttribute("data-modal", "");
  document.querySelector("main").prepend(opener);
  htmx.process(opener);
}"""


def test_portal_js_opens_a_partial_in_the_dialog_and_traps_and_returns_focus(signed_in_page):
    # The modal contract every modal flow builds on (base.html + portal.js), shown with
    # the profile form as the partial until the real modals land.
    page = signed_in_page("insured@example.com")
    page.evaluate(_ADD_OPENER)
    opener = page.get_by_role("link", name="Open test modal")

    dialog = modal_open(page, opener)

    expect(dialog).to_have_attribute("aria-modal", "true")
    # the first field that can be typed in has focus (the read-only email is skipped)
    expect(page.get_by_role("dialog").get_by_label("Name")).to_be_focused()
    stops = assert_focus_stays_in_modal(page, presses=8)
    assert "Save profile" in stops
    modal_close_with_escape(page, opener)
    assert not focus_in_modal(page)["inside"]
    expect(page).to_have_url(re.compile(r"/billing/$"))
