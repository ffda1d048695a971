"""`kgtutor lms add-client`: LMS service accounts of the web API."""

from __future__ import annotations

import click

from cli.common import errors_as_messages, now_ms, store_for
from services import accounts
from services.settings import Settings


@click.group()
def lms() -> None:
    """LMS service accounts: client credentials scoped to one tenant."""


@lms.command("add-client")
@click.argument("name")
@click.option("--tenant", required=True, help="The only tenant this client may touch.")
@click.pass_obj
@errors_as_messages
def add_client(settings: Settings, name: str, tenant: str) -> None:
    """Register an LMS client and print its id and secret (the secret is shown only now)."""
    with store_for(settings) as store:
        client_id, secret = accounts.add_client(store, name, tenant, now_ms())
    click.echo(f"client_id: {client_id}\nclient_secret: {secret}\ntenant: {tenant}")
