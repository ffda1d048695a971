"""A question as question-bank formats carry it (GIFT, Moodle XML): what kgtutor reads from them
and writes to them, whichever the format."""

from __future__ import annotations

from dataclasses import dataclass

from tutor.errors import DataFormatError


@dataclass(frozen=True)
class BankQuestion:
    title: str  # its name in the bank ('' when none): kgtutor's id when it is a valid one
    stem: str
    type: str  # choice | numeric | short
    answer: str
    choices: tuple[str, ...] = ()
    tolerance: float = 0.0
    explanation: str = ""
    category: str = ""  # the KP it tests (the bank's category)
    line: int = 0  # where it starts in the file read


def refuse_nul(text: str) -> None:
    """A file holding NUL is refused at its line: the graph's client cuts parameters at NUL."""
    if "\x00" in text:
        line = text[:text.find("\x00")].count("\n") + 1
        raise DataFormatError(f"line {line}: NUL characters are not accepted")
