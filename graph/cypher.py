"""The one loader of ``cypher/*.cypher``: queries are read once and handed out by name."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import LiteralString, cast


@cache
def _all_queries() -> dict[str, str]:
    folder = resources.files("cypher")
    return {
        entry.name.removesuffix(".cypher"): entry.read_text(encoding="utf-8").strip()
        for entry in folder.iterdir()
        if entry.name.endswith(".cypher")
    }


def query_names() -> list[str]:
    return sorted(_all_queries())


def query(name: str) -> LiteralString:
    """Return the text of ``cypher/<name>.cypher``.

    The cast to LiteralString happens here and only here: the text comes from files in the
    repository, never from input, which is what the driver's LiteralString typing protects.
    """
    try:
        return cast(LiteralString, _all_queries()[name])
    except KeyError:
        raise KeyError(f"no Cypher file cypher/{name}.cypher") from None


def statements(name: str) -> list[LiteralString]:
    """Split a multi-statement file (the schema files) on ``;`` at line ends."""
    text = "\n".join(line for line in query(name).splitlines()
                     if not line.lstrip().startswith("//"))
    parts = [p.strip() for p in text.split(";\n")]
    return [cast(LiteralString, p.rstrip(";").strip()) for p in parts if p.strip()]
