"""Issue 17, defect 5: log-in limits per account with exponential back-off, per address sized
for a school behind one NAT address, and /auth/me outside that budget. Before the fix, 60
wrong passwords for one account from 60 loopback addresses met no lockout and the 61st, right,
password got in; the 11th student logging in from one address within a minute got 429."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

from cli.common import store_for
from services import accounts
from services.settings import Settings
from tests.reliability.conftest import NOW, PASSWORD, Live
from tutor.access import Role


def login(live: Live, username: str, password: str, source: str = "127.0.0.1"
          ) -> tuple[int, dict, dict]:
    """POST /auth/login from the given loopback address (all of 127/8 reaches the server)."""
    url = urlsplit(live.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30,
                                      source_address=(source, 0))
    try:
        conn.request("POST", "/auth/login", json.dumps(
            {"username": username, "password": password}), {"Content-Type": "application/json"})
        r = conn.getresponse()
        return r.status, json.loads(r.read() or b"{}"), dict(r.getheaders())
    finally:
        conn.close()


def test_guesses_spread_over_addresses_lock_the_account(live: Live) -> None:
    with store_for(Settings(var_dir=live.var_dir)) as store:
        accounts.add_user(store, "victim", PASSWORD, Role.ADMIN, NOW)
    statuses = [login(live, "victim", f"guess-{i}", f"127.0.{i // 250}.{2 + i % 250}")[0]
                for i in range(60)]
    assert statuses[:5] == [401] * 5 and 429 in statuses
    status, body, headers = login(live, "victim", PASSWORD, "127.0.9.9")
    assert status == 429, body  # the right password during the lock gets nowhere
    assert int(headers["Retry-After"]) >= 1 and "victim" not in json.dumps(body)


def test_a_class_behind_one_address_logs_in_and_me_has_its_own_budget(live: Live) -> None:
    with store_for(Settings(var_dir=live.var_dir)) as store:
        for i in range(30):
            accounts.add_user(store, f"pupil{i}", PASSWORD, Role.ADMIN, NOW)
    tokens = []
    for i in range(30):  # a class of 30 in the same minute from one school address
        status, body, _ = login(live, f"pupil{i}", PASSWORD, "127.0.20.1")
        assert status == 200, (i, body)
        tokens.append(body["access_token"])
    url = urlsplit(live.url)
    for token in tokens:
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30,
                                          source_address=("127.0.20.1", 0))
        conn.request("GET", "/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert conn.getresponse().status == 200
        conn.close()


def test_a_success_resets_the_failures(live: Live) -> None:
    with store_for(Settings(var_dir=live.var_dir)) as store:
        accounts.add_user(store, "typo", PASSWORD, Role.ADMIN, NOW)
    for round_ in range(3):  # 4 typos then the right password, three times: never locked
        for i in range(4):
            assert login(live, "typo", f"wrong{round_}{i}")[0] == 401
        assert login(live, "typo", PASSWORD)[0] == 200
