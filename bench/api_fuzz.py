"""The long schemathesis run: the same requests as tests/api/test_openapi_fuzz.py, generated
from /openapi.json with more examples per operation (no 5xx, responses matching their schemas),
plus each operation's generated cases changed into issue 17 defect 7's inputs (JSON nested 1,000
deep, with and without a token; a lone surrogate or NUL in a string; NUL in a URL id; tokens
signed with the server's key but without role, exp or jti, or with an unknown role).

    .venv/bin/python bench/api_fuzz.py [--examples 250] [--min-cases 10000]

`make test` runs 6 examples per operation. This prints the cases actually sent, by kind, with
their status-code histogram, and fails when a case answered 5xx, pytest failed, or fewer than
``--min-cases`` were sent.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=250,
                        help="Hypothesis examples per operation (a ninth of it per mutation)")
    parser.add_argument("--min-cases", type=int, default=10_000)
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kgtutor-fuzz-") as tmp:
        report_path = Path(tmp) / "report.json"
        code = _run_pytest(args.examples, report_path)
        report = json.loads(report_path.read_text()) if report_path.exists() else None
    elapsed = time.perf_counter() - started
    if report is None:
        sys.exit(f"pytest exited {code} without a report")
    cases, server_errors = _print_report(report)
    print(f"{args.examples} examples per operation; pytest exit {code}; "
          f"{elapsed / 60:.1f} min; load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} CPUs")
    for line in report["server_errors"]:
        print("5xx:", line)
    failed = code != 0 or server_errors > 0 or cases < args.min_cases
    sys.exit(1 if failed else 0)


def _run_pytest(examples: int, report_path: Path) -> int:
    """Run the fuzz module with ``examples`` per operation; pytest's own output passes on."""
    env = {**os.environ, "KGTUTOR_FUZZ_EXAMPLES": str(examples),
           "KGTUTOR_FUZZ_REPORT": str(report_path)}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly",
                           "tests/api/test_openapi_fuzz.py"], cwd=REPO, env=env,
                          check=False).returncode


def _print_report(report: dict) -> tuple[int, int]:
    """Print cases and status histogram per kind; return (all cases, cases that got 5xx)."""
    by_kind: dict[str, Counter[int]] = defaultdict(Counter)
    for row in report["statuses"]:
        by_kind[row["kind"]][row["status"]] += row["count"]
    total = Counter[int]()
    for histogram in by_kind.values():
        total.update(histogram)
    statuses = sorted(total)
    print(f"{'kind':<27}{'cases':>7}" + "".join(f"{s:>6}" for s in statuses) + f"{'5xx':>6}")
    for kind, histogram in [*sorted(by_kind.items()), ("all", total)]:
        errors = sum(n for s, n in histogram.items() if s >= 500)
        print(f"{kind:<27}{sum(histogram.values()):>7}"
              + "".join(f"{histogram.get(s, 0):>6}" for s in statuses) + f"{errors:>6}")
    return sum(total.values()), sum(n for s, n in total.items() if s >= 500)


if __name__ == "__main__":
    main()
