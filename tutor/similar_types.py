"""What "more like this" takes and gives: item texts, results and the settings, without the
TF-IDF machinery (numpy, scipy, scikit-learn) of ``tutor.similar``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tutor.errors import InvalidInput

ItemKind = Literal["question", "resource"]
KINDS: tuple[ItemKind, ...] = ("question", "resource")


@dataclass(frozen=True)
class ItemText:
    """The text of one recommendable item; ``tags`` are labels such as its KP ids."""

    id: str
    kind: ItemKind
    text: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Similar:
    id: str
    kind: ItemKind
    score: float  # cosine to the query item or the student's profile, in [0, 1]
    shared_terms: tuple[str, ...]  # the terms that contribute most to the score: the "why"


@dataclass(frozen=True)
class SimilarityConfig:
    top_k: int = 5  # at most this many results per call
    min_cosine: float = 0.7  # results below this cosine are dropped, even if fewer than top_k
    history: int = 100  # only the student's last this-many records build the profile
    recency_half_life: float = 20.0  # a record this many records older weighs half as much
    tag_weight: float = 0.5  # weight of the interest-tag part against the history part
    max_features: int | None = 50_000  # TF-IDF vocabulary cap (most frequent terms kept)
    shared_terms: int = 5  # how many overlapping terms explain a result
    tag_expansion: int = 20  # a text tag stands for the mean of this many items closest to it

    def __post_init__(self) -> None:
        if min(self.top_k, self.history, self.tag_expansion) < 1 or self.shared_terms < 0:
            raise InvalidInput("top_k, history, tag_expansion must be >= 1, shared_terms >= 0")
        if not 0.0 <= self.min_cosine <= 1.0 or self.recency_half_life <= 0:
            raise InvalidInput("min_cosine must be in [0, 1] and recency_half_life > 0")
        if self.tag_weight < 0:
            raise InvalidInput(f"tag_weight must be >= 0, got {self.tag_weight}")
