"""Tutor reports: one student's (profile, suggestions, adjustments, e-mails, affect) and one
class's (mastery by chapter, students at risk and why, the suggestions per student, the e-mails
sent about its students)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence

from graph import affect as affect_store
from graph import notify as outbox
from graph import reports as report_store
from graph.reports import ClassLearner
from services import adjust, profiles
from services.recommend import Recommender
from tutor.adjust import WINDOW_MS, Snapshot
from tutor.errors import NotFound
from tutor.interventions import Suggestion, suggest
from tutor.ports import GraphStore

# Rules of priority 1-3 in tutor/interventions.yaml describe a student in distress, stuck or
# falling behind: those make a student "at risk". Priorities 4-5 are nudges (rest, reminders).
AT_RISK_PRIORITY = 3
NOTIFICATIONS = 100  # newest e-mails listed in a class report

Facts = Mapping[str, float | bool | str]
# why a rule fired, in the facts' own numbers; a rule missing here is named by its text
_REASONS: dict[str, Callable[[Facts], str]] = {
    "negative-affect": lambda f: f"feels negative (confidence {f['affect_confidence']:.2f})",
    "stuck-on-a-kp": lambda f: f"{f['stuck_kps']:.0f} unmastered KP(s) answered wrong "
                               "repeatedly of late",
    "lagging-and-confused": lambda f: f"expected progress {f['progress']:.0f} % and confused",
    "lagging": lambda f: f"expected progress {f['progress']:.0f} %",
    "low-accuracy": lambda f: f"{f['accuracy']:.0%} of the last answers right "
                              f"({f['attempts_7d']:.0f} in 7 days)",
}


def student_report(store: GraphStore, recommender: Recommender, student_id: str, now: int
                   ) -> dict[str, object]:
    """Everything a tutor reads about a student; affect only when the student consented."""
    profile = profiles.read(store, student_id)
    facts = profiles.intervention_facts(store, recommender, student_id, now)
    consented = affect_store.consent(store, student_id)
    return {
        "profile": profile,
        "facts": facts,
        "suggestions": [dataclasses.asdict(s) for s in suggest(facts)],
        "adjustments": adjust.audit_trail(store, student_id),
        "notifications": [dataclasses.asdict(n) for n in outbox.notifications_for(store,
                                                                                 student_id)],
        "affect": affect_store.export(store, student_id) if consented else None,
    }


def risk(facts: Facts, suggestions: Sequence[Suggestion]) -> list[str]:
    """The reasons a student is at risk (empty when they are not), most urgent first."""
    return [_REASONS[s.rule](facts) if s.rule in _REASONS else s.text
            for s in suggestions if s.priority <= AT_RISK_PRIORITY]


def class_report(store: GraphStore, recommender: Recommender, class_id: str, now: int
                 ) -> dict[str, object]:
    """Everything a tutor reads about a class, mastered meaning the recommender's threshold."""
    threshold = recommender.config.mastery_threshold
    roster = report_store.class_roster(store, class_id)
    if roster is None:
        raise NotFound(f"no class {class_id!r}")
    name, _ = roster
    learners = report_store.class_learners(store, class_id, now - WINDOW_MS)
    snapshots = adjust.snapshots_of(recommender, [(x.dataset, x.state, x.affect)
                                                  for x in learners], now)
    students = [_student(learner, snap, recommender, now)
                for learner, snap in zip(learners, snapshots, strict=True)]
    at_risk = sorted((s for s in students if s["at_risk"]),
                     key=lambda s: (min(x["priority"] for x in s["suggestions"]),
                                    s["student_id"]))
    return {
        "class_id": class_id, "name": name, "generated": now,
        "mastery_threshold": threshold,
        "chapters": report_store.chapter_mastery(store, class_id, threshold),
        "students": students,
        "at_risk": [s["student_id"] for s in at_risk],
        "notifications": report_store.notifications(store, class_id, NOTIFICATIONS),
    }


def _student(learner: ClassLearner, snap: Snapshot, recommender: Recommender, now: int
             ) -> dict[str, object]:
    """One row of the class report, from what ``class_learners`` read (no further reads)."""
    facts = dict(profiles.facts_of(snap, learner.profile, recommender, now))
    if not learner.consent:  # tags kept from before a withdrawal are not processed further
        facts.update(affect="neutral", affect_confidence=0.0)
    suggestions = suggest(facts)
    reasons = risk(facts, suggestions)
    return {"student_id": learner.student_id, "name": learner.name, "at_risk": bool(reasons),
            "reasons": reasons, "facts": facts, "chapter_mastery": learner.chapter_mastery,
            "suggestions": [dataclasses.asdict(s) for s in suggestions]}
