"""Moodle XML question banks, read and written (https://docs.moodle.org/en/Moodle_XML_format).

Read: ``<question type="...">`` of type ``multichoice`` (single answer: the one with fraction
100), ``shortanswer`` (the first answer of fraction 100 is the key), ``numerical`` (its answer
and ``<tolerance>``), ``truefalse`` (a choice of "True" and "False"); ``<name>`` is the title,
``<questiontext>`` the stem and ``<generalfeedback>`` the explanation, as written (HTML is kept
as text); a ``<question type="category">`` sets the KP of the questions after it (the last part
of its path). Other types are refused, by line. Written: the same, with ``format="markdown"``.

Parsed with the standard library's expat (no external entities are ever loaded; expat bounds
entity expansion), through a small tree builder that keeps each element's line, so every error
names the line of its question.
"""

from __future__ import annotations

import xml.parsers.expat
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from datasets.question_bank import BankQuestion, refuse_nul
from tutor.errors import DataFormatError

TYPES = {"multichoice": "choice", "shortanswer": "short", "numerical": "numeric",
         "truefalse": "choice"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    line: int
    children: list[Node] = field(default_factory=list)
    text: str = ""

    def find(self, tag: str) -> Node | None:
        return next((c for c in self.children if c.tag == tag), None)

    def all(self, tag: str) -> list[Node]:
        return [c for c in self.children if c.tag == tag]

    def inner(self, tag: str) -> str:
        """The text of ``<tag><text>...</text></tag>`` ('' when absent)."""
        found = self.find(tag)
        text = found.find("text") if found else None
        return text.text.strip() if text else ""


def tree(source: str) -> Node:
    """The document as ``Node``s with their lines; ``DataFormatError`` at the bad line."""
    parser = xml.parsers.expat.ParserCreate()
    root = Node("", {}, 0)
    stack = [root]

    def start(tag: str, attrs: dict[str, str]) -> None:
        node = Node(tag, attrs, parser.CurrentLineNumber)
        stack[-1].children.append(node)
        stack.append(node)

    def end(_tag: str) -> None:
        stack.pop()

    def data(text: str) -> None:
        stack[-1].text += text

    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = data
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(source, True)
    except xml.parsers.expat.ExpatError as e:
        raise DataFormatError(f"line {e.lineno}: not XML: "
                              f"{xml.parsers.expat.ErrorString(e.code)}") from None
    if not root.children or root.children[0].tag != "quiz":
        raise DataFormatError("line 1: not a Moodle XML question bank (<quiz>)")
    return root.children[0]


def parse(source: str) -> list[BankQuestion]:
    """Every question of the bank; ``DataFormatError`` naming each bad one's line."""
    refuse_nul(source)
    out, errors, category = [], [], ""
    for q in tree(source).all("question"):
        kind = q.attrs.get("type", "")
        if kind == "category":
            category = q.inner("category").rstrip("/").split("/")[-1]
            continue
        try:
            out.append(_question(q, kind, category))
        except ValueError as e:
            errors.append(f"line {q.line}: {e}")
    if errors:
        raise DataFormatError("; ".join(errors[:20]))
    return out


def dump(questions: list[BankQuestion]) -> str:
    """Moodle XML that ``parse`` reads back as the same questions."""
    lines, category = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>"], None
    for q in questions:
        if q.category and q.category != category:
            lines.append(f'  <question type="category"><category><text>$course$/'
                         f"{escape(q.category)}</text></category></question>")
            category = q.category
        kind = {"choice": "multichoice", "short": "shortanswer", "numeric": "numerical"}[q.type]
        lines.append(f"  <question type={quoteattr(kind)}>")
        lines.append(f"    <name><text>{escape(q.title)}</text></name>")
        lines.append(f'    <questiontext format="markdown"><text>{escape(q.stem)}</text>'
                     "</questiontext>")
        if q.explanation:
            lines.append(f'    <generalfeedback format="markdown"><text>'
                         f"{escape(q.explanation)}</text></generalfeedback>")
        if q.type == "choice":
            lines += [f'    <answer fraction="{100 if c == q.answer else 0}">'
                      f"<text>{escape(c)}</text></answer>" for c in q.choices]
            lines.append("    <single>true</single>")
        elif q.type == "numeric":
            lines.append(f'    <answer fraction="100"><text>{escape(q.answer)}</text>'
                         f"<tolerance>{q.tolerance!r}</tolerance></answer>")
        else:
            lines.append(f'    <answer fraction="100"><text>{escape(q.answer)}</text></answer>')
        lines.append("  </question>")
    lines.append("</quiz>")
    return "\n".join(lines) + "\n"


def _question(q: Node, kind: str, category: str) -> BankQuestion:
    if kind not in TYPES:
        raise ValueError(f"question type {kind!r} is not one kgtutor takes "
                         f"({', '.join(TYPES)})")
    stem = q.inner("questiontext")
    if not stem:
        raise ValueError("the question has no text")
    answers = [(a.attrs.get("fraction", "0"), a) for a in q.all("answer")]
    right = [a for f, a in answers if _fraction(f) >= 100]
    if not right:
        raise ValueError("no answer of fraction 100")
    common = {"title": q.inner("name"), "stem": stem, "explanation": q.inner(
        "generalfeedback"), "category": category, "line": q.line}
    key = (right[0].find("text").text.strip() if right[0].find("text") else "")
    if kind == "truefalse":
        value = "True" if key.lower() == "true" else "False"
        return BankQuestion(type="choice", answer=value, choices=("True", "False"), **common)
    if kind == "numerical":
        tol = right[0].find("tolerance")
        try:
            float(key)
            tolerance = float(tol.text) if tol and tol.text.strip() else 0.0
        except ValueError:
            raise ValueError(f"numerical answer {key!r} is not a number") from None
        return BankQuestion(type="numeric", answer=key, tolerance=tolerance, **common)
    if kind == "shortanswer":
        return BankQuestion(type="short", answer=key, **common)
    if len(right) > 1:
        raise ValueError("a single-answer multichoice has one answer of fraction 100")
    choices = tuple((a.find("text").text.strip() if a.find("text") else "")
                    for _, a in answers)
    return BankQuestion(type="choice", answer=key, choices=choices, **common)


def _fraction(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0
