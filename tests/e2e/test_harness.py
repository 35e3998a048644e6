"""The harness's own checks can fail: a check that cannot fail proves nothing."""

from __future__ import annotations

import pytest

from .harness import axe, overflow_problems

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
    )

    problems = overflow_problems(page)

    assert any("p#wide" in problem for problem in problems)
    assert any(problem.startswith("document is") for problem in problems)
    assert not any("table#ok" in problem for problem in problems)
