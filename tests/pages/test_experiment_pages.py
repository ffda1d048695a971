"""The experiment pages in Debian's chromium against a live server: a tutor sets one up,
starts and stops it and reads the report with its figure; a student on a phone answers the
consent question and, once it ended, the questionnaire, never seeing an arm."""

from __future__ import annotations

import re
from collections.abc import Callable

import requests
from playwright.sync_api import expect

from tests.api.assessment_bank import CLASS, TUTOR, question_id
from tests.pages.conftest import Tab

PHONE = {"width": 390, "height": 844}


def make_test(live: str, token: str, title: str, kp: int) -> str:
    headers = {"Authorization": f"Bearer {token}"}
    made = requests.post(live + "/tests", headers=headers, timeout=10, json={
        "title": title, "form": "fixed", "class_ids": [CLASS],
        "question_ids": [question_id(kp, 7), question_id(kp, 8)]})
    assert made.status_code == 201, made.text
    tid = made.json()["id"]
    assert requests.post(f"{live}/tests/{tid}/publish", headers=headers,
                         timeout=10).status_code == 200
    return tid


def test_a_tutor_runs_an_experiment_and_a_student_consents_and_answers(
        tab: Callable[..., Tab], bank: str, live: str) -> None:
    make_test(live, bank, "Study pre-test", 2)
    make_test(live, bank, "Study post-test", 5)
    tutor = tab()
    tutor.login(TUTOR)
    tutor.page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Experiments").click()
    tutor.page.get_by_role("link", name="New experiment").click()
    tutor.page.get_by_label("Name").fill("Colour study")
    tutor.page.get_by_label("Hypothesis").fill("kgtutor beats the fixed schedule")
    tutor.page.get_by_label("Colour class").check()
    tutor.page.get_by_label("Pre-test").select_option(label="Study pre-test (published)")
    tutor.page.get_by_label("Post-test").select_option(label="Study post-test (published)")
    tutor.shot("tutor-new-experiment")
    tutor.page.get_by_role("button", name="Save as draft").click()
    expect(tutor.page.locator("#phase")).to_contain_text("draft")
    expect(tutor.page.locator("#phase")).to_contain_text("kgtutor vs fixed")
    tutor.page.get_by_role("button", name="Start").click()
    expect(tutor.page.locator("#phase")).to_contain_text("running")
    experiment_url = tutor.page.url

    student = tab(**PHONE)
    student.login("asmt-s1")
    consent = student.page.locator("section[id^=consent-]")
    expect(consent).to_contain_text("Your class takes part in a study")
    page_text = student.page.locator("main").inner_text()
    assert "kgtutor beats" not in page_text and not re.search(r"\bfixed\b", page_text)
    consent.get_by_role("button", name="Yes").click()
    expect(student.page.get_by_text("Thank you.")).to_be_visible()

    tutor.page.get_by_role("button", name="Stop").click()
    expect(tutor.page.locator("#phase")).to_contain_text("ended")

    student.page.reload()
    form = student.page.locator("form[id^=questionnaire-]")
    expect(form).to_contain_text("A few questions about your practice")
    for group in form.locator("fieldset").all():
        group.get_by_label("4").check()
    student.shot("student-questionnaire-phone", of="form[id^=questionnaire-]")
    form.get_by_role("button", name="Send").click()
    expect(student.page.get_by_text("Thank you for your answers.")).to_be_visible()

    tutor.page.goto(experiment_url)
    tutor.page.reload()
    expect(tutor.page.locator("#arms tbody tr")).to_have_count(2)
    expect(tutor.page.locator("#arm-plot rect")).to_have_count(2)
    expect(tutor.page.locator("#checks")).to_contain_text("Cronbach's alpha")
    expect(tutor.page.locator("#comparisons")).to_contain_text("kgtutor_vs_fixed")
    tutor.shot("tutor-experiment-report")
    with tutor.page.expect_download() as download:
        tutor.page.get_by_role("button", name="Download CSV").click()
    assert download.value.suggested_filename.endswith(".csv")
