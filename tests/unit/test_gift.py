"""GIFT read and written: Moodle's documented forms, malformed files named by line, and round
trips of any text (unicode, math, Markdown, GIFT's own special characters)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from datasets import gift
from datasets.question_bank import BankQuestion
from tutor.errors import DataFormatError

SAMPLE = r"""// a comment
$CATEGORY: $course$/alg-kp-integers

::q1:: Which number is greater: -7 or -3? {~-7 =-3 ~They are equal#no}

::q2:: What is $\\frac\{1\}\{2\} + \\frac\{1\}\{4\}$? {#0.75:0.01 ####Add the quarters.}

Name the colour of grass. {=green =Green}

::tf:: 2 is
prime. {T}
"""


def test_moodles_forms_are_read() -> None:
    q1, q2, short, tf = gift.parse(SAMPLE)[:4]
    assert (q1.title, q1.type, q1.answer, q1.choices, q1.category, q1.line) == (
        "q1", "choice", "-3", ("-7", "-3", "They are equal"), "alg-kp-integers", 4)
    assert (q2.type, q2.answer, q2.tolerance, q2.explanation) == (
        "numeric", "0.75", 0.01, "Add the quarters.")
    assert "$\\frac{1}{2}" in q2.stem
    assert (short.title, short.type, short.answer) == ("", "short", "green")
    assert (tf.type, tf.answer, tf.choices) == ("choice", "True", ("True", "False"))


def test_a_question_runs_on_until_a_blank_line() -> None:
    questions = gift.parse(SAMPLE)
    assert len(questions) == 4
    assert (questions[3].title, questions[3].stem) == ("tf", "2 is\nprime.")


def test_escapes_and_line_breaks() -> None:
    [q] = gift.parse(r"::e:: A \: b \{c\} \= \~ \# d\nnext {=yes ~no}")
    assert q.stem == "A : b {c} = ~ # d\nnext"


def test_malformed_questions_are_named_by_line() -> None:
    bad = "::a:: fine {=x ~y}\n\n::b:: no block\n\n::c:: two rights {=x =y ~z}\n\n" \
          "::d:: Seven? {#seven}\n\n::e:: Which? {~a ~b}\n\n::f:: {=x}\n"
    with pytest.raises(DataFormatError) as e:
        gift.parse(bad)
    text = str(e.value)
    assert "line 3: no answer block" in text
    assert "line 5: a multiple-choice question has one right answer" in text
    assert "line 7: numeric answer '#seven' is not a number" in text
    assert "line 9: no right answer" in text and "line 11: the question has no text" in text
    assert not text.startswith("line 1:") and "; line 1:" not in text  # the good one


TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40
               ).filter(lambda t: t.strip() == t and t.strip())


@given(TEXT, st.lists(TEXT, min_size=2, max_size=4, unique=True), st.integers(0, 3),
       TEXT, st.sampled_from(["choice", "short", "numeric"]))
def test_any_question_round_trips(stem: str, choices: list[str], right: int,
                                  explanation: str, kind: str) -> None:
    stem = f"{stem} — $x^2$ **bold** é"
    if kind == "choice":
        q = BankQuestion("t-1", stem, "choice", choices[right % len(choices)],
                              tuple(choices), explanation=explanation, category="kp-1")
    elif kind == "short":
        q = BankQuestion("t-1", stem, "short", choices[0], explanation=explanation,
                              category="kp-1")
    else:
        q = BankQuestion("t-1", stem, "numeric", "2.5", tolerance=0.25,
                              explanation=explanation, category="kp-1")
    [back] = gift.parse(gift.dump([q]))
    assert back == BankQuestion(**{**q.__dict__, "line": back.line})
