"""PSLC DataShop student-step and transaction exports, the format of the KDD Cup 2010 data
sets (Algebra 2005-2006, Bridge to Algebra 2006-2007, ...), of OLI courses such as Statics 2011
(``AllData_student_step_2011F.csv``) and of many DataShop data sets, read by
:mod:`datasets.problem_logs`.

A student-step export has one row per step a student worked on: ``Anon Student Id``,
``Problem Name``, ``Step Name``, the first attempt's outcome, ``First Transaction Time`` and
one ``KC(<model>)`` (or ``KC (<model>)``) column per knowledge-component model, its KCs
joined by ``~~``. The KDD Cup files are tab-separated and score the first attempt as
``Correct First Attempt`` (1 or 0); OLI's are comma-separated and name it ``First Attempt``
(``correct``, ``incorrect`` or ``hint``: a hint first counts as wrong, as DataShop's own
``Correct First Attempt`` counts it). A transaction export (``ds507_tx_All_Data_...txt``: one
row per action, tab-separated) is read the same way from the rows whose ``Attempt At Step``
is 1, their ``Outcome`` (``CORRECT``, ``INCORRECT`` or ``HINT``) the answer and ``Time`` the
clock. The item is the step of a problem (``problem: step``, as lpp prepares these data), and
the KPs the KCs of the chosen model: ``Default`` unless another is asked for, or, in a file
without it, the file's first model (lpp uses ``SubSkills`` for Bridge to Algebra).
"""

from __future__ import annotations

import re
from pathlib import Path

from datasets.logs import LogDataset
from datasets.problem_logs import LogFormat, header_of, read_problem_logs
from tutor.errors import DataFormatError

SOURCE = "datashop"
DEFAULT_KC = "Default"
_KC = re.compile(r"kc ?\((.+)\)")
FIRST_ATTEMPT = (("correct", 1.0), ("incorrect", 0.0), ("hint", 0.0))  # OLI's words


def read_datashop(path: Path, name: str | None = None, kc: str | None = None) -> LogDataset:
    """Read one student-step export; ids are namespaced by ``name`` (default: the file's stem).
    ``kc`` names the KC model (None: ``Default``, else the file's first)."""
    path = Path(path)
    models = _kc_models(path)
    wanted = (kc or DEFAULT_KC).strip().lower()
    column = models.get(wanted)
    if column is None and kc is None and models:
        wanted, column = next(iter(models.items()))
    if models and column is None:
        raise DataFormatError(f"{path}: no KC({kc}) column; its KC models: "
                              f"{', '.join(sorted(models))}")
    column = column or f"kc({wanted})"
    formats = (*(
        LogFormat(f"a DataShop student-step export{label}", "anon student id",
                  ("problem name", "step name"), correct, ("first transaction time", "row"),
                  None, column, "~~", clock="first transaction time", words=words)
        for label, correct, words in (("", "correct first attempt", ()),
                                      (" (OLI)", "first attempt", FIRST_ATTEMPT))),
        LogFormat("a DataShop transaction export", "anon student id",
                  ("problem name", "step name"), "outcome", ("time", "row"), None, column, "~~",
                  clock="time", words=FIRST_ATTEMPT, first="attempt at step"))
    ds = read_problem_logs(path, formats, name or path.stem, SOURCE, f"KC({wanted}) skills")
    if models:
        ds.report.notes.append(f"KPs from the KC model {wanted!r} (of {len(models)})")
    return ds


def _kc_models(path: Path) -> dict[str, str]:
    """KC model (lower-case) -> its column, in the file's order."""
    header = header_of(path)
    return {m[1].strip(): c for c in header if (m := _KC.fullmatch(c))}
