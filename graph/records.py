"""A student's whole record in the graph: the export (everything held about them) and the
erasure (nothing of them left). Reads and writes only; ``services.records`` decides."""

from __future__ import annotations

from typing import Any

from tutor.ports import GraphStore

SECRET_KEYS = frozenset({"password_hash", "secret_hash"})  # never leave the graph


def export(store: GraphStore, student_id: str) -> dict[str, Any] | None:
    """The student node, its edges with what they lead to, and the nodes naming the student;
    None when there is no such student."""
    node = store.read("student_node", {"student_id": student_id})
    if not node:
        return None
    edges = [{"rel": r["rel"], "kind": r["kind"], "props": _plain(r["props"]),
              "target": _plain(r["target"])}
             for r in store.read("student_record_edges", {"student_id": student_id})]
    named = [{"kind": r["kind"], "props": _plain(r["props"])}
             for r in store.read("student_record_nodes", {"student_id": student_id})
             if r["kind"] != "Student"]
    return {"student": _plain(node[0]["props"]), "edges": edges, "nodes": named}


def erase(store: GraphStore, student_id: str) -> bool:
    """Delete the student and every node held about them; whether the student existed."""
    rows = store.write("erase_student", {"student_id": student_id})
    return bool(rows and rows[0]["n"])


def _plain(props: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in sorted(props.items()) if k not in SECRET_KEYS}
