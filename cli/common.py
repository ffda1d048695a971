"""What every `kgtutor` command shares: settings, the store, errors as one-line messages, the
clock, and the lazy group that lets a command import only its own module."""

from __future__ import annotations

import importlib
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import click

from services.settings import Settings
from services.store import open_store
from tutor.errors import KgtutorError
from tutor.ports import GraphStore

if TYPE_CHECKING:
    from services.recommend import Recommender

P = ParamSpec("P")
R = TypeVar("R")


def errors_as_messages(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn the project's errors into click's one-line ``Error: ...`` and exit code 1."""
    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except KgtutorError as e:
            raise click.ClickException(str(e)) from None

    return wrapper


# what --data takes, in every command's help (models.sources.load_responses reads them)
DATA_FORMATS = ("An lpp-format folder, an EdNet KT1 folder, KT sequence files (DKT, AKT, pyKT; a "
                "file or a folder), or a log file as its system ships it (ASSISTments, "
                "DataShop, Junyi, Eedi)")


@contextmanager
def store_for(settings: Settings) -> Iterator[GraphStore]:
    store = open_store(settings)
    try:
        yield store
    finally:
        store.close()


def now_ms() -> int:
    """Epoch milliseconds, the clock the services take."""
    return time.time_ns() // 1_000_000


def echo_json(value: object) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def recommender(settings: Settings, store: GraphStore) -> Recommender:
    """The recommender with the trained models of ``settings.models_dir`` (imported here: the
    models bring torch)."""
    from services.recommend import Recommender, load_predictors
    return Recommender(store, load_predictors(settings.models_dir))


class LazyGroup(click.Group):
    """A group whose subcommands, given as ``{"name": "module:attribute"}``, are imported when
    used (click's documented lazy loading): a command imports only its own module, so only the
    commands that need torch pay for it. ``summaries`` (name: the first sentence of the
    command's help) let ``--help`` list them without importing any."""

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None,
                 summaries: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy or {}
        self.summaries = summaries or {}

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's listing, with a stand-in made of its summary for each command that has one
        (the same short help: click shortens a help to its first sentence, then to the width)."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(map(len, names))
        rows = []
        for name in names:
            command = (click.Command(name, help=self.summaries[name]) if name in self.summaries
                       else self.get_command(ctx, name))
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.lazy:
            return super().get_command(ctx, cmd_name)
        module, _, attribute = self.lazy[cmd_name].partition(":")
        command = getattr(importlib.import_module(module), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{self.lazy[cmd_name]} is not a click command")
        return command
