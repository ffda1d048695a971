"""Experiments: ``/experiments`` for the tutors who run them (create, start, stop, report, CSV,
figure) and ``/students/<student_id>/experiments`` for their students (consent, the
questionnaire once it ended). Students never see their arm or the hypothesis (blinding)."""

from __future__ import annotations

import secrets
from typing import Any
from uuid import uuid4

from flask import Response
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.context import principal, services
from api.gate import require_class, roles
from api.schemas import ID, epoch_ms
from services import experiment as service
from tutor.access import Role
from tutor.experiment import ARMS, LIKERT, SATISFACTION, Experiment, Phase

blp = Blueprint("experiments", __name__, description="Experiments in real classes: random "
                "arms blocked on the pre-test, outcomes, the report and its statistics.")
RUNNERS = (Role.TUTOR, Role.ADMIN)
READERS = (Role.TUTOR, Role.ADMIN, Role.LMS)


class ExperimentIn(Schema):
    name = fields.String(required=True, validate=validate.Length(1, 200))
    hypothesis = fields.String(load_default="", validate=validate.Length(max=2000))
    class_ids = fields.List(fields.String(validate=ID), required=True,
                            validate=validate.Length(1, 50))
    arms = fields.List(fields.String(validate=validate.OneOf(ARMS)), required=True,
                       validate=validate.Length(2, len(ARMS)), metadata={
                           "description": "Practice policies; the first is the reference."})
    pre_test_id = fields.String(required=True, validate=ID)
    post_test_id = fields.String(required=True, validate=ID)
    questionnaire = fields.List(fields.String(validate=validate.Length(1, 500)),
                                load_default=lambda: list(SATISFACTION),
                                validate=validate.Length(1, 30), metadata={
                                    "description": "5-point Likert items (default: a "
                                                   "satisfaction scale)."})
    ends_at = fields.DateTime(allow_none=True, load_default=None,
                              metadata={"description": "When it is planned to end."})
    budget = fields.Integer(load_default=100, validate=validate.Range(1, 10_000), metadata={
        "description": "Practice questions per student the fixed schedule spreads over."})
    seed = fields.Integer(validate=validate.Range(0, 2**31 - 1), metadata={
        "description": "Of the randomisation (default: drawn and recorded)."})
    strata = fields.Integer(load_default=4, validate=validate.Range(1, 20))


class ExperimentOut(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    hypothesis = fields.String(required=True)
    class_ids = fields.List(fields.String(), required=True)
    arms = fields.List(fields.String(), required=True)
    pre_test_id = fields.String(required=True)
    post_test_id = fields.String(required=True)
    questionnaire = fields.List(fields.String(), required=True)
    starts_at = fields.Integer(allow_none=True, metadata={"description": "Epoch ms."})
    ends_at = fields.Integer(allow_none=True)
    budget = fields.Integer(required=True)
    seed = fields.Integer(required=True)
    strata = fields.Integer(required=True)
    phase = fields.String(required=True, metadata={"description": "draft, running, ended."})
    created_by = fields.String(required=True)
    version = fields.Integer(required=True)


class StudentExperimentOut(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    phase = fields.String(required=True)
    consent = fields.Boolean(allow_none=True, metadata={"description": "null: not asked yet."})
    withdrawn = fields.Boolean(required=True)
    questionnaire = fields.List(fields.String(), required=True, metadata={
        "description": "The items to answer once it ended (empty before, and once answered)."})
    answered = fields.Boolean(required=True)


class ExperimentConsentIn(Schema):
    consent = fields.Boolean(required=True, metadata={
        "description": "false after true is a withdrawal: practice goes on, the analysis "
                       "leaves the student out."})


class ExperimentConsentOut(Schema):
    consent = fields.Boolean(required=True)
    withdrawn = fields.Boolean(required=True)


class QuestionnaireIn(Schema):
    answers = fields.List(fields.Integer(validate=validate.Range(*LIKERT)), required=True,
                          validate=validate.Length(1, 30),
                          metadata={"description": "One per item, 1 (strongly disagree) to "
                                                   "5 (strongly agree)."})


class QuestionnaireOut(Schema):
    stored = fields.Boolean(required=True, metadata={"description": "false: a resend."})


class ExperimentReportOut(Schema):
    experiment = fields.Dict(required=True)
    arms = fields.Dict(required=True, metadata={
        "description": "Per arm: enrolled, n analysed, attrition, and n, mean and sd of "
                       "post (post_test), gain, completion, time_on_task_s, satisfaction."})
    comparisons = fields.Dict(required=True, metadata={
        "description": "The post-test: the first arm against each other one, keyed "
                       "'kgtutor_vs_fixed' as in evaluate learning: rel_gain, Welch's t and p, "
                       "p_holm, Cohen's d and its 95 % CI (the simulated study's code)."})
    by_measure = fields.Dict(required=True, metadata={
        "description": "The same for every measure: post, gain, completion, time_on_task_s, "
                       "satisfaction."})
    cronbach_alpha = fields.Float(allow_none=True)
    balance_p = fields.Float(allow_none=True, metadata={
        "description": "The pre-test between arms (Welch, or ANOVA for 3+ arms)."})
    analysed = fields.Integer(required=True)
    enrolled = fields.Integer(required=True)


@blp.route("/experiments", methods=["GET"])
@roles(*READERS)
@blp.response(200, ExperimentOut(many=True))
def list_experiments() -> list[Experiment]:
    """The experiments the caller may see, newest first."""
    who = principal()
    tutor_id = who.tutor_id if who.role is Role.TUTOR else ""
    tenant = who.tenant if who.role is Role.LMS else ""
    if who.role is not Role.ADMIN and not (tutor_id or tenant):
        return []
    return service.listed(services().store, tutor_id, tenant)


@blp.route("/experiments", methods=["POST"])
@roles(*RUNNERS)
@blp.arguments(ExperimentIn)
@blp.response(201, ExperimentOut)
def create_experiment(body: dict[str, Any]) -> Experiment:
    """Set up an experiment on classes the caller teaches (a draft until started)."""
    who, svc = principal(), services()
    for class_id in body["class_ids"]:
        require_class(who, class_id)
    now = svc.clock()
    ends = body.pop("ends_at")
    draft = Experiment(
        uuid4().hex, body["name"], body["hypothesis"], tuple(body["class_ids"]),
        tuple(body["arms"]), body["pre_test_id"], body["post_test_id"],
        who.tutor_id if who.role is Role.TUTOR else "", now, tuple(body["questionnaire"]),
        None, None if ends is None else epoch_ms(ends), body["budget"],
        body.get("seed", secrets.randbelow(2**31)), body["strata"])
    return service.create(svc.store, draft, now)


@blp.route("/experiments/<experiment_id>", methods=["GET"])
@roles(*READERS)
@blp.response(200, ExperimentOut)
def get_experiment(experiment_id: str) -> Experiment:
    return service.get(services().store, experiment_id)


@blp.route("/experiments/<experiment_id>/start", methods=["POST"])
@roles(*RUNNERS)
@blp.response(200, ExperimentOut)
@blp.alt_response(422, description="Not a draft, or its classes have no student.")
def start_experiment(experiment_id: str) -> Experiment:
    """Start: every student of its classes gets one arm, randomised within strata of the
    pre-test score under the recorded seed."""
    svc = services()
    return service.act(svc.store, experiment_id, "start", svc.clock())


@blp.route("/experiments/<experiment_id>/stop", methods=["POST"])
@roles(*RUNNERS)
@blp.response(200, ExperimentOut)
def stop_experiment(experiment_id: str) -> Experiment:
    """Stop: the arms end and students may answer the questionnaire."""
    svc = services()
    return service.act(svc.store, experiment_id, "stop", svc.clock())


@blp.route("/experiments/<experiment_id>/report", methods=["GET"])
@roles(*READERS)
@blp.response(200, ExperimentReportOut)
def experiment_report(experiment_id: str) -> dict[str, Any]:
    """Arms side by side, comparisons with Welch's t, Holm and Cohen's d, attrition, the
    pre-test balance and Cronbach's alpha of the questionnaire."""
    svc = services()
    return service.report(svc.store, experiment_id, svc.clock())


@blp.route("/experiments/<experiment_id>/export.csv", methods=["GET"])
@roles(*READERS)
@blp.response(200, description="text/csv: one row per enrolled student.")
def experiment_csv(experiment_id: str) -> Response:
    """One row per enrolled student: arm, inclusion, outcomes, each Likert answer."""
    svc = services()
    text = service.export_csv(svc.store, experiment_id, svc.clock())
    return Response(text, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="experiment-{experiment_id}.csv"'})


@blp.route("/experiments/<experiment_id>/figure.svg", methods=["GET"])
@roles(*READERS)
@blp.response(200, description="image/svg+xml")
def experiment_figure(experiment_id: str) -> Response:
    """The report's figure: mean post-test and satisfaction per arm with 95 % intervals."""
    svc = services()
    return Response(service.figure(svc.store, experiment_id, svc.clock()),
                    mimetype="image/svg+xml")


@blp.route("/students/<student_id>/experiments", methods=["GET"])
@blp.response(200, StudentExperimentOut(many=True))
def student_experiments(student_id: str) -> list[dict[str, Any]]:
    """The experiments of the student's classes: consent, and the questionnaire once it ended
    (never the arm or the hypothesis)."""
    out = []
    for x, mine in service.for_student(services().store, student_id):
        answered = mine["answers"] is not None
        out.append({"id": x.id, "name": x.name, "phase": str(x.phase),
                    "consent": mine["consent"], "withdrawn": mine["withdrawn_at"] is not None,
                    "answered": answered,
                    "questionnaire": list(x.questionnaire)
                    if x.phase is Phase.ENDED and not answered else []})
    return out


@blp.route("/students/<student_id>/experiments/<experiment_id>/consent", methods=["PUT"])
@roles(Role.STUDENT, Role.TUTOR, Role.ADMIN)
@blp.arguments(ExperimentConsentIn)
@blp.response(200, ExperimentConsentOut)
def put_consent(body: dict[str, Any], student_id: str, experiment_id: str) -> dict[str, Any]:
    """Record consent (a tutor may record a paper form); false after true withdraws."""
    svc = services()
    return service.consent(svc.store, experiment_id, student_id, body["consent"], svc.clock())


@blp.route("/students/<student_id>/experiments/<experiment_id>/questionnaire",
           methods=["POST"])
@roles(Role.STUDENT, Role.ADMIN)
@blp.arguments(QuestionnaireIn)
@blp.response(201, QuestionnaireOut)
@blp.alt_response(200, schema=QuestionnaireOut, description="The same answers were stored before.")
@blp.alt_response(409, description="Not ended yet, or answered before with other answers.")
def answer_questionnaire(body: dict[str, Any], student_id: str,
                         experiment_id: str) -> tuple[dict[str, bool], int]:
    """The questionnaire, once the experiment ended; resending the same answers is harmless."""
    svc = services()
    stored = service.answer_questionnaire(svc.store, experiment_id, student_id,
                                          body["answers"], svc.clock())
    return {"stored": stored}, 201 if stored else 200
