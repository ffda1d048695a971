"""The shipped algebra seed is complete and consistent, and the loader rejects broken copies."""

from __future__ import annotations

import re
import shutil
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
import yaml

from seeds.curriculum import DEFAULT_SEED, FILES, Curriculum, load_curriculum
from tutor.curriculum import ResourceKind, ResourceLevel
from tutor.errors import DataFormatError


@pytest.fixture(scope="module")
def seed() -> Curriculum:
    return load_curriculum(DEFAULT_SEED)


# ------------------------------------------------------------------ the shipped seed

def test_seed_has_the_promised_size(seed: Curriculum) -> None:
    assert len(seed.chapters) >= 5
    assert len(seed.kps) >= 32
    assert len(seed.questions) >= 170
    assert len(seed.resources) >= 60
    assert 1 <= len(seed.tutors) <= 2 and 1 <= len(seed.classes) <= 2
    assert 5 <= len(seed.students) <= 8
    assert 150 <= len(seed.attempts) <= 400
    per_chapter = Counter(k.chapter_id for k in seed.kps)
    assert set(per_chapter) == {c.id for c in seed.chapters}
    assert min(per_chapter.values()) >= 6


def test_ids_are_namespaced_and_sources_set(seed: Curriculum) -> None:
    slug = re.compile(r"^alg-[a-z0-9-]+$")
    ids = [x.id for group in (seed.chapters, seed.kps, seed.questions, seed.resources,
                              seed.students, seed.tutors, seed.classes) for x in group]
    assert all(slug.match(i) for i in ids), [i for i in ids if not slug.match(i)]
    assert len(ids) == len(set(ids))
    for group in (seed.chapters, seed.kps, seed.questions, seed.students, seed.attempts):
        assert {x.source for x in group} == {"seed"}


def test_every_resource_kind_and_level_is_present(seed: Curriculum) -> None:
    assert {r.kind for r in seed.resources} == set(ResourceKind)
    assert {r.level for r in seed.resources} == set(ResourceLevel)
    support = [r for r in seed.resources if r.kind is ResourceKind.SUPPORT]
    assert len(support) >= 3 and all(r.kp_ids == () for r in support)
    assert all(r.url.startswith("https://kgtutor.example/") and r.body.strip()
               for r in seed.resources)


def test_each_chapter_has_a_basic_video_and_a_worked_example(seed: Curriculum) -> None:
    chapter_of = {k.id: k.chapter_id for k in seed.kps}
    for chapter in seed.chapters:
        mine = [r for r in seed.resources if any(chapter_of[k] == chapter.id for k in r.kp_ids)]
        kinds = {(r.kind, r.level) for r in mine}
        assert (ResourceKind.VIDEO, ResourceLevel.BASIC) in kinds, chapter.id
        assert any(kind is ResourceKind.WORKED_EXAMPLE for kind, _ in kinds), chapter.id


def test_videos_say_how_long_they_take(seed: Curriculum) -> None:
    videos = [r for r in seed.resources if r.kind == ResourceKind.VIDEO]
    assert videos and all(r.minutes and 0 < r.minutes < 30 for r in videos)


def test_every_kp_has_questions_and_a_basic_resource(seed: Curriculum) -> None:
    tested = Counter(t.kp_id for t in seed.tests)
    basic = {k for r in seed.resources if r.level is ResourceLevel.BASIC for k in r.kp_ids}
    for kp in seed.kps:
        assert tested[kp.id] >= 4, kp.id
        assert kp.id in basic, kp.id


def test_prerequisites_form_a_dag_with_roots(seed: Curriculum) -> None:
    kp_ids = {k.id for k in seed.kps}
    graph = nx.DiGraph((p.before, p.after) for p in seed.prerequisites)
    assert set(graph.nodes) <= kp_ids
    assert nx.is_directed_acyclic_graph(graph)
    roots = kp_ids - {p.after for p in seed.prerequisites}
    assert 1 <= len(roots) <= 5
    chapter_of = {k.id: k.chapter_id for k in seed.kps}
    assert any(chapter_of[p.before] != chapter_of[p.after] for p in seed.prerequisites)
    assert len(set(seed.prerequisites)) == len(seed.prerequisites)


def test_questions_are_well_formed(seed: Curriculum) -> None:
    for q in seed.questions:
        assert len(q.options) == 4 and len(set(q.options)) == 4, q.id
        assert q.answer in q.options, q.id
        assert q.text.strip() and q.explanation.strip(), q.id
    weights: dict[str, float] = defaultdict(float)
    for t in seed.tests:
        weights[t.question_id] += t.weight
    assert set(weights) == {q.id for q in seed.questions}
    assert all(w == pytest.approx(1.0) for w in weights.values())
    share = Counter(q.level for q in seed.questions)
    n = len(seed.questions)
    assert 0.25 <= share[ResourceLevel.BASIC] / n <= 0.45
    assert 0.35 <= share[ResourceLevel.STANDARD] / n <= 0.55
    assert 0.12 <= share[ResourceLevel.CHALLENGE] / n <= 0.30


def test_classes_and_students(seed: Curriculum) -> None:
    assert all(s.email.endswith("@example.org") for s in seed.students)
    assert {s.id for s in seed.students} == {i for c in seed.classes for i in c.student_ids}
    assert {t.id for t in seed.tutors} == {i for c in seed.classes for i in c.tutor_ids}
    attempted = {a.student_id for a in seed.attempts}
    assert len(attempted) >= len(seed.students) - 2
    assert any(s.id not in attempted for s in seed.students), "a brand-new student is expected"


def test_attempts_are_ordered_and_idempotent(seed: Curriculum) -> None:
    assert len({a.event_id for a in seed.attempts}) == len(seed.attempts)
    by_student: dict[str, list] = defaultdict(list)
    for a in seed.attempts:
        by_student[a.student_id].append(a)
    for student, rows in by_student.items():
        assert [a.seq for a in rows] == list(range(len(rows))), student
        assert [a.ts for a in rows] == sorted(a.ts for a in rows), student
        assert all(a.event_id == f"seed:{student}:{a.seq}" for a in rows)
    first = min(seed.attempts, key=lambda a: a.ts)
    assert datetime(2026, 11, 1, tzinfo=UTC).timestamp() * 1000 <= first.ts
    assert max(a.ts for a in seed.attempts) < datetime(2026, 12, 1, tzinfo=UTC).timestamp() * 1000
    assert all(a.duration_s is not None and a.duration_s > 0 for a in seed.attempts)
    assert load_curriculum(DEFAULT_SEED) == seed  # deterministic: same event ids every load


def test_attempts_follow_prerequisite_order(seed: Curriculum) -> None:
    """A student meets a KP only after having practised each of its prerequisites."""
    kps_of: dict[str, list[str]] = defaultdict(list)
    for t in seed.tests:
        kps_of[t.question_id].append(t.kp_id)
    first_seen: dict[tuple[str, str], int] = {}
    for a in seed.attempts:
        for kp in kps_of[a.question_id]:
            first_seen.setdefault((a.student_id, kp), a.ts)
    for (student, kp), ts in first_seen.items():
        for p in (p for p in seed.prerequisites if p.after == kp):
            assert first_seen.get((student, p.before), ts + 1) <= ts, (student, kp, p.before)


def test_struggling_student_errs_most_on_one_kp(seed: Curriculum) -> None:
    kp_of = {t.question_id: t.kp_id for t in seed.tests}
    stats: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    for a in seed.attempts:
        stats[a.student_id][kp_of[a.question_id]].append(a.correct)
    worst = {s: min(kps.items(), key=lambda kv: sum(kv[1]) / len(kv[1]))
             for s, kps in stats.items()}
    assert any(len(v) >= 6 and sum(v) / len(v) <= 0.4 for _, v in worst.values())


# ------------------------------------------------------------------ broken copies

def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "seed"
    folder.mkdir()
    for name in FILES:
        shutil.copy(DEFAULT_SEED / name, folder / name)
    return folder


def _edit(folder: Path, name: str, change: Callable[[dict[str, Any]], None]) -> None:
    path = folder / name
    doc = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    change(doc)
    path.write_text(yaml.dump(doc, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True),
                    encoding="utf-8")


def _duplicate_question(doc: dict[str, Any]) -> None:
    doc["questions"].append(dict(doc["questions"][0]))


def _duplicate_kp(doc: dict[str, Any]) -> None:
    doc["chapters"][1]["kps"].append(dict(doc["chapters"][0]["kps"][0]))


def _unknown_kp_in_question(doc: dict[str, Any]) -> None:
    doc["questions"][3]["kps"] = ["alg-kp-no-such-thing"]


def _unknown_kp_in_resource(doc: dict[str, Any]) -> None:
    doc["resources"][0]["kps"].append("alg-kp-no-such-thing")


def _unknown_prerequisite(doc: dict[str, Any]) -> None:
    doc["chapters"][0]["kps"][1]["prerequisites"] = ["alg-kp-no-such-thing"]


def _cycle(doc: dict[str, Any]) -> None:
    kps = doc["chapters"][0]["kps"]
    assert kps[1]["prerequisites"] == [kps[0]["id"]]
    kps[0]["prerequisites"] = [kps[1]["id"]]


def _answer_not_in_options(doc: dict[str, Any]) -> None:
    doc["questions"][5]["answer"] = "none of these"


def _bad_kind(doc: dict[str, Any]) -> None:
    doc["resources"][2]["kind"] = "podcast"


def _bad_level(doc: dict[str, Any]) -> None:
    doc["questions"][0]["level"] = "hard"


def _unknown_student(doc: dict[str, Any]) -> None:
    doc["attempts"][0]["student"] = "alg-st-nobody"


def _unknown_question(doc: dict[str, Any]) -> None:
    doc["attempts"][0]["question"] = "alg-q-nothing-01"


def _unknown_tutor(doc: dict[str, Any]) -> None:
    doc["classes"][0]["tutors"] = ["alg-tutor-nobody"]


def _bad_minutes(doc: dict[str, Any]) -> None:
    doc["resources"][0]["minutes"] = "six"


def _bad_timestamp(doc: dict[str, Any]) -> None:
    doc["attempts"][0]["ts"] = "yesterday"


BROKEN = [
    ("questions.yaml", _duplicate_question, r"questions\.yaml: duplicate question id "
                                            r"'alg-q-integers-number-line-01'"),
    ("curriculum.yaml", _duplicate_kp, r"curriculum\.yaml: duplicate KP id "
                                       r"'alg-kp-integers-number-line'"),
    ("questions.yaml", _unknown_kp_in_question, r"questions\.yaml: '[^']+' refers to unknown "
                                                r"KP 'alg-kp-no-such-thing'"),
    ("resources.yaml", _unknown_kp_in_resource, r"resources\.yaml: 'alg-res-[^']+' refers to "
                                                r"unknown KP 'alg-kp-no-such-thing'"),
    ("curriculum.yaml", _unknown_prerequisite, r"curriculum\.yaml: 'alg-kp-absolute-value' "
                                               r"refers to unknown prerequisite KP"),
    ("questions.yaml", _answer_not_in_options, r"questions\.yaml: '[^']+' answer 'none of "
                                               r"these' is not among its options"),
    ("resources.yaml", _bad_kind, r"resources\.yaml: '[^']+' has kind 'podcast', expected one "
                                  r"of video, worked_example"),
    ("questions.yaml", _bad_level, r"questions\.yaml: 'alg-q-integers-number-line-01' has level "
                                   r"'hard'"),
    ("people.yaml", _unknown_student, r"people\.yaml: 'attempt #1' refers to unknown student "
                                      r"'alg-st-nobody'"),
    ("people.yaml", _unknown_question, r"people\.yaml: 'attempt #1' refers to unknown question"),
    ("people.yaml", _unknown_tutor, r"people\.yaml: 'alg-class-9a' refers to unknown tutor"),
    ("people.yaml", _bad_timestamp, r"people\.yaml: attempt #1 has ts 'yesterday'"),
    ("resources.yaml", _bad_minutes, r"resources\.yaml: 'alg-res-video-number-line' field "
                                     r"'minutes' must be a whole number"),
]


@pytest.mark.parametrize(("name", "change", "message"), BROKEN,
                         ids=[c.__name__.strip("_") for _, c, _ in BROKEN])
def test_broken_copy_is_rejected(tmp_path: Path, name: str,
                                 change: Callable[[dict[str, Any]], None], message: str) -> None:
    folder = _copy(tmp_path)
    _edit(folder, name, change)
    with pytest.raises(DataFormatError, match=message):
        load_curriculum(folder)


def test_cycle_is_named(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit(folder, "curriculum.yaml", _cycle)
    with pytest.raises(DataFormatError, match=r"curriculum\.yaml: prerequisite cycle") as err:
        load_curriculum(folder)
    path = re.search(r"cycle (.+?) \(", str(err.value)).group(1).split(" -> ")
    assert path[0] == path[-1]
    assert set(path) == {"alg-kp-integers-number-line", "alg-kp-absolute-value"}


@pytest.mark.parametrize("name", FILES)
def test_missing_file_is_named(tmp_path: Path, name: str) -> None:
    folder = _copy(tmp_path)
    (folder / name).unlink()
    with pytest.raises(DataFormatError, match=rf"{re.escape(name)}: file not found"):
        load_curriculum(folder)


def test_unquoted_yaml_timestamps_are_accepted(tmp_path: Path) -> None:
    """Hand-edited files may leave ts unquoted; YAML then yields a datetime, read as UTC."""
    folder = _copy(tmp_path)
    path = folder / "people.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"ts: '([^']+)'", r"ts: \1", text), encoding="utf-8")
    assert load_curriculum(folder).attempts == load_curriculum(DEFAULT_SEED).attempts
