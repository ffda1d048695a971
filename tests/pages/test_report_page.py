"""The student report in a real browser: recent answers as the API lists them, and a tutor
pinning, unpinning and removing steps of the student's learning path."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import requests
from playwright.sync_api import expect

from tests.pages.conftest import PASSWORD, Tab

GOAL = "alg-kp-order-of-operations"
PIN = re.compile("^Pin ")  # not "Unpin ..."


def _api(live: str, user: str) -> Callable[..., Any]:
    token = requests.post(live + "/auth/login", json={"username": user, "password": PASSWORD},
                          timeout=10).json()["access_token"]

    def call(method: str, path: str, **kw: Any) -> Any:
        r = requests.request(method, live + path, timeout=30,
                             headers={"Authorization": f"Bearer {token}"}, **kw)
        assert r.ok, r.text
        return r.json()
    return call


def test_report_lists_the_latest_ten_answers(tab: Callable[..., Tab], live: str) -> None:
    call = _api(live, "hpark")
    latest = call("GET", "/students/alg-st-amara/attempts?page_size=10")
    assert latest  # the seed has answers of hers
    kp = call("GET", f"/kps/{latest[0]['kp_ids'][0]}")
    t = tab()
    t.login("hpark")
    expect(t.page.get_by_role("heading", name="Your classes")).to_be_visible()
    t.page.goto(t.base + "/app/#/students/alg-st-amara/report")
    expect(t.page.get_by_role("heading", name="Recent activity")).to_be_visible()
    rows = t.page.locator("#recent tbody tr")
    expect(rows).to_have_count(len(latest))
    first = rows.first
    expect(first.locator("td").nth(1)).to_have_text(latest[0]["question_id"])
    expect(first.locator("td").nth(3)).to_have_text(
        "✓ correct" if latest[0]["correct"] else "✗ wrong")
    expect(first.locator("td").nth(2)).to_contain_text(kp["name"])
    t.shot("tutor-student-report-activity")


def test_tutor_pins_unpins_and_removes_path_steps(tab: Callable[..., Tab], live: str) -> None:
    call = _api(live, "hpark")
    path = call("POST", "/students/alg-st-emma/path", json={"goal_kp": GOAL})
    open_steps = [s for s in path["steps"] if s["status"] in ("current", "todo")]
    assert len(open_steps) >= 2 and not any(s["pinned"] for s in open_steps)
    first, goal = open_steps[0]["kp_id"], GOAL
    t = tab()
    t.login("hpark")
    expect(t.page.get_by_role("heading", name="Your classes")).to_be_visible()
    t.page.goto(t.base + "/app/#/students/alg-st-emma/report")
    step = t.page.locator(f"#report-path li[data-kp='{first}']")
    expect(step.get_by_role("button", name="Remove")).to_be_visible()
    expect(t.page.locator(f"#report-path li[data-kp='{goal}']").get_by_role(
        "button", name="Remove")).to_have_count(0)  # the goal stays

    step.get_by_role("button", name=PIN).click()
    expect(step.locator(".badge", has_text="pinned")).to_be_visible()
    expect(step.get_by_role("button", name="Unpin")).to_be_visible()
    assert _step(call, first)["pinned"] is True
    t.shot("tutor-student-report-path-pinned")

    step.get_by_role("button", name="Unpin").click()
    expect(step.get_by_role("button", name=PIN)).to_be_visible()
    assert _step(call, first)["pinned"] is False
    step.get_by_role("button", name="Remove").click()
    expect(step).to_have_class("removed")
    expect(step.get_by_role("button")).to_have_count(0)
    assert _step(call, first)["status"] == "removed"
    expect(t.page.get_by_role("heading", name="Versions")).to_be_visible()
    t.shot("tutor-student-report-path-removed")


def _step(call: Callable[..., Any], kp_id: str) -> dict[str, Any]:
    path = call("GET", f"/students/alg-st-emma/path?goal_kp={GOAL}")
    return next(s for s in path["steps"] if s["kp_id"] == kp_id)
