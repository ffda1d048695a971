"""The long schemathesis run: the same generated requests as tests/api/test_openapi_fuzz.py,
with more examples per operation (no 5xx, responses matching their schemas).

    .venv/bin/python bench/api_fuzz.py [--examples 100]

`make test` runs 6 examples per operation; this prints pytest's summary of the longer run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=100)
    args = parser.parse_args()
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly",
         "tests/api/test_openapi_fuzz.py"], cwd=REPO, check=False,
        env={**os.environ, "KGTUTOR_FUZZ_EXAMPLES": str(args.examples)})
    print(f"{args.examples} examples per operation: exit {result.returncode} in "
          f"{time.perf_counter() - started:.0f} s")
    sys.exit(result.returncode)


if __name__ == "__main__":
    main()
