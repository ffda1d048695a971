"""axe-core over every page state the page tests visit (``tests/pages/axe.py``): no serious or
critical violation of WCAG 2.1 A or AA. With ``KGTUTOR_AXE_COUNTS`` set to a file, each state's
counts by impact are appended to it as a JSON line (``bench/accessibility.py`` prints them)."""

from __future__ import annotations

import json
import os

import pytest

from tests.pages.axe import STATES, Opener, audit, counts


@pytest.mark.parametrize("state", STATES)
def test_no_serious_or_critical_violation(state: str, tab: Opener, live: str,
                                          own_people: str) -> None:
    t = STATES[state](tab, live, own_people)
    found = audit(t.page)
    if out := os.environ.get("KGTUTOR_AXE_COUNTS"):
        with open(out, "a") as f:
            f.write(json.dumps({"state": state, **counts(found)}) + "\n")
    t.shot("axe-" + state.replace(",", "").replace(" ", "-").replace("(", "").replace(")", ""))
    bad = [v for v in found if v["impact"] in ("serious", "critical")]
    assert not bad, json.dumps(bad, indent=1)
