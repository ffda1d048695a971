"""The authoring page in Debian's chromium against a live server: a tutor adds a KP, links a
prerequisite (a cycle is refused, named), writes a question with math, and a new student then
meets the question in practice, its math rendered by KaTeX exactly as the preview showed it.
Authored text never becomes markup, and a malformed formula spoils only itself."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
from playwright.sync_api import Locator, expect

from cli.common import store_for
from graph.ingest import GraphData, ingest
from services.settings import Settings
from tests.api.assessment_bank import NEWCOMER, TUTOR
from tests.pages.conftest import Tab
from tutor.mastery import Attempt

STEM = r"Mixing: what is $\frac{1}{2} + \frac{1}{4}$ of a cup of red, in cups?"
EXPLANATION = r"$\frac{1}{2} = \frac{2}{4}$, so the sum is $\frac{3}{4}$."
HINT = r"Write $\frac{1}{2}$ in quarters."
# an author's text that would be markup if it were ever read as HTML
HOSTILE = ("Sum <img src=x onerror=\"window.hacked=1\"> <script>window.hacked=1</script> "
           "[a link](javascript:window.hacked=1) [docs](https://example.org/sums) "
           r"and $\frac{1}{$ then the rest.")


def _math(where: Locator, formulas: int) -> None:
    """KaTeX's output for ``formulas`` formulas: HTML for the eye, MathML for screen readers."""
    expect(where.locator(".katex")).to_have_count(formulas)
    expect(where.locator(".katex .katex-mathml math")).to_have_count(formulas)
    expect(where.locator(".katex-html[aria-hidden=true]")).to_have_count(formulas)
    expect(where).not_to_contain_text("$")


def test_a_tutor_authors_and_a_student_practises_it(tab: Callable[..., Tab],
                                                      bank: str) -> None:
    tutor = _author_page(tab)
    expect(tutor.page.get_by_role("heading", name="Author the course")).to_be_visible()
    form = tutor.page.locator("#new-kp")
    form.get_by_label("Name").fill("Mixing")
    form.get_by_label("Chapter").select_option(label="Colours (asmt)")
    form.get_by_role("button", name="Add KP").click()
    expect(tutor.page.locator("#kp-status")).to_contain_text("added")
    edge = tutor.page.locator("#new-edge")
    expect(edge.get_by_label("KP that needs it").locator("option", has_text="Mixing")
           ).to_have_count(1)  # the page re-read the course
    edge.get_by_label("Prerequisite (learn first)").select_option(label="Colours: Mixing")
    edge.get_by_label("KP that needs it").select_option(label="Colours: Colour 2")
    edge.get_by_role("button", name="Link", exact=True).click()
    expect(tutor.page.locator("#edge-status")).to_contain_text("added")
    tutor.expect_error(r"status of 409")  # the refused edge, shown to the tutor below
    edge.get_by_label("Prerequisite (learn first)").select_option(label="Colours: Colour 3")
    edge.get_by_label("KP that needs it").select_option(label="Colours: Colour 1")
    edge.get_by_role("button", name="Link", exact=True).click()
    refusal = tutor.page.locator("#edge-status [role=alert]")
    expect(refusal).to_contain_text("prerequisite cycle:")
    for kp in ("asmt-k1", "asmt-k2", "asmt-k3"):
        expect(refusal).to_contain_text(kp)

    question = tutor.page.locator("#new-question")
    question.get_by_label("Question (Markdown").fill(STEM)
    question.get_by_label("Type").select_option("numeric")
    question.get_by_label("Answer key").fill("0.75")
    question.get_by_label("Explanation").fill(EXPLANATION)
    question.get_by_label("Hints, one per line").fill(HINT)
    question.get_by_label("KP tested").select_option(label="Colours: Mixing")
    question.get_by_label("Level").select_option("basic")
    preview = tutor.page.locator("#preview .question")
    _math(preview, 1)
    expect(preview).to_contain_text("of a cup of red")
    _math(tutor.page.locator("#preview .explanation"), 2)
    _math(tutor.page.locator("#preview li"), 1)
    previewed = preview.inner_html()
    tutor.shot("tutor-authoring")
    question.get_by_role("button", name="Save question").click()
    expect(tutor.page.locator("#question-status")).to_contain_text("saved")

    student = tab()
    student.login(NEWCOMER)
    card = student.page.locator("form.task", has_text="of a cup of red")
    expect(card).to_be_visible()  # a new KP with no prerequisite: on the frontier at once
    _math(card.locator(".question"), 1)
    assert card.locator(".question").inner_html() == previewed  # the preview is what they see
    card.get_by_text("Hints").click()
    _math(card.locator(".hints li"), 1)
    student.shot("student-practice-math", of="#tasks")
    card.get_by_label("Your answer").fill("0.75")
    card.get_by_role("button", name="Check answer").click()
    feedback = student.page.locator("#feedback")
    expect(feedback).to_contain_text("Correct!")
    _math(feedback, 2)


def test_authored_text_never_becomes_markup_and_bad_math_spoils_only_itself(
        tab: Callable[..., Tab], live: str, bank: str) -> None:
    tutor = _author_page(tab)
    tutor.page.get_by_label("Question (Markdown").fill(HOSTILE)
    _hostile_shown_as_text(tutor.page.locator("#preview .question"))
    expect(tutor.page.locator("#preview")).not_to_contain_text("null")  # no explanation: none
    tutor.shot("tutor-authoring-hostile", of="#preview")

    bearer = {"Authorization": f"Bearer {bank}"}
    kp = requests.post(live + "/kps", json={"name": "Hostile", "chapter_id": "asmt-ch2"},
                       headers=bearer, timeout=10).json()["id"]
    r = requests.post(live + "/questions", headers=bearer, timeout=10, json={
        "stem": HOSTILE, "type": "choice", "choices": ["<b>bold</b>", "$2^{10}$"],
        "answer": "$2^{10}$", "kp_ids": [kp], "level": "basic"})
    assert r.status_code == 201, r.text
    student = tab()
    student.login(NEWCOMER)
    card = student.page.locator("form.task", has_text="then the rest")
    _hostile_shown_as_text(card.locator(".question"))
    expect(card.get_by_label("<b>bold</b>")).to_be_visible()  # a choice's tags are text too
    expect(card.locator("label b")).to_have_count(0)
    _math(card.locator("label", has=student.page.locator("input[value='$2^{10}$']")), 1)
    # a choice that is only math names its radio by a plain reading, not by bare tokens ("2 10")
    expect(card.get_by_role("radio", name="2^10", exact=True)).to_have_count(1)
    assert student.page.evaluate("window.hacked") is None


def _hostile_shown_as_text(stem: Locator) -> None:
    """Tags and the javascript: link read as the author wrote them; no element came of them;
    the http(s) link is a link; the malformed formula is KaTeX's red source text."""
    expect(stem).to_contain_text('<img src=x onerror="window.hacked=1">')
    expect(stem).to_contain_text("<script>window.hacked=1</script>")
    expect(stem).to_contain_text("[a link](javascript:window.hacked=1)")
    expect(stem.locator("img, script, a[href^=javascript]")).to_have_count(0)
    expect(stem.locator("a")).to_have_attribute("href", "https://example.org/sums")
    expect(stem.locator(".katex-error")).to_have_text(r"\frac{1}{")
    expect(stem).to_contain_text("then the rest.")


def test_a_tutor_adds_a_resource_and_reads_the_courses_calibration(
        tab: Callable[..., Tab], live: str, bank: str) -> None:
    tutor = _author_page(tab)
    form = tutor.page.locator("#new-resource")
    form.get_by_label("Title").fill("Mixing colours, in two minutes")
    form.get_by_label("Kind").select_option("video")
    form.get_by_label("Address").fill("https://videos.example/mixing")
    form.get_by_label("KP it teaches").select_option(label="Colours: Colour 1")
    form.get_by_label("Level").select_option("basic")
    form.get_by_label("Estimated minutes").fill("2")
    form.get_by_role("button", name="Save resource").click()
    resource_id = _created_id(tutor.page.locator("#resource-status"), "saved")
    saved = requests.get(f"{live}/resources/{resource_id}", timeout=10,
                         headers={"Authorization": f"Bearer {bank}"}).json()
    assert (saved["title"], saved["minutes"], saved["kp_ids"]) == (
        "Mixing colours, in two minutes", 2, ["asmt-k1"])
    irt = tutor.page.locator("#irt")
    expect(irt.locator("#irt-state")).to_contain_text("answers;")
    tutor.shot("tutor-authoring-resource", of="#new-resource")


def test_a_tutor_edits_a_question_with_answers_and_renames_moves_and_archives(
        tab: Callable[..., Tab], live: str, bank: str, web_var: Path) -> None:
    """Editing an answered question on the page stores a new version; a KP is renamed, moved
    to another chapter and archived; a chapter added, renamed and archived."""
    call = _api(live, bank)
    q = call("post", "/questions", {"stem": "Which colour is the sky?", "type": "choice",
                                    "choices": ["blue", "green"], "answer": "blue",
                                    "kp_ids": ["asmt-k2"]})["id"]
    with store_for(Settings(var_dir=web_var)) as store:  # a student answered it
        ingest(store, GraphData("asmt", attempts=[Attempt(f"edit-{q}", "asmt-s1", q, True,
                                                          ts=1)]))
    kp = call("post", "/kps", {"name": "Tints", "chapter_id": "asmt-ch1"})["id"]
    t = _author_page(tab)
    new_chapter = t.page.locator("#new-chapter")
    new_chapter.get_by_label("Name").fill("Pastels")
    new_chapter.get_by_label("Course").select_option("asmt")
    new_chapter.get_by_role("button", name="Add chapter").click()
    chapter = _created_id(t.page.locator("#chapter-status"), "added.")
    expect(t.page.locator("#edit-chapter").get_by_label("Chapter to edit").locator(
        f"option[value='{chapter}']")).to_have_count(1)  # the page read the course again

    form = t.page.locator("#new-question")
    form.get_by_label("KP tested").select_option(label="Colours: Colour 2")
    form.get_by_label("Edit").focus()  # the course's questions are read now
    expect(form.get_by_label("Edit").locator(f"option[value='{q}']")).to_have_count(1)
    form.get_by_label("Edit").select_option(q)
    expect(form.get_by_label("Question (Markdown")).to_have_value("Which colour is the sky?")
    form.get_by_label("Question (Markdown").fill("Which colour is the sky at noon?")
    form.get_by_role("button", name="Save question").click()
    expect(t.page.locator("#question-status")).to_contain_text(
        f"Question {q} had answers: saved as version 2, {q}~v2")

    edit = t.page.locator("#edit-kp")
    edit.get_by_label("KP to edit").select_option(label="Colours: Tints")
    expect(edit.get_by_label("Name")).to_have_value("Tints")
    edit.get_by_label("Name").fill("Tints and tones")
    edit.get_by_label("Its chapter").select_option("asmt-ch2")
    edit.get_by_role("button", name="Save KP").click()
    expect(t.page.locator("#kp-edit-status")).to_contain_text("KP saved.")
    moved = call("get", "/chapters/asmt-ch2/map")
    assert "Tints and tones" in {k["name"] for k in moved["kps"]}
    edit = t.page.locator("#edit-kp")  # the page read the course again
    expect(edit.get_by_label("KP to edit").locator("option", has_text="Tints and tones")
           ).to_have_count(1)
    edit.get_by_label("KP to edit").select_option(kp)
    edit.get_by_role("button", name="Archive KP").click()
    expect(t.page.locator("#kp-edit-status")).to_contain_text("KP archived.")
    assert kp not in {k["id"] for k in call("get", "/chapters/asmt-ch2/map")["kps"]}

    chapters = t.page.locator("#edit-chapter")
    chapters.get_by_label("Chapter to edit").select_option(chapter)
    expect(chapters.get_by_label("Name")).to_have_value("Pastels")
    chapters.get_by_label("Name").fill("Pastel shades")
    chapters.get_by_role("button", name="Save chapter").click()
    expect(t.page.locator("#chapter-edit-status")).to_contain_text("Chapter saved.")
    names = {c["id"]: c["name"] for c in call("get", "/chapters?dataset=asmt")}
    assert names[chapter] == "Pastel shades"
    chapters = t.page.locator("#edit-chapter")
    pick = chapters.get_by_label("Chapter to edit")
    expect(pick.locator(f"option[value='{chapter}']")).to_have_count(1)
    pick.select_option(chapter)
    chapters.get_by_role("button", name="Archive chapter").click()
    expect(t.page.locator("#chapter-edit-status")).to_contain_text("Chapter archived.")
    assert chapter not in {c["id"] for c in call("get", "/chapters?dataset=asmt")}
    # the page renders again 0.6 s after a change (the chapter leaves the list); its new
    # status box still says what was done
    expect(pick.locator(f"option[value='{chapter}']")).to_have_count(0)
    expect(t.page.locator("#chapter-edit-status")).to_contain_text("Chapter archived.")
    t.shot("tutor-authoring-edit", of="#edit-kp")


def _author_page(tab: Callable[..., Tab]) -> Tab:
    """A tab of the course's tutor on the Author page, reached from the menu."""
    t = tab()
    t.login(TUTOR)
    t.page.get_by_role("navigation", name="Main").get_by_role("link", name="Author").click()
    return t


def _api(live: str, token: str) -> Callable[..., Any]:
    def call(method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        r = requests.request(method, live + path, json=body, timeout=10,
                             headers={"Authorization": f"Bearer {token}"})
        assert r.ok, (path, r.status_code, r.text)
        return r.json()
    return call


def _created_id(status: Locator, said: str) -> str:
    """The id a form's status names once it says ``said`` ("Chapter asmt-ch-3 added.")."""
    expect(status).to_contain_text(said)
    return status.inner_text().split()[1]
