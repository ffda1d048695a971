"""Entry points: the web API (``create_app``) and the ``kgtutor`` command line (``cli.main``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

    from services.settings import Settings


def create_app(settings: Settings | None = None, **services: Any) -> Flask:
    """The Flask app of the API. Imports Flask only when called, so the CLI stays quick;
    ``services`` (store, recommender, clock) replace the ones built from ``settings``."""
    from api.app import build_app
    from services.settings import Settings

    return build_app(settings or Settings.from_env(), **services)
