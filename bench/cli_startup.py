"""How long `kgtutor` takes to start: `--help`, `users add` and `graph stats`, 5 runs each.

    .venv/bin/python bench/cli_startup.py
    .venv/bin/python bench/cli_startup.py --root /tmp/before --entry api.cli  # an older tree

Each run is a fresh interpreter, ``python -c "from ENTRY import main; main()" ARGS``, with its
working directory and PYTHONPATH at ``--root``, against an embedded graph in a temporary
KGTUTOR_VAR: the graph is started and seeded before the clock runs and stopped at the end.
Wall time is from spawn to exit; CPU is the child's user + system time, which moves less than
wall time when other work shares the machine; max RSS is the child's own peak, in MiB (all
three from ``os.wait4``).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = (("kgtutor --help", ["--help"]),
         ("kgtutor users add", ["users", "add", "{name}", "--role", "admin"]),
         ("kgtutor graph stats", ["graph", "stats"]))


def run(cmd: list[str], cwd: Path, env: dict[str, str], stdin: bytes = b""
        ) -> tuple[float, float, float]:
    """Run ``cmd`` once; return (wall s, CPU s, max RSS MiB). Fail loudly on a non-zero exit."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.PIPE,
                                 stdout=subprocess.DEVNULL, stderr=err)
        assert child.stdin is not None
        child.stdin.write(stdin)
        child.stdin.close()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode:
            err.seek(0)
            raise SystemExit(f"{' '.join(cmd[3:])} exited {child.returncode}:\n"
                             f"{err.read().decode()}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # Linux: KiB


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, default=ROOT, help="The source tree to run.")
    ap.add_argument("--entry", default="cli.main", help="The module whose main() is kgtutor.")
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    root = args.root.resolve()
    kgtutor = [args.python, "-c", f"from {args.entry} import main; main()"]
    var = Path(tempfile.mkdtemp(prefix="kgtutor-bench-"))
    env = {**os.environ, "PYTHONPATH": str(root), "KGTUTOR_VAR": str(var),
           "KGTUTOR_GRAPH_URI": "embedded"}
    where = subprocess.run([args.python, "-c", f"import {args.entry} as m; print(m.__file__)"],
                           cwd=root, env=env, check=True, capture_output=True, text=True)
    print(f"entry: {where.stdout.strip()}  (python {args.python})")
    print(f"{datetime.date.today()}, {platform.machine()}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f} at the start")
    try:
        for setup in (["graph", "start"], ["graph", "seed"]):
            subprocess.run([*kgtutor, *setup], cwd=root, env=env, check=True,
                           stdout=subprocess.DEVNULL)
        print("\n| command | median s | max s | median CPU s | max RSS MiB |\n"
              "|---|---:|---:|---:|---:|")
        for label, argv in CASES:
            runs = [run([*kgtutor, *(a.format(name=f"bench-user-{i}") for a in argv)], root, env,
                        stdin=b"bench-password-123\n") for i in range(args.runs)]
            walls, cpus, rss = zip(*runs, strict=True)
            print(f"| `{label}` | {statistics.median(walls):.2f} | {max(walls):.2f} | "
                  f"{statistics.median(cpus):.2f} | {max(rss):.0f} |")
    finally:
        subprocess.run([*kgtutor, "graph", "stop", "--force"], cwd=root, env=env,
                       stdout=subprocess.DEVNULL, check=False)
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
