"""The long fuzz run: the same generated requests as tests/api/test_openapi_fuzz.py, with more
examples per operation, plus its hostile inputs (issue 17, defect 7) on every operation: no 5xx,
responses matching their schemas.

    .venv/bin/python bench/api_fuzz.py [--examples 220]

`make test` runs 6 examples per operation (about 270 generated requests); the default here is
about 10,000. Prints the requests sent, by kind and by status, and pytest's verdict.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=220,
                        help="generated requests per operation (about 46 operations)")
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "fuzz.json"
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly",
             "tests/api/test_openapi_fuzz.py"], cwd=REPO, check=False,
            env={**os.environ, "KGTUTOR_FUZZ_EXAMPLES": str(args.examples),
                 "KGTUTOR_FUZZ_REPORT": str(report)})
        counts = json.loads(report.read_text()) if report.exists() else {}
    sent = counts.get("sent", {})
    statuses = counts.get("statuses", {})
    errors = sum(n for s, n in statuses.items() if int(s) >= 500)
    print("| examples per operation | generated | hostile | total | 5xx | wall |")
    print("|---:|---:|---:|---:|---:|---:|")
    print(f"| {args.examples} | {sent.get('generated', 0):,} | {sent.get('hostile', 0):,} | "
          f"{sum(sent.values()):,} | {errors} | {time.perf_counter() - started:.0f} s |")
    print("statuses:", ", ".join(f"{s} x{n:,}" for s, n in statuses.items()))
    print(f"pytest exit {result.returncode}")
    sys.exit(result.returncode)


if __name__ == "__main__":
    main()
