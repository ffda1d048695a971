"""Imports flow one way: ``api, cli -> services -> tutor <- graph, models``.

``tutor/`` is the domain and imports none of the other layers; ``graph/`` and ``models/`` never
import each other, nor HTTP, the command line or the services; ``datasets/`` reads files and
imports neither ``graph`` nor ``models``; ``evaluation/`` may import ``models``, ``tutor`` and
``datasets`` only. Every ``import`` counts, at module level or inside a function (a lazy import
is still a dependency), and so does ``importlib.import_module("...")`` with a literal name.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FRAMEWORKS = frozenset({"flask", "werkzeug", "click"})  # HTTP and the command line
FORBIDDEN: dict[str, frozenset[str]] = {
    "tutor": frozenset({"graph", "models", "services", "api", "cli", "evaluation", "datasets"})
    | FRAMEWORKS,
    "graph": frozenset({"models", "services", "api", "cli", "evaluation"}) | FRAMEWORKS,
    "models": frozenset({"graph", "services", "api", "cli", "evaluation"}) | FRAMEWORKS,
    "datasets": frozenset({"graph", "models", "services", "api", "cli", "evaluation"})
    | FRAMEWORKS,
    "evaluation": frozenset({"graph", "services", "api", "cli"}) | FRAMEWORKS,
    "services": frozenset({"api", "cli"}) | FRAMEWORKS,
}


def _package(module: str) -> str:
    """The top-level package a dotted name belongs to; every ``flask_*`` extension is flask."""
    top = module.split(".", 1)[0]
    return "flask" if top.startswith("flask") else top


def imported(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, module) of every absolute import anywhere in the tree, nested ones included."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
        elif isinstance(node, ast.Call) and (name := _dynamic_import(node)):
            yield node.lineno, name


def _dynamic_import(call: ast.Call) -> str | None:
    """The literal name of ``importlib.import_module("x")``, ``import_module`` or ``__import__``."""
    func = call.func
    called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if called not in {"import_module", "__import__"} or not call.args:
        return None
    first = call.args[0]
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None


def offences(layer: str, tree: ast.AST) -> list[str]:
    forbidden = FORBIDDEN[layer]
    return [f"line {line}: {module}" for line, module in sorted(imported(tree))
            if _package(module) in forbidden]


def _modules(layer: str) -> Iterator[tuple[str, ast.AST]]:
    for path in sorted((ROOT / layer).rglob("*.py")):
        yield str(path.relative_to(ROOT)), ast.parse(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_follow_the_rules(layer: str) -> None:
    found = [f"{path} {o}" for path, tree in _modules(layer) for o in offences(layer, tree)]
    assert not found, (f"{layer}/ must not import {', '.join(sorted(FORBIDDEN[layer]))}:\n"
                       + "\n".join(found))


def test_every_layer_is_a_folder_with_modules() -> None:
    """A renamed layer would make its rule check nothing."""
    assert all(any(_modules(layer)) for layer in FORBIDDEN)


def test_the_check_sees_every_form_of_import() -> None:
    code = ("import graph.cypher\n"
            "from models import registry\n"
            "def f():\n"
            "    import services.recommend as s\n"
            "    from flask_smorest import Blueprint\n"
            "importlib.import_module('api.app')\n"
            "from . import sibling\n"
            "import tutor.mastery, click\n"
            "from graphlib import TopologicalSorter\n")
    assert offences("tutor", ast.parse(code)) == [
        "line 1: graph.cypher", "line 2: models", "line 4: services.recommend",
        "line 5: flask_smorest", "line 6: api.app", "line 8: click"]
    assert offences("graph", ast.parse("import models.registry\nimport graph.ingest\n")) == [
        "line 1: models.registry"]
    assert offences("models", ast.parse("from graph.irt import write_irt\n")) == [
        "line 1: graph.irt"]
    assert offences("datasets", ast.parse("import datasets.junyi\nfrom models import x\n")) == [
        "line 2: models"]
