"""xAPI statement parsing: meanings, ids, actors, question ids, times, and every reason a
statement is refused."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tutor.xapi import (
    VERB_ANSWERED,
    VERB_COMPLETED,
    VERB_EXPERIENCED,
    Actor,
    MalformedStatements,
    Meaning,
    StatementError,
    iso_timestamp,
    parse_duration,
    parse_statements,
    parse_timestamp,
    question_candidates,
    statement_id,
)

SID = "6690e6c9-3ef0-4ed3-8b37-7f3964730bee"


def answer(**changes: Any) -> dict[str, Any]:
    statement = {
        "id": SID,
        "actor": {"objectType": "Agent", "name": "Ana",
                  "account": {"homePage": "https://lms.example", "name": "st-1"}},
        "verb": {"id": VERB_ANSWERED, "display": {"en-US": "answered"}},
        "object": {"objectType": "Activity", "id": "https://lms.example/questions/q-7"},
        "result": {"success": True, "duration": "PT1M30.5S", "response": "2"},
        "timestamp": "2026-11-02T16:26:36.250Z",
    }
    return {**statement, **changes}


def test_an_answer_is_parsed_with_everything_it_means() -> None:
    (s,) = parse_statements([answer()])
    assert (s.id, s.meaning, s.verb) == (SID, Meaning.ANSWER, VERB_ANSWERED)
    assert s.actor == Actor(account_name="st-1", name="Ana")
    assert s.object_id == "https://lms.example/questions/q-7"
    assert (s.success, s.duration_s, s.ts) == (True, 90.5, 1_793_636_796_250)
    assert s.raw["result"]["response"] == "2" and s.raw["id"] == SID


@pytest.mark.parametrize(("verb", "meaning"), [
    (VERB_COMPLETED, Meaning.ACTIVITY), (VERB_EXPERIENCED, Meaning.ACTIVITY),
    ("http://adlnet.gov/expapi/verbs/attempted", Meaning.OTHER),
    ("https://w3id.org/xapi/video/verbs/paused", Meaning.OTHER)])
def test_verbs_map_to_meanings(verb: str, meaning: Meaning) -> None:
    (s,) = parse_statements([answer(verb={"id": verb}, result={})])
    assert s.meaning is meaning and s.success is None and s.duration_s is None


def test_mbox_actor_and_optional_parts() -> None:
    bare = {"actor": {"mbox": "mailto:Ana.Lima@Example.org"}, "verb": {"id": VERB_COMPLETED},
            "object": {"id": "q-7"}}
    (s,) = parse_statements([bare])
    assert s.actor == Actor(email="ana.lima@example.org")
    assert (s.object_id, s.ts, s.success) == ("q-7", None, None)


def test_statements_without_an_id_get_a_stable_uuid5() -> None:
    content = answer()
    del content["id"]
    first = statement_id(content)
    assert uuid.UUID(first).version == 5
    reordered = dict(reversed(list(content.items())))
    assert statement_id(reordered) == first  # canonical JSON: key order does not matter
    # what a learning record store adds does not make it another statement
    assert statement_id({**content, "stored": "2026-11-02T16:30:00Z",
                         "authority": {"mbox": "mailto:lrs@example.org"},
                         "version": "1.0.3"}) == first
    assert statement_id({**content, "result": {"success": False}}) != first
    (s,) = parse_statements([content])
    assert s.id == first and s.raw["id"] == first


def test_digest_ignores_lrs_fields_but_not_content() -> None:
    (a, b, c) = parse_statements([answer(), answer(stored="2026-11-03T00:00:00Z",
                                                   version="1.0.3"),
                                  answer(result={"success": False})])
    assert a.digest == b.digest != c.digest


def test_ids_are_normalised_to_lower_case() -> None:
    (s,) = parse_statements([answer(id=SID.upper())])
    assert s.id == SID


@pytest.mark.parametrize(("object_id", "expected"), [
    ("alg-q-1", ("alg-q-1",)),
    ("https://lms.example/course/questions/alg-q-1", (
        "https://lms.example/course/questions/alg-q-1", "alg-q-1")),
    ("https://lms.example/questions/alg-q-1/?v=2#top", (
        "https://lms.example/questions/alg-q-1/?v=2#top", "alg-q-1")),
    ("https://lms.example/questions/a%20b", ("https://lms.example/questions/a%20b", "a b")),
    ("https://lms.example/questions/x/y", ("https://lms.example/questions/x/y",)),
    ("https://lms.example/activities/alg-q-1", ("https://lms.example/activities/alg-q-1",)),
])
def test_question_candidates(object_id: str, expected: tuple[str, ...]) -> None:
    assert question_candidates(object_id) == expected


def test_times_and_durations() -> None:
    assert parse_timestamp("2026-11-02T16:26:36Z") == 1_793_636_796_000
    assert parse_timestamp("2026-11-02T18:26:36+02:00") == 1_793_636_796_000
    assert parse_timestamp("2026-11-02T16:26:36") == 1_793_636_796_000  # no zone: UTC
    assert iso_timestamp(1_793_636_796_250) == "2026-11-02T16:26:36.250Z"
    assert parse_duration("PT4.5S") == 4.5 and parse_duration("P1DT1H") == 90_000
    for bad in ("2026-11-02", "yesterday"):
        with pytest.raises(ValueError):
            parse_timestamp(bad)


def errors_of(*statements: Any) -> set[tuple[int, str]]:
    with pytest.raises(MalformedStatements) as caught:
        parse_statements(list(statements))
    assert all(isinstance(e, StatementError) and e.message for e in caught.value.errors)
    return {(e.index, e.field) for e in caught.value.errors}


def test_every_malformed_statement_is_reported_by_index_and_field() -> None:
    no_actor = answer()
    del no_actor["actor"]
    assert errors_of(answer(), no_actor, "text", answer(id="not-a-uuid"),
                     answer(verb={"id": "answered"}), answer(object={"id": ""})) == {
        (1, "actor"), (2, ""), (3, "id"), (4, "verb.id"), (5, "object.id")}


@pytest.mark.parametrize(("changes", "field"), [
    ({"actor": {"name": "no identifier"}}, "actor"),
    ({"actor": {"mbox": "ana@example.org"}}, "actor.mbox"),
    ({"actor": {"account": {"homePage": "https://lms.example"}}}, "actor.account.name"),
    ({"actor": {"mbox": "mailto:a@b.c", "account": {"name": "x"}}}, "actor"),
    ({"actor": {"objectType": "Robot", "mbox": "mailto:a@b.c"}}, "actor.objectType"),
    ({"actor": {"objectType": "Group"}}, "actor.member"),
    ({"verb": "answered"}, "verb"),
    ({"verb": {"id": VERB_ANSWERED, "display": "answered"}}, "verb.display"),
    ({"object": {"objectType": "Thing", "id": "q"}}, "object.objectType"),
    ({"object": {"objectType": "StatementRef", "id": "q"}}, "object.id"),
    ({"result": {"success": "yes"}}, "result.success"),
    ({"result": {"duration": "90 seconds"}}, "result.duration"),
    ({"result": {"duration": 90}}, "result.duration"),
    ({"result": []}, "result"),
    ({"timestamp": "2026-13-45T00:00:00Z"}, "timestamp"),
    ({"timestamp": 1794155196}, "timestamp"),
    ({"context": "classroom"}, "context"),
])
def test_wrong_types_and_values_are_named(changes: dict[str, Any], field: str) -> None:
    assert errors_of(answer(**changes)) == {(0, field)}


def test_the_error_message_lists_reasons() -> None:
    with pytest.raises(MalformedStatements, match=r"\[0\] timestamp: .*ISO 8601"):
        parse_statements([answer(timestamp="soon")])
