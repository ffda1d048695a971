"""Issue 17, lesser point: timestamps outside a plausible range are refused, per item, with the
reason (before the fix a time of 0 or one years ahead was stored as sent, dating an answer
where no report or window ever finds it, and a re-send could not correct it)."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

import requests

from tests.reliability.conftest import Live

QUESTION = "alg-q-absolute-value-01"


def post(live: Live, path: str, body: Any, method: str = "POST") -> requests.Response:
    return requests.request(method, live.url + path, json=body, headers=live.headers(),
                            timeout=60)


def test_implausible_answer_times_are_refused_with_the_reason(live: Live) -> None:
    def iso(ms: int) -> str:
        return datetime.fromtimestamp(ms / 1000, tz=UTC).isoformat()

    now = int(time.time() * 1000)
    cases = {"zero": iso(0), "y1999": "1999-12-31T23:59:59Z",
             "ahead": iso(now + 3 * 86_400_000), "ok": iso(now - 60_000)}
    batch = [{"event_id": f"ts-{name}", "student_id": "alg-st-amara", "question_id": QUESTION,
              "correct": True, "ts": ts} for name, ts in cases.items()]
    r = post(live, "/attempts/batch", {"attempts": batch})
    assert r.status_code == 200, r.text
    status = {i["event_id"]: i["status"] for i in r.json()["items"]}
    assert status == {"ts-zero": "rejected", "ts-y1999": "rejected", "ts-ahead": "rejected",
                      "ts-ok": "created"}
    reasons = [p["reason"] for p in r.json()["problems"]]
    assert reasons[0] == "ts: 1970-01-01T00:00:00+00:00 is before 2000-01-01"
    assert "more than a day ahead" in reasons[2]
    one = post(live, "/students/alg-st-amara/attempts",
               {"event_id": "ts-single", "question_id": QUESTION, "correct": True,
                "ts": "1970-01-01T00:00:01Z"})
    assert one.status_code == 422 and "before 2000-01-01" in one.json()["detail"]
    assert one.headers["Content-Type"] == "application/problem+json"


def test_an_xapi_statement_from_1970_is_refused(live: Live) -> None:
    statement = {"id": str(uuid.uuid4()),
                 "actor": {"objectType": "Agent", "account": {
                     "homePage": "https://lms.example", "name": "alg-st-amara"}},
                 "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
                 "object": {"objectType": "Activity", "id": QUESTION},
                 "result": {"success": True}, "timestamp": "1970-01-01T00:00:00Z"}
    r = post(live, "/xapi/statements", statement)
    assert r.status_code == 422, r.text
    assert r.json()["errors"] == [{"index": 0, "field": "timestamp",
                                   "message": "1970-01-01T00:00:00+00:00 is before 2000-01-01"}]
    batch = post(live, "/xapi/statements/batch", statement).json()
    assert batch["statements"][0]["status"] == "rejected" and batch["created"] == 0
