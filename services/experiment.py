"""Experiment use cases: set one up, start it (randomise), record consent, collect the
questionnaire, stop it, and report, export and plot its outcomes.

The statistics are ``tutor.statistics``, the same code as the simulated classroom study's;
the arms are practice policies the planner honours (``services.plan``, ``tutor.schedules``).
Outcomes: the post-test's score and its gain over the pre-test (the latest finished sitting of
each, 0-100), completion (the share of the course's chapters with every KP mastered), time on
task (the practice answers' durations while it ran) and the questionnaire's mean.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace

from graph import assessment as tests_store
from graph import experiment as store_
from tutor import experiment as rules
from tutor.assessment import score
from tutor.errors import InvalidInput, NotFound, StateConflict
from tutor.experiment import LIKERT, Experiment, Outcome, Phase
from tutor.mastery import MASTERY_THRESHOLD
from tutor.ports import GraphStore


def create(store: GraphStore, draft: Experiment, now: int) -> Experiment:
    """Store a new draft; its pre- and post-test must exist."""
    for field, test_id in (("pre_test_id", draft.pre_test_id),
                           ("post_test_id", draft.post_test_id)):
        if tests_store.get_test(store, test_id) is None:
            raise InvalidInput(f"{field}: no test {test_id!r}")
    x = replace(draft, phase=Phase.DRAFT, version=1)
    if not store_.save(store, x, 0, now):
        raise StateConflict(f"an experiment {x.id!r} exists already")
    return x


def get(store: GraphStore, experiment_id: str) -> Experiment:
    x = store_.get(store, experiment_id)
    if x is None:
        raise NotFound(f"no experiment {experiment_id!r}")
    return x


def listed(store: GraphStore, tutor_id: str, tenant: str) -> list[Experiment]:
    return store_.listed(store, tutor_id, tenant)


def act(store: GraphStore, experiment_id: str, action: str, now: int) -> Experiment:
    """``start``: every student of its classes gets an arm, randomised within strata of their
    pre-test score (``tutor.experiment.assign`` under the recorded seed); ``stop``: it ends,
    and its students may answer the questionnaire."""
    x = get(store, experiment_id)
    new = rules.transition(x, action, now)
    if action == "start":
        scores = pre_scores(store, x)
        assigned = rules.assign({s: scores.get(s) for s in store_.members(store, x.id)},
                                x.arms, x.seed, x.strata)
        if not assigned:
            raise InvalidInput("the experiment's classes have no student")
        store_.enrol(store, x.id, [{"student_id": s, "arm": arm, "stratum": stratum,
                                    "pre": scores.get(s)}
                                   for s, (arm, stratum) in sorted(assigned.items())], now)
    if not store_.save(store, new, x.version, now):
        raise StateConflict("the experiment changed meanwhile; read it again")
    return new


def consent(store: GraphStore, experiment_id: str, student_id: str, given: bool,
            now: int) -> dict:
    """Record the student's consent; taking it back once given is a withdrawal (they keep
    practising in their arm, and leave the analysis)."""
    x = get(store, experiment_id)
    if x.phase is Phase.ENDED:
        raise StateConflict("the experiment has ended")
    found = store_.set_consent(store, x.id, student_id, given, now)
    if found is None:
        raise NotFound(f"no experiment {experiment_id!r} for this student")
    return {"consent": bool(found["consent"]), "withdrawn": found["withdrawn_at"] is not None}


def for_student(store: GraphStore, student_id: str) -> list[tuple[Experiment, dict]]:
    return store_.of_student(store, student_id)


def answer_questionnaire(store: GraphStore, experiment_id: str, student_id: str,
                         answers: list[int], now: int) -> bool:
    """Store the student's Likert answers once the experiment ended; True when stored now,
    False when the same answers were stored before (a resend)."""
    x = get(store, experiment_id)
    if x.phase is not Phase.ENDED:
        raise StateConflict("the questionnaire opens when the experiment ends")
    if len(answers) != len(x.questionnaire):
        raise InvalidInput(f"answers: {len(x.questionnaire)} expected, {len(answers)} given")
    low, high = LIKERT
    if any(not low <= a <= high for a in answers):
        raise InvalidInput(f"answers: each from {low} to {high}")
    found = store_.save_answers(store, x.id, student_id, answers, now)
    if found is None:
        raise NotFound(f"no experiment {experiment_id!r} for this student")
    stored, created = found
    if stored != list(answers):
        raise StateConflict("the questionnaire was answered already, differently")
    return created


def pre_scores(store: GraphStore, x: Experiment) -> dict[str, float]:
    return _scores(store, x.pre_test_id)


def outcomes(store: GraphStore, x: Experiment, now: int) -> list[Outcome]:
    if x.starts_at is None:
        return []
    pre, post = _scores(store, x.pre_test_id), _scores(store, x.post_test_id)
    rows = store_.outcomes(store, x.id, x.starts_at, x.ends_at or now, MASTERY_THRESHOLD)
    return [Outcome(r["student_id"], r["arm"], int(r["stratum"] or 0),
                    None if r["consent"] is None else bool(r["consent"]),
                    r["withdrawn_at"] is not None, pre.get(r["student_id"]),
                    post.get(r["student_id"]),
                    (r["completed"] / r["chapters"]) if r["chapters"] else 0.0,
                    float(r["seconds"] or 0.0), int(r["answers"]),
                    tuple(int(a) for a in r["likert"]) if r["likert"] else None)
            for r in rows]


def report(store: GraphStore, experiment_id: str, now: int) -> dict:
    x = get(store, experiment_id)
    found = outcomes(store, x, now)
    return {"experiment": {"id": x.id, "name": x.name, "hypothesis": x.hypothesis,
                           "phase": str(x.phase), "arms": list(x.arms), "seed": x.seed,
                           "strata": x.strata, "starts_at": x.starts_at, "ends_at": x.ends_at},
            **rules.report(x.arms, found)}


COLUMNS = ("student_id", "arm", "stratum", "consent", "withdrawn", "included", "pre", "post",
           "gain", "completion", "time_on_task_s", "answers", "satisfaction")


def export_csv(store: GraphStore, experiment_id: str, now: int) -> str:
    """One row per enrolled student: arm, inclusion, every outcome, each Likert answer."""
    x = get(store, experiment_id)
    out = io.StringIO()
    writer = csv.writer(out)
    items = [f"q{i + 1}" for i in range(len(x.questionnaire))]
    writer.writerow([*COLUMNS, *items])
    for o in outcomes(store, x, now):
        values = {"included": o.included, "gain": o.gain, "satisfaction": o.satisfaction}
        row = [values[c] if c in values else getattr(o, c) for c in COLUMNS]
        writer.writerow(["" if v is None else v for v in row]
                        + list(o.likert or [""] * len(items)))
    return out.getvalue()


def figure(store: GraphStore, experiment_id: str, now: int) -> bytes:
    """The report's figure as SVG: per arm the mean post-test score and satisfaction, with
    95 % intervals of the mean (normal approximation)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    found = report(store, experiment_id, now)
    arms = found["experiment"]["arms"]
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.2))
    for ax, measure, title in ((axes[0], "post", "post-test (0-100)"),
                               (axes[1], "satisfaction", "satisfaction (1-5)")):
        means, errs = [], []
        for arm in arms:
            s = found["arms"][arm][measure]
            means.append(s["mean"] or 0.0)
            errs.append(1.96 * s["sd"] / s["n"] ** 0.5 if s["sd"] is not None else 0.0)
        ax.bar(arms, means, yerr=errs, capsize=4, color="#1f5fbf")
        ax.set_title(title)
    fig.suptitle(found["experiment"]["name"])
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg")
    plt.close(fig)
    return buffer.getvalue()


def _scores(store: GraphStore, test_id: str) -> dict[str, float]:
    """Per student the score (0-100) of their latest finished sitting of the test."""
    out: dict[str, float] = {}
    for sitting, _ in tests_store.sittings_of(store, test_id):
        if sitting.finished:
            out[sitting.student_id] = score(sitting).percent
    return out
