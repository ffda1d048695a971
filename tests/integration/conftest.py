"""Fixtures of the integration tests: a var dir, empty or with the demo curriculum seeded, per
module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli.main import main
from graph.embedded import EmbeddedServer


def run(var_dir: Path, *args: str) -> Result:
    """`kgtutor ARGS` in-process, on the embedded graph of ``var_dir``."""
    return CliRunner().invoke(main, list(args), env={"KGTUTOR_VAR": str(var_dir)})


@pytest.fixture(scope="module")
def seeded_var(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A var dir whose embedded graph holds the seed curriculum; stopped after the module."""
    var = tmp_path_factory.mktemp("var")
    assert run(var, "graph", "seed").exit_code == 0
    yield var
    EmbeddedServer(var / "graph").stop(force=True)


@pytest.fixture(scope="module")
def empty_var(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A var dir with nothing in it yet; its embedded graph (if started) stops after the module."""
    var = tmp_path_factory.mktemp("var")
    yield var
    EmbeddedServer(var / "graph").stop(force=True)
