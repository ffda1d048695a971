"""The per-account back-off schedule (tutor.login_backoff)."""

from tutor.login_backoff import FREE_FAILURES, MAX_S, lock_seconds


def test_five_failures_are_free_then_the_lock_doubles_up_to_an_hour() -> None:
    assert [lock_seconds(n) for n in range(FREE_FAILURES + 1)] == [0] * (FREE_FAILURES + 1)
    assert [lock_seconds(FREE_FAILURES + k) for k in range(1, 6)] == [1, 2, 4, 8, 16]
    assert lock_seconds(100) == MAX_S == 3600
