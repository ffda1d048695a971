"""Unit tests of the outbox rules: ids, backoff, giving up, Message-IDs, header safety."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from tutor.errors import InvalidInput
from tutor.notify import (
    FAILED,
    MAX_ATTEMPTS,
    PENDING,
    Retry,
    after_failure,
    backoff_ms,
    check,
    message_id,
    new_notification,
    notification_id,
)

MIN = 60_000
NOW = 1_700_000_000_000


@pytest.mark.parametrize(("attempts", "wait"), [
    (1, 1 * MIN), (2, 2 * MIN), (3, 4 * MIN), (6, 32 * MIN), (7, 60 * MIN), (8, 60 * MIN),
    (1000, 60 * MIN),
])
def test_backoff_doubles_from_a_minute_and_caps_at_an_hour(attempts: int, wait: int) -> None:
    assert backoff_ms(attempts) == wait


@pytest.mark.parametrize("attempts", [0, -1])
def test_backoff_counts_failed_attempts_from_one(attempts: int) -> None:
    with pytest.raises(InvalidInput):
        backoff_ms(attempts)


@pytest.mark.parametrize(("before", "permanent", "expected"), [
    (0, False, Retry(1, PENDING, NOW + MIN)),
    (1, False, Retry(2, PENDING, NOW + 2 * MIN)),
    (MAX_ATTEMPTS - 2, False, Retry(MAX_ATTEMPTS - 1, PENDING, NOW + 60 * MIN)),
    (MAX_ATTEMPTS - 1, False, Retry(MAX_ATTEMPTS, FAILED, 0)),
    (0, True, Retry(1, FAILED, 0)),
])
def test_after_failure_retries_then_gives_up(before: int, permanent: bool,
                                             expected: Retry) -> None:
    assert after_failure(before, NOW, permanent) == expected


def test_total_patience_rides_out_a_few_hours_of_outage() -> None:
    waited = sum(backoff_ms(a) for a in range(1, MAX_ATTEMPTS))
    assert 3 * 60 * MIN <= waited <= 6 * 60 * MIN


def test_notification_id_is_deterministic_and_names_its_kind() -> None:
    first = notification_id("negative_affect", "assist2009:stu:7", "affect:42")
    assert first == notification_id("negative_affect", "assist2009:stu:7", "affect:42")
    assert re.fullmatch(r"notification:negative_affect:[0-9a-f]{32}", first)


@pytest.mark.parametrize(("a", "b"), [
    (("negative_affect", "s1", "e1"), ("negative_affect", "s1", "e2")),
    (("negative_affect", "s1", "e1"), ("negative_affect", "s2", "e1")),
    (("negative_affect", "s1", "e1"), ("fatigue", "s1", "e1")),
    (("k", "a:b", "c"), ("k", "a", "b:c")),  # separators inside parts cannot collide
])
def test_different_events_get_different_ids(a: tuple[str, str, str],
                                            b: tuple[str, str, str]) -> None:
    assert notification_id(*a) != notification_id(*b)


@pytest.mark.parametrize(("kind", "student", "key"), [
    ("", "s1", "e1"), ("Negative", "s1", "e1"), ("neg affect", "s1", "e1"),
    ("negative", "", "e1"), ("negative", "s1", ""),
])
def test_notification_id_refuses_bad_parts(kind: str, student: str, key: str) -> None:
    with pytest.raises(InvalidInput):
        notification_id(kind, student, key)


def test_new_notification_is_pending_and_due_now() -> None:
    n = new_notification("negative_affect", "s1", "e1", "tutor@example.org", "Subject",
                         "Body", NOW)
    assert (n.status, n.attempts, n.next_try, n.created, n.sent) == (PENDING, 0, NOW, NOW, 0)
    assert n.id == notification_id("negative_affect", "s1", "e1")


@pytest.mark.parametrize(("to", "subject"), [
    ("", "S"), ("nobody", "S"), ("a@b.org, c@d.org", "S"), ("a@b.org\r\nBcc: x@y.org", "S"),
    ("a@b.org", ""), ("a@b.org", "Hi\nBcc: x@y.org"),
])
def test_check_refuses_what_would_break_headers(to: str, subject: str) -> None:
    n = new_notification("k", "s1", "e1", "t@example.org", "S", "", NOW)
    with pytest.raises(InvalidInput):
        check(replace(n, to=to, subject=subject))


def test_message_id_is_stable_and_valid() -> None:
    mid = message_id("notification:k:abc", "example.org")
    assert mid == message_id("notification:k:abc", "example.org")
    assert mid != message_id("notification:k:abd", "example.org")
    assert re.fullmatch(r"<[0-9a-f]{32}\.kgtutor@example\.org>", mid)
    assert message_id("x", "").endswith("@localhost>")
