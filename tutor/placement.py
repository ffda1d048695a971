"""Prior mastery from a placement test, spread over the prerequisite graph.

A placement test gives a θ and a few answers on a few KPs. Every KP of the course gets a prior:
1. from θ: the KP's population prior (the share of students who know it, or the BKT default)
   moved by ``ability_weight * θ`` on the logit scale, as the recommender does for a KP never
   practised (``tutor.recommend.individual_priors``);
2. from the graph: a tested KP whose answers leave it mastered (posterior ≥ τ) is evidence that
   its prerequisites are known too, so each ancestor's prior rises to at least that posterior;
   a tested KP whose answers leave it probably unknown (posterior < 0.5) is evidence against
   what builds on it, so each descendant's prior falls to at most that posterior.
A tested KP keeps the prior it had BEFORE its own answers: BKT over the stored attempts (the
test's answers among them) applies those answers once, on top of it (``refresh_mastery``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import networkx as nx

from tutor.mastery import BktParams, bkt_update
from tutor.recommend import individual_priors

UNKNOWN_BELOW = 0.5  # a tested KP's posterior under this caps the KPs that build on it


def placement_priors(theta: float, prerequisites: Mapping[str, Sequence[str]],
                     population: Mapping[str, float], answers: Mapping[str, Sequence[bool]],
                     tau: float, ability_weight: float = 1.0,
                     bkt: Mapping[str, BktParams] | None = None) -> dict[str, float]:
    """Prior mastery per KP of ``prerequisites`` (kp -> its direct prerequisites) after a
    placement ending at ``theta`` with ``answers`` per KP tested."""
    bkt = bkt or {}
    base = dict(individual_priors({k: population.get(k, bkt.get(k, BktParams()).prior)
                                   for k in prerequisites}, theta, ability_weight))
    graph = nx.DiGraph()
    graph.add_nodes_from(prerequisites)
    graph.add_edges_from((p, k) for k, pres in prerequisites.items() for p in pres
                         if p in prerequisites)
    prior = dict(base)
    for kp, given in answers.items():
        if kp not in graph or not given:
            continue
        post = posterior(base[kp], given, bkt.get(kp, BktParams()))
        if post >= tau:
            for a in nx.ancestors(graph, kp):
                prior[a] = max(prior[a], post)
        elif post < UNKNOWN_BELOW:
            for d in nx.descendants(graph, kp):
                prior[d] = min(prior[d], post)
    return prior


def posterior(prior: float, answers: Sequence[bool], params: BktParams) -> float:
    """P(known) after ``answers`` with no learning between them (a test teaches nothing)."""
    still = replace(params, learn=0.0)
    p = prior
    for right in answers:
        p = bkt_update(p, right, still)
    return p
