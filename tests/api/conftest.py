"""The API over a real embedded graph seeded with the demo curriculum, and accounts of every
role: students amara and ben (class 9A), tutor hpark (9A and the evening group), tutor
trivera (evening group only), an admin, and LMS clients of tenants "north" and "south"."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from cli.common import store_for
from cli.main import main
from graph.embedded import EmbeddedServer
from services import accounts
from services.settings import Settings
from tutor.access import Role
from tutor.ports import GraphStore

PASSWORD = "correct horse battery"
NOW = 1_795_000_000_000


@dataclass(frozen=True)
class Clients:
    north: tuple[str, str]  # (client id, secret)
    south: tuple[str, str]


@pytest.fixture(scope="session")
def api_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    var = tmp_path_factory.mktemp("api-var")
    result = CliRunner().invoke(main, ["graph", "seed"], env={"KGTUTOR_VAR": str(var)})
    assert result.exit_code == 0, result.output
    yield Settings(var_dir=var, auth_rate_limit="1000 per minute")
    EmbeddedServer(var / "graph").stop(force=True)


@pytest.fixture(scope="session")
def api_store(api_settings: Settings) -> Iterator[GraphStore]:
    with store_for(api_settings) as store:
        yield store


@pytest.fixture(scope="session")
def lms_clients(api_store: GraphStore) -> Clients:
    add = accounts.add_user
    add(api_store, "amara", PASSWORD, Role.STUDENT, NOW, student_id="alg-st-amara")
    add(api_store, "ben", PASSWORD, Role.STUDENT, NOW, student_id="alg-st-ben")
    add(api_store, "hpark", PASSWORD, Role.TUTOR, NOW, tutor_id="alg-tutor-hpark")
    add(api_store, "trivera", PASSWORD, Role.TUTOR, NOW, tutor_id="alg-tutor-trivera")
    add(api_store, "admin", PASSWORD, Role.ADMIN, NOW)
    return Clients(accounts.add_client(api_store, "North LMS", "north", NOW),
                   accounts.add_client(api_store, "South LMS", "south", NOW))


@pytest.fixture(scope="session")
def asmt(api_store: GraphStore, lms_clients: Clients) -> str:
    """The small "asmt" course of ``tests/api/assessment_bank.py``, loaded once per session:
    the tests and experiments API tests share it; returns its dataset."""
    from tests.api.assessment_bank import DATASET, load

    load(api_store, NOW)
    return DATASET


@pytest.fixture(scope="session")
def app(api_settings: Settings, api_store: GraphStore, lms_clients: Clients) -> Flask:
    return create_app(api_settings, store=api_store)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def tokens(app: Flask, lms_clients: Clients) -> dict[str, str]:
    """A bearer token per account name (and "north"/"south" for the LMS clients)."""
    c = app.test_client()
    out = {}
    for name in ("amara", "ben", "hpark", "trivera", "admin"):
        r = c.post("/auth/login", json={"username": name, "password": PASSWORD})
        assert r.status_code == 200, r.json
        out[name] = r.json["access_token"]
    for tenant, (cid, secret) in (("north", lms_clients.north), ("south", lms_clients.south)):
        r = c.post("/auth/token", json={"client_id": cid, "client_secret": secret})
        assert r.status_code == 200, r.json
        out[tenant] = r.json["access_token"]
    return out


@pytest.fixture
def as_(client: FlaskClient, tokens: dict[str, str]) -> Callable[..., Any]:
    """``as_("hpark").get(url)``: the test client with that account's bearer token."""
    return callers(client, tokens)


def callers(client: FlaskClient, tokens: dict[str, str]) -> Callable[..., Any]:
    """A factory of the test client bearing each account's token (see ``as_``)."""
    class Caller:
        def __init__(self, name: str) -> None:
            self.headers = {"Authorization": f"Bearer {tokens[name]}"}

        def __getattr__(self, method: str) -> Callable[..., Any]:
            def call(url: str, **kw: Any) -> Any:
                kw["headers"] = {**self.headers, **kw.get("headers", {})}
                return getattr(client, method)(url, **kw)
            return call

    return Caller


def settings_with(settings: Settings, **changes: Any) -> Settings:
    return replace(settings, **changes)


__all__ = ["NOW", "PASSWORD", "Path", "settings_with"]
