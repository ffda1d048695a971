"""Moodle XML read and written: Moodle's question types, malformed banks named by line, and
round trips of any text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from datasets import moodle_xml
from datasets.question_bank import BankQuestion
from tutor.errors import DataFormatError

BANK = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category"><category><text>$course$/top/alg-kp-integers</text></category>
  </question>
  <question type="multichoice">
    <name><text>q1</text></name>
    <questiontext format="html"><text><![CDATA[<p>Greater: -7 or -3?</p>]]></text></questiontext>
    <generalfeedback><text>Right of -7.</text></generalfeedback>
    <answer fraction="0"><text>-7</text><feedback><text>no</text></feedback></answer>
    <answer fraction="100"><text>-3</text></answer>
  </question>
  <question type="numerical">
    <name><text>q2</text></name>
    <questiontext><text>Half plus a quarter?</text></questiontext>
    <answer fraction="100"><text>0.75</text><tolerance>0.01</tolerance></answer>
  </question>
  <question type="truefalse">
    <questiontext><text>2 is prime.</text></questiontext>
    <answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text>
    </answer>
  </question>
</quiz>
"""


def test_moodles_types_are_read() -> None:
    q1, q2, tf = moodle_xml.parse(BANK)
    assert (q1.title, q1.stem, q1.answer, q1.choices, q1.explanation, q1.category, q1.line) == (
        "q1", "<p>Greater: -7 or -3?</p>", "-3", ("-7", "-3"), "Right of -7.",
        "alg-kp-integers", 5)
    assert (q2.type, q2.answer, q2.tolerance) == ("numeric", "0.75", 0.01)
    assert (tf.type, tf.answer, tf.choices, tf.title) == ("choice", "True", ("True", "False"),
                                                          "")


def test_bad_banks_are_named_by_line() -> None:
    with pytest.raises(DataFormatError, match="line 3: question type 'essay'"):
        moodle_xml.parse('<quiz>\n\n<question type="essay"><questiontext><text>x</text>'
                         "</questiontext></question></quiz>")
    with pytest.raises(DataFormatError, match="line 2: no answer of fraction 100"):
        moodle_xml.parse('<quiz>\n<question type="shortanswer"><questiontext><text>x</text>'
                         '</questiontext><answer fraction="50"><text>y</text></answer>'
                         "</question></quiz>")
    with pytest.raises(DataFormatError, match="line 1: not a Moodle XML"):
        moodle_xml.parse("<other/>")
    with pytest.raises(DataFormatError, match="line 2: not XML"):
        moodle_xml.parse("<quiz>\n<question></quiz>")
    xxe = ('<!DOCTYPE quiz [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           '<quiz><question type="shortanswer"><questiontext><text>&x;</text></questiontext>'
           '<answer fraction="100"><text>a</text></answer></question></quiz>')
    with pytest.raises(DataFormatError, match="no text"):
        moodle_xml.parse(xxe)  # the external entity is never loaded: the text stays empty


TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40
               ).filter(lambda t: t.strip() == t and t.strip())


@given(TEXT, st.lists(TEXT, min_size=2, max_size=4, unique=True), TEXT,
       st.sampled_from(["choice", "short", "numeric"]))
def test_any_question_round_trips(stem: str, choices: list[str], explanation: str,
                                  kind: str) -> None:
    stem = f"{stem} — $x^2$ <b>&amp;</b> é"
    q = {"choice": BankQuestion("t-1", stem, "choice", choices[1], tuple(choices),
                                explanation=explanation, category="kp-1"),
         "short": BankQuestion("t-1", stem, "short", choices[0], explanation=explanation,
                               category="kp-1"),
         "numeric": BankQuestion("t-1", stem, "numeric", "2.5", tolerance=0.25,
                                 explanation=explanation, category="kp-1")}[kind]
    [back] = moodle_xml.parse(moodle_xml.dump([q]))
    assert back == BankQuestion(**{**q.__dict__, "line": back.line})
