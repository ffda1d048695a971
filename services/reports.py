"""The tutor's report on one student: profile, suggestions, adjustments, e-mails, affect."""

from __future__ import annotations

import dataclasses

from graph import affect as affect_store
from graph import notify as outbox
from services import adjust, profiles
from services.recommend import Recommender
from tutor.interventions import suggest
from tutor.ports import GraphStore


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
