"""Issue 17, defect 9: a client following xAPI 1.0.3 can talk to /xapi. TinCanPython (PyPI
``tincan``, Rustici's xAPI client library) is the client, as an LMS or authoring tool would use
it: the About resource, the version header on every /xapi response, PUT of one statement with
its own id (204, again 204, 409 with other content), POST answering the spec's array of ids
(a re-sent identical statement is fine, a conflicting one 409 and nothing of its request
stored), and the statement feed read back with paging. Before: 404, no header, 405, and a
custom object the client could not parse."""

from __future__ import annotations

import uuid

import requests
from tincan import Activity, Agent, AgentAccount, RemoteLRS, Result, Statement, Verb

from tests.reliability.conftest import Live

ANSWERED = "http://adlnet.gov/expapi/verbs/answered"
QUESTION_IRI = "https://lms.example/course/questions/alg-q-absolute-value-01"


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


def client(live: Live) -> RemoteLRS:
    """The xAPI client as an LMS configures it: endpoint and Authorization header value."""
    return RemoteLRS(endpoint=live.url + "/xapi/", auth=f"Bearer {live.tokens['admin']}")


def answer(success: bool, statement_id: str | None = None) -> Statement:
    return Statement(
        id=statement_id,
        actor=Agent(name="Ben", account=AgentAccount(home_page="https://lms.example",
                                                     name="alg-st-ben")),
        verb=Verb(id=ANSWERED), object=Activity(id=QUESTION_IRI),
        result=Result(success=success), timestamp="2026-11-03T10:00:00+00:00")


def test_a_client_library_reads_about_and_the_version(live: Live) -> None:
    response = client(live).about()
    assert response.success and response.content.version == ["1.0.3"]
    assert response.response.getheader("X-Experience-API-Version") == "1.0.3"


def test_a_client_library_puts_and_posts_statements(live: Live) -> None:
    lrs = client(live)
    put_id = str(uuid.uuid4())
    put = lrs.save_statement(answer(True, put_id))  # with an id the client PUTs
    assert put.success and put.response.status == 204, put.data
    assert put.response.getheader("X-Experience-API-Version") == "1.0.3"
    assert lrs.save_statement(answer(True, put_id)).success  # the same again
    conflict = lrs.save_statement(answer(False, put_id))
    assert not conflict.success and conflict.response.status == 409
    assert "cypher" not in conflict.data.lower()

    posted = lrs.save_statement(answer(False))  # without one it POSTs and reads [id]
    assert posted.success, posted.data
    posted_id = str(posted.content.id)  # the client keeps ids as uuid.UUID
    first_id = str(uuid.uuid4())
    batch = [answer(True, first_id), answer(False), answer(True)]
    saved = lrs.save_statements(batch)
    assert saved.success, saved.data
    ids = [str(s.id) for s in saved.content]
    assert ids[0] == first_id and len(set(ids)) == 3
    assert lrs.save_statements(saved.content).success  # re-sent unchanged: fine

    fresh_id = str(uuid.uuid4())
    refused = lrs.save_statements([answer(True, fresh_id), answer(False, ids[0])])
    assert not refused.success and refused.response.status == 409
    stored = _feed_ids(lrs)
    assert {put_id, posted_id, *ids} <= stored and fresh_id not in stored


def _feed_ids(lrs: RemoteLRS) -> set[str]:
    """Every statement id of the feed, read with the client's query and ``more`` paging."""
    page = lrs.query_statements({"limit": 2})
    assert page.success, page.data
    seen = [str(s.id) for s in page.content.statements]
    while page.content.more:
        page = lrs.more_statements(page.content)
        assert page.success, page.data
        seen += [str(s.id) for s in page.content.statements]
    return set(seen)
