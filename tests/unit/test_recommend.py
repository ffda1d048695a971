"""The two-stage recommender on small hand-made graphs, and properties over random ones."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.curriculum import ResourceLevel
from tutor.errors import InvalidInput
from tutor.kp_ranking import SCOPES, _top, completion_chances, readiness
from tutor.question_selection import Candidate, challenging, fix_difficulty, select, shortlist
from tutor.recommend import (
    Catalogue,
    PeerMastery,
    RecConfig,
    frontier,
    rank_kps,
    recommend,
)
from tutor.recommend_types import LearnerState, QuestionFacts

# A -> B, A -> C, B + C -> D; E is a second root in a later chapter
PREREQS = {"A": (), "B": ("A",), "C": ("A",), "D": ("B", "C"), "E": ()}
ORDER = {"A": 0, "B": 1, "C": 2, "D": 3, "E": 10}


def catalogue(difficulties: Sequence[float] = tuple(np.linspace(-3, 3, 13))) -> Catalogue:
    questions = {f"{k}{i}": QuestionFacts(f"{k}{i}", (k,), a=1.0, b=float(b))
                 for k in PREREQS for i, b in enumerate(difficulties)}
    return Catalogue({k: f"KP {k}" for k in PREREQS}, PREREQS, ORDER, questions,
                     popularity={"A": 50, "E": 500})


def state(mastery: dict[str, float], history: tuple[tuple[str, bool], ...] = (("A0", True),),
          theta: float = 0.0) -> LearnerState:
    return LearnerState("s", mastery, history, theta, 0.2)


MID = {"A": 0.95, "B": 0.9, "C": 0.3}
# stage 1 without its two study-tuned signals (expected gain, chapter completion), for tests
# written on the signals before them
NO_GAIN = RecConfig(weights={**RecConfig().weights, "gain": 0.0, "complete": 0.0})
HARD = RecConfig(ready=None)  # stage 1 on the frontier only: tests whose subject is not KPs past it


def test_frontier_is_unmastered_kps_with_mastered_prerequisites() -> None:
    assert frontier(catalogue(), MID, 0.85) == ["C", "E"]
    assert frontier(catalogue(), {"A": 0.95, "B": 0.9, "C": 0.9}, 0.85) == ["D", "E"]
    assert frontier(catalogue(), {}, 0.85) == ["A", "E"]


def test_a_list_of_n_in_band_items_with_reasons() -> None:
    out = recommend(catalogue(), state(MID))
    assert len(out.items) == 5 and out.band_met and not out.notes
    assert {r.kp_id for r in out.items} <= {"C", "D", "E"}
    for r in out.items:
        assert 0.5 <= r.p <= 0.85 and r.in_band
        assert any("KP" in x for x in r.reasons) and any("IRT" in x for x in r.reasons)
        assert any("band" in x for x in r.reasons)
    assert out.difficulty_band[0] <= out.avg_difficulty <= out.difficulty_band[1]
    pick = {p.kp_id: p for p in out.kps}
    assert "prerequisites mastered: KP A" in pick["C"].reasons
    # D's prerequisites B (0.9) and C (0.3) are all known with chance 0.27: past the frontier
    assert pick["D"].reasons[0] == ("past the frontier: its prerequisites are probably known "
                                    "(all of them with chance 27%): KP B (p = 0.90), "
                                    "KP C (p = 0.30)")
    assert sum(r.challenge for r in out.items) == round(0.3 * 5)


def test_items_are_spread_across_kps() -> None:
    out = recommend(catalogue(), state(MID), RecConfig(n=4, kp_count=2))
    kps = [r.kp_id for r in out.items]
    assert kps.count("C") == kps.count("E") == 2


def test_a_question_of_two_chosen_kps_is_offered_once() -> None:
    """Stage 2 draws each KP's share from its own questions; one that tests both KPs goes to
    the first KP's share only, so no list holds it twice."""
    shared = {f"CE{i}": QuestionFacts(f"CE{i}", ("C", "E"), a=1.0, b=0.0) for i in range(6)}
    base = catalogue()
    both = Catalogue(base.kp_names, base.prerequisites, base.order,
                     {**base.questions, **shared}, popularity=base.popularity)
    for n in (5, 10, 20):
        out = recommend(both, state(MID), RecConfig(n=n, kp_count=2, exposure=0.0))
        ids = [r.question_id for r in out.items]
        assert len(ids) == len(set(ids))
        assert {r.kp_id for r in out.items if r.question_id in shared} <= {out.kps[0].kp_id}
    assert any(r.question_id in shared for r in recommend(
        both, state(MID), RecConfig(n=20, kp_count=2, exposure=0.0)).items)


def test_recently_right_questions_are_excluded() -> None:
    history = tuple((f"C{i}", True) for i in range(13))
    out = recommend(catalogue(), state(MID, history), RecConfig(stay_cap=0, ready=None))
    assert all(not r.question_id.startswith("C") for r in out.items)
    assert any("KP C has no question left" in n for n in out.notes)
    # with the stay cap (default 2) C, answered 13 times and unmastered, leaves the frontier
    out = recommend(catalogue(), state(MID, history), HARD)
    assert {r.kp_id for r in out.items} == {"E"}


def test_the_stay_cap_keeps_every_kp_when_all_have_stalled() -> None:
    history = tuple((q, False) for k in "CE" for q in (f"{k}0", f"{k}1"))
    out = recommend(catalogue(), state(MID, history), RecConfig(stay_cap=2, ready=None))
    assert {r.kp_id for r in out.items} <= {"C", "E"} and out.items


def test_cold_start_uses_roots_and_popularity() -> None:
    picks, cold = rank_kps(catalogue(), state({}, ()), RecConfig())
    by_id = {p.kp_id: p for p in picks}
    assert cold and set(by_id) == {"A", "E"}  # the roots
    assert by_id["E"].signals["cf"] == 1.0 > by_id["A"].signals["cf"]  # popularity stands in
    assert [p.kp_id for p in picks] == ["A", "E"]  # A unlocks two KPs and comes first
    out = recommend(catalogue(), state({}, ()))
    assert out.cold_start and {r.kp_id for r in out.items} <= {"A", "E"}
    assert any("new student" in x for x in out.kps[0].reasons)


def test_weak_kp_and_peers_move_the_ranking() -> None:
    class Weak:
        def weakest(self, history):  # the progress model's answer, fixed for the test
            return "C"

    # without the "gain" signal, which puts E (p 0) before C (p 0.3)
    base, _ = rank_kps(catalogue(), state(MID), NO_GAIN)
    assert base[0].kp_id == "C"  # earlier chapter
    peers = PeerMastery(("A", "B", "C", "D", "E"),
                        np.array([[0.95, 0.9, 0.2, 0.0, 0.95]] * 5))
    with_peers, _ = rank_kps(catalogue(), state(MID), NO_GAIN, peers)
    assert with_peers[0].kp_id == "E" and with_peers[0].signals["cf"] == 1.0
    both = recommend(catalogue(), state(MID), replace(NO_GAIN, kp_count=1), peers, weak=Weak())
    assert both.kps[0].kp_id == "C"
    assert "the progress model names it the weakest KP" in both.kps[0].reasons


def test_sequence_model_is_combined_with_irt() -> None:
    class Sequence_:
        def predict(self, history, question_ids):
            return np.full(len(question_ids), 0.8), self.next_probs(history, question_ids)

        def next_probs(self, history, question_ids):
            return np.array([0.1 if q.endswith("7") else 0.01 for q in question_ids])

        def next_mass(self, history, groups):
            return np.array([self.next_probs(history, g).sum() for g in groups])

    out = recommend(catalogue(), state(MID), RecConfig(kt_weight=0.5), sequence=Sequence_())
    for r in out.items:
        assert r.p_kt == 0.8
        assert min(r.p_irt, 0.8) <= r.p <= max(r.p_irt, 0.8)
    assert out.items[0].question_id.endswith("7")  # the candidate head ranks inside a KP


class Heading:
    """A sequence model sure the student goes on with KP ``kp`` (P(next) on its questions)."""

    def __init__(self, kp: str) -> None:
        self.kp = kp
        self.asked: list[str] = []
        self.groups: list[set[str]] = []

    def predict(self, history, question_ids):
        return np.full(len(question_ids), 0.7), self.next_probs(history, question_ids)

    def next_probs(self, history, question_ids):
        self.asked += question_ids
        return np.array([0.05 if q.startswith(self.kp) else 0.001 for q in question_ids])

    def next_mass(self, history, groups):
        self.groups += [{q[0] for q in g} for g in groups]
        return np.array([self.next_probs(history, g).sum() for g in groups])


def test_where_the_student_is_heading_ranks_kps() -> None:
    # by curriculum order alone C comes first; the sequence model's P(next) sits on E
    config = RecConfig(kp_count=1, weights={"order": 0.1, "next": 0.5}, ready=None)
    assert recommend(catalogue(), state(MID), config).kps[0].kp_id == "C"
    sequence = Heading("E")
    out = recommend(catalogue(), state(MID), config, sequence=sequence)
    pick = out.kps[0]
    assert pick.kp_id == "E" and pick.signals["next"] == 1.0
    assert any("heading" in r and "%" in r for r in pick.reasons)
    assert {r.kp_id for r in out.items} == {"E"}
    # stage 1 weighed the frontier's KPs, one group of questions each
    assert sorted(map(sorted, sequence.groups)) == [["C"], ["E"]]
    # a KP off the frontier stays off, however sure the sequence model is
    off = recommend(catalogue(), state(MID), RecConfig(weights={"next": 1.0}, ready=None),
                    sequence=Heading("D"))
    assert all(p.kp_id in {"C", "E"} for p in off.kps)
    # ... unless its prerequisites are known with chance >= ready: D's, 0.9 x 0.3
    assert "D" in {p.kp_id for p in recommend(catalogue(), state(MID), RecConfig(
        weights={"next": 1.0}, ready=0.25), sequence=Heading("D")).kps}
    assert "D" not in {p.kp_id for p in recommend(catalogue(), state(MID), RecConfig(
        weights={"next": 1.0}, ready=0.3), sequence=Heading("D")).kps}


def test_exposure_control_varies_students_but_not_calls() -> None:
    def lists(config: RecConfig) -> list[tuple[str, ...]]:
        return [tuple(r.question_id for r in recommend(
            catalogue(), LearnerState(f"s{i}", MID, (("A0", True),), 0.0, 0.2), config).items)
            for i in range(20)]

    fixed = lists(RecConfig(exposure=0.0))
    assert len(set(fixed)) == 1  # the same state but for the id: the same top questions
    drawn = lists(RecConfig())
    assert len({q for one in drawn for q in one}) > len(set(fixed[0]))
    assert drawn == lists(RecConfig())  # seeded by the student's state: stable between calls
    again = recommend(catalogue(), LearnerState("s0", MID, (("A0", True), ("A1", False)),
                                                0.0, 0.2))
    assert tuple(r.question_id for r in again.items) != drawn[0]  # a new answer, a new draw
    for one in drawn:
        assert len(one) == 5


def test_no_fitting_question_falls_back_and_says_so() -> None:
    hard = catalogue(difficulties=(4.0, 5.0, 6.0))
    out = recommend(hard, state(MID))
    assert len(out.items) == 5 and not out.band_met
    assert all(not r.in_band for r in out.items)
    assert any("fit the P(correct) band" in n for n in out.notes)
    assert all(any("fallback" in x for x in r.reasons) for r in out.items)


def test_average_difficulty_is_brought_into_its_band() -> None:
    # in-band questions exist at both ends; a weak student needs the easier ones on average
    out = recommend(catalogue(), state(MID, theta=-1.0))
    low, high = out.difficulty_band
    assert low <= out.avg_difficulty <= high


def test_a_spent_frontier_widens_to_the_readiest_unmastered_kps() -> None:
    """A course with few questions per KP spends its frontier: every frontier question
    answered right lately must not end the session with an empty plan."""
    history = tuple((f"{k}{i}", True) for k in "CE" for i in range(13))
    out = recommend(catalogue(), state(MID, history),
                    RecConfig(stay_cap=0, recent_window=30, ready=None))
    assert len(out.items) == 5
    assert {r.kp_id for r in out.items} == {"D"}  # the only KP not mastered left; C, E spent
    assert any("widened to unmastered" in n for n in out.notes)
    assert out.kps[0].reasons[0].startswith("past the frontier")


def test_everything_mastered_is_reviewed() -> None:
    everything = {k: 0.99 for k in PREREQS}
    out = recommend(catalogue(), state(everything))
    assert len(out.items) == 5
    assert any("widened to review" in n for n in out.notes)
    assert all(p.reasons[0].startswith("review") for p in out.kps)
    assert all("mastered (p = 0.99)" in p.reasons for p in out.kps)


def test_nothing_left_to_practise_is_an_explained_empty_list() -> None:
    history = tuple((q, True) for q in catalogue().questions)
    everything = {k: 0.99 for k in PREREQS}
    out = recommend(catalogue(), state(everything, history), RecConfig(recent_window=100))
    assert out.items == () and not out.band_met
    assert out.notes[-1] == "no questions to recommend: every question was answered right lately"


@pytest.mark.parametrize("kwargs", [{"band": (0.9, 0.5)}, {"band": (0.0, 0.5)}, {"n": 0},
                                    {"challenge_share": 1.5}, {"exposure": -0.1}])
def test_bad_settings_are_refused(kwargs: dict) -> None:
    with pytest.raises(InvalidInput):
        RecConfig(**kwargs)


# --- properties over random graphs and histories ------------------------------------------


@st.composite
def worlds(draw: st.DrawFn) -> tuple[Catalogue, LearnerState, int]:
    n_kps = draw(st.integers(1, 8))
    kps = [f"k{i}" for i in range(n_kps)]
    prereqs = {k: tuple(kps[j] for j in range(i)
                        if draw(st.booleans()) and draw(st.booleans()))
               for i, k in enumerate(kps)}  # edges only from lower to higher index: a DAG
    questions = {}
    for k in kps:
        for j in range(draw(st.integers(0, 6))):
            q = f"{k}q{j}"
            questions[q] = QuestionFacts(q, (k,), a=draw(st.floats(0.3, 2.5)),
                                         b=draw(st.floats(-4, 4)))
    cat = Catalogue({k: k for k in kps}, prereqs, {k: i for i, k in enumerate(kps)}, questions)
    mastery = {k: draw(st.floats(0, 1)) for k in kps if draw(st.booleans())}
    history = tuple((q, draw(st.booleans())) for q in draw(
        st.lists(st.sampled_from(sorted(questions)), max_size=10))) if questions else ()
    theta = draw(st.floats(-3, 3))
    return cat, LearnerState("s", mastery, history, theta, draw(st.floats(0.01, 1))), \
        draw(st.integers(1, 7))


@settings(max_examples=150, deadline=None)
@given(worlds())
def test_properties(world: tuple[Catalogue, LearnerState, int]) -> None:
    cat, learner, n = world
    config = RecConfig(n=n)
    out = recommend(cat, learner, config)
    tau = config.mastery_threshold
    assert len(out.items) <= n
    assert len({r.question_id for r in out.items}) == len(out.items)
    widened = any("widened to" in note for note in out.notes)
    for pick in out.kps:  # a KP with unmet prerequisites only past the frontier, and says so
        opened = all(learner.mastery.get(p, 0.0) >= tau for p in cat.prerequisites[pick.kp_id])
        past = pick.reasons[0].startswith("past the frontier: its prerequisites are probably")
        assert widened or opened or (past and readiness(cat, pick.kp_id, learner.mastery)
                                     >= (config.ready or 1.0))
        assert not widened or pick.reasons[0] in SCOPES.values()
    for r in out.items:
        assert r.kp_id in {p.kp_id for p in out.kps}
        assert r.reasons
        assert r.in_band == (config.band[0] <= r.p <= config.band[1])
    if out.band_met:
        assert len(out.items) == n and all(r.in_band for r in out.items)
        assert out.difficulty_band[0] <= out.avg_difficulty <= out.difficulty_band[1]
    else:
        assert out.notes or len(out.items) < n  # a shortfall or a fallback is explained


@st.composite
def pools(draw: st.DrawFn) -> tuple[list[Candidate], RecConfig, tuple[float, float]]:
    config = RecConfig(n=draw(st.integers(1, 6)))
    ranks = draw(st.integers(1, 3))
    size = draw(st.integers(1, 40))
    grid = st.sampled_from([0.1, 0.3, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9])  # ties on purpose
    pool = []
    for i in range(size):
        level = ResourceLevel.CHALLENGE if draw(st.booleans()) else ResourceLevel.STANDARD
        q = QuestionFacts(f"q{draw(st.integers(0, 99)):02d}-{i}", ("k",), 1.0,
                          draw(st.sampled_from([-2.0, -1.0, 0.0, 0.5, 1.0, 2.0])), level)
        p = draw(grid)
        hard = bool(challenging(np.array([p]), np.array([level == ResourceLevel.CHALLENGE]),
                                config)[0])
        pool.append(Candidate(q, f"k{i % ranks}", i % ranks, p, None, p, draw(grid), hard))
    theta = draw(st.floats(-2, 2))
    return pool, config, (theta - 1.7, theta + 0.1)


@settings(max_examples=300, deadline=None)
@given(pools())
def test_the_shortlist_changes_nothing_select_and_the_swaps_would_take(
        world: tuple[list[Candidate], RecConfig, tuple[float, float]]) -> None:
    pool, config, band = world
    keep = shortlist(np.array([c.kp_rank for c in pool]), np.array([c.p for c in pool]),
                      np.array([c.score for c in pool]),
                      np.array([c.question.b for c in pool]),
                      np.array([c.question.id for c in pool]),
                      np.array([c.challenge for c in pool]), config)
    short = [c for c, k in zip(pool, keep, strict=True) if k]

    def chosen(candidates: list[Candidate]) -> list[str]:
        items = select(candidates, config, [])
        return [c.question.id for c in fix_difficulty(items, candidates, band, config, [])]

    assert chosen(short) == chosen(pool)


def test_a_focus_with_no_question_left_falls_back_to_the_frontier() -> None:
    """A practice set or re-route on a KP whose questions were all answered right recently
    must not leave the student with an empty list (it ended study sessions)."""
    history = tuple((f"B{i}", True) for i in range(13))
    practice = RecConfig(n=10, kp_count=1, ready=None)
    out = recommend(catalogue(), state(MID, history), practice, focus=("B",), unfocused=HARD)
    assert len(out.items) == 5
    assert {r.kp_id for r in out.items} <= {"C", "E"}
    assert any("fell back to the frontier" in note for note in out.notes)
    # without the unfocused settings the given ones serve the frontier
    out = recommend(catalogue(), state(MID, history), practice, focus=("B",))
    assert len(out.items) == 10 and {r.kp_id for r in out.items} <= {"C", "E"}
    # a focus that still has questions is kept
    out = recommend(catalogue(), state(MID, history[:5]), focus=("B",))
    assert {r.kp_id for r in out.items} == {"B"}


def test_a_soft_frontier_admits_kps_whose_prerequisites_are_probably_known() -> None:
    mastery = {"A": 0.95, "B": 0.8, "C": 0.7}  # B and C not mastered, probably known
    assert frontier(catalogue(), mastery, 0.85) == ["B", "C", "E"]
    assert frontier(catalogue(), mastery, 0.85, ready=0.5) == ["B", "C", "D", "E"]  # .56
    assert frontier(catalogue(), mastery, 0.85, ready=0.6) == ["B", "C", "E"]
    # the frontier's own KPs stay, however many prerequisites multiply their readiness down
    many = {"A": 0.86, "B": 0.86, "C": 0.86, "D": 0.2}
    assert readiness(catalogue(), "D", many) < 0.75 and "D" in frontier(
        catalogue(), many, 0.85, ready=0.75)
    # its expected gain is discounted by its readiness: D, never practised like the root E,
    # gains 0.8 x 0.7 of what E does
    picks, _ = rank_kps(catalogue(), state(mastery), RecConfig(ready=0.5))
    gain = {p.kp_id: p.signals["gain"] for p in picks}
    assert gain["E"] == 1.0 and gain["D"] == pytest.approx(0.8 * 0.7)


def test_the_students_ability_moves_the_prior_of_unpractised_kps() -> None:
    cat = replace(catalogue(), known_share={"A": 0.9, "B": 0.8, "C": 0.8, "D": 0.2, "E": 0.2})
    seen = (("A0", True),)
    able = recommend(cat, state({"A": 0.95}, seen, theta=2.0), HARD)
    average = recommend(cat, state({"A": 0.95}, seen, theta=0.0), HARD)
    off = recommend(cat, state({"A": 0.95}, seen, theta=2.0),
                    RecConfig(ability_prior=0.0, ready=None))
    # at theta 0 B (0.8) and C (0.8) stay below 0.85: the frontier; at theta 2 they count
    # as known (0.97) and the able student moves on to D and E
    assert {p.kp_id for p in average.kps} >= {"B", "C"}
    assert {p.kp_id for p in able.kps} == {"D", "E"}
    assert {p.kp_id for p in off.kps} == {p.kp_id for p in average.kps}


def test_a_difficulty_from_the_level_says_so_until_irt_is_fitted() -> None:
    from tutor.curriculum import ResourceLevel
    from tutor.recommend import recommend as _recommend
    from tutor.recommend_types import Catalogue, LearnerState, QuestionFacts

    questions = {f"q{i}": QuestionFacts(f"q{i}", ("k",), 1.0, -1.0, ResourceLevel.BASIC,
                                        fitted=i % 2 == 0) for i in range(8)}
    catalogue = Catalogue({"k": "K"}, {"k": ()}, {"k": 0}, questions)
    items = _recommend(catalogue, LearnerState("s", {}, ())).items
    assert items
    for item in items:
        level_note = any("from its level (basic) until IRT is fitted" in r
                         for r in item.reasons)
        assert level_note == (not questions[item.question_id].fitted)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([0.0, 0.1, 0.5, 0.5, 0.9, 1.0]), min_size=1, max_size=60),
       st.integers(1, 70))
def test_top_peers_are_a_stable_sorts_first_k(values: list[float], k: int) -> None:
    """The CF's top-k selection keeps the full stable sort's order, ties by index."""
    sims = np.array(values)
    assert _top(sims, k).tolist() == np.argsort(-sims, kind="stable")[:k].tolist()


def test_the_complete_signal_is_the_chance_that_learning_the_kp_completes_its_chapter() -> None:
    """Chapter 1 holds A-D, chapter 2 E alone. With A, C and D known, B is the last KP of
    chapter 1: learning it completes the chapter with chance 0.95 x 0.9 x 0.9; E alone in
    its chapter completes it for certain. Without its weight the signal is not computed."""
    cat = replace(catalogue(), chapters={"A": "c1", "B": "c1", "C": "c1", "D": "c1", "E": "c2"})
    assert cat.kps_by_chapter == {"c1": ("A", "B", "C", "D"), "c2": ("E",)}
    mastery = {"A": 0.95, "B": 0.3, "C": 0.9, "D": 0.9}
    plain, _ = rank_kps(cat, state(mastery), NO_GAIN)
    assert {p.kp_id: p.signals["complete"] for p in plain} == {"B": 0.0, "E": 0.0}
    complete = replace(NO_GAIN, weights={**NO_GAIN.weights, "complete": 2.0})
    weighted, _ = rank_kps(cat, state(mastery), complete)
    chance = {p.kp_id: p.signals["complete"] for p in weighted}
    assert chance == {"B": pytest.approx(0.95 * 0.9 * 0.9), "E": 1.0}
    reasons = {p.kp_id: p.reasons for p in weighted}
    assert ("completes its chapter: its other KPs are probably known (all of them with chance "
            "77%)") in reasons["B"]
    score = {p.kp_id: p.score for p in weighted}
    base = {p.kp_id: p.score for p in plain}
    assert score["B"] - base["B"] == pytest.approx(2.0 * chance["B"])
    # a catalogue with no chapters (an import of bare logs) gives the signal nothing
    bare, _ = rank_kps(catalogue(), state(mastery), complete)
    assert [(p.kp_id, p.score) for p in bare] == [(p.kp_id, p.score) for p in plain]
    # a KP never practised (P(known) 0) leaves its chapter's other KPs nothing to complete,
    # and is itself the one that would complete it
    gap = {"A": 0.95, "B": 0.3, "D": 0.9}
    assert completion_chances(cat, ["B", "C", "E"], gap) == {
        "B": 0.0, "C": 0.95 * 0.3 * 0.9, "E": 1.0}
