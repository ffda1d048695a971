"""Issue 17, defect 9 (in part): what a client following xAPI 1.0.3 needs first: the About
resource, the version header on every /xapi response, and PUT of one statement carrying its own
id (204, again 204, 409 with other content). Before: 404, no header, 405."""

from __future__ import annotations

import uuid

import requests

from tests.reliability.conftest import Live


def statement(success: bool) -> dict:
    return {"actor": {"objectType": "Agent",
                      "account": {"homePage": "https://lms.example", "name": "alg-st-ben"}},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
            "object": {"objectType": "Activity", "id": "alg-q-absolute-value-01"},
            "result": {"success": success}, "timestamp": "2026-11-02T10:00:00Z"}


def test_about_and_the_version_header(live: Live) -> None:
    r = requests.get(live.url + "/xapi/about", timeout=30)
    assert r.status_code == 200 and "1.0.3" in r.json()["version"]
    assert r.headers["X-Experience-API-Version"] == "1.0.3"
    r = requests.get(live.url + "/xapi/statements", headers=live.headers(), timeout=30)
    assert r.headers["X-Experience-API-Version"] == "1.0.3"


def test_put_a_statement_with_its_own_id(live: Live) -> None:
    sid = str(uuid.uuid4())
    url = f"{live.url}/xapi/statements?statementId={sid}"
    r = requests.put(url, json=statement(True), headers=live.headers(), timeout=30)
    assert r.status_code == 204, r.text
    assert r.headers["X-Experience-API-Version"] == "1.0.3"
    again = requests.put(url, json=statement(True), headers=live.headers(), timeout=30)
    assert again.status_code == 204, again.text
    other = requests.put(url, json=statement(False), headers=live.headers(), timeout=30)
    assert other.status_code == 409, other.text
    wrong = requests.put(url, json={**statement(True), "id": str(uuid.uuid4())},
                         headers=live.headers(), timeout=30)
    assert wrong.status_code == 400
    feed = requests.get(live.url + "/xapi/statements", headers=live.headers(), timeout=30)
    assert [s["id"] for s in feed.json()["statements"]].count(sid) == 1
