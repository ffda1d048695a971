"""The population prior of every KP, from the stored answers: the job behind `kgtutor train
priors` and the daily scheduled refresh.

A student's first answer on a KP tells whether they knew it before practising it (up to guess
and slip); ``models.kp_population.shares_from_counts`` turns each KP's first-answer right rate
into the share of students who know it, shrunk towards its dataset's overall rate. The
recommender reads it as the mastery of a KP a student never practised
(``RecConfig.population_prior``), so the frontier skips what most students already know.
Consistent with the attempts: it is recomputed from all of them on every run (idempotent).
"""

from __future__ import annotations

from itertools import groupby

from graph import cache_version
from graph.priors import first_answers, write_known_shares
from models.kp_population import shares_from_counts
from tutor.ports import GraphStore


def refresh_priors(store: GraphStore, batch_size: int = 5000) -> dict[str, int]:
    """Recompute and store every KP's known share; return KPs written per dataset."""
    written: dict[str, int] = {}
    for dataset, group in groupby(first_answers(store), key=lambda r: r.dataset):
        rows = list(group)
        shares = shares_from_counts([r.right for r in rows], [r.students for r in rows])
        written[dataset] = write_known_shares(store, [r.kp_id for r in rows], shares.tolist(),
                                              [r.students for r in rows], batch_size)
    if written:
        cache_version.bump(store)  # the catalogues' priors changed, in every API worker
    return written
