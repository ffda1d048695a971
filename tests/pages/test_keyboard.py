"""The practice flow with the keyboard alone (Tab, Shift+Tab, arrows, Space, Enter): log in,
choose an answer, open "Why this?", check the answer, report a feeling; every stop on the way
shows a visible focus ring."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.pages.axe import Opener
from tests.pages.conftest import PASSWORD

# the focused element, whether chromium's :focus-visible heuristic shows it, and its ring
FOCUS = """() => { const e = document.activeElement, s = getComputedStyle(e);
    return {tag: e.tagName, text: (e.getAttribute('aria-label') || e.textContent).trim(),
            visible: e.matches(':focus-visible') && s.outlineStyle !== 'none'
                     && parseFloat(s.outlineWidth) >= 2}; }"""


def tab_to(page: Page, target: Locator, limit: int = 120) -> None:
    """Press Tab until ``target`` has the focus; fail if it is not in the Tab order."""
    for _ in range(limit):
        if target.evaluate("e => e === document.activeElement"):
            break
        page.keyboard.press("Tab")
    else:
        raise AssertionError(f"{target} is not reachable by Tab")
    ring = page.evaluate(FOCUS)
    assert ring["visible"], ring


def test_practice_by_keyboard_alone(tab: Opener, own_people: str) -> None:
    t = tab()
    page = t.page
    page.goto(t.base + "/app/")
    tab_to(page, page.get_by_label("Username"))
    page.keyboard.type("a11y-keys")  # consented to affect processing: the emoji bar works
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    form = page.locator("#tasks form").first
    expect(form).to_be_visible()
    radios = form.get_by_role("radio")
    tab_to(page, radios.first)  # one stop for the whole group
    page.keyboard.press("Space")
    expect(radios.first).to_be_checked()
    page.keyboard.press("ArrowDown")  # moves the focus and the choice
    expect(radios.nth(1)).to_be_checked()
    expect(radios.nth(1)).to_be_focused()

    why = form.get_by_role("button", name="Why this?")
    tab_to(page, why)
    page.keyboard.press("Enter")
    expect(form.locator(".why")).to_be_visible()
    expect(why).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Shift+Tab")
    check = form.get_by_role("button", name="Check answer")
    expect(check).to_be_focused()
    page.keyboard.press("Enter")
    feedback = page.locator("#feedback")
    expect(feedback.locator("h2")).to_have_text(re.compile("^(Correct!|Not quite.)$"))
    expect(feedback).to_be_focused()  # the keyboard goes on from the news, not from the top

    happy = page.locator("#feelings").get_by_role("button", name="happy")
    tab_to(page, happy)
    page.keyboard.press("Space")
    expect(happy).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#feelings")).to_contain_text("Thanks, noted: happy.")
    t.shot("keyboard-feeling-reported")
