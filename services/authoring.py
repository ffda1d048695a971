"""Authoring: tutors and admins write the curriculum (chapters, KPs, prerequisites, questions,
resources) through the API and the pages.

* **Who may edit:** a tutor the courses (datasets) of the classes they teach, an admin all.
* **Every change** is recorded (``AuditEntry``: who, when, what) and moves the catalogue's
  cache version (``graph.cache_version``), so every API worker's recommender reads the new
  curriculum within half a second, and the next recommendation uses it.
* Writes of chapters, KPs, questions and resources go through the importers' one write path
  (``graph.ingest``), so an edit and an import store the same thing.
* **Questions** (``tutor.authoring``): editing a question that students answered stores a new
  version (``<id>~v2``...) and retires the old one from practice and tests; its attempts keep
  pointing at it. Without answers a question is edited in place. The level gives the IRT
  difficulty until a refit (``kgtutor train irt``, also daily) has enough answers.
* **Prerequisites:** an edge that would close a cycle is refused (409) naming the cycle, with
  the importers' check; confirming an inferred edge makes it the tutor's.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import asdict, replace
from typing import Any

from datasets import curriculum_json, gift, moodle_xml
from datasets.question_bank import BankQuestion
from graph import authoring as store_
from graph import cache_version, maps
from graph import practice as practice_store
from graph.ingest import GraphData, ingest
from services import calibration
from tutor.access import API_ID, Principal, Role
from tutor.authoring import QuestionDraft, QuestionType, cycle_refusal, version_id
from tutor.curriculum import (
    Chapter,
    KnowledgePoint,
    Prerequisite,
    Question,
    Resource,
    ResourceKind,
    ResourceLevel,
    Tests,
)
from tutor.errors import DataFormatError, InvalidInput, NotAllowed, NotFound, StateConflict
from tutor.ports import GraphStore

SOURCE = "authoring"


def editable(store: GraphStore, who: Principal) -> set[str] | None:
    """The courses the caller may edit; None: every one (admins)."""
    if who.role is Role.ADMIN:
        return None
    if who.role is Role.TUTOR and who.tutor_id:
        return store_.tutor_datasets(store, who.tutor_id)
    return set()


def require_edit(store: GraphStore, who: Principal, dataset: str) -> None:
    allowed = editable(store, who)
    if allowed is not None and dataset not in allowed:
        raise NotAllowed(f"{who.subject!r} does not teach a class of the course {dataset!r}")


# --- chapters and KPs ------------------------------------------------------------------------


def create_chapter(store: GraphStore, who: Principal, chapter: Chapter, dataset: str,
                   now: int) -> Chapter:
    require_edit(store, who, dataset)
    if not maps.chapters(store, dataset):
        raise InvalidInput(f"dataset: no course {dataset!r}")
    _require_new(store, chapter.id)
    ingest(store, GraphData(dataset, chapters=[chapter]))
    _done(store, who, "create chapter", chapter.id, dataset, asdict(chapter), now)
    return chapter


def update_chapter(store: GraphStore, who: Principal, chapter_id: str,
                   changes: dict[str, Any], now: int) -> dict[str, Any]:
    dataset = _dataset(store, chapter_id, "chapter")
    require_edit(store, who, dataset)
    if "archived" in changes:  # first: an archived chapter is not listed below
        store_.set_archived(store, chapter_id, bool(changes["archived"]))
    current = next((c for c in store_.chapters(store, dataset) if c["id"] == chapter_id), None)
    if current is not None and ({"name", "order"} & set(changes)):
        ingest(store, GraphData(dataset, chapters=[Chapter(
            chapter_id, changes.get("name", current["name"]),
            changes.get("order", current["order"]), current["area"], SOURCE)]))
    _done(store, who, "edit chapter", chapter_id, dataset, changes, now)
    return {"id": chapter_id, **changes}


def create_kp(store: GraphStore, who: Principal, kp: KnowledgePoint, now: int
              ) -> KnowledgePoint:
    dataset = _dataset(store, kp.chapter_id, "chapter")
    require_edit(store, who, dataset)
    _require_new(store, kp.id)
    ingest(store, GraphData(dataset, kps=[kp]))
    _done(store, who, "create KP", kp.id, dataset, asdict(kp), now)
    return kp


def update_kp(store: GraphStore, who: Principal, kp_id: str, changes: dict[str, Any],
              now: int) -> dict[str, Any]:
    dataset = _dataset(store, kp_id, "kp")
    require_edit(store, who, dataset)
    if "chapter_id" in changes and _dataset(store, changes["chapter_id"], "chapter") != dataset:
        raise InvalidInput("chapter_id: a KP moves only within its course")
    if "archived" in changes:
        store_.set_archived(store, kp_id, bool(changes["archived"]))
    if {"name", "description", "chapter_id"} & set(changes):
        page = practice_store.kp_page(store, kp_id, 0) or {}
        ingest(store, GraphData(dataset, kps=[KnowledgePoint(
            kp_id, changes.get("name", page.get("name", "")),
            changes.get("chapter_id", page.get("chapter_id", "")),
            changes.get("description", page.get("description", "")), SOURCE)]))
    _done(store, who, "edit KP", kp_id, dataset, changes, now)
    return {"id": kp_id, **changes}


def add_prerequisite(store: GraphStore, who: Principal, before: str, after: str,
                     now: int) -> None:
    """Draw ``before -> after`` (or confirm an inferred one); 409 naming a cycle."""
    dataset = _same_course(store, before, after)
    require_edit(store, who, dataset)
    edges = store_.prerequisite_edges(store, dataset)
    if after not in edges.get(before, []):
        cycle_refusal(edges, before, after)
    store_.add_prerequisite(store, before, after, who.subject)
    _done(store, who, "add prerequisite", f"{before}->{after}", dataset, {}, now)


def remove_prerequisite(store: GraphStore, who: Principal, before: str, after: str,
                        now: int) -> None:
    dataset = _same_course(store, before, after)
    require_edit(store, who, dataset)
    if not store_.remove_prerequisite(store, before, after):
        raise NotFound(f"no prerequisite {before} -> {after}")
    _done(store, who, "remove prerequisite", f"{before}->{after}", dataset, {}, now)


# --- questions and resources -----------------------------------------------------------------


def write_question(store: GraphStore, who: Principal, question_id: str,
                   draft: QuestionDraft, now: int, create: bool) -> dict[str, Any]:
    """Create a question, or edit one: in place while nobody answered it, else as a new
    version (returned with its id) that retires the old one."""
    dataset = _course_of(store, draft.kp_ids)
    require_edit(store, who, dataset)
    if create:
        _require_new(store, question_id)
        base, version, target = question_id, 1, question_id
    else:
        found = store_.question_version(store, question_id)
        if found is None:
            raise NotFound(f"no question {question_id!r}")
        if found["superseded_by"]:
            raise StateConflict(f"{question_id!r} has a newer version: "
                                f"{found['superseded_by']!r}")
        if found["dataset"] != dataset:
            raise InvalidInput("kp_ids: a question stays in its course")
        base, version = found["base_id"], int(found["version"])
        target = question_id
        if found["answers"]:
            version += 1
            target = version_id(base, version)
    ingest(store, GraphData(dataset, questions=[Question(
        target, draft.stem, draft.choices, draft.answer, draft.explanation, draft.level,
        SOURCE)], tests=[Tests(target, k) for k in draft.kp_ids]))
    store_.set_question_meta(store, target, {
        "type": str(draft.type), "tolerance": draft.tolerance, "hints": list(draft.hints),
        "tags": list(draft.tags), "version": version, "base_id": base}, draft.kp_ids)
    if target != question_id:
        store_.supersede(store, question_id, target)
    action = "create question" if create else (
        "new question version" if target != question_id else "edit question")
    _done(store, who, action, target, dataset, {**asdict(draft), "previous":
                                                 None if create else question_id}, now)
    return {"id": target, "version": version, "replaces": None if target == question_id
            else question_id}


def write_resource(store: GraphStore, who: Principal, resource: Resource, now: int,
                   create: bool) -> Resource:
    dataset = _course_of(store, resource.kp_ids)
    require_edit(store, who, dataset)
    if create:
        _require_new(store, resource.id)
    elif (store_.content_kind(store, resource.id) or ("", ""))[0] != "resource":
        raise NotFound(f"no resource {resource.id!r}")
    ingest(store, GraphData(dataset, resources=[resource]))
    _done(store, who, "create resource" if create else "edit resource", resource.id, dataset,
          asdict(resource), now)
    return resource


def export_curriculum(store: GraphStore, who: Principal, dataset: str) -> dict[str, Any]:
    """The course as one JSON document (``datasets.curriculum_json``), answer keys included:
    for the course's editors only."""
    require_edit(store, who, dataset)
    found = store_.curriculum(store, dataset)
    if not found["chapters"]:
        raise NotFound(f"no course {dataset!r}")
    return {"format": curriculum_json.FORMAT, "version": curriculum_json.VERSION,
            "dataset": dataset, **found}


def import_curriculum(store: GraphStore, who: Principal, text: str, now: int
                      ) -> dict[str, int]:
    """Check the whole document first (every problem with its line; nothing is written when
    one is found), then write it through the importers' path: chapters, KPs, prerequisites,
    questions with their versions and weights, resources. Importing it again changes
    nothing. A course that exists may be imported by its editors; a new one by admins."""
    doc = curriculum_json.read(text)
    dataset = doc["dataset"]
    if maps.chapters(store, dataset) or who.role is not Role.ADMIN:
        require_edit(store, who, dataset)
    questions = doc.get("questions", [])
    ingest(store, GraphData(
        dataset,
        chapters=[Chapter(c["id"], c["name"], c.get("order", 0), c.get("area", ""), SOURCE)
                  for c in doc.get("chapters", [])],
        kps=[KnowledgePoint(k["id"], k["name"], k["chapter_id"], k.get("description", ""),
                            SOURCE) for k in doc.get("kps", [])],
        prerequisites=[Prerequisite(p["before"], p["after"], p.get("inferred", False),
                                    p.get("confidence", 1.0))
                       for p in doc.get("prerequisites", [])],
        questions=[Question(q["id"], q["stem"], tuple(q.get("choices", [])),
                            q.get("answer", ""), q.get("explanation", ""),
                            ResourceLevel(q.get("level", "standard")), SOURCE)
                   for q in questions],
        tests=[Tests(q["id"], k) for q in questions for k in q["kp_ids"]],
        resources=[Resource(r["id"], r["title"], ResourceKind(r["kind"]),
                            ResourceLevel(r.get("level", "standard")), tuple(r["kp_ids"]),
                            r.get("url", ""), r.get("body", ""), r.get("minutes"))
                   for r in doc.get("resources", [])]))
    for q in questions:
        store_.set_question_meta(store, q["id"], {
            "type": q.get("type", "choice"), "tolerance": q.get("tolerance", 0.0),
            "hints": q.get("hints", []), "tags": q.get("tags", []),
            "version": q.get("version", 1), "base_id": q.get("base_id", q["id"])},
            q["kp_ids"], q.get("weights"))
        if q.get("superseded_by"):
            store_.supersede(store, q["id"], q["superseded_by"])
    for item in (*doc.get("chapters", []), *doc.get("kps", [])):
        store_.set_archived(store, item["id"], bool(item.get("archived", False)))
    counts = {s: len(doc.get(s, [])) for s in curriculum_json.SECTIONS}
    _done(store, who, "import curriculum", dataset, dataset, counts, now)
    return counts


QUESTION_FORMATS = {"gift": gift, "moodle": moodle_xml}  # each reads and writes BankQuestions


def export_questions(store: GraphStore, who: Principal, dataset: str, fmt: str) -> str:
    """The course's current questions in a bank format (``gift`` or ``moodle`` XML): titles
    are kgtutor's ids, each under the category of the KP it tests most."""
    questions = export_curriculum(store, who, dataset)["questions"]
    return _format(fmt).dump([BankQuestion(
        q["id"], q["stem"], q["type"], q["answer"],
        tuple(q["choices"]) if q["type"] == "choice" else (), q["tolerance"],
        q["explanation"], q["kp_ids"][0] if q["kp_ids"] else "")
        for q in questions if not q["superseded_by"] and q["answer"]])


def import_questions(store: GraphStore, who: Principal, text: str, fmt: str,
                     default_kp: str | None, now: int) -> dict[str, int]:
    """Questions from a bank file: each tests the KP of its category (else ``default_kp``); a
    title that is a question's id edits that question (a new version when it was answered),
    an unchanged one is left as it is. Every question is checked first, errors by line."""
    parsed = _format(fmt).parse(text)
    errors, plan = [], []
    for q in parsed:
        kp = q.category or default_kp or ""
        found = store_.content_kind(store, kp) if kp else None
        if found is None or found[0] != "kp":
            errors.append(f"line {q.line}: no KP {kp!r} to put the question on "
                          "(its category or the default KP)")
            continue
        qid = q.title if q.title and API_ID.match(q.title) else "bank-" + hashlib.blake2b(
            f"{q.stem}|{q.answer}".encode(), digest_size=6).hexdigest()
        try:
            draft = QuestionDraft(q.stem, QuestionType(q.type), q.answer, (kp,), q.choices,
                                  q.tolerance, q.explanation)
        except InvalidInput as e:
            errors.append(f"line {q.line}: {e}")
            continue
        plan.append((qid, draft, found[1]))
    if errors:
        raise DataFormatError("; ".join(errors[:20]))
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    current: dict[str, dict[str, dict]] = {}
    for qid, draft, dataset in plan:
        if dataset not in current:
            current[dataset] = {q["id"]: q for q in store_.curriculum(store, dataset)[
                "questions"]}
        now_q = current[dataset].get(qid)
        if now_q is None:
            write_question(store, who, qid, draft, now, create=True)
            counts["created"] += 1
        elif _same(now_q, draft):
            counts["unchanged"] += 1
        else:
            level = ResourceLevel(now_q["level"])
            write_question(store, who, qid, replace(draft, level=level), now, create=False)
            counts["updated"] += 1
    return counts


def _format(fmt: str) -> Any:
    if fmt not in QUESTION_FORMATS:
        raise InvalidInput(f"format: one of {', '.join(QUESTION_FORMATS)}")
    return QUESTION_FORMATS[fmt]


def _same(stored: dict[str, Any], draft: QuestionDraft) -> bool:
    return (stored["stem"], stored["type"], stored["answer"], tuple(stored["choices"]),
            float(stored["tolerance"]), stored["explanation"], stored["kp_ids"][:1]) == (
        draft.stem, str(draft.type), draft.answer, draft.choices, draft.tolerance,
        draft.explanation, list(draft.kp_ids))


def refit_irt(store: GraphStore, who: Principal, dataset: str, now: int) -> dict[str, Any]:
    """Refit the course's IRT now, for its editors (``services.calibration``); audited."""
    require_edit(store, who, dataset)
    done = calibration.refit(store, dataset, now)
    _done(store, who, "refit irt", dataset, dataset, done, now)
    return done


def calibration_state(store: GraphStore, who: Principal, dataset: str) -> dict[str, Any]:
    require_edit(store, who, dataset)
    found = calibration.state(store, dataset)
    return found[0] if found else {"dataset": dataset, "answers": 0, "fitted_answers": None,
                                   "fitted_at": None, "fitted_questions": None, "due": False}


def audit_trail(store: GraphStore, who: Principal, skip: int, limit: int) -> list[dict]:
    """The changes to the courses the caller may edit, newest first."""
    allowed = editable(store, who)
    rows = store_.audit_trail(store, None if allowed is None else sorted(allowed), skip, limit)
    return [{**r, "details": json.loads(r["details"] or "{}")} for r in rows]


def resource_kind(kind: str) -> ResourceKind:
    """The issue's kinds (video, document, link, text) on the stored ones."""
    return {"document": ResourceKind.READING, "link": ResourceKind.READING,
            "text": ResourceKind.READING}.get(kind) or ResourceKind(kind)


# --- inside ----------------------------------------------------------------------------------


def _dataset(store: GraphStore, item_id: str, kind: str) -> str:
    found = store_.content_kind(store, item_id)
    if found is None or found[0] != kind:
        raise NotFound(f"no {kind.replace('kp', 'KP')} {item_id!r}")
    return found[1]


def _course_of(store: GraphStore, kp_ids: tuple[str, ...]) -> str:
    datasets = {_dataset(store, k, "kp") for k in kp_ids}
    if len(datasets) != 1:
        raise InvalidInput("kp_ids: the KPs of one course")
    return datasets.pop()


def _same_course(store: GraphStore, before: str, after: str) -> str:
    a, b = _dataset(store, before, "kp"), _dataset(store, after, "kp")
    if a != b:
        raise InvalidInput("a prerequisite links two KPs of one course")
    return a


def _require_new(store: GraphStore, item_id: str) -> None:
    if store_.content_kind(store, item_id) is not None:
        raise StateConflict(f"the id {item_id!r} is taken")


def _done(store: GraphStore, who: Principal, action: str, target: str, dataset: str,
          details: dict[str, Any], now: int) -> None:
    store_.audit(store, {"id": uuid.uuid4().hex, "ts": now, "who": who.subject,
                         "action": action, "target": target, "dataset": dataset,
                         "details": json.dumps(details, default=str, sort_keys=True)})
    cache_version.bump(store)  # every worker's catalogue: the next plan sees the change

