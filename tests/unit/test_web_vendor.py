"""Cytoscape is vendored in ``web/vendor`` rather than served from ``node_modules``: the pages
ship as package data, and an installed kgtutor has neither a checkout's npm folder nor the
internet. These checks keep the vendored file the very one ``package-lock.json`` pins."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "web" / "vendor"
NPM = ROOT / "node_modules" / "cytoscape"


def _locked_version() -> str:
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    return lock["packages"]["node_modules/cytoscape"]["version"]


def test_the_vendored_cytoscape_is_the_locked_version_with_its_licence() -> None:
    script = (VENDOR / "cytoscape.min.js").read_text(encoding="utf-8")
    assert f'.version="{_locked_version()}"' in script
    licence = (VENDOR / "cytoscape.LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("Copyright (c)") and "Cytoscape Consortium" in licence


def test_the_vendored_cytoscape_is_byte_for_byte_npms_copy() -> None:
    if not NPM.is_dir():
        pytest.skip("node_modules/cytoscape is absent (run `npm ci`)")
    assert json.loads((NPM / "package.json").read_text(encoding="utf-8"))[
        "version"] == _locked_version()
    assert (VENDOR / "cytoscape.min.js").read_bytes() == (
        NPM / "dist" / "cytoscape.min.js").read_bytes()
    assert (VENDOR / "cytoscape.LICENSE").read_bytes() == (NPM / "LICENSE").read_bytes()
