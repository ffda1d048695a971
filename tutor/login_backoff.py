"""How long an account refuses log-ins after failures in a row: exponential back-off.

Why per account and not only per address: an attacker spreads guesses over many addresses
(60 loopback addresses went through a per-address limit), while a school behind one NAT address
makes many honest log-ins a minute. Five failures are free (typos); the sixth locks the account
for 1 s, and each further one doubles it, up to an hour; a success resets the count. While
locked, a log-in is refused before the password is checked, so the right password guessed
during a lock gets nowhere.
"""

from __future__ import annotations

FREE_FAILURES = 5
BASE_S = 1
MAX_S = 3600


def lock_seconds(failures: int) -> int:
    """Seconds an account refuses log-ins after ``failures`` in a row."""
    if failures <= FREE_FAILURES:
        return 0
    return min(BASE_S * 2 ** (failures - FREE_FAILURES - 1), MAX_S)
