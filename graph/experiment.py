"""Experiments in the graph: an ``Experiment`` node ``ON`` its classes, an ``ENROLLED`` edge
from each student (consent, withdrawal, and from the start their arm, stratum and pre-test
score), and a ``QuestionnaireResponse`` node per student that answered (it names its student
by property, so the export and the erasure find it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tutor.experiment import Experiment, Phase
from tutor.ports import GraphStore, Row


def save(store: GraphStore, x: Experiment, expected: int, now: int) -> bool:
    """Store ``x`` (its ``version`` is the new one) if the stored one is at ``expected``."""
    return bool(store.write("save_experiment", {
        "id": x.id, "expected": expected, "now": now, "class_ids": list(x.class_ids),
        "props": {"id": x.id, "name": x.name, "hypothesis": x.hypothesis,
                  "arms": list(x.arms), "pre_test_id": x.pre_test_id,
                  "post_test_id": x.post_test_id, "created_by": x.created_by,
                  "created_at": x.created_at, "questionnaire": list(x.questionnaire),
                  "starts_at": x.starts_at, "ends_at": x.ends_at, "budget": x.budget,
                  "seed": x.seed, "strata": x.strata, "phase": str(x.phase),
                  "version": x.version}}))


def get(store: GraphStore, experiment_id: str) -> Experiment | None:
    rows = store.read("get_experiment", {"id": experiment_id})
    return _experiment(rows[0]["props"], rows[0]["class_ids"]) if rows else None


def listed(store: GraphStore, tutor_id: str, tenant: str) -> list[Experiment]:
    rows = store.read("list_experiments", {"tutor_id": tutor_id, "tenant": tenant})
    return [_experiment(r["props"], r["class_ids"]) for r in rows]


def members(store: GraphStore, experiment_id: str) -> list[str]:
    """The students of the experiment's classes."""
    return [r["student_id"] for r in store.read("experiment_members", {"id": experiment_id})]


def enrol(store: GraphStore, experiment_id: str, rows: Sequence[Mapping[str, Any]],
          now: int) -> int:
    """Give students their arm (``student_id, arm, stratum, pre``); an arm never changes."""
    found = store.write("enrol_students", {"id": experiment_id, "rows": list(rows),
                                           "now": now})
    return int(found[0]["n"]) if found else 0


def set_consent(store: GraphStore, experiment_id: str, student_id: str, consent: bool,
                now: int) -> Row | None:
    """Record consent (a withdrawal once consented); None when not a student of it."""
    rows = store.write("set_experiment_consent", {"id": experiment_id,
                                                  "student_id": student_id,
                                                  "consent": consent, "now": now})
    return rows[0] if rows else None


def of_student(store: GraphStore, student_id: str) -> list[tuple[Experiment, Row]]:
    """The experiments of the student's classes with their own consent and answers (never
    their arm: students are blind to it)."""
    rows = store.read("student_experiments", {"student_id": student_id})
    return [(_experiment(r["props"], r["class_ids"]), {"consent": r["consent"],
                                           "withdrawn_at": r["withdrawn_at"],
                                           "answers": r["answers"]}) for r in rows]


def save_answers(store: GraphStore, experiment_id: str, student_id: str,
                 answers: Sequence[int], now: int) -> tuple[list[int], bool] | None:
    """Store the questionnaire's answers once; (the stored ones, whether this call stored
    them), or None when the student is not enrolled."""
    rows = store.write("save_questionnaire", {
        "id": f"{experiment_id}|{student_id}", "experiment_id": experiment_id,
        "student_id": student_id, "answers": list(answers), "now": now})
    return ([int(a) for a in rows[0]["answers"]], bool(rows[0]["created"])) if rows else None


def control_students(store: GraphStore, student_ids: Sequence[str], adaptive: str) -> set[str]:
    """The students among these in a control arm of a running experiment."""
    rows = store.read("control_arm_students", {"ids": list(student_ids),
                                                "adaptive": adaptive})
    return {r["id"] for r in rows}


def outcomes(store: GraphStore, experiment_id: str, since: int, until: int,
             tau: float) -> list[Row]:
    """Per enrolled student: arm, consent, practice answers and seconds in [since, until],
    chapters and chapters completed, questionnaire answers."""
    return store.read("experiment_outcomes", {"id": experiment_id, "from": since,
                                              "to": until, "tau": tau})


def _experiment(p: Row, class_ids: Sequence[str]) -> Experiment:
    return Experiment(
        p["id"], p["name"], p.get("hypothesis") or "", tuple(class_ids), tuple(p["arms"]),
        p["pre_test_id"], p["post_test_id"], p.get("created_by") or "", int(p["created_at"]),
        tuple(p["questionnaire"]), _int(p.get("starts_at")), _int(p.get("ends_at")),
        int(p["budget"]), int(p["seed"]), int(p["strata"]), Phase(p["phase"]),
        int(p["version"]))


def _int(v: Any) -> int | None:
    return None if v is None else int(v)
