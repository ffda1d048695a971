"""Moodle's GIFT question format, read and written (https://docs.moodle.org/en/GIFT_format).

No maintained Python parser exists (the one on PyPI, pygiftparserrgmf, was last released in
2020 as 0.0.5), so this is a small one, tested on round trips and on malformed input. What it
reads, per question (questions are separated by blank lines; ``//`` lines are comments):

* ``::title::`` (optional: the question's id in kgtutor), the stem, then the answer block:
  ``{=right ~wrong ~wrong}`` multiple choice; ``{=answer}`` (only ``=`` answers) short text,
  the first answer the key; ``{#3.14:0.01}`` or ``{#3.14}`` numeric with a tolerance;
  ``{T}``/``{F}`` true-false (a choice of "True" and "False");
* ``####text`` in the block: the general feedback, kgtutor's explanation; per-answer ``#``
  feedback is read and dropped;
* ``$CATEGORY: kp-id`` lines: the KP the following questions test;
* escapes ``\\~ \\= \\# \\{ \\} \\: \\\\`` and ``\\n`` (a line break) in any text.

Errors name the line of the question they are in; nothing is returned unless every question
reads.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from datasets.question_bank import BankQuestion, refuse_nul
from tutor.errors import DataFormatError

SPECIAL = "~=#{}:\\"


def parse(text: str) -> list[BankQuestion]:
    """Every question of ``text``; ``DataFormatError`` naming each bad one's line."""
    refuse_nul(text)
    out, errors = [], []
    for line, block, category in _blocks(text):
        try:
            out.append(_question(block, category, line))
        except ValueError as e:
            errors.append(f"line {line}: {e}")
    if errors:
        raise DataFormatError("; ".join(errors[:20]))
    return out


def dump(questions: Sequence[BankQuestion]) -> str:
    """GIFT text that ``parse`` reads back as the same questions."""
    parts, category = [], None
    for q in questions:
        if q.category and q.category != category:
            parts.append(f"$CATEGORY: {q.category}\n")
            category = q.category
        title = f"::{escape(q.title)}::" if q.title else ""
        if q.type == "numeric":
            tol = f":{_num(q.tolerance)}" if q.tolerance else ""
            block = f"#{escape(q.answer)}{tol}"
        elif q.type == "short":
            block = f"={escape(q.answer)}"
        else:
            block = " ".join(("=" if c == q.answer else "~") + escape(c) for c in q.choices)
        if q.explanation:
            block += f" ####{escape(q.explanation)}"
        parts.append(f"{title}{escape(q.stem)} {{{block}}}\n")
    return "\n".join(parts)


def escape(text: str) -> str:
    out = "".join("\\" + ch if ch in SPECIAL else ch for ch in text)
    return out.replace("\r\n", "\n").replace("\n", "\\n")


def unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append("\n" if nxt == "n" else nxt)
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _blocks(text: str) -> Iterator[tuple[int, str, str]]:
    """(first line, text, category) of each question."""
    category, start, lines = "", 0, []
    for number, raw in enumerate([*text.splitlines(), ""], 1):
        stripped = raw.strip()
        if stripped.startswith("//"):
            continue
        if stripped.startswith("$CATEGORY:"):
            category = stripped.split(":", 1)[1].strip().split("/")[-1]
            continue
        if not stripped:
            if lines:
                yield start, "\n".join(lines), category
                lines = []
            continue
        if not lines:
            start = number
        lines.append(raw)


def _split(text: str, separators: str) -> list[tuple[str, str]]:
    """``text`` cut before each unescaped separator: (separator or '', piece)."""
    out, current, mark, i = [], [], "", 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            current.append(text[i:i + 2])
            i += 2
            continue
        if ch in separators:
            out.append((mark, "".join(current)))
            current, mark = [], ch
        else:
            current.append(ch)
        i += 1
    out.append((mark, "".join(current)))
    return out


def _unescaped(text: str, ch: str, start: int = 0) -> int:
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == ch:
            return i
        i += 1
    return -1


def _question(block: str, category: str, line: int) -> BankQuestion:
    title = ""
    body = block.strip()
    if body.startswith("::"):
        end = _unescaped(body, ":", 2)
        if end < 0 or body[end:end + 2] != "::":
            raise ValueError("a title opened with :: is not closed with ::")
        title, body = unescape(body[2:end]).strip(), body[end + 2:]
    opened = _unescaped(body, "{")
    closed = _unescaped(body, "}", opened + 1) if opened >= 0 else -1
    if opened < 0 or closed < 0:
        raise ValueError("no answer block {...}")
    stem = unescape((body[:opened] + " " + body[closed + 1:]).strip())
    if not stem:
        raise ValueError("the question has no text")
    answers = body[opened + 1:closed].strip()
    explanation = ""
    cut = answers.find("####")
    while cut > 0 and answers[cut - 1] == "\\":
        cut = answers.find("####", cut + 1)
    if cut >= 0:
        answers, explanation = answers[:cut].strip(), unescape(answers[cut + 4:].strip())
    common = {"title": title, "stem": stem, "explanation": explanation, "category": category,
              "line": line}
    if answers in ("T", "TRUE", "F", "FALSE"):
        right = "True" if answers.startswith("T") else "False"
        return BankQuestion(type="choice", answer=right, choices=("True", "False"), **common)
    if answers.startswith("#"):
        value, _, tol = unescape(answers[1:]).partition(":")
        try:
            float(value)
            tolerance = float(tol) if tol else 0.0
        except ValueError:
            raise ValueError(f"numeric answer {answers!r} is not a number[:tolerance]") from None
        return BankQuestion(type="numeric", answer=value.strip(), tolerance=tolerance,
                            **common)
    options = [(mark, unescape(_drop_feedback(piece)).strip())
               for mark, piece in _split(answers, "=~") if mark]
    if not options or _split(answers, "=~")[0][1].strip():
        raise ValueError("answers start with = (right) or ~ (wrong)")
    right = [o for m, o in options if m == "="]
    if not right:
        raise ValueError("no right answer (=)")
    if all(m == "=" for m, _ in options):
        return BankQuestion(type="short", answer=right[0], **common)
    if len(right) > 1:
        raise ValueError("a multiple-choice question has one right answer (=)")
    return BankQuestion(type="choice", answer=right[0], choices=tuple(o for _, o in options),
                        **common)


def _drop_feedback(piece: str) -> str:
    """An answer's text without its ``#feedback``."""
    cut = _unescaped(piece, "#")
    return piece if cut < 0 else piece[:cut]


def _num(x: float) -> str:
    return re.sub(r"\.0$", "", repr(float(x)))
