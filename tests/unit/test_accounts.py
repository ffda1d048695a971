"""The dummy hash that keeps an unknown login as slow as a wrong password."""

from __future__ import annotations

import pytest
from argon2.exceptions import VerifyMismatchError

from services import accounts


def test_the_dummy_hash_costs_what_a_real_one_costs() -> None:
    assert not accounts._HASHER.check_needs_rehash(accounts._DUMMY_HASH)
    with pytest.raises(VerifyMismatchError):
        accounts._HASHER.verify(accounts._DUMMY_HASH, "a guess")
