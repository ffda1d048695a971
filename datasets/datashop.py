"""PSLC DataShop student-step exports, the format of the KDD Cup 2010 data sets (Algebra
2005-2006, Bridge to Algebra 2006-2007, ...) and of many DataShop data sets, read by
:mod:`datasets.problem_logs`.

Tab-separated, one row per step a student worked on: ``Anon Student Id``, ``Problem Name``,
``Step Name``, ``Correct First Attempt``, ``First Transaction Time``, ``Row`` and one
``KC(<model>)`` column per knowledge-component model, its KCs joined by ``~~``. The item is
the step of a problem (``problem: step``, as lpp prepares these data), the answer whether the
first attempt at it was right, and the KPs the KCs of the chosen model (``KC(Default)`` unless
another is asked for; lpp uses ``SubSkills`` for Bridge to Algebra).
"""

from __future__ import annotations

from pathlib import Path

from datasets.logs import LogDataset
from datasets.problem_logs import LogFormat, header_of, read_problem_logs
from tutor.errors import DataFormatError

SOURCE = "datashop"
DEFAULT_KC = "Default"


def read_datashop(path: Path, name: str | None = None, kc: str = DEFAULT_KC) -> LogDataset:
    """Read one student-step export; ids are namespaced by ``name`` (default: the file's stem)."""
    path = Path(path)
    column = f"kc({kc.strip().lower()})"
    header = header_of(path)
    models = sorted(c[3:-1] for c in header if c.startswith("kc(") and c.endswith(")"))
    if models and column not in header:
        raise DataFormatError(f"{path}: no KC({kc}) column; its KC models: {', '.join(models)}")
    fmt = LogFormat("a DataShop student-step export", "anon student id",
                    ("problem name", "step name"), "correct first attempt",
                    ("first transaction time", "row"), None, column, "~~",
                    clock="first transaction time")
    return read_problem_logs(path, (fmt,), name or path.stem, SOURCE, f"KC({kc}) skills")
