"""The API's signing key when several gunicorn workers start at once on a fresh var folder:
before the fix the second worker to create it failed to boot (FileExistsError)."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from api.app import _secret


def test_workers_starting_together_share_one_whole_key(tmp_path: Path) -> None:
    for attempt in range(3):  # a fresh folder each time: the race is on creation
        var = tmp_path / f"var{attempt}"
        with ProcessPoolExecutor(6, mp_context=get_context("fork")) as pool:
            keys = list(pool.map(_secret, [var] * 12))
        assert len(set(keys)) == 1 and len(keys[0]) >= 60
        assert [p.name for p in (var / "secrets").iterdir()] == ["jwt.key"]  # no drafts left
        assert (var / "secrets" / "jwt.key").stat().st_mode & 0o777 == 0o600
