"""The test pages in Debian's chromium against a live server, at desktop and phone sizes: a
tutor sets and publishes a test and reads its results and item plot; students sit a fixed
form (with back), an adaptive test (without) and the placement test offered on first log-in."""

from __future__ import annotations

import re
from collections.abc import Callable

import requests
from playwright.sync_api import Page, expect

from tests.api.assessment_bank import CLASS, TUTOR
from tests.pages.conftest import Tab

PHONE = {"width": 390, "height": 844}


def api_test(live: str, token: str, **body: object) -> dict:
    headers = {"Authorization": f"Bearer {token}"}
    made = requests.post(live + "/tests", json={"class_ids": [CLASS], **body},
                         headers=headers, timeout=10)
    assert made.status_code == 201, made.text
    tid = made.json()["id"]
    assert requests.post(f"{live}/tests/{tid}/publish", headers=headers,
                         timeout=10).status_code == 200
    return made.json()


def answer_all(page: Page, first_option: bool = True) -> int:
    """Answer every question shown until the sitting ends or all are answered; returns how
    many were answered."""
    n = 0
    while page.locator("form.task").count():
        form = page.locator("form.task")
        before = form.get_attribute("data-question")
        form.get_by_role("radio").nth(0 if first_option else 1).check()
        form.get_by_role("button", name=re.compile("^(Answer|Save answer)$")).click()
        n += 1
        expect(page.locator(f'form.task[data-question="{before}"]')).to_have_count(0)
    return n


def test_a_tutor_sets_a_test_students_sit_it_and_the_tutor_reads_the_item_plot(
        tab: Callable[..., Tab], bank: str) -> None:
    tutor = tab()
    tutor.login(TUTOR)
    tutor.page.get_by_role("navigation", name="Main").get_by_role("link", name="Tests").click()
    tutor.page.get_by_role("link", name="New test").click()
    expect(tutor.page.get_by_role("heading", name="New test")).to_be_visible()
    tutor.page.get_by_label("Title").fill("Colours, end of unit")
    tutor.page.get_by_label("Colour class").check()
    tutor.page.get_by_label("KP to pick questions from").select_option(label="Colours: Colour 1")
    tutor.page.locator("#kp-questions input").nth(0).check()
    tutor.page.locator("#kp-questions input").nth(1).check()
    expect(tutor.page.locator("#picked li")).to_have_count(2)
    tutor.page.get_by_role("button", name="Add a row").click()
    tutor.page.get_by_label("Draw from").select_option(label="KP: Colour 5")
    tutor.page.get_by_label("Questions drawn").fill("2")
    tutor.page.get_by_label("Time limit in minutes").fill("10")
    tutor.shot("tutor-new-test")
    tutor.page.get_by_role("button", name="Save as draft").click()
    expect(tutor.page.locator("#status")).to_contain_text("Draft")
    tutor.page.get_by_role("button", name="Publish").click()
    expect(tutor.page.locator("#status")).to_contain_text("Published")
    expect(tutor.page.locator("#status")).to_contain_text("4 questions")
    test_url = tutor.page.url

    for student, size in (("asmt-s1", PHONE), ("asmt-s2", {"width": 1280, "height": 900})):
        s = tab(**size)
        s.login(student)
        s.page.get_by_role("navigation", name="Main").get_by_role("link", name="Tests").click()
        card = s.page.get_by_role("article", name="Colours, end of unit")
        expect(card).to_contain_text("4 questions · 10 min")
        expect(card).to_contain_text("Start")  # a failure shows what the card says instead
        card.get_by_role("link", name="Start").click()
        s.page.get_by_role("button", name="Start").click()
        expect(s.page.get_by_text("Question 1 of 4")).to_be_visible()
        expect(s.page.locator("#time-left")).to_have_text(re.compile(r"Time left: (10:00|9:5\d)"))
        s.page.get_by_role("radio").first.check()
        s.page.get_by_role("button", name="Save answer").click()
        expect(s.page.get_by_text("Question 2 of 4")).to_be_visible()
        expect(s.page.locator("progress")).to_have_attribute("value", "1")
        s.page.get_by_role("button", name="Previous").click()  # a fixed form allows back
        expect(s.page.get_by_text("Question 1 of 4")).to_be_visible()
        expect(s.page.get_by_role("radio").first).to_be_checked()
        s.page.get_by_role("button", name="Question 2").click()
        expect(s.page.get_by_text("Question 2 of 4")).to_be_visible()
        if student == "asmt-s1":
            s.shot("student-test-phone")
        answer_all(s.page, first_option=student == "asmt-s1")
        expect(s.page.get_by_text("Every question is answered")).to_be_visible()
        s.page.get_by_role("button", name="Hand in").click()
        expect(s.page.locator("#result")).to_contain_text(re.compile(r"Your score: \d of 4"))
        assert "correct_answer" not in s.page.content()

    tutor.page.goto(test_url)
    tutor.page.reload()
    expect(tutor.page.locator("#results tbody tr")).to_have_count(2)
    # 2 picked questions and each student's own draw of 2 from Colour 5: 4 to 6 items
    expect(tutor.page.locator("#items tbody tr").first).to_be_visible()
    items = tutor.page.locator("#items tbody tr").count()
    assert 4 <= items <= 6
    expect(tutor.page.locator("#item-plot circle")).to_have_count(items)
    tutor.shot("tutor-item-analysis")
    tutor.page.get_by_role("button", name="Close").click()
    expect(tutor.page.locator("#status")).to_contain_text("Closed")


def test_an_adaptive_test_has_no_way_back_and_ends_by_itself_on_a_phone(
        tab: Callable[..., Tab], bank: str, live: str) -> None:
    test = api_test(live, bank, title="Adaptive colours", form="adaptive",
                    scope_ids=["asmt-ch1", "asmt-ch2"], max_items=5, se_stop=0.05)
    s = tab(**PHONE)
    s.login("asmt-s3")
    expect(s.page.get_by_role("heading", name="Practice")).to_be_visible()
    s.page.goto(f"{s.base}/app/#/tests/{test['id']}")
    expect(s.page.get_by_text("there is no going back")).to_be_visible()
    s.page.get_by_role("button", name="Start").click()
    expect(s.page.get_by_text("Question 1 of 5 at most")).to_be_visible()
    expect(s.page.get_by_role("button", name="Previous")).to_have_count(0)
    expect(s.page.get_by_role("navigation", name="Questions")).to_have_count(0)
    expect(s.page.get_by_role("button", name="Hand in")).to_have_count(0)
    s.shot("student-cat-phone")
    assert answer_all(s.page) == 5
    expect(s.page.locator("#result")).to_contain_text("Your score:")


def test_the_placement_test_is_offered_on_first_log_in_and_then_no_more(
        tab: Callable[..., Tab], bank: str) -> None:
    s = tab()
    s.login("asmt-s4")
    banner = s.page.locator("#placement")
    expect(banner).to_contain_text("New here?")
    banner.get_by_role("link", name="Take the placement test").click()
    expect(s.page.get_by_role("heading", name="Placement")).to_be_visible()
    expect(s.page.get_by_text(re.compile(r"Question 1 of \d+ at most"))).to_be_visible()
    answer_all(s.page)
    expect(s.page.get_by_text("Your practice now starts from where this test placed you")
           ).to_be_visible()
    s.page.get_by_role("link", name="Practise now").click()
    expect(s.page.get_by_role("heading", name="Practice")).to_be_visible()
    expect(s.page.locator("#placement")).to_have_count(0)
    s.page.locator("#tasks button.link").first.click()  # "Why this?"
    expect(s.page.locator("#why-0")).to_be_visible()
