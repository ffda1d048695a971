"""Affect over the API: consent enforced, emoji and media readings, only tags stored, media
kept in memory, export and erasure, and the size and format limits."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
import werkzeug.formparser
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from services import accounts
from services.settings import Settings
from tests.api.conftest import NOW, PASSWORD
from tutor.access import Role
from tutor.ports import GraphStore

Caller = Callable[[str], Any]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "affect"
ME = "c2-aff-student"  # a student of this module's own, so consent changes touch no one else
RECORD_KEYS = {"tag", "confidence", "source", "ts"}


@pytest.fixture(scope="module")
def me(app: Flask, api_store: GraphStore, tokens: dict[str, str]) -> str:
    """A bearer token of a fresh student (created through the API, no consent yet)."""
    c = app.test_client()
    r = c.post("/students", json={"id": ME, "name": "Affect Tester"},
               headers={"Authorization": f"Bearer {tokens['admin']}"})
    assert r.status_code == 201, r.json
    accounts.add_user(api_store, "c2-aff", PASSWORD, Role.STUDENT, NOW, student_id=ME)
    r = c.post("/auth/login", json={"username": "c2-aff", "password": PASSWORD})
    return r.json["access_token"]


@pytest.fixture
def student(client: FlaskClient, me: str) -> Iterator[Any]:
    """The test client as the fresh student, who consents; their history is erased after."""
    headers = {"Authorization": f"Bearer {me}"}

    class Caller:
        def __getattr__(self, method: str) -> Callable[..., Any]:
            return lambda url, **kw: getattr(client, method)(url, headers=headers, **kw)

    caller = Caller()
    assert caller.put(f"/students/{ME}/affect/consent", json={"consent": True}).status_code == 200
    yield caller
    caller.delete(f"/students/{ME}/affect")


def media(**parts: str | list[str] | bytes) -> dict[str, Any]:
    """A multipart body of fixture names (or raw bytes) per part, encoded in memory (the test
    client's own encoder would spool a large body to a temporary file)."""
    def one(v: str | bytes) -> FileStorage:
        data = v if isinstance(v, bytes) else (FIXTURES / v).read_bytes()
        return FileStorage(BytesIO(data), filename="upload")
    boundary, body = encode_multipart({k: [one(x) for x in v] if isinstance(v, list) else one(v)
                                       for k, v in parts.items()})
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def test_consent_is_the_students_own_choice(client: FlaskClient, me: str, as_: Caller) -> None:
    mine = {"Authorization": f"Bearer {me}"}
    r = client.post(f"/students/{ME}/affect/emoji", json={"emoji": "happy"}, headers=mine)
    assert r.status_code == 403 and r.mimetype == "application/problem+json"
    assert "consent" in r.json["detail"]
    # amara's tutor may not decide for her; to an LMS she is no student of its tenant at all
    for who, status in (("hpark", 403), ("north", 404)):
        r = as_(who).put("/students/alg-st-amara/affect/consent", json={"consent": False})
        assert r.status_code == status and r.mimetype == "application/problem+json"
    assert as_("admin").get("/students/alg-st-amara").json["affect_consent"] is True
    r = client.put(f"/students/{ME}/affect/consent", json={"consent": True}, headers=mine)
    assert r.status_code == 200 and r.json == {"student_id": ME, "consent": True}
    assert as_("admin").get(f"/students/{ME}").json["affect_consent"] is True
    r = client.put(f"/students/{ME}/affect/consent", json={"consent": False}, headers=mine)
    assert r.json["consent"] is False
    assert as_("admin").get(f"/students/{ME}").json["affect_consent"] is False


def test_an_emoji_is_stored_and_acted_on(student: Any) -> None:
    r = student.post(f"/students/{ME}/affect/emoji", json={"emoji": "😕"})
    assert r.status_code == 201, r.json
    (reading,) = r.json["readings"]
    assert (reading["tag"], reading["source"], reading["confidence"]) == (
        "confused", "self_report", 1.0)
    assert r.json["state"]["tag"] == "confused"
    assert r.json["state"]["sources"] == ["self_report"]
    assert "offer_tutoring" in {a["kind"] for a in r.json["reaction"]["actions"]}
    assert r.json["reaction"]["reasons"]
    exported = student.get(f"/students/{ME}/affect").json
    assert [(e["tag"], e["source"]) for e in exported] == [("confused", "self_report")]
    assert set(exported[0]) == RECORD_KEYS


def test_an_unknown_emoji_is_a_422_problem(student: Any) -> None:
    r = student.post(f"/students/{ME}/affect/emoji", json={"emoji": "furious"})
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    assert "happy" in r.json["detail"]
    assert student.get(f"/students/{ME}/affect").json == []


def test_media_are_analysed_in_memory_and_only_tags_stored(
        student: Any, api_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    spooled: list[object] = []
    spool = werkzeug.formparser.SpooledTemporaryFile

    def spy(*args: Any, **kw: Any) -> Any:
        spooled.append(args)
        return spool(*args, **kw)

    monkeypatch.setattr(werkzeug.formparser, "SpooledTemporaryFile", spy)
    var = api_settings.var_dir
    before = {p for p in var.rglob("*") if p.is_file()}
    r = student.post(f"/students/{ME}/affect/media", **media(
        image=["face_smile.jpg", "face_shift_2.jpg", "face_shift_4.jpg"],
        audio="voice_positive.wav"))
    assert r.status_code == 201, r.json
    readings = {x["source"]: x for x in r.json["readings"]}
    assert {s: x["tag"] for s, x in readings.items()} == {"face": "positive", "voice": "positive"}
    assert readings["face"]["measures"]["frames"] == 3.0 and readings["voice"]["measures"]
    assert r.json["state"]["tag"] == "positive"
    assert "raise_challenge" in {a["kind"] for a in r.json["reaction"]["actions"]}
    assert spooled == []  # no upload went through a file that may spill to disk
    exported = student.get(f"/students/{ME}/affect").json
    assert sorted(e["source"] for e in exported) == ["face", "voice"]
    assert all(set(e) == RECORD_KEYS for e in exported)  # the measures were not kept
    after = {p for p in var.rglob("*") if p.is_file()}
    assert all(p.is_relative_to(var / "graph") for p in after - before)
    chunks = ((FIXTURES / "face_smile.jpg").read_bytes()[1000:1064],
              (FIXTURES / "voice_positive.wav").read_bytes()[2000:2064])
    for path in after:
        data = path.read_bytes()
        assert not any(c in data for c in chunks), path


def test_media_without_consent_are_refused_before_analysis(as_: Caller) -> None:
    before = as_("admin").get("/students/alg-st-chloe/affect").json
    r = as_("admin").post("/students/alg-st-chloe/affect/media", **media(image="face_smile.jpg"))
    assert r.status_code == 403 and r.mimetype == "application/problem+json"
    assert "consent" in r.json["detail"]
    assert as_("admin").get("/students/alg-st-chloe/affect").json == before


@pytest.mark.parametrize("parts", [
    {"image": b"not an image at all"},
    {"audio": b"RIFF but not really a wave file"},
    {"image": "face_smile.jpg", "audio": b"RIFF but not really a wave file"},
    {},
])
def test_undecodable_or_missing_media_are_422_and_store_nothing(
        student: Any, parts: dict[str, Any]) -> None:
    r = student.post(f"/students/{ME}/affect/media", **media(**parts))
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    assert student.get(f"/students/{ME}/affect").json == []


def test_a_frame_without_a_face_stores_nothing(student: Any) -> None:
    r = student.post(f"/students/{ME}/affect/media", **media(image="no_face.jpg"))
    assert r.status_code == 201
    assert r.json["readings"] == [] and "no face" in r.json["notes"][0]
    assert student.get(f"/students/{ME}/affect").json == []


def test_a_body_over_the_limit_is_a_413_problem(student: Any, api_settings: Settings) -> None:
    big = b"\xff\xd8" + bytes(api_settings.max_body_bytes)
    r = student.post(f"/students/{ME}/affect/media", **media(image=big))
    assert r.status_code == 413 and r.mimetype == "application/problem+json"
    assert r.json["status"] == 413
    assert student.get(f"/students/{ME}/affect").json == []


def test_erasure_by_the_student_or_an_admin_only(student: Any, as_: Caller) -> None:
    for emoji in ("tired", "happy"):
        assert student.post(f"/students/{ME}/affect/emoji",
                            json={"emoji": emoji}).status_code == 201
    # a tutor of amara: not theirs to read or erase; an LMS: not a student of its tenant
    for who, status in (("hpark", 403), ("north", 404)):
        assert as_(who).get("/students/alg-st-amara/affect").status_code == status
        assert as_(who).delete("/students/alg-st-amara/affect").status_code == status
        assert as_(who).post("/students/alg-st-amara/affect/emoji",
                             json={"emoji": "happy"}).status_code == status
    r = student.delete(f"/students/{ME}/affect")
    assert r.status_code == 200 and r.json == {"student_id": ME, "deleted": 2}
    assert student.get(f"/students/{ME}/affect").json == []
    student.post(f"/students/{ME}/affect/emoji", json={"emoji": "neutral"})
    r = as_("admin").delete(f"/students/{ME}/affect")
    assert r.status_code == 200 and r.json["deleted"] == 1
