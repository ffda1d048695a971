"""Reflow (WCAG 1.4.10) and the feelings bar: every page state the page tests visit fits a
320 px wide viewport, and a 640 px one (a 1280 px window at 200 % zoom), with no horizontal
scrolling; the fixed "How do you feel?" bar never hides the end of the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.pages.axe import STATES, Opener, feelings

NO_SIDEWAYS = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.mark.parametrize("width", [320, 640])
@pytest.mark.parametrize("state", STATES)
def test_no_horizontal_scrolling(state: str, width: int, tab: Opener, live: str,
                                 own_people: str) -> None:
    def narrow(**_: int):  # every state's tabs, at this width
        return tab(width=width, height=720)

    t = STATES[state](narrow, live, own_people)
    wide = t.page.evaluate("""() => [...document.querySelectorAll('body *')].filter(e =>
        e.getBoundingClientRect().right > innerWidth + 1 && !e.closest('.scroll'))
        .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > innerWidth + 1))
        .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + e.textContent.slice(0, 40))""")
    assert t.page.evaluate(NO_SIDEWAYS), wide
    if width == 320:
        t.shot(f"reflow-320-{state.replace(',', '').replace(' ', '-')}")


@pytest.mark.parametrize("width", [1280, 320])
def test_the_end_of_the_page_stays_above_the_feelings_bar(width: int, tab: Opener, live: str,
                                                           own_people: str) -> None:
    t = feelings(lambda **_: tab(width=width, height=720), live, own_people)  # its note shown
    bar = t.page.locator("#feelings")
    expect(bar).to_be_visible()
    t.page.keyboard.press("End")
    t.page.wait_for_function("() => innerHeight + scrollY >= document.body.scrollHeight - 1")
    last = t.page.locator("main .card").last
    box, covered = last.bounding_box(), bar.bounding_box()
    assert box and covered
    assert box["y"] + box["height"] <= covered["y"], (box, covered)
    assert box["y"] >= 0  # on screen, not scrolled past
    t.shot(f"feelings-bar-end-{width}")
