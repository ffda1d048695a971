"""The authoring page in Debian's chromium against a live server: a tutor adds a KP, links a
prerequisite (a cycle is refused, named), writes a question with math, and a new student then
meets the question in practice."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import expect

from tests.api.assessment_bank import NEWCOMER, TUTOR
from tests.pages.conftest import Tab

STEM = "Mixing: what is $2 + 3$ drops of red?"


def test_a_tutor_authors_and_a_student_practises_it(tab: Callable[..., Tab],
                                                      bank: str) -> None:
    tutor = tab()
    tutor.login(TUTOR)
    tutor.page.get_by_role("navigation", name="Main").get_by_role("link", name="Author").click()
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
    question.get_by_label("Answer key").fill("5")
    question.get_by_label("KP tested").select_option(label="Colours: Mixing")
    question.get_by_label("Level").select_option("basic")
    expect(tutor.page.locator("#preview")).to_contain_text("$2 + 3$")
    tutor.shot("tutor-authoring")
    question.get_by_role("button", name="Save question").click()
    expect(tutor.page.locator("#question-status")).to_contain_text("saved")

    student = tab()
    student.login(NEWCOMER)
    card = student.page.locator("form.task", has_text="what is $2 + 3$")
    expect(card).to_be_visible()  # a new KP with no prerequisite: on the frontier at once
    card.get_by_label("Your answer").fill("5")
    card.get_by_role("button", name="Check answer").click()
    expect(student.page.locator("#feedback")).to_contain_text("Correct!")
