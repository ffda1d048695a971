"""The reliability suite (issue 17): defects found by probing the service as an attacker and a
failing machine would, each reproduced against real parts: a live `kgtutor serve` process on a
seeded embedded graph, concurrent HTTP clients, real kill -9."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from cli.common import store_for
from cli.main import main
from graph.embedded import EmbeddedServer
from services import accounts
from services.settings import Settings
from tests.live_server import serving
from tutor.access import Role

NOW = 1_795_000_000_000
PASSWORD = "reliability horse battery staple"


@dataclass(frozen=True)
class Live:
    url: str
    var_dir: Path
    tokens: dict[str, str]  # "admin", and each tenant's LMS client -> bearer token

    def headers(self, who: str = "admin") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """`kgtutor serve` on a freshly seeded graph, with an admin and the LMS clients
    of tenants north and south."""
    var = tmp_path_factory.mktemp("reliability-var")
    result = CliRunner().invoke(main, ["graph", "seed"], env={"KGTUTOR_VAR": str(var)})
    assert result.exit_code == 0, result.output
    with store_for(Settings(var_dir=var)) as store:
        clients = {t: accounts.add_client(store, f"{t} LMS", t, NOW) for t in ("north", "south")}
        accounts.add_user(store, "admin", PASSWORD, Role.ADMIN, NOW)
    try:
        with serving(var, var / "serve.log") as url:
            r = requests.post(url + "/auth/login",
                              json={"username": "admin", "password": PASSWORD}, timeout=30)
            assert r.status_code == 200, r.text
            tokens = {"admin": r.json()["access_token"]}
            for tenant, (cid, secret) in clients.items():
                r = requests.post(url + "/auth/token",
                                  json={"client_id": cid, "client_secret": secret}, timeout=30)
                assert r.status_code == 200, r.text
                tokens[tenant] = r.json()["access_token"]
            yield Live(url, var, tokens)
    finally:
        EmbeddedServer(var / "graph").stop(force=True)
