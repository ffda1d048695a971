"""What every `kgtutor` command shares: settings, the store, errors as one-line messages."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

import click

from graph.connect import open_store
from services.settings import Settings
from tutor.errors import KgtutorError
from tutor.ports import GraphStore

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


@contextmanager
def store_for(settings: Settings) -> Iterator[GraphStore]:
    store = open_store(settings)
    try:
        yield store
    finally:
        store.close()
