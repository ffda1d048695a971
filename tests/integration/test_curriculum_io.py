"""The curriculum as one JSON document on the real graph: the demo course exported, imported
into an empty graph and exported again is the same document; a malformed file is refused with
line-numbered errors and changes nothing; questions with unicode, math and Markdown survive."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli.common import store_for
from datasets import curriculum_json, gift, moodle_xml
from graph.falkordb_store import FalkorStore
from services import authoring
from services.settings import Settings
from tests.integration.conftest import run
from tutor.access import Principal, Role

ADMIN = Principal("test-admin", Role.ADMIN)


def test_the_demo_course_round_trips_through_an_empty_graph(seeded_var: Path, empty_var: Path,
                                                            tmp_path: Path) -> None:
    first, second = tmp_path / "seed.json", tmp_path / "again.json"
    out = run(seeded_var, "curriculum", "export", "--dataset", "seed", "--out", str(first))
    assert out.exit_code == 0, out.output
    doc = json.loads(first.read_text())
    assert len(doc["questions"]) == 238 and len(doc["resources"]) > 50
    assert all(q["answer"] for q in doc["questions"])  # the keys travel with the document
    imported = run(empty_var, "curriculum", "import", str(first))
    assert imported.exit_code == 0, imported.output
    assert "238 questions" in imported.output
    assert run(empty_var, "curriculum", "export", "--dataset", "seed", "--out",
               str(second)).exit_code == 0
    assert json.loads(second.read_text()) == doc  # no loss
    again = run(empty_var, "curriculum", "import", str(first))  # idempotent
    assert again.exit_code == 0
    assert run(empty_var, "curriculum", "export", "--dataset", "seed", "--out",
               str(second)).exit_code == 0
    assert json.loads(second.read_text()) == doc


def test_a_malformed_document_names_its_lines_and_changes_nothing(seeded_var: Path,
                                                                  tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    run(seeded_var, "curriculum", "export", "--dataset", "seed", "--out", str(good))
    doc = json.loads(good.read_text())
    doc["kps"][2]["chapter_id"] = "no-such-chapter"
    doc["questions"][5]["kp_ids"] = []
    doc["prerequisites"].append({"before": doc["kps"][1]["id"], "after": doc["kps"][0]["id"]})
    doc["prerequisites"].append({"before": doc["kps"][0]["id"], "after": doc["kps"][1]["id"]})
    doc["chapters"][0]["name"] = "Renamed, but never written"
    bad = tmp_path / "bad.json"
    text = curriculum_json.dump(doc)
    bad.write_text(text)
    lines = text.splitlines()
    kp_line = next(i for i, line in enumerate(lines, 1) if '"no-such-chapter"' in line)
    out = run(seeded_var, "curriculum", "import", str(bad))
    assert out.exit_code == 1 and out.output.count("\n") == 1, out.output
    assert "kps[2].chapter_id: no chapter 'no-such-chapter'" in out.output
    item_line = int(out.output.split("kps[2]")[0].rsplit("line ", 1)[1].split(":")[0])
    assert item_line <= kp_line <= item_line + 6  # the line of the KP's entry
    assert "questions[5].kp_ids: a non-empty list of ids" in out.output
    assert "a cycle" in out.output
    with store_for(Settings(var_dir=seeded_var)) as store:
        names = {c["id"]: c["name"] for c in store.read("export_chapters",
                                                        {"dataset": "seed"})}
    assert names[doc["chapters"][0]["id"]] != "Renamed, but never written"
    broken = tmp_path / "broken.json"
    broken.write_text(text.replace('"format"', '"format" "', 1))
    assert "line 2: not JSON" in run(seeded_var, "curriculum", "import", str(broken)).output


# NUL is refused by the readers (the graph's client cuts parameters at it): tested below
STEMS = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                min_size=1, max_size=80).map(
    lambda t: f"**{t}** — what is $\\frac{{1}}{{2}} + x^2$? `code` é ∑ 🎨")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(STEMS, min_size=1, max_size=4))
def test_question_text_with_unicode_math_and_markdown_survives(embedded, stems: list[str]
                                                               ) -> None:
    store = FalkorStore(embedded.client(), "curriculum_io")
    store.clear()
    store.ensure_schema()
    doc = {"format": "kgtutor-curriculum", "version": 1, "dataset": "hyp",
           "chapters": [{"id": "h-ch", "name": "Ch", "order": 1, "area": "",
                         "archived": False}],
           "kps": [{"id": "h-k", "name": "K", "chapter_id": "h-ch", "description": "",
                    "archived": False}],
           "prerequisites": [],
           "questions": [{"id": f"h-q{i}", "stem": stem, "type": "short", "choices": [],
                          "answer": stem[:10], "tolerance": 0.0, "explanation": stem,
                          "hints": [stem], "level": "basic", "tags": ["ü"],
                          "kp_ids": ["h-k"], "weights": [1.0], "version": 1,
                          "base_id": f"h-q{i}", "superseded_by": None}
                         for i, stem in enumerate(stems)],
           "resources": []}
    authoring.import_curriculum(store, ADMIN, curriculum_json.dump(doc), 1)
    back = authoring.export_curriculum(store, ADMIN, "hyp")
    assert back["questions"] == doc["questions"]


def test_the_demo_questions_round_trip_through_gift(seeded_var: Path, tmp_path: Path) -> None:
    out = tmp_path / "seed.gift"
    assert run(seeded_var, "curriculum", "questions-export", "--dataset", "seed", "--out",
               str(out)).exit_code == 0
    questions = gift.parse(out.read_text())
    with store_for(Settings(var_dir=seeded_var)) as store:
        stored = {q["id"]: q for q in store.read("export_questions", {"dataset": "seed"})}
    assert len(questions) == 238
    for q in questions:
        s = stored[q.title]
        assert (q.stem, q.type, q.answer, list(q.choices), q.explanation, q.category) == (
            s["stem"], s["type"], s["answer"], s["choices"], s["explanation"], s["kp_ids"][0])
    again = run(seeded_var, "curriculum", "questions-import", str(out))
    assert again.exit_code == 0 and "created: 0, updated: 0, unchanged: 238" in again.output
    new = tmp_path / "new.gift"
    new.write_text("$CATEGORY: alg-kp-exponents\n\n::gift-new-1:: What is $2^3$? {#8}\n\n"
                   "Colour of the sky? {=blue =Blue}\n")
    made = run(seeded_var, "curriculum", "questions-import", str(new))
    assert "created: 2" in made.output, made.output
    bad = tmp_path / "bad.gift"
    bad.write_text("::gift-new-2:: Fine {=a ~b}\n\n::gift-new-3:: Broken {~a ~b}\n")
    refused = run(seeded_var, "curriculum", "questions-import", str(bad), "--kp",
                  "alg-kp-exponents")
    assert refused.exit_code == 1 and "line 3: no right answer" in refused.output
    with store_for(Settings(var_dir=seeded_var)) as store:
        assert store.read("question_facts", {"ids": ["gift-new-2"]}) == []  # nothing written


def test_the_demo_questions_round_trip_through_moodle_xml(seeded_var: Path,
                                                          tmp_path: Path) -> None:
    out = tmp_path / "seed.xml"
    assert run(seeded_var, "curriculum", "questions-export", "--format", "moodle",
               "--dataset", "seed", "--out", str(out)).exit_code == 0
    questions = moodle_xml.parse(out.read_text())
    with store_for(Settings(var_dir=seeded_var)) as store:
        stored = {q["id"]: q for q in store.read("export_questions", {"dataset": "seed"})
                  if not q["superseded_by"]}
    seed = [q for q in questions if q.title.startswith("alg-")]
    assert len(seed) == 238
    for q in seed:
        s = stored[q.title]
        assert (q.stem, q.type, q.answer, list(q.choices), q.explanation, q.category) == (
            s["stem"], s["type"], s["answer"], s["choices"], s["explanation"], s["kp_ids"][0])
    again = run(seeded_var, "curriculum", "questions-import", "--format", "moodle", str(out))
    assert again.exit_code == 0 and "created: 0, updated: 0" in again.output, again.output
    bad = tmp_path / "bad.xml"
    bad.write_text('<?xml version="1.0"?>\n<quiz>\n<question type="essay">\n'
                   "<questiontext><text>Write</text></questiontext>\n</question>\n</quiz>\n")
    refused = run(seeded_var, "curriculum", "questions-import", "--format", "moodle", str(bad),
                  "--kp", "alg-kp-exponents")
    assert refused.exit_code == 1 and "line 3: question type 'essay'" in refused.output
    broken = tmp_path / "broken.xml"
    broken.write_text("<quiz>\n<question>\n</quiz>\n")
    assert "line 3: not XML" in run(seeded_var, "curriculum", "questions-import", "--format",
                                    "moodle", str(broken)).output


def test_nul_characters_are_refused_by_line_before_anything_is_written() -> None:
    import pytest

    from tutor.errors import DataFormatError

    with pytest.raises(DataFormatError, match="line 2: NUL"):
        curriculum_json.read('{"format": "kgtutor-curriculum",\n"x": "a\\u0000b"}')
    with pytest.raises(DataFormatError, match="line 3: NUL"):
        gift.parse("::a:: fine {=x ~y}\n\n::b:: bad\x00 {=x ~y}\n")
    with pytest.raises(DataFormatError, match="line 1: NUL"):
        moodle_xml.parse("<quiz>\x00</quiz>")
