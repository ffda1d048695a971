"""axe-core, the engine behind Deque's and Lighthouse's accessibility checks, run inside the
page under test, and the page states the page tests visit, each reached as a user would.

axe comes from npm (``node_modules/axe-core``, a devDependency beside cytoscape), so the
engine's version is pinned in package-lock.json and nothing is fetched at test time. It is
evaluated through Playwright's own channel (DevTools' Runtime.evaluate), which the page's
Content-Security-Policy does not govern: the page is audited under its real CSP, no
``bypass_csp`` needed. ``tests/pages/test_accessibility.py`` and ``bench/accessibility.py``
share these states.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

import requests
from playwright.sync_api import Page, expect

from graph.ingest import GraphData, ingest
from services import accounts
from services.imports import SEED_DATASET
from tests.api.assessment_bank import DATASET, TUTOR, key, wrong
from tests.pages.conftest import PASSWORD, REPO, Tab
from tutor.access import Role
from tutor.ports import GraphStore
from tutor.roster import SchoolClass, Student, Tutor

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]  # WCAG 2.1 level A and AA
IMPACTS = ("minor", "moderate", "serious", "critical")

Opener = Callable[..., Tab]
# students of these tests alone, so that what they answer, feel and plan leaves every other
# test's students as the seed made them: (id, consent to affect processing)
ALGEBRA = "alg-class-access"  # in the seed's course, taught by hpark
COLOURS = "asmt-class-access"  # in the "asmt" course, taught by TUTOR, with known answer keys
PEOPLE = {ALGEBRA: [("a11y-practice", False), ("a11y-camera", True), ("a11y-feelings", True),
                    ("a11y-path", False), ("a11y-keys", True)],
          COLOURS: [("a11y-right", False), ("a11y-wrong", False), ("a11y-sitter", False)]}


def add_people(store: GraphStore) -> None:
    """``PEOPLE`` in their classes ("Access group": no other test's label matches it), with
    log-ins named after their ids."""
    for dataset, class_id, tutor in ((SEED_DATASET, ALGEBRA, Tutor("alg-tutor-hpark",
                                                                   "Helena Park")),
                                     (DATASET, COLOURS, Tutor(TUTOR, "Tess Colour"))):
        people = PEOPLE[class_id]
        ingest(store, GraphData(dataset, students=[Student(s, s.title(), affect_consent=c)
                                                   for s, c in people],
                                tutors=[tutor], classes=[SchoolClass(
                                    class_id, "Access group", (tutor.id,),
                                    tuple(s for s, _ in people))]))
        for s, _ in people:
            accounts.add_user(store, s, PASSWORD, Role.STUDENT, 0, student_id=s)


@cache
def _source() -> str:
    return AXE.read_text()


def audit(page: Page) -> list[dict[str, Any]]:
    """axe's violations of WCAG 2.1 A and AA on the page as it is now."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(_source())
    return page.evaluate("""tags => axe.run(document, {runOnly: {type: "tag", values: tags},
        resultTypes: ["violations"]}).then(r => r.violations.map(v => ({id: v.id,
        impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(" "))})))""",
                         TAGS)


def counts(violations: list[dict[str, Any]]) -> dict[str, int]:
    """Violating nodes by impact: a rule broken on 3 elements counts 3."""
    out = dict.fromkeys(IMPACTS, 0)
    for v in violations:
        out[v["impact"]] += len(v["nodes"])
    return out


# --- the states: each opens a tab and brings it to one state of one page -------------------

def _student(open_: Opener, name: str, **size: int) -> Tab:
    t = open_(**size)
    t.login(name)
    expect(t.page.locator("#tasks form").first).to_be_visible()
    return t


def _tutor(open_: Opener, name: str = "hpark") -> Tab:
    t = open_()
    t.login(name)
    expect(t.page.get_by_role("heading", name="Your classes")).to_be_visible()
    return t


def login(open_: Opener, live: str, bank: str) -> Tab:
    t = open_()
    t.page.goto(t.base + "/app/")
    expect(t.page.get_by_role("button", name="Log in")).to_be_visible()
    return t


def practice(open_: Opener, live: str, bank: str) -> Tab:
    return _student(open_, "a11y-practice")


def _answer(open_: Opener, student: str, right: bool) -> Tab:
    """A student of the small "asmt" course, whose answer keys the tests know."""
    t = _student(open_, student)
    # a bank question (the authoring test may add one of its own to the course)
    q = t.page.locator('#tasks form[data-question^="asmt-q"]').first.get_attribute(
        "data-question") or ""
    form = t.page.locator(f'#tasks form[data-question="{q}"]')  # this card, whatever repaints
    form.get_by_label((key if right else wrong)(q), exact=True).check()
    form.get_by_role("button", name="Check answer").click()
    expect(t.page.locator("#feedback h2")).to_have_text("Correct!" if right else "Not quite.")
    return t


def practice_right(open_: Opener, live: str, bank: str) -> Tab:
    return _answer(open_, "a11y-right", right=True)


def practice_wrong(open_: Opener, live: str, bank: str) -> Tab:
    return _answer(open_, "a11y-wrong", right=False)


def path(open_: Opener, live: str, bank: str) -> Tab:
    t = _student(open_, "a11y-path")
    t.page.get_by_role("link", name="My path").click()
    expect(t.page.get_by_role("heading", name="My learning path")).to_be_visible()
    goal = t.page.get_by_label("Goal")
    if goal.count():  # the first visit: no path yet
        goal.select_option("alg-kp-order-of-operations")
        t.page.get_by_role("button", name="Start").click()
    expect(t.page.locator(".timeline li").first).to_be_visible()
    return t


def camera_panel(open_: Opener, live: str, bank: str) -> Tab:
    t = _student(open_, "a11y-camera")  # consented: the controls show
    t.page.get_by_text("Camera or microphone (optional)").click()
    expect(t.page.get_by_role("button", name="Record 3 s of voice")).to_be_visible()
    return t


def feelings(open_: Opener, live: str, bank: str) -> Tab:
    t = _student(open_, "a11y-feelings")
    t.page.locator("#tasks").evaluate("tasks => { tasks.dataset.old = 'yes'; }")
    t.page.get_by_role("button", name="confused").click()
    expect(t.page.locator("#feelings")).to_contain_text("Thanks, noted: confused.")
    # the note shows first, then the page is drawn again with the re-routed plan: wait for the
    # new list, or a test may measure the old one as it is taken away
    expect(t.page.locator("#tasks:not([data-old]) form").first).to_be_visible()
    return t


def classes(open_: Opener, live: str, bank: str) -> Tab:
    return _tutor(open_)


def class_overview(open_: Opener, live: str, bank: str) -> Tab:
    t = _tutor(open_)
    t.page.get_by_role("link", name="Algebra 1 - Class 9A").click()
    expect(t.page.locator("td.cell", has_text="%").first).to_be_visible()
    return t


def knowledge_map(open_: Opener, live: str, bank: str) -> Tab:
    """The map with a KP chosen and its prerequisite chain shown."""
    t = _tutor(open_)
    t.page.goto(t.base + "/app/#/classes/alg-class-9a/map/alg-ch-integers")
    t.page.wait_for_function("() => window.kgtutor && window.kgtutor.cy.nodes().length > 0")
    t.page.get_by_label("Find a KP").fill("Order of operations")
    t.page.get_by_label("Find a KP").press("Enter")
    expect(t.page.locator("#kp-panel h3").first).to_be_visible()
    t.page.get_by_role("button", name="Show prerequisite chain").click()
    return t


def student_report(open_: Opener, live: str, bank: str) -> Tab:
    t = _tutor(open_)
    t.page.goto(t.base + "/app/#/students/alg-st-ben/report")
    expect(t.page.get_by_role("heading", name="Notifications sent")).to_be_visible()
    expect(t.page.locator(".bar-row").first).to_be_visible()
    return t


def new_test(open_: Opener, live: str, bank: str) -> Tab:
    t = _tutor(open_, TUTOR)
    t.page.goto(t.base + "/app/#/tests/new")
    expect(t.page.get_by_role("heading", name="New test")).to_be_visible()
    t.page.get_by_label("KP to pick questions from").select_option(label="Colours: Colour 1")
    expect(t.page.locator("#kp-questions input").first).to_be_visible()
    return t


def _published_test(live: str, token: str, title: str = "Accessible colours") -> str:
    headers = {"Authorization": f"Bearer {token}"}
    made = requests.post(live + "/tests", headers=headers, timeout=10, json={
        "title": title, "form": "fixed", "class_ids": [COLOURS],
        "question_ids": ["asmt-q1-3", "asmt-q2-3", "asmt-q3-3"]})
    made.raise_for_status()
    tid = made.json()["id"]
    requests.post(f"{live}/tests/{tid}/publish", headers=headers, timeout=10
                  ).raise_for_status()
    return tid


def sitting(open_: Opener, live: str, bank: str) -> Tab:
    tid = _published_test(live, bank)
    t = _student(open_, "a11y-sitter")
    t.page.goto(f"{t.base}/app/#/tests/{tid}")
    t.page.get_by_role("button", name="Start").click()
    expect(t.page.get_by_text("Question 1 of 3")).to_be_visible()
    return t


def tutor_test(open_: Opener, live: str, bank: str) -> Tab:
    tid = _published_test(live, bank)
    t = _tutor(open_, TUTOR)
    t.page.goto(f"{t.base}/app/#/tests/{tid}")
    expect(t.page.locator("#status")).to_contain_text("Published")
    return t


def new_experiment(open_: Opener, live: str, bank: str) -> Tab:
    t = _tutor(open_, TUTOR)
    t.page.goto(t.base + "/app/#/experiments/new")
    expect(t.page.get_by_label("Hypothesis")).to_be_visible()
    return t


def experiment(open_: Opener, live: str, bank: str) -> Tab:
    """An experiment set up on the form and saved as a draft: its page."""
    for title in ("Axe pre-test", "Axe post-test"):
        _published_test(live, bank, title)
    t = new_experiment(open_, live, bank)
    t.page.get_by_label("Name").fill("Accessible study")
    t.page.get_by_label("Hypothesis").fill("kgtutor beats the fixed schedule")
    t.page.get_by_label("Access group").check()
    t.page.get_by_label("Pre-test").select_option(label="Axe pre-test (published)")
    t.page.get_by_label("Post-test").select_option(label="Axe post-test (published)")
    t.page.get_by_role("button", name="Save as draft").click()
    expect(t.page.locator("#phase")).to_contain_text("draft")
    return t


def experiments(open_: Opener, live: str, bank: str) -> Tab:
    t = _tutor(open_, TUTOR)
    t.page.get_by_role("navigation", name="Main").get_by_role("link", name="Experiments").click()
    expect(t.page.get_by_role("link", name="New experiment")).to_be_visible()
    return t


def authoring(open_: Opener, live: str, bank: str) -> Tab:
    t = _tutor(open_, TUTOR)
    t.page.get_by_role("navigation", name="Main").get_by_role("link", name="Author").click()
    expect(t.page.get_by_role("heading", name="Author the course")).to_be_visible()
    chapter = t.page.locator("#new-kp").get_by_label("Chapter")
    expect(chapter.locator("option", has_text=re.compile("Colours"))).to_have_count(1)
    return t


STATES: dict[str, Callable[[Opener, str, str], Tab]] = {
    "login": login, "practice": practice, "practice, right answer": practice_right,
    "practice, wrong answer": practice_wrong, "path": path,
    "camera and voice panel": camera_panel, "feelings bar": feelings, "classes": classes,
    "class overview": class_overview, "knowledge map": knowledge_map,
    "student report": student_report, "new test": new_test, "test sitting": sitting,
    "test (tutor)": tutor_test, "experiments": experiments, "new experiment": new_experiment,
    "experiment": experiment, "authoring": authoring}
