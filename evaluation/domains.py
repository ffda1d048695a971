"""The classroom study's domains: the simulated truth, its chapters, and the map a tutor gets.

* ``--data DIR`` (:func:`lpp_domain`): the simulator fitted on an lpp folder's train split
  (``evaluation.fit_learner``, one to two minutes on ASSIST2009), kept in ``cache_dir`` under a
  key of the folder's file names, sizes and mtimes and the fit's settings. Such data has one
  chapter at most, so **chapters are blocks of ``chapter_kps`` KPs in curriculum order** (the
  true map's topological order, ties by KP index): the study's completion is the share of
  those blocks whose every KP is truly mastered.
* ``--domain demo`` (:func:`demo_domain`): the seed curriculum, its chapters and prerequisites,
  with parameters drawn by ``evaluation.course_learner`` (no data needed).
* ``--domain junyi`` (:func:`junyi_domain`): the Junyi Academy exercise table's real
  prerequisite graph (``datasets.junyi``: 835 exercises, one KP each, cycles broken as the
  importer does) and its topics as chapters. The table has no responses, so parameters are
  drawn from the ASSIST2009 fit (``evaluation.course_learner``): its own-fit KPs' rows when an
  ASSIST2009 lpp folder is at hand, else the medians and spread of that fit. A Junyi exercise
  generates its problems, so each KP gets ``JUNYI_ITEMS`` questions from basic to challenge.

:func:`degrade` makes the imperfect map of the issue: a seeded share of the true edges dropped
and spurious ones added (never a cycle), as a real teacher's map is never exact.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np

from evaluation.learner import SimParams
from tutor.errors import InvalidInput

if TYPE_CHECKING:
    from evaluation.fit_learner import LearnerFit
    from models.kt_data import KTData
    from tutor.curriculum import KnowledgePoint, Prerequisite, Question, Tests

Prereqs = tuple[tuple[int, ...], ...]  # per KP, the indices of its prerequisites


@dataclass(frozen=True, eq=False)
class Domain:
    name: str
    params: SimParams  # the truth; only the simulator and the oracle read it
    chapters: tuple[tuple[int, ...], ...]  # KP indices per chapter, chapters in course order
    chapter_rule: str  # how the chapters were made (the report says it)
    real: KTData | None = None  # the responses the simulator was fitted on, if any


def lpp_domain(folder: Path, cache_dir: Path, chapter_kps: int = 10) -> Domain:
    """The simulator fitted on ``folder``'s train split (cached), chapters as KP blocks."""
    kt, fit = fitted(folder, cache_dir)
    params = fit.params
    order = curriculum_order(params.prereqs)
    chapters = tuple(tuple(order[i:i + chapter_kps]) for i in range(0, len(order), chapter_kps))
    return Domain(folder.stem if folder.is_file() else folder.parent.name or folder.name, params,
                  chapters,
                  f"blocks of {chapter_kps} KPs in the true map's topological order "
                  "(ties by KP index): the data has no chapters", kt)


def demo_domain(seed: int = 0) -> Domain:
    """The seed curriculum with drawn parameters; its own chapters."""
    from evaluation.course_learner import course_sim_params
    from seeds.curriculum import load_curriculum

    course = load_curriculum()
    params = course_sim_params(course, np.random.default_rng(seed))
    index = {k: i for i, k in enumerate(params.kp_ids)}
    chapters = tuple(tuple(index[k.id] for k in course.kps if k.chapter_id == c.id)
                     for c in sorted(course.chapters, key=lambda c: c.order))
    return Domain("demo", params, tuple(c for c in chapters if c), "the course's chapters")


def fitted(folder: Path, cache_dir: Path) -> tuple[KTData, LearnerFit]:
    """An lpp folder's responses and the simulator fitted on its train split (cached in
    ``cache_dir`` under a key of the folder's files and the fit's settings)."""
    from evaluation.fit_learner import FitConfig, fit_learner
    from models.sources import load_responses

    folder = Path(folder)
    if not folder.exists():
        raise InvalidInput(f"{folder}: no such folder or file")
    kt = load_responses(folder)
    config = FitConfig()
    path = cache_dir / f"{_cache_key(folder, config)}.pkl"
    if path.is_file():
        return kt, pickle.loads(path.read_bytes())
    fit = fit_learner(kt, config)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(fit))
    return kt, fit


JUNYI_ITEMS = ("basic", "standard", "standard", "challenge")  # questions per exercise, by level


def junyi_domain(table: Path, reference: LearnerFit | None = None, seed: int = 0) -> Domain:
    """The Junyi exercise table's map and topics, parameters drawn from ``reference``."""
    from datasets.junyi import read_junyi
    from evaluation.course_learner import course_sim_params
    from tutor.curriculum import Question, ResourceLevel, Tests

    if not Path(table).is_file():
        raise InvalidInput(f"{table}: no Junyi exercise table there (set KGTUTOR_DATA to the "
                           "folder holding junyi/junyi_Exercise_table.csv)")
    data = read_junyi(Path(table))
    questions = [Question(f"{k.id}:q{i}", level=ResourceLevel(level))
                 for k in data.kps for i, level in enumerate(JUNYI_ITEMS)]
    course = _Course(data.kps, data.prerequisites, questions,
                     [Tests(q.id, q.id.rsplit(":q", 1)[0]) for q in questions])
    params = course_sim_params(course, np.random.default_rng(seed), reference)
    index = {k: i for i, k in enumerate(params.kp_ids)}
    position = {k: i for i, k in enumerate(curriculum_order(params.prereqs))}
    chapters = [tuple(sorted((index[k.id] for k in data.kps if k.chapter_id == c.id),
                             key=position.__getitem__)) for c in data.chapters]
    chapters = sorted((c for c in chapters if c), key=lambda c: position[c[0]])
    rule = ("the exercise table's topics, in the order of their first exercise on the map; "
            "parameters drawn from " + ("the ASSIST2009 fit's own-fit KPs" if reference
                                        else "the ASSIST2009 fit's medians and spread"))
    return Domain("junyi", params, tuple(chapters), rule)


@dataclass(frozen=True)
class _Course:
    """What ``course_sim_params`` reads of a course."""

    kps: Sequence[KnowledgePoint]
    prerequisites: Sequence[Prerequisite]
    questions: Sequence[Question]
    tests: Sequence[Tests]


def edges_of(prereqs: Sequence[Sequence[int]]) -> list[tuple[int, int]]:
    """(before, after) pairs of a per-KP prerequisite table, sorted."""
    return sorted((a, b) for b, pre in enumerate(prereqs) for a in pre)


def curriculum_order(prereqs: Sequence[Sequence[int]]) -> list[int]:
    """KP indices in topological order of the map, ties by index."""
    graph = nx.DiGraph()
    graph.add_nodes_from(range(len(prereqs)))
    graph.add_edges_from(edges_of(prereqs))
    try:
        return list(nx.lexicographical_topological_sort(graph))
    except nx.NetworkXUnfeasible:
        raise InvalidInput("the prerequisite map has a cycle: no curriculum order") from None


def degrade(prereqs: Sequence[Sequence[int]], rng: np.random.Generator, drop: float = 0.2,
            spurious: float = 0.1) -> Prereqs:
    """The map with ``drop`` of its edges removed and ``spurious`` times as many
    false ones added.

    A spurious edge joins two KPs that the true map does not join, in a direction that keeps
    the map acyclic; pairs are drawn uniformly until enough are found (or 100 tries per edge).
    """
    true = edges_of(prereqs)
    n = len(prereqs)
    keep = [true[i] for i in sorted(rng.choice(len(true), len(true) - round(drop * len(true)),
                                               replace=False))] if true else []
    graph = nx.DiGraph(keep)
    graph.add_nodes_from(range(n))
    want, tries, taken = round(spurious * len(true)), 0, set(true)
    while want > 0 and n > 1 and tries < 100 * max(want, 1):
        tries += 1
        a, b = (int(x) for x in rng.choice(n, 2, replace=False))
        if (a, b) in taken or (b, a) in taken or nx.has_path(graph, b, a):
            continue
        graph.add_edge(a, b)
        taken.add((a, b))
        want -= 1
    return tuple(tuple(sorted(graph.predecessors(k))) for k in range(n))


# bump when the fit or the simulator's parameters change meaning (the cache key);
# 4: the ability moves centred priors, guesses and slips
FIT_VERSION = 4


def _cache_key(folder: Path, config: object) -> str:
    from models.sources import source_files
    files = source_files(folder)
    stamp = [(p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in files]
    return hashlib.sha256(repr((stamp, config, FIT_VERSION)).encode()).hexdigest()[:16]
