"""LTI 1.3 behind PyLTI1p3: the tool configuration (with each platform's kgtutor tenant), the
server-side launch state, launches mapped to kgtutor students and tutors, and score passback
through Assignment and Grade Services. HTTP lives in ``api.lti``; this module knows
PyLTI1p3's objects and the graph, not Flask.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
from cryptography.hazmat.primitives import serialization
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException
from pylti1p3.grade import Grade
from pylti1p3.launch_data_storage.base import LaunchDataStorage
from pylti1p3.lineitem import LineItem
from pylti1p3.registration import Registration
from pylti1p3.request import Request
from pylti1p3.roles import StudentRole, TeacherRole, TeachingAssistantRole
from pylti1p3.service_connector import ServiceConnector
from pylti1p3.session import SessionService
from pylti1p3.tool_config import ToolConfJsonFile

from graph import lti as lti_store
from graph import maps
from graph.assessment import get_test
from services.imports import SEED_DATASET
from tutor.access import Principal, Role
from tutor.errors import DataFormatError, InvalidInput, NotFound
from tutor.ports import GraphStore

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
STATE_TTL_S = 600  # login to launch takes seconds; nonces and state live this long
HTTP_TIMEOUT_S = 10.0  # a platform that does not answer must not hold a worker
SCORE_MAXIMUM = 100.0
_TENANT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
_ID_PART = re.compile(r"^[^/\s\x00-\x1f]{1,80}$")  # fits the API's id rule once prefixed


class ToolConf(ToolConfJsonFile):
    """PyLTI1p3's JSON tool configuration plus a ``"tenant"`` in every registration. Unknown
    issuers and clients are "not found" (PyLTI1p3 raises a bare Exception), and the tool's
    public key is derived from its private key when no ``public_key_file`` is given."""

    def __init__(self, path: Path) -> None:
        self.issuers_relation_types = {}  # the library keeps this on the class, shared
        super().__init__(str(path))
        self.tenants: dict[tuple[str, str], str] = {}
        for iss, entries in self._config.items():
            for entry in entries if isinstance(entries, list) else [entries]:
                self._add_tenant(path, iss, entry)

    def _add_tenant(self, path: Path, iss: str, entry: Mapping[str, Any]) -> None:
        tenant, client_id = entry.get("tenant"), entry["client_id"]
        if not isinstance(tenant, str) or not _TENANT.match(tenant):
            raise DataFormatError(f"{path}: the registration of {iss} (client {client_id}) "
                                  "needs a \"tenant\": 1 to 32 letters, digits or . _ -")
        self.tenants[(iss, client_id)] = tenant
        key_client = client_id if self.check_iss_has_many_clients(iss) else None
        if not self.get_public_key(iss, key_client):
            self.set_public_key(iss, _public_pem(self.get_private_key(iss, key_client)),
                                client_id=key_client)

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Any:
        if self._lookup(iss) is None:
            return None
        return super().find_registration_by_issuer(iss, *args, **kwargs)

    def find_registration_by_params(self, iss: str, client_id: str, *args: Any,
                                    **kwargs: Any) -> Any:
        if self._lookup(iss, client_id) is None:
            return None
        return super().find_registration_by_params(iss, client_id, *args, **kwargs)

    def registration(self, iss: str, client_id: str) -> Registration | None:
        if self.check_iss_has_one_client(iss):
            return self.find_registration_by_issuer(iss)
        return self.find_registration_by_params(iss, client_id)

    def _lookup(self, iss: str, client_id: str | None = None) -> Any:
        try:
            return self.get_iss_config(iss, client_id)
        except Exception:  # PyLTI1p3's only signal for an unknown issuer or client
            return None


def load_config(path: Path) -> ToolConf:
    """Read ``KGTUTOR_LTI_CONFIG`` once, at start-up, so that a broken file stops the server
    instead of every launch."""
    try:
        return ToolConf(path)
    except DataFormatError:
        raise
    except Exception as e:  # PyLTI1p3 reports missing files and keys as bare Exceptions
        raise DataFormatError(f"LTI configuration {path}: {e}") from e


def _public_pem(private_pem: str) -> str:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


class GraphLaunchData(LaunchDataStorage[Any]):
    """PyLTI1p3's launch state (nonces, state checks) in the graph: shared by every worker,
    expiring, bound to the browser by PyLTI1p3's session-id cookie, never held by the browser
    (a copied cookie cannot bring a used nonce back)."""

    def __init__(self, store: GraphStore, clock: Callable[[], int]) -> None:
        super().__init__()
        self._store, self._clock = store, clock

    def can_set_keys_expiration(self) -> bool:
        return True

    def get_value(self, key: str) -> Any:
        raw = lti_store.get_state(self._store, self._prepare_key(key), self._clock())
        return None if raw is None else json.loads(raw)

    def set_value(self, key: str, value: Any, exp: int | None = None) -> None:
        expires = self._clock() + 1000 * (exp or STATE_TTL_S)
        lti_store.put_state(self._store, self._prepare_key(key), json.dumps(value), expires)

    def check_value(self, key: str) -> bool:
        return self.get_value(key) is not None

    def take(self, key: str) -> bool:
        return lti_store.take_state(self._store, self._prepare_key(key), self._clock())

    def purge(self) -> int:
        return lti_store.purge_state(self._store, self._clock())


class OneTimeNonces(SessionService):
    """PyLTI1p3's session service with nonces good for one launch (the library only checks
    that a nonce was issued), and no copy of the launch kept: kgtutor stores what it needs."""

    _launch_data_lifetime = STATE_TTL_S

    def __init__(self, request: Request, storage: GraphLaunchData) -> None:
        super().__init__(request)
        self._storage = storage
        self.set_data_storage(storage)

    def check_nonce(self, nonce: str) -> bool:
        return self._storage.take(self._get_key("nonce", nonce))

    def save_launch_data(self, key: str, jwt_body: Any) -> None:
        pass


class _Http(requests.Session):
    def request(self, method: str | bytes, url: str | bytes, *args: Any,  # type: ignore[override]
                **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", HTTP_TIMEOUT_S)
        return super().request(method, url, *args, **kwargs)


def http_session() -> requests.Session:
    """The HTTP client PyLTI1p3 fetches key sets and sends scores with (close it after)."""
    session = _Http()
    session.headers["User-Agent"] = "kgtutor (PyLTI1p3)"
    return session


@dataclass(frozen=True)
class Launched:
    """A launch mapped onto kgtutor: who the caller is now, and where they start."""

    principal: Principal
    tenant: str
    name: str
    dataset: str
    class_id: str | None
    resource_link_id: str
    test_id: str | None = None  # the link launches this test (custom claim ``test``)


def launch_client_id(body: Mapping[str, Any]) -> str:
    """The client a launch is for. LTI 1.3 (after OpenID Connect) lets ``aud`` hold several
    audiences, the client id among them but not necessarily first; ``azp``, when present, names
    the client and must be one of them, and several audiences need it. PyLTI1p3 takes the first
    audience and never reads ``azp``, so kgtutor decides here (``KgtutorLaunch``)."""
    aud = body.get("aud")
    audiences = [aud] if isinstance(aud, str) else list(aud) if isinstance(aud, list) else []
    if not audiences or not all(isinstance(a, str) and a for a in audiences):
        raise LtiException('"aud" is empty or not a list of client ids')
    azp = body.get("azp")
    if azp is not None:
        if azp not in audiences:
            raise LtiException('"azp" is not one of the token\'s audiences')
        return str(azp)
    if len(audiences) > 1:
        raise LtiException('several audiences and no "azp" to say which client is meant')
    return audiences[0]


def map_launch(store: GraphStore, conf: ToolConf, body: Mapping[str, Any],
               now: int) -> Launched:
    """Map a validated resource-link launch: Instructors (and teaching assistants) become the
    tutor ``lti:<tenant>:<sub>`` teaching the context's class ``lti:<tenant>:<context id>``,
    Learners the student ``lti:<tenant>:<sub>`` in that class. Repeat launches rename only."""
    client_id = launch_client_id(body)
    tenant = conf.tenants[(body["iss"], client_id)]
    context = body.get(CLAIM + "context") or {}
    classes = ([{"id": kgtutor_id(tenant, context["id"]),
                 "name": context.get("title") or context.get("label") or context["id"]}]
               if context.get("id") else [])
    dataset = _dataset(store, body)
    name, email = _name(body) or None, body.get("email") or None
    link_id = body[CLAIM + "resource_link"]["id"]
    own_id = kgtutor_id(tenant, body["sub"])
    if TeacherRole(body).check() or TeachingAssistantRole(body).check():
        lti_store.instructor_launch(store, own_id, tenant, dataset, name, email, classes, now)
        who = Principal(own_id, Role.TUTOR, tutor_id=own_id, tenant=tenant)
    elif StudentRole(body).check():
        link = _link(body, client_id, own_id, _test(store, body, dataset))
        lti_store.learner_launch(store, own_id, tenant, dataset, name, email, classes, link,
                                 now)
        who = Principal(own_id, Role.STUDENT, student_id=own_id, tenant=tenant)
    else:
        raise LtiException("kgtutor maps the LTI roles Learner and Instructor only")
    return Launched(who, tenant, name or "", dataset,
                    classes[0]["id"] if classes else None, link_id,
                    _test(store, body, dataset))


def kgtutor_id(tenant: str, lti_id: str) -> str:
    """``lti:<tenant>:<id>``; ids that could not sit in a URL path are hashed."""
    part = lti_id if _ID_PART.match(lti_id) else "sha256-" + hashlib.sha256(
        lti_id.encode()).hexdigest()[:40]
    return f"lti:{tenant}:{part}"


def _dataset(store: GraphStore, body: Mapping[str, Any]) -> str:
    dataset = (body.get(CLAIM + "custom") or {}).get("dataset") or SEED_DATASET
    if not isinstance(dataset, str) or not maps.chapters(store, dataset):
        raise InvalidInput(f"the launch's custom dataset {dataset!r} is not in kgtutor")
    return dataset


def _test(store: GraphStore, body: Mapping[str, Any], dataset: str) -> str | None:
    """The test a resource link launches (custom parameter ``test=<test id>``), if any: its
    score goes back to the link's line item when a sitting ends (``send_test_score``)."""
    test_id = (body.get(CLAIM + "custom") or {}).get("test")
    if test_id is None:
        return None
    test = get_test(store, test_id) if isinstance(test_id, str) else None
    if test is None or test.dataset != dataset:
        raise InvalidInput(f"the launch's custom test {test_id!r} is not in kgtutor")
    return test.id


def _name(body: Mapping[str, Any]) -> str:
    given = " ".join(p for p in (body.get("given_name"), body.get("family_name")) if p)
    return str(body.get("name") or given)[:500]


def _link(body: Mapping[str, Any], client_id: str, student_id: str,
          test_id: str | None) -> dict[str, Any]:
    ags, link = body.get(AGS_CLAIM) or {}, body[CLAIM + "resource_link"]
    key = (body["iss"], client_id, body[CLAIM + "deployment_id"], link["id"], student_id)
    return {"id": "|".join(key), "issuer": key[0], "client_id": client_id,
            "deployment_id": key[2], "resource_link_id": link["id"],
            "title": link.get("title") or "", "lti_user_id": body["sub"],
            "lineitem": ags.get("lineitem"), "lineitems": ags.get("lineitems"),
            "scopes": list(ags.get("scope") or []), "test_id": test_id}


@dataclass(frozen=True)
class ScoreSent:
    """What went to the platform, and what it was computed from."""

    student_id: str
    resource_link_id: str
    lineitem: str
    user_id: str
    score_given: float | None
    score_maximum: float | None
    activity_progress: str
    grading_progress: str
    timestamp: str
    answers: int
    correct: int
    since: int


def send_score(store: GraphStore, conf: ToolConf, student_id: str,
               resource_link_id: str | None, now: int,
               http: requests.Session) -> ScoreSent:
    """Send the share of correct answers since the student's first launch of the link, out
    of 100; with no answers yet, progress "Initialized" and no score. Raises NotFound without
    a launch, LtiException when the platform gave no way to score, LtiServiceException (and
    requests' errors) when the platform refuses or fails."""
    link = lti_store.student_link(store, student_id, resource_link_id)
    if link is None:
        raise NotFound(f"student {student_id!r} has no LTI launch"
                       + (f" of resource link {resource_link_id!r}" if resource_link_id else ""))
    answers, correct = lti_store.practice_since(store, student_id, link.since)
    return _put(conf, student_id, link, _grade(link, answers, correct, now), http,
                answers, correct)


def send_test_score(store: GraphStore, conf: ToolConf, student_id: str, test_id: str,
                    right: int, items: int, now: int, http: requests.Session
                    ) -> ScoreSent | None:
    """Send a finished test's score (right of ``items``, out of 100, fully graded) to the
    resource link that launched the test; None when no LMS launched it for this student."""
    link = lti_store.student_link(store, student_id, None, test_id)
    if link is None:
        return None
    stamp = datetime.fromtimestamp(now / 1000, UTC).isoformat(timespec="milliseconds")
    grade = (Grade().set_timestamp(stamp).set_user_id(link.lti_user_id)
             .set_score_given(round(SCORE_MAXIMUM * right / items, 2) if items else 0.0)
             .set_score_maximum(SCORE_MAXIMUM).set_activity_progress("Completed")
             .set_grading_progress("FullyGraded")
             .set_comment(f"{right} of {items} right in the kgtutor test"))
    return _put(conf, student_id, link, grade, http, items, right)


def _put(conf: ToolConf, student_id: str, link: lti_store.StoredLink, grade: Grade,
         http: requests.Session, answers: int, correct: int) -> ScoreSent:
    """Put ``grade`` on the link's line item (found or made by its tag when the launch bound
    none)."""
    registration = conf.registration(link.issuer, link.client_id)
    if registration is None:
        raise NotFound(f"the platform {link.issuer} is no longer in the LTI configuration")
    if SCORE_SCOPE not in link.scopes or not (link.lineitem or link.lineitems):
        raise LtiException("the platform did not grant score passback for this launch")
    ags = AssignmentsGradesService(ServiceConnector(registration, http), {
        "scope": list(link.scopes), **({"lineitem": link.lineitem} if link.lineitem else {}),
        **({"lineitems": link.lineitems} if link.lineitems else {})})
    lineitem = link.lineitem or ags.find_or_create_lineitem(
        LineItem().set_tag(f"kgtutor:{link.resource_link_id}").set_score_maximum(SCORE_MAXIMUM)
        .set_label(link.title or "kgtutor practice")
        .set_resource_link_id(link.resource_link_id)).get_id()
    ags.put_grade(grade, LineItem({"id": lineitem}))
    return ScoreSent(student_id, link.resource_link_id, lineitem, link.lti_user_id,
                     grade.get_score_given(), grade.get_score_maximum(),
                     grade.get_activity_progress() or "", grade.get_grading_progress() or "",
                     grade.get_timestamp() or "", answers, correct, link.since)


def _grade(link: lti_store.StoredLink, answers: int, correct: int, now: int) -> Grade:
    stamp = datetime.fromtimestamp(now / 1000, UTC).isoformat(timespec="milliseconds")
    grade = Grade().set_timestamp(stamp).set_user_id(link.lti_user_id)
    if not answers:
        return grade.set_activity_progress("Initialized").set_grading_progress("NotReady")
    return (grade.set_score_given(round(SCORE_MAXIMUM * correct / answers, 2))
            .set_score_maximum(SCORE_MAXIMUM).set_activity_progress("InProgress")
            .set_grading_progress("FullyGraded")
            .set_comment(f"{correct} of {answers} answers correct in kgtutor"))
