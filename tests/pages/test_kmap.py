"""The knowledge map for every user: the graph fits its box on load, after "Show prerequisite
chain" and after "Show all", at desktop and phone widths; buttons zoom and pan it from the
keyboard; a table gives the same KPs, prerequisites and mastery as text."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.pages.axe import Opener, _tutor
from tests.pages.conftest import PASSWORD, Tab

MAP = "/app/#/classes/alg-class-9a/map/alg-ch-integers"
# the rendered box of what the view shows (the chain's nodes, else all), labels included, in
# the canvas's own pixels
BOX = """sel => { const cy = kgtutor.cy, b = cy.nodes(sel).renderedBoundingBox();
    return {x1: b.x1, y1: b.y1, x2: b.x2, y2: b.y2, w: cy.width(), h: cy.height()}; }"""


def _open(tab: Opener, width: int) -> Tab:
    t = _tutor(lambda **_: tab(width=width, height=800))
    t.page.goto(t.base + MAP)
    t.page.wait_for_function("() => window.kgtutor && kgtutor.cy.nodes().length > 0")
    return t


def _inside(page: Page, selector: str = "*") -> dict[str, float]:
    b = page.evaluate(BOX, selector)
    assert b["x1"] >= 0 and b["y1"] >= 0 and b["x2"] <= b["w"] and b["y2"] <= b["h"], b
    return b


@pytest.mark.parametrize("width", [1280, 320])
def test_every_view_fits_the_graph_to_its_box(width: int, tab: Opener) -> None:
    t = _open(tab, width)
    _inside(t.page)
    t.page.get_by_label("Find a KP").fill("Order of operations")
    t.page.get_by_label("Find a KP").press("Enter")  # zooms in on it
    t.page.get_by_role("button", name="Show prerequisite chain").click()
    assert t.page.evaluate("kgtutor.cy.nodes('.chain').length") >= 3
    _inside(t.page, ".chain")
    t.shot(f"kmap-chain-{width}", of="#map")
    t.page.get_by_role("button", name="Show all").click()
    _inside(t.page)
    t.shot(f"kmap-all-{width}", of="#map")


def test_zoom_and_pan_by_keyboard(tab: Opener) -> None:
    t = _open(tab, 1280)
    zoom = t.page.evaluate("kgtutor.cy.zoom()")
    t.page.get_by_role("button", name="Zoom in").focus()
    t.page.keyboard.press("Enter")
    assert t.page.evaluate("kgtutor.cy.zoom()") == pytest.approx(zoom * 1.25)
    pan = t.page.evaluate("kgtutor.cy.pan().x")
    t.page.get_by_role("button", name="Pan left").focus()
    t.page.keyboard.press("Space")
    assert t.page.evaluate("kgtutor.cy.pan().x") > pan
    t.page.keyboard.press("Shift+Tab")
    t.page.keyboard.press("Shift+Tab")  # back to "Zoom in": the buttons are in the Tab order
    assert t.page.evaluate("document.activeElement.getAttribute('aria-label')") == "Zoom in"
    t.page.get_by_role("button", name="Fit the map to its box").focus()
    t.page.keyboard.press("Enter")
    _inside(t.page)


def test_the_map_as_a_table(tab: Opener, live: str) -> None:
    t = _open(tab, 1280)
    token = requests.post(live + "/auth/login", json={"username": "hpark", "password": PASSWORD},
                          timeout=10).json()["access_token"]
    kmap = requests.get(f"{live}/classes/alg-class-9a/map/alg-ch-integers", timeout=10,
                        headers={"Authorization": f"Bearer {token}"}).json()
    table = t.page.get_by_role("table", name="The map as a table")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(len(kmap["kps"]))
    names = {k["id"]: k["name"] for k in kmap["kps"]}
    for i, k in enumerate(kmap["kps"]):
        row = rows.nth(i)
        expect(row.locator("th")).to_contain_text(k["name"])
        expect(row.locator("td").nth(0)).to_have_text(
            "not practised" if k["mastery"] is None else f"{round(k['mastery'] * 100)}%")
        for e in kmap["edges"]:
            if e["after"] == k["id"]:
                expect(row.locator("td").nth(1)).to_contain_text(names[e["before"]])
            if e["before"] == k["id"]:
                expect(row.locator("td").nth(2)).to_contain_text(names[e["after"]])
    row = rows.filter(has=t.page.get_by_role("rowheader", name="Order of operations"))
    expect(row.locator("td").nth(1)).to_contain_text("Exponents and powers")
    row.get_by_role("button", name="Order of operations").focus()
    t.page.keyboard.press("Enter")  # selects the KP as a click on its node does
    expect(t.page.locator("#kp-panel h2")).to_have_text("Order of operations")
    assert t.page.evaluate("kgtutor.cy.$(':selected').map(n => n.id())") == [
        "alg-kp-order-of-operations"]
    t.shot("kmap-table", of="section:has(#kp-table-title)")
