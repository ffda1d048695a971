"""`kgtutor --help` lists every command without importing what only some commands use.

Run in a fresh interpreter: the test process itself has imported torch and friends long ago.
Not timed (the figures are in ``bench/cli_startup.py``); what is imported is what costs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click

from cli.main import COMMANDS, main

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("torch", "torch_geometric", "sklearn", "pandas", "scipy", "flask", "matplotlib",
         "librosa", "cv2", "neo4j")
PROBE = f"""
import json, sys
from cli.main import main
try:
    main(["--help"], standalone_mode=False)
except SystemExit:
    pass
print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))
print(json.dumps(sorted(m for m in sys.modules if m.startswith("cli."))))
"""


def test_help_lists_every_command_and_imports_nothing_heavy() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=True)
    *help_lines, heavy, commands = done.stdout.strip().splitlines()
    assert json.loads(heavy) == []
    assert json.loads(commands) == ["cli.common", "cli.main"]  # no command's own module
    listed = {line.split()[0] for line in help_lines[help_lines.index("Commands:") + 1:]}
    assert listed == {"adjust", "affect", "curriculum", "demo", "evaluate", "graph", "lms",
                      "lrs", "notify", "path", "plan", "profiles", "record", "recommend",
                      "report", "serve", "similar", "study", "tests", "train", "users"}


def test_the_listing_gives_each_command_its_own_short_help() -> None:
    """The summaries `--help` lists unimported are what click makes of each command's help."""
    context = click.Context(main)
    for name, (_, _, summary) in COMMANDS.items():
        command = main.get_command(context, name)
        assert command is not None and command.get_short_help_str(limit=10**6) == summary, name
