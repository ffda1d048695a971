"""Only ``graph/`` names a query: no ``store.read/write`` and no query name anywhere else.

Query names are the stems of ``cypher/*.cypher``; those with an underscore cannot be mistaken
for an ordinary word (``ping``, ``chapters``, ``frontier`` can, and are left out).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("api", "cli", "services", "tutor", "models", "datasets", "evaluation", "bench",
          "seeds")
QUERY_NAMES = frozenset(p.stem for p in (ROOT / "cypher").glob("*.cypher") if "_" in p.stem)


def _modules() -> Iterator[tuple[str, ast.AST]]:
    for layer in LAYERS:
        for path in sorted((ROOT / layer).rglob("*.py")):
            yield str(path.relative_to(ROOT)), ast.parse(path.read_text(encoding="utf-8"))


def _named_store(node: ast.expr) -> bool:
    name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", None)
    return name == "store"


def offences(tree: ast.AST) -> list[str]:
    """Where a module reads or writes the store itself, or holds a query's name."""
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"read", "write"} and _named_store(node.func.value)):
            found.append(f"line {node.lineno}: store.{node.func.attr}(...)")
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
              and node.value in QUERY_NAMES):
            found.append(f"line {node.lineno}: query name {node.value!r}")
    return found


def test_query_names_live_only_in_graph() -> None:
    found = [f"{path} {o}" for path, tree in _modules() for o in offences(tree)]
    assert not found, "query names outside graph/:\n" + "\n".join(found)


def test_the_check_sees_both_kinds_of_offence() -> None:
    """The AST walk catches a direct call, one on an attribute, and a name in a variable."""
    assert "kp_exists" in QUERY_NAMES and "student_mastery" in QUERY_NAMES
    code = ('store.read("ping")\n'
            'services().store.write("x", {})\n'
            'query = "kp_exists"\n'
            'other.read("chapters")\n')
    assert offences(ast.parse(code)) == [
        "line 1: store.read(...)", "line 2: store.write(...)", "line 3: query name 'kp_exists'"]
