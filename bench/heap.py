"""The heap as a `kgtutor serve` worker leaves it once warm, for the in-process benches.

Each worker freezes its warm heap out of the garbage collector's full passes
(``cli.serve.freeze_heap``), so a bench that times the worker's code does the same, unless
``--no-freeze`` asks for the heap as workers left it before 2026-12-04.
"""

from __future__ import annotations

import argparse

from cli.serve import freeze_heap


def add_freeze_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-freeze", action="store_true",
                        help="leave the heap to the garbage collector's full passes, as "
                             "workers did before 2026-12-04 (cli.serve.freeze_heap)")


def as_a_worker(args: argparse.Namespace) -> None:
    """Freeze the heap as a warm worker does, unless ``--no-freeze``."""
    if not args.no_freeze:
        freeze_heap()
