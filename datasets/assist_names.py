"""Skill names for the ASSISTments 2009 Q-matrix columns, joined from the AKT and PyCD releases.

No stored file maps the ``lpp`` Q-matrix columns to names, so they are derived (pure, nothing is
cached on disk):

* Column ``k`` of ``lpp/q_mat.npz`` is the k-th smallest original ASSISTments ``skill_id``; the
  original ids come from ``pycd/id_mapping.json`` ("concepts" keys, sorted numerically, not as the
  strings there are sorted).
* AKT rows give (original problem id via ``akt/problems.json``, skill name via ``akt/skill.json``)
  pairs; ``pycd/que_kc_lookup.txt`` gives each original problem id its original skill ids. A name's
  candidate skill ids are the intersection over all its problems; a name is resolved when exactly
  one candidate is left and no other name resolves to the same id. Ambiguous names (skills that
  always co-occur with another one) stay unresolved rather than guessed.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from tutor.errors import DataFormatError

AKT = "akt"
PYCD = "pycd"


def names_available(assist_root: Path) -> bool:
    """Whether both releases the join needs lie under ``assist_root``."""
    root = Path(assist_root)
    return (root / AKT).is_dir() and (root / PYCD).is_dir()


def original_skill_ids(assist_root: Path) -> list[int]:
    """Original ASSISTments skill ids in Q-matrix column order (numeric sort of PyCD's concepts)."""
    mapping = _load_json(Path(assist_root) / PYCD / "id_mapping.json")
    concepts = mapping.get("concepts") if isinstance(mapping, dict) else None
    if not isinstance(concepts, dict):
        raise DataFormatError(f"{assist_root}/{PYCD}/id_mapping.json has no 'concepts' object")
    return sorted(_to_int(key, "id_mapping.json concept id") for key in concepts)


def pycd_item_counts(assist_root: Path) -> Counter[int]:
    """Problems per original skill id in ``que_kc_lookup.txt`` (checks the column order)."""
    return Counter(s for skills in _problem_skills(Path(assist_root)).values() for s in skills)


def resolved_names(assist_root: Path) -> dict[int, str]:
    """Original skill id -> name, for the names that resolve to exactly one id."""
    root = Path(assist_root)
    lookup = _problem_skills(root)
    candidates: dict[str, frozenset[int]] = {}
    for problem, name in _akt_pairs(root / AKT):
        skills = lookup.get(problem)
        if skills is not None:  # a few AKT problems are absent from PyCD: no evidence either way
            candidates[name] = candidates.get(name, skills) & skills
    single = {name: next(iter(ids)) for name, ids in candidates.items() if len(ids) == 1}
    taken = Counter(single.values())
    return {sid: name for name, sid in single.items() if taken[sid] == 1}


def skill_names(assist_root: Path) -> dict[int, str]:
    """Q-matrix column index -> skill name, for the columns whose name resolves unambiguously."""
    column_of = {sid: k for k, sid in enumerate(original_skill_ids(assist_root))}
    names = resolved_names(assist_root)
    return {column_of[sid]: name for sid, name in names.items() if sid in column_of}


# --- file readers ----------------------------------------------------------------------------


def _problem_skills(root: Path) -> dict[int, frozenset[int]]:
    """``que_kc_lookup.txt``: original problem id -> its original skill ids."""
    path = root / PYCD / "que_kc_lookup.txt"
    lines = enumerate(_read_text(path).splitlines(), start=1)
    return dict(_lookup_line(line, path, no) for no, line in lines if line.strip())


def _lookup_line(line: str, path: Path, no: int) -> tuple[int, frozenset[int]]:
    problem, _, skills = line.partition(":")
    try:
        return int(problem), frozenset(map(int, skills.split(",")))
    except ValueError as exc:
        raise DataFormatError(f"{path} line {no}: expected 'problem:skill[,skill...]'") from exc


def _akt_pairs(akt: Path) -> set[tuple[int, str]]:
    """Distinct (original problem id, skill name) pairs over every AKT sequence file."""
    problem_of = _inverse(_load_json(akt / "problems.json"), akt / "problems.json")
    skills = _inverse(_load_json(akt / "skill.json"), akt / "skill.json")
    files = sorted(akt.glob("*.csv"))
    if not files:
        raise DataFormatError(f"{akt} has no AKT sequence files (*.csv)")
    unique: set[tuple[str, str]] = set()
    for path in files:  # test/valid/train folds repeat the same students: keep each sequence once
        unique |= _sequences(path)
    sequences = list(unique)
    if any(p.count(",") != s.count(",") for p, s in sequences):
        raise DataFormatError(f"{akt}: a student's problem and skill lines differ in length")
    problems = ",".join(p for p, _ in sequences).split(",")
    pairs = set(zip(problems, ",".join(s for _, s in sequences).split(","), strict=True))
    try:
        return {(int(problem_of[int(p)]), skills[int(s)].strip()) for p, s in pairs}
    except (KeyError, ValueError) as exc:
        raise DataFormatError(f"{akt}: AKT index {exc} not in problems.json/skill.json") from exc


def _sequences(path: Path) -> set[tuple[str, str]]:
    """One AKT file's (problem line, skill line) pairs (the format has 4 lines per student)."""
    lines = [line.strip() for line in _read_text(path).splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    if len(lines) % 4:
        raise DataFormatError(f"{path}: {len(lines)} lines, not 4 per student")
    return set(zip(lines[1::4], lines[2::4], strict=True))


def _inverse(mapping: object, path: Path) -> dict[int, str]:
    """Invert a ``{"key": index}`` JSON object to index -> key."""
    if not isinstance(mapping, dict):
        raise DataFormatError(f"{path}: expected a JSON object of key -> index")
    return {_to_int(index, str(path)): str(key) for key, index in mapping.items()}


def _load_json(path: Path) -> object:
    try:
        return json.loads(_read_text(path))
    except json.JSONDecodeError as exc:
        raise DataFormatError(f"{path}: invalid JSON ({exc})") from exc


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFormatError(f"cannot read {path}: {exc}") from exc


def _to_int(value: object, where: str) -> int:
    try:
        return int(str(value).strip())
    except ValueError as exc:
        raise DataFormatError(f"{where}: {value!r} is not an integer") from exc
