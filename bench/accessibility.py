"""axe-core's WCAG 2.1 A and AA violations on every page state the page tests visit, counted
by impact, one row per state.

    .venv/bin/python bench/accessibility.py
    .venv/bin/python bench/accessibility.py --root /tmp/a11y-before  # an older tree

It runs ``tests/pages/test_accessibility.py`` (a live `kgtutor serve` on a seeded graph,
Debian's chromium, axe-core from node_modules; the states are in ``tests/pages/axe.py``) in
``--root`` with PYTHONPATH there, so that tree's pages are served, and reads the counts each
state appends to a file named by ``KGTUTOR_AXE_COUNTS``. A count is of violating elements: one
rule broken on three elements counts three. The tests fail on any serious or critical
violation; the table is printed either way. An older tree needs ``tests/pages/axe.py``,
``tests/pages/test_accessibility.py`` and ``tests/pages/conftest.py`` (its ``own_people``
fixture) copied in.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMPACTS = ("minor", "moderate", "serious", "critical")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, default=ROOT, help="The source tree to audit.")
    args = ap.parse_args()
    root = args.root.resolve()
    with tempfile.NamedTemporaryFile(suffix=".jsonl") as out:
        env = {**os.environ, "PYTHONPATH": str(root), "KGTUTOR_AXE_COUNTS": out.name}
        tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                                "tests/pages/test_accessibility.py"], cwd=root, env=env,
                               capture_output=True, text=True)
        rows = [json.loads(line) for line in Path(out.name).read_text().splitlines()]
    summary = tests.stdout.strip().splitlines()[-1] if tests.stdout.strip() else tests.stderr
    print(f"tree: {root} ({_commit(root)})")
    print(f"{datetime.date.today()}, {platform.machine()}, {os.cpu_count()} CPUs; pytest: "
          f"{summary}")
    print("\n| page state | minor | moderate | serious | critical |\n|---|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['state']} | " + " | ".join(str(r[i]) for i in IMPACTS) + " |")
    print("| **all states** | " + " | ".join(str(sum(r[i] for r in rows)) for i in IMPACTS)
          + " |")


def _commit(root: Path) -> str:
    head = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain",
                            "--untracked-files=no"], capture_output=True, text=True).stdout
    return head.stdout.strip() + (" with changes" if dirty.strip() else "")


if __name__ == "__main__":
    main()
