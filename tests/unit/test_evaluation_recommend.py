"""The offline recommendation protocol: metrics by hand, baselines on tiny data, the report."""

import json
import math

import numpy as np
import pytest

from evaluation.recommend import (
    MarkovChain,
    Popularity,
    RecEvalConfig,
    UserCF,
    band_distance,
    coverage,
    evaluate,
    f1,
    markdown_table,
    ndcg,
    precision_recall,
    split_cases,
)
from models.kt_data import Histories
from tutor.errors import InvalidInput


def histories(*seqs: list[int], correct: list[list[int]] | None = None) -> Histories:
    cs = correct or [[1] * len(s) for s in seqs]
    return Histories(tuple(f"s{i}" for i in range(len(seqs))),
                     tuple(np.array(s, dtype=np.int64) for s in seqs),
                     tuple(np.array(c, dtype=np.int64) for c in cs))


class Fixed:
    """A stub method that always proposes the same list (minus the excluded questions)."""

    def __init__(self, recs: list[int], obey_exclude: bool = True):
        self.recs, self.obey = recs, obey_exclude

    def fit(self, train, n_items):
        self.fitted = n_items

    def recommend(self, prefix_items, prefix_correct, n, exclude):
        return [q for q in self.recs if not (self.obey and q in (exclude or set()))][:n]


# ---- metrics on hand-made cases

def test_precision_recall_f1_by_hand():
    p, r = precision_recall([1, 2, 3, 4], {2, 4, 9}, 4)
    assert (p, r) == (0.5, pytest.approx(2 / 3))
    assert f1(p, r) == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert f1(0.0, 0.0) == 0.0


def test_precision_counts_a_short_list_against_n():
    assert precision_recall([2], {2}, 10) == (0.1, 1.0)


def test_ndcg_by_hand():
    dcg = 1 / math.log2(3) + 1 / math.log2(5)  # hits at ranks 2 and 4
    ideal = 1 + 1 / math.log2(3) + 1 / math.log2(4)  # three relevant, all on top
    assert ndcg([1, 2, 3, 4], {2, 4, 9}, 4) == pytest.approx(dcg / ideal)
    assert ndcg([2, 4], {2, 4}, 10) == pytest.approx(1.0)
    assert ndcg([9], {9, 2}, 1) == pytest.approx(1.0)  # ideal truncated at n
    assert ndcg([1], set(), 5) == 0.0


def test_band_distance_and_coverage():
    np.testing.assert_allclose(band_distance(np.array([-1.0, 0.5, 3.0]), 0.0, 1.0), [1, 0, 2])
    assert coverage([[1, 2], [2, 3], []]) == 3


# ---- baselines on tiny data

def test_popularity_recommends_the_most_answered_skipping_excluded():
    pop = Popularity()
    pop.fit(histories([0, 1, 2, 0, 1], [0, 1, 3], [4, 0, 1], [2, 3, 1]), 6)
    assert pop.recommend(np.array([]), np.array([]), 2, None) == [1, 0]
    assert pop.recommend(np.array([1]), np.array([1]), 2, {1}) == [0, 2]  # 2 vs 3: tie on index


def test_markov_recommends_the_known_successor_then_falls_back():
    mc = MarkovChain()
    mc.fit(histories([0, 1, 2, 0, 1], [0, 1, 3], [4, 0, 1], [2, 3, 1]), 6)
    assert mc.recommend(np.array([4, 0]), np.array([1, 1]), 1, None) == [1]
    # 0's only successor is excluded: the earlier item 2 supplies its successors 0 and 3
    assert mc.recommend(np.array([2, 0]), np.array([1, 1]), 2, {1}) == [0, 3]
    # nothing left to chain from: popularity fills the list
    assert mc.recommend(np.array([0]), np.array([1]), 3, None) == [1, 0, 2]
    assert mc.recommend(np.array([], dtype=np.int64), np.array([]), 2, None) == [1, 0]


def test_usercf_recommends_the_neighbours_items():
    train = histories([0, 1, 2, 3], [5, 6, 7], [5, 6, 8])
    cf = UserCF(k=1)
    cf.fit(train, 10)
    assert cf.recommend(np.array([0, 1]), np.array([1, 1]), 2, {0, 1}) == [2, 3]
    assert cf.recommend(np.array([0, 1]), np.array([1, 1]), 4, {0, 1}) == [2, 3, 5, 6]
    cf2 = UserCF(k=2)
    cf2.fit(train, 10)
    # neighbours [5,6,8] (cos 0.82) and [5,6,7] (0.41): 5 gets both votes, 7 the weaker one
    assert cf2.recommend(np.array([6, 8]), np.array([1, 1]), 2, {6, 8}) == [5, 7]
    assert len(cf2.recommend(np.array([], dtype=np.int64), np.array([]), 3, None)) == 3


# ---- the protocol

TEST = histories(list(range(10)))  # one test student answering 0..9, all correct


def test_split_cuts_at_floor_and_drops_empty_windows():
    cases = split_cases(histories(list(range(10)), [3]), 0.7, RecEvalConfig())
    assert [len(c.prefix_items) for c in cases] == [7, 0]
    assert cases[0].window_items.tolist() == [7, 8, 9] and cases[0].exclude == set(range(7))
    one = split_cases(TEST, 0.6, RecEvalConfig(window=2, exclude="none"))[0]
    assert one.window_items.tolist() == [6, 7] and one.exclude == set()
    with pytest.raises(InvalidInput):
        split_cases(TEST, 1.0, RecEvalConfig())


def test_evaluate_by_hand():
    difficulty = np.arange(30) / 10
    band = (np.array([0.5]), np.array([1.0]))
    rep = evaluate({"fixed": Fixed([6, 20, 7])}, TEST, TEST, [0.6], 30, RecEvalConfig(n=4),
                   difficulty=difficulty, band=band)
    m = rep["splits"]["0.6"]["fixed"]
    assert m["precision@4"] == 0.5 and m["recall@4"] == 0.5  # hits 6, 7 of window 6..9
    ideal = 1 + 1 / math.log2(3) + 1 / math.log2(4) + 1 / math.log2(5)
    assert m["ndcg@4"] == pytest.approx((1 + 1 / math.log2(4)) / ideal)
    assert m["coverage"] == 3 and m["coverage_share"] == pytest.approx(0.1)
    assert m["avg_difficulty"] == pytest.approx(1.1)
    assert m["band_distance"] == pytest.approx(1 / 3)  # only question 20 (2.0) is out, by 1
    assert m["avg_in_band"] == 0.0  # the list's average, 1.1, lies above 1.0
    assert m["hit_correct_rate"] == 1.0 and m["in_band_share"] == 0.0  # observed 1.0 > 0.85


def test_in_band_share_uses_predicted_p_correct():
    rep = evaluate({"fixed": Fixed([6, 7])}, TEST, TEST, [0.6], 30, RecEvalConfig(n=2),
                   p_correct=lambda items, correct, qs: np.where(qs == 6, 0.7, 0.95))
    assert rep["splits"]["0.6"]["fixed"]["in_band_share"] == 0.5


def test_band_callable_sees_the_prefix():
    seen = []

    def band(items, correct):
        seen.append(len(items))
        return 0.0, 0.65

    rep = evaluate({"fixed": Fixed([6, 7])}, TEST, TEST, [0.6], 10, RecEvalConfig(n=2),
                   difficulty=np.arange(10) / 10, band=band)
    assert seen == [6] and rep["splits"]["0.6"]["fixed"]["band_distance"] == pytest.approx(0.025)
    assert rep["splits"]["0.6"]["fixed"]["avg_in_band"] == 1.0  # average 0.65: on the edge


def test_a_method_that_ignores_exclusion_is_rejected():
    with pytest.raises(InvalidInput, match="excluded"):
        evaluate({"bad": Fixed([0, 6], obey_exclude=False)}, TEST, TEST, [0.6], 10)


def test_report_has_the_json_shape_and_a_table():
    train = histories([0, 1, 2, 0, 1], [0, 1, 3], [4, 0, 1], [2, 3, 1])
    test = histories([0, 1, 2, 3, 4], [4, 0, 1, 2], correct=[[1, 0, 1, 0, 1], [1, 1, 0, 0]])
    recs = {"popularity": Popularity(), "usercf": UserCF(), "markov": MarkovChain()}
    rep = json.loads(json.dumps(evaluate(recs, train, test, [0.6, 0.8], 6,
                                         difficulty=np.linspace(-1, 1, 6))))
    assert set(rep["splits"]) == {"0.6", "0.8"}
    for methods in rep["splits"].values():
        assert set(methods) == {"popularity", "usercf", "markov"}
        for m in methods.values():
            for key in ("precision@10", "recall@10", "ndcg@10", "coverage", "avg_difficulty"):
                assert isinstance(m[key], int | float)
            assert m["band_distance"] is None and m["avg_in_band"] is None  # no band given
    table = markdown_table(rep)
    assert table.count("\n") == 1 + 2 * 3 and "| 0.8 | markov |" in table
