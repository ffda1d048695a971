"""Load a seed curriculum folder (YAML) into kgtutor's domain types.

Pure on purpose: it only reads and validates files, so the seed can be checked in unit tests
without a graph; ``graph.ingest`` writes the result. A folder holds ``curriculum.yaml``
(course, chapters, KPs, prerequisites), ``questions.yaml``, ``resources.yaml`` and
``people.yaml`` (tutors, classes, students, attempts); see ``seeds/algebra`` for the format.
Every problem raises ``DataFormatError`` naming the file and the offending id.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

import yaml

from tutor.curriculum import (
    Chapter,
    KnowledgePoint,
    Prerequisite,
    Question,
    Resource,
    ResourceKind,
    ResourceLevel,
    Tests,
    find_cycle,
)
from tutor.errors import DataFormatError
from tutor.mastery import Attempt
from tutor.roster import SchoolClass, Student, Tutor

DEFAULT_SEED = Path(__file__).parent / "algebra"
SOURCE = "seed"
FILES = ("curriculum.yaml", "questions.yaml", "resources.yaml", "people.yaml")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ~10x faster
_REQUIRED = object()
E = TypeVar("E", bound=StrEnum)
Item = dict[str, Any]


@dataclass(frozen=True)
class Curriculum:
    """Everything one seed folder holds, as domain objects ready for ``graph.ingest``."""

    chapters: tuple[Chapter, ...]
    kps: tuple[KnowledgePoint, ...]
    prerequisites: tuple[Prerequisite, ...]
    questions: tuple[Question, ...]
    tests: tuple[Tests, ...]
    resources: tuple[Resource, ...]
    tutors: tuple[Tutor, ...]
    classes: tuple[SchoolClass, ...]
    students: tuple[Student, ...]
    attempts: tuple[Attempt, ...]


def load_curriculum(folder: Path = DEFAULT_SEED) -> Curriculum:
    """Read and cross-check the four files; nothing partial is returned on an error."""
    folder = Path(folder)
    docs = {name: _read(folder / name) for name in FILES}
    chapters, kps, prereqs = _curriculum(docs["curriculum.yaml"])
    kp_ids = {k.id for k in kps}
    questions, tests = _questions(docs["questions.yaml"], kp_ids)
    resources = _resources(docs["resources.yaml"], kp_ids)
    tutors, classes, students, attempts = _people(docs["people.yaml"],
                                                  {q.id for q in questions})
    return Curriculum(chapters, kps, prereqs, questions, tests, resources, tutors, classes,
                      students, attempts)


# ------------------------------------------------------------------ files and fields

def _read(path: Path) -> dict[str, Any]:
    """One YAML file as a mapping; a missing or malformed file is a DataFormatError."""
    if not path.is_file():
        raise DataFormatError(f"{path.name}: file not found in {path.parent}")
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)  # a safe loader
    except yaml.YAMLError as e:
        raise DataFormatError(f"{path.name}: not valid YAML: {e}") from e
    if not isinstance(doc, dict):
        raise DataFormatError(f"{path.name}: expected a mapping at the top level")
    return doc


def _records(doc: Mapping[str, Any], key: str, file: str) -> list[Item]:
    """The list under ``key`` (absent means empty); each entry must be a mapping."""
    items = doc.get(key) or []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise DataFormatError(f"{file}: '{key}' must be a list of mappings")
    return items


def _label(item: Item) -> str:
    return f"'{item['id']}'" if item.get("id") is not None else "an entry without id"


def _get(item: Item, key: str, file: str, default: Any = _REQUIRED) -> Any:
    """A field of an entry; required unless a default is given."""
    value = item.get(key)
    if value is not None:
        return value
    if default is _REQUIRED:
        raise DataFormatError(f"{file}: {_label(item)} has no '{key}'")
    return default


def _str_list(item: Item, key: str, file: str) -> tuple[str, ...]:
    """A list of strings (ids or option texts); scalars are read as their text."""
    value = _get(item, key, file, [])
    if not isinstance(value, list) or any(isinstance(v, (dict, list)) for v in value):
        raise DataFormatError(f"{file}: {_label(item)} field '{key}' must be a list")
    return tuple(str(v) for v in value)


def _enum(cls: type[E], value: Any, file: str, item: Item, key: str) -> E:
    try:
        return cls(value)
    except ValueError:
        allowed = ", ".join(m.value for m in cls)
        raise DataFormatError(f"{file}: {_label(item)} has {key} '{value}', expected one of "
                              f"{allowed}") from None


def _unique(ids: Iterable[str], file: str, what: str) -> None:
    dup = [i for i, n in Counter(ids).items() if n > 1]
    if dup:
        raise DataFormatError(f"{file}: duplicate {what} id '{dup[0]}'")


def _known(refs: Iterable[str], known: set[str], file: str, item: Item, what: str) -> None:
    for ref in refs:
        if ref not in known:
            raise DataFormatError(f"{file}: {_label(item)} refers to unknown {what} '{ref}'")


# ------------------------------------------------------------------ curriculum.yaml

def _curriculum(doc: Mapping[str, Any]
                ) -> tuple[tuple[Chapter, ...], tuple[KnowledgePoint, ...],
                           tuple[Prerequisite, ...]]:
    """Chapters with their nested KPs; the course name becomes the chapters' ``area``."""
    file = "curriculum.yaml"
    course = doc.get("course") or {}
    area = str(course.get("name", "")) if isinstance(course, dict) else ""
    raw_chapters = _records(doc, "chapters", file)
    _unique((str(_get(c, "id", file)) for c in raw_chapters), file, "chapter")
    chapters, kps, needs = [], [], {}
    for n, c in enumerate(raw_chapters, 1):
        cid, order = str(c["id"]), _get(c, "order", file, n)
        if not isinstance(order, int):
            raise DataFormatError(f"{file}: {_label(c)} has a non-integer order '{order}'")
        chapters.append(Chapter(cid, str(_get(c, "name", file)), order, area, SOURCE))
        for k in _records(c, "kps", file):
            kid = str(_get(k, "id", file))
            kps.append(KnowledgePoint(kid, str(_get(k, "name", file)), cid,
                                      str(_get(k, "description", file, "")), SOURCE))
            needs[kid] = (k, _str_list(k, "prerequisites", file))
    _unique((k.id for k in kps), file, "KP")
    for k, pre in needs.values():
        _known(pre, set(needs), file, k, "prerequisite KP")
    edges = {kid: [] for kid in needs}
    for kid, (_, pre) in needs.items():
        for before in dict.fromkeys(pre):
            edges[before].append(kid)
    cycle = find_cycle(edges)
    if cycle:
        raise DataFormatError(f"{file}: prerequisite cycle {' -> '.join(cycle)} "
                              "(each KP is a prerequisite of the next)")
    prereqs = tuple(Prerequisite(b, a) for b, afters in edges.items() for a in afters)
    return tuple(chapters), tuple(kps), prereqs


# ------------------------------------------------------------------ questions.yaml

def _questions(doc: Mapping[str, Any], kp_ids: set[str]
               ) -> tuple[tuple[Question, ...], tuple[Tests, ...]]:
    """Questions and their TESTS edges; a question's KP weights sum to 1."""
    file = "questions.yaml"
    raw = _records(doc, "questions", file)
    _unique((str(_get(q, "id", file)) for q in raw), file, "question")
    questions, tests = [], []
    for q in raw:
        kps = _str_list(q, "kps", file)
        if not kps:
            raise DataFormatError(f"{file}: {_label(q)} tests no KP ('kps' is empty)")
        _known(kps, kp_ids, file, q, "KP")
        questions.append(_question(q, file))
        tests += [Tests(questions[-1].id, k, 1 / len(kps)) for k in dict.fromkeys(kps)]
    return tuple(questions), tuple(tests)


def _question(q: Item, file: str) -> Question:
    options = _str_list(q, "options", file)
    answer = str(_get(q, "answer", file))
    if len(set(options)) != len(options):
        raise DataFormatError(f"{file}: {_label(q)} has duplicate options")
    if options and answer not in options:
        raise DataFormatError(f"{file}: {_label(q)} answer '{answer}' is not among its options")
    level = _enum(ResourceLevel, _get(q, "level", file, "standard"), file, q, "level")
    return Question(str(q["id"]), str(_get(q, "text", file)), options, answer,
                    str(_get(q, "explanation", file, "")), level, SOURCE)


# ------------------------------------------------------------------ resources.yaml

def _resources(doc: Mapping[str, Any], kp_ids: set[str]) -> tuple[Resource, ...]:
    """Resources; an empty ``kps`` list marks a general support resource."""
    file = "resources.yaml"
    raw = _records(doc, "resources", file)
    _unique((str(_get(r, "id", file)) for r in raw), file, "resource")
    out = []
    for r in raw:
        kps = _str_list(r, "kps", file)
        _known(kps, kp_ids, file, r, "KP")
        out.append(Resource(str(r["id"]), str(_get(r, "title", file)),
                            _enum(ResourceKind, _get(r, "kind", file), file, r, "kind"),
                            _enum(ResourceLevel, _get(r, "level", file), file, r, "level"),
                            kps, str(_get(r, "url", file, "")), str(_get(r, "body", file, "")),
                            _minutes(r, file)))
    return tuple(out)


# ------------------------------------------------------------------ people.yaml

def _people(doc: Mapping[str, Any], question_ids: set[str]
            ) -> tuple[tuple[Tutor, ...], tuple[SchoolClass, ...], tuple[Student, ...],
                       tuple[Attempt, ...]]:
    file = "people.yaml"
    raw_tutors, raw_students = _records(doc, "tutors", file), _records(doc, "students", file)
    _unique((str(_get(t, "id", file)) for t in raw_tutors), file, "tutor")
    _unique((str(_get(s, "id", file)) for s in raw_students), file, "student")
    tutors = tuple(Tutor(str(t["id"]), str(_get(t, "name", file)), str(_get(t, "email", file, "")))
                   for t in raw_tutors)
    students = tuple(Student(str(s["id"]), str(_get(s, "name", file, "")),
                             str(_get(s, "email", file, "")),
                             _bool(s, "affect_consent", file, False), SOURCE)
                     for s in raw_students)
    student_ids = {s.id for s in students}
    classes = _classes(_records(doc, "classes", file), {t.id for t in tutors}, student_ids)
    attempts = _attempts(_records(doc, "attempts", file), student_ids, question_ids)
    return tutors, classes, students, attempts


def _classes(raw: list[Item], tutor_ids: set[str], student_ids: set[str]
             ) -> tuple[SchoolClass, ...]:
    file = "people.yaml"
    _unique((str(_get(c, "id", file)) for c in raw), file, "class")
    out = []
    for c in raw:
        tutors, students = _str_list(c, "tutors", file), _str_list(c, "students", file)
        _known(tutors, tutor_ids, file, c, "tutor")
        _known(students, student_ids, file, c, "student")
        out.append(SchoolClass(str(c["id"]), str(_get(c, "name", file)), tutors, students))
    return tuple(out)


def _attempts(raw: list[Item], student_ids: set[str], question_ids: set[str]
              ) -> tuple[Attempt, ...]:
    """Attempts in time order; ``seq`` counts within each student, so event ids are stable."""
    file = "people.yaml"
    rows = []
    for n, a in enumerate(raw):
        where = {"id": f"attempt #{n + 1}"}
        student, question = str(_get(a, "student", file)), str(_get(a, "question", file))
        _known([student], student_ids, file, where, "student")
        _known([question], question_ids, file, where, "question")
        duration = _get(a, "duration_s", file, None)
        if duration is not None and not isinstance(duration, (int, float)):
            raise DataFormatError(f"{file}: attempt #{n + 1} has a non-numeric duration_s")
        rows.append((_epoch_ms(_get(a, "ts", file), file, n), student, question,
                     _bool({**a, **where}, "correct", file), duration))
    rows.sort(key=lambda r: r[0])  # stable: equal times keep file order
    seqs: Counter[str] = Counter()
    out = []
    for ts, student, question, correct, duration in rows:
        seq = seqs[student]
        seqs[student] += 1
        out.append(Attempt(f"{SOURCE}:{student}:{seq}", student, question, correct, ts, seq,
                           None if duration is None else float(duration), SOURCE))
    return tuple(out)


def _bool(item: Item, key: str, file: str, default: Any = _REQUIRED) -> bool:
    value = _get(item, key, file, default)
    if not isinstance(value, bool):
        raise DataFormatError(f"{file}: {_label(item)} field '{key}' must be true or false")
    return value


def _epoch_ms(value: Any, file: str, n: int) -> int:
    """ISO-8601 text (or a YAML timestamp) to epoch milliseconds; no zone means UTC."""
    parsed = value
    if isinstance(value, str):
        with suppress(ValueError):
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if not isinstance(parsed, datetime):
        raise DataFormatError(f"{file}: attempt #{n + 1} has ts {value!r}, expected an "
                              "ISO-8601 date-time such as 2026-11-02T16:05:00Z")
    value = parsed
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return (value - _EPOCH) // timedelta(milliseconds=1)


def _minutes(item: Item, file: str) -> int | None:
    """A resource's optional estimated minutes: a whole number, 0 or more."""
    value = item.get("minutes")
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                              or value < 0):
        raise DataFormatError(f"{file}: {_label(item)} field 'minutes' must be a whole "
                              "number, 0 or more")
    return value
