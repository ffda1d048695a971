"""Item-item similarity ("more like this") for questions and resources over TF-IDF text features.

The content-based half of the recommender: it needs only the items' own text, so it works for a
new question nobody has answered yet. Rows are L2-normalised, so a cosine is a sparse dot
product; the index keeps the transposed matrix (an inverted index), so one query costs the
length of the posting lists of its own terms, not the size of the bank.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from tutor.curriculum import KnowledgePoint, Question, Resource, Tests
from tutor.errors import InvalidInput
from tutor.similar_types import KINDS, ItemKind, ItemText, Similar, SimilarityConfig

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer

DEFAULT_CONFIG = SimilarityConfig()
TEX_COMMAND = re.compile(r"\\[A-Za-z]+")


@dataclass(frozen=True, eq=False)
class ItemIndex:
    """TF-IDF rows of every item, built once per item bank and shared read-only."""

    ids: tuple[str, ...]
    kinds: np.ndarray  # (N,) index into KINDS
    matrix: sp.csr_matrix  # (N, V) L2-normalised TF-IDF rows
    postings: sp.csr_matrix  # (V, N) the transpose: term -> items holding it
    terms: np.ndarray  # (V,) the vocabulary, by column
    vectorizer: TfidfVectorizer | None  # None when the bank has no usable text
    position: Mapping[str, int]
    tagged: Mapping[str, tuple[int, ...]]  # tag -> rows of the items carrying it

    @classmethod
    def build(cls, items: Sequence[ItemText], config: SimilarityConfig = DEFAULT_CONFIG
              ) -> ItemIndex:
        """Fit the vocabulary on the bank itself, so rare-in-this-bank words weigh most."""
        from sklearn.feature_extraction.text import TfidfVectorizer  # 0.6 s: only when building
        position = _positions(items)
        vectorizer = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), stop_words="english",
                                     max_features=config.max_features, dtype=np.float64)
        try:
            matrix = sp.csr_matrix(vectorizer.fit_transform([i.text for i in items]))
            terms = vectorizer.get_feature_names_out()
        except ValueError:  # no items, or nothing but stop words: an index that finds nothing
            vectorizer, matrix, terms = None, sp.csr_matrix((len(items), 0)), np.array([], str)
        tagged: dict[str, list[int]] = defaultdict(list)
        for row, item in enumerate(items):
            for tag in dict.fromkeys(item.tags):
                tagged[tag].append(row)
        kinds = np.array([KINDS.index(i.kind) for i in items], dtype=np.int8)
        return cls(tuple(i.id for i in items), kinds, matrix, matrix.T.tocsr(), terms, vectorizer,
                   position, {t: tuple(r) for t, r in tagged.items()})

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self.position

    def row(self, item_id: str) -> int:
        if item_id not in self.position:
            raise InvalidInput(f"unknown item id '{item_id}' (not in the similarity index)")
        return self.position[item_id]


def more_like_this(index: ItemIndex, item_id: str, config: SimilarityConfig = DEFAULT_CONFIG,
                   kinds: Iterable[ItemKind] = KINDS) -> list[Similar]:
    """Return the items most like ``item_id`` (itself excluded), best first."""
    if len(index) == 0:
        return []
    row = index.row(item_id)
    return _rank(index, index.matrix[row], config, kinds, {row})


def for_student(index: ItemIndex, recent_item_ids: Sequence[str],
                interest_tags: Mapping[str, float] | None = None,
                config: SimilarityConfig = DEFAULT_CONFIG, exclude: Iterable[str] = (),
                kinds: Iterable[ItemKind] = KINDS) -> list[Similar]:
    """Return unseen items close to the student's recent records and interests, best first.

    ``recent_item_ids`` is oldest first; only the last ``config.history`` build the profile, each
    weighted ``0.5 ** (age / recency_half_life)`` (age 0 = the latest record). The profile is the
    normalised history part plus ``tag_weight`` times the normalised tag part, see ``_tags``.
    Every item in ``recent_item_ids`` (older ones too) and in ``exclude`` counts as seen; an
    unknown id in ``recent_item_ids`` is an error, in ``exclude`` it is ignored.
    """
    if len(index) == 0:
        return []
    seen_rows = {index.row(i) for i in recent_item_ids}
    seen_rows |= {index.position[i] for i in exclude if i in index.position}
    profile = _profile(index, recent_item_ids, interest_tags or {}, config)
    return [] if profile is None else _rank(index, profile, config, kinds, seen_rows)


def profile_scores(index: ItemIndex, recent_item_ids: Sequence[str],
                   interest_tags: Mapping[str, float], item_ids: Iterable[str],
                   config: SimilarityConfig = DEFAULT_CONFIG) -> dict[str, float]:
    """The cosine of each of ``item_ids`` to the student's profile (as :func:`for_student`
    builds it), 0 for an item outside the index or when there is no profile: the text signal
    of the resource ranking (``tutor.resources``), which scores given items, seen or not."""
    wanted = list(dict.fromkeys(item_ids))
    known = [i for i in recent_item_ids if i in index.position]
    profile = _profile(index, known, interest_tags, config) if len(index) else None
    if profile is None:
        return dict.fromkeys(wanted, 0.0)
    rows = [index.position[i] for i in wanted if i in index.position]
    cosines = np.asarray((index.matrix[rows] @ profile.T).todense()).ravel() if rows else []
    found = dict(zip([i for i in wanted if i in index.position], cosines, strict=True))
    return {i: min(1.0, float(found.get(i, 0.0))) for i in wanted}


def curriculum_items(questions: Iterable[Question], tests: Iterable[Tests],
                     resources: Iterable[Resource], kps: Iterable[KnowledgePoint]
                     ) -> list[ItemText]:
    """Build the texts: question text + explanation + KP names; resource title + body + KP names.

    KP names tie a short question to its topic's words; the tags are the KP ids.
    """
    names = {k.id: k.name for k in kps}
    kp_of: dict[str, list[str]] = defaultdict(list)
    for t in tests:
        kp_of[t.question_id].append(t.kp_id)
    items = [item_text(q.id, "question", (q.text, q.explanation),
                       _names(kp_of[q.id], names), kp_of[q.id]) for q in questions]
    items += [item_text(r.id, "resource", (r.title, r.body), _names(r.kp_ids, names), r.kp_ids)
              for r in resources]
    return items


def item_text(item_id: str, kind: ItemKind, own: Iterable[str | None],
              kp_names: Iterable[str], kp_ids: Iterable[str]) -> ItemText:
    """The one text recipe: the item's own text (text and explanation, or title and body)
    plus the names of its KPs; the tags are the KP ids. The TeX commands of its math (between
    $...$) are left out: ``\\frac`` is markup, and "frac" no term two items should share."""
    return ItemText(item_id, kind, TEX_COMMAND.sub(" ", _join(*own, *kp_names)), tuple(kp_ids))


# ------------------------------------------------------------------ helpers

def _positions(items: Sequence[ItemText]) -> dict[str, int]:
    position: dict[str, int] = {}
    for row, item in enumerate(items):
        if item.id in position:
            raise InvalidInput(f"duplicate item id '{item.id}' in the similarity index")
        if item.kind not in KINDS:
            raise InvalidInput(f"item '{item.id}' has kind '{item.kind}', expected one of {KINDS}")
        position[item.id] = row
    return position


def _profile(index: ItemIndex, recent_item_ids: Sequence[str],
             interest_tags: Mapping[str, float], config: SimilarityConfig
             ) -> sp.csr_matrix | None:
    """(1, V) unit row: the recency-weighted recent items plus ``tag_weight`` times the tags."""
    recent = [index.position[i] for i in recent_item_ids[-config.history:]]
    age = np.arange(len(recent) - 1, -1, -1, dtype=np.float64)
    weights = 0.5 ** (age / config.recency_half_life)
    history = _unit(sp.csr_matrix(weights[None, :]) @ index.matrix[recent]) if recent else None
    tags = _tags(index, interest_tags, config.tag_expansion) if config.tag_weight else None
    parts = [p for p in (history, None if tags is None else config.tag_weight * tags)
             if p is not None]
    return _unit(sum(parts[1:], parts[0])) if parts else None


def _tags(index: ItemIndex, interest_tags: Mapping[str, float], expand: int
          ) -> sp.csr_matrix | None:
    """Weighted mean of the tag vectors; None when no tag says anything.

    A tag's vector is the mean of the items carrying it (so an opaque KP id works) plus its own
    text through the bank's vocabulary, expanded to the cosine-weighted mean of the
    ``tag_expansion`` items closest to those words (so "quadratic equations" works: two bare
    words alone sit far from every full item text). Tags matching neither add nothing.
    """
    for tag, weight in interest_tags.items():
        if not math.isfinite(weight) or weight < 0:
            raise InvalidInput(f"interest tag '{tag}' has weight {weight}, expected >= 0")
    tags = [t for t, w in interest_tags.items() if w > 0]
    if not tags:
        return None
    vectors = _unit_rows(_expanded(index, tags, expand) + _tagged(index, tags))  # (T, V)
    weights = sp.csr_matrix(np.array([[interest_tags[t] for t in tags]], dtype=np.float64))
    return _unit(weights @ vectors)


def _expanded(index: ItemIndex, tags: list[str], expand: int) -> sp.csr_matrix:
    """(T, V) unit rows: each tag's words replaced by the items closest to them."""
    if index.vectorizer is None:
        return sp.csr_matrix((len(tags), index.matrix.shape[1]))
    scores = sp.csr_matrix(index.vectorizer.transform(tags) @ index.postings)  # (T, N)
    keep = np.zeros(scores.nnz, dtype=bool)
    for r in range(len(tags)):  # a common word must not drag in the whole bank (and its cost)
        lo, hi = scores.indptr[r], scores.indptr[r + 1]
        keep[lo + np.argsort(-scores.data[lo:hi], kind="stable")[:expand]] = True
    scores.data[~keep] = 0.0
    scores.eliminate_zeros()
    return _unit_rows(scores @ index.matrix)


def _tagged(index: ItemIndex, tags: list[str]) -> sp.csr_matrix:
    """(T, V) unit rows: the mean of the items carrying each tag."""
    pairs = [(r, c) for r, tag in enumerate(tags) for c in index.tagged.get(tag, ())]
    rows, cols = zip(*pairs, strict=True) if pairs else ((), ())
    indicator = sp.csr_matrix((np.ones(len(pairs)), (rows, cols)), shape=(len(tags), len(index)))
    return _unit_rows(indicator @ index.matrix)


def _rank(index: ItemIndex, query: sp.csr_matrix, config: SimilarityConfig,
          kinds: Iterable[ItemKind], skip: set[int]) -> list[Similar]:
    """Score every item sharing a term with ``query`` (1, V) and keep the best above threshold."""
    allowed = np.isin(np.arange(len(KINDS)), [KINDS.index(k) for k in kinds])
    scores = sp.csr_matrix(query @ index.postings)  # (1, N): only items sharing a term
    keep = scores.data >= config.min_cosine - 1e-9  # rounding must not drop exact duplicates
    keep &= allowed[index.kinds[scores.indices]] & ~np.isin(scores.indices, list(skip))
    rows, vals = scores.indices[keep], scores.data[keep]
    if len(rows) > config.top_k:  # O(candidates); ties at the cut all go on to the sort
        best = vals >= np.partition(vals, len(vals) - config.top_k)[len(vals) - config.top_k]
        rows, vals = rows[best], vals[best]
    ranked = sorted(zip(rows, vals, strict=True), key=lambda rv: (-rv[1], rv[0]))[:config.top_k]
    return [Similar(index.ids[r], KINDS[index.kinds[r]], min(float(v), 1.0),
                    _shared(index, query, int(r), config.shared_terms)) for r, v in ranked]


def _shared(index: ItemIndex, query: sp.csr_matrix, row: int, n: int) -> tuple[str, ...]:
    overlap = sp.csr_matrix(query.multiply(index.matrix[row]))
    top = np.lexsort((overlap.indices, -overlap.data))[:n]
    return tuple(str(index.terms[overlap.indices[k]]) for k in top)


def _unit_rows(matrix: sp.spmatrix) -> sp.csr_matrix:
    """Every row scaled to length 1; all-zero rows stay zero (they point nowhere)."""
    matrix = sp.csr_matrix(matrix, dtype=np.float64)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    return sp.csr_matrix(sp.diags(scale) @ matrix)


def _unit(vector: sp.spmatrix) -> sp.csr_matrix | None:
    """The (1, V) row scaled to length 1, or None when it is all zeros."""
    vector = _unit_rows(vector)
    return vector if vector.count_nonzero() else None


def _names(kp_ids: Iterable[str], names: Mapping[str, str]) -> list[str]:
    return [names.get(k, "") for k in kp_ids]


def _join(*parts: str | None) -> str:
    return "\n".join(p for p in parts if p)
