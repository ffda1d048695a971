"""Resource cards on the practice page: reasons, opening one records the use, more like it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Route, expect

from cli.common import store_for
from services.settings import Settings
from tests.pages.conftest import STUDENTS, Tab


def _uses(web_var: Path, student_id: str) -> list[str]:
    with store_for(Settings(var_dir=web_var)) as store:
        rows = store.read("student_record_edges", {"student_id": student_id})
    return [r["target"]["id"] for r in rows if r["rel"] == "USED"]


def test_resource_cards_say_why_record_the_use_and_find_more_like_them(
        tab: Callable[..., Tab], web_var: Path) -> None:
    t = tab()
    # the seed's resource addresses are not on this machine: the new tab gets a stand-in page
    t.page.context.route("https://kgtutor.example/**",
                         lambda route: Route.fulfill(route, body="a resource"))
    t.login("diego")
    cards = t.page.locator("#resources .resource")
    expect(cards.first).to_be_visible()
    first = cards.first
    first.get_by_role("button", name="Why this?").click()
    expect(first.locator(".why")).to_contain_text("level: your mastery of")
    resource_id = first.get_attribute("data-resource")
    before = _uses(web_var, STUDENTS["diego"]).count(resource_id)
    with t.page.expect_popup() as popup:
        first.get_by_role("link").first.click()
    expect(popup.value.locator("body")).to_have_text("a resource")
    for _ in range(50):  # the use is posted as the link opens: wait for it to land
        if _uses(web_var, STUDENTS["diego"]).count(resource_id) > before:
            break
        t.page.wait_for_timeout(100)
    assert _uses(web_var, STUDENTS["diego"]).count(resource_id) == before + 1
    first.get_by_role("button", name="More like this").click()
    like = first.locator(".like")
    expect(like.get_by_role("heading", name="More like this")).to_be_visible()
    similar = like.locator(".resource")
    expect(similar.first).to_be_visible()  # the seed has resources on neighbouring topics
    similar.first.get_by_role("button", name="Why this?").click()
    expect(similar.first.locator(".why")).to_contain_text("shares")
    assert similar.first.get_attribute("data-resource") != resource_id
    t.shot("student-resource-cards", of="#resources")
