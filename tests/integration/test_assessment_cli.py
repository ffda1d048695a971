"""`kgtutor tests ...` on a seeded graph: a test a tutor drafted is published, listed, sat
through the service, and its results read back, as text and as JSON; bad ids are one line."""

from __future__ import annotations

import json
from pathlib import Path

from cli.common import store_for
from services import assessment as service
from services.settings import Settings
from tests.integration.conftest import run
from tutor.assessment import Assessment, Form

NOW = 1_800_000_000_000


def test_the_life_cycle_and_results_from_the_command_line(seeded_var: Path) -> None:
    with store_for(Settings(var_dir=seeded_var)) as store:
        questions = [q["id"] for q in store.read("rec_questions", {"dataset": "seed"})][:2]
        test = service.create(store, Assessment(
            "cli-quiz", "CLI quiz", Form.FIXED, "", "alg-tutor-hpark", NOW,
            class_ids=("alg-class-9a",), question_ids=tuple(questions)), NOW)
    assert test.dataset == "seed"
    published = run(seeded_var, "tests", "publish", "cli-quiz")
    assert published.exit_code == 0 and "cli-quiz: published" in published.output
    listed = run(seeded_var, "tests", "list")
    assert "cli-quiz  published fixed" in listed.output and "alg-class-9a" in listed.output
    with store_for(Settings(var_dir=seeded_var)) as store:
        now = NOW + 1000
        service.start(store, "cli-quiz", "alg-st-amara", now)
        key = store.read("question_key", {"question_id": questions[0]})[0]["answer"]
        service.answer(store, "cli-quiz", "alg-st-amara", questions[0], key, now)
        service.finish(store, "cli-quiz", "alg-st-amara", now)
    text = run(seeded_var, "tests", "results", "cli-quiz")
    assert text.exit_code == 0 and "alg-st-amara" in text.output and "1/2 (50.0%)" in text.output
    data = json.loads(run(seeded_var, "tests", "results", "cli-quiz", "--json").output)
    assert [s["score"]["right"] for s in data["students"]] == [1]
    assert {i["question_id"] for i in data["items"]} == set(questions)
    assert run(seeded_var, "tests", "close", "cli-quiz").output.strip() == "cli-quiz: closed"
    shown = json.loads(run(seeded_var, "tests", "show", "cli-quiz").output)
    assert shown["status"] == "closed" and shown["question_ids"] == questions
    missing = run(seeded_var, "tests", "publish", "no-such-test")
    assert missing.exit_code == 1 and missing.output.count("\n") == 1
    assert "no test 'no-such-test'" in missing.output and "Traceback" not in missing.output
    wrong = run(seeded_var, "tests", "archive", "cli-quiz")
    assert wrong.exit_code == 0  # closed -> archived is allowed
    again = run(seeded_var, "tests", "reopen", "cli-quiz")
    assert again.exit_code == 1 and "cannot be reopened" in again.output
