"""The pages' libraries are vendored in ``web/vendor`` rather than served from ``node_modules``:
the pages ship as package data, and an installed kgtutor has neither a checkout's npm folder nor
the internet. These checks keep each vendored file the very one ``package-lock.json`` pins."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "web" / "vendor"
KATEX_FONTS = sorted(p.name for p in (VENDOR / "fonts").glob("*.woff2"))
# npm package -> (its file, the vendored name), copied as they are
COPIES = {
    "cytoscape": [("dist/cytoscape.min.js", "cytoscape.min.js"), ("LICENSE", "cytoscape.LICENSE")],
    "katex": [("dist/katex.min.js", "katex.min.js"), ("dist/katex.min.css", "katex.min.css"),
              ("LICENSE", "katex.LICENSE"),
              *((f"dist/fonts/{f}", f"fonts/{f}") for f in KATEX_FONTS)],
    "markdown-it": [("dist/browser/markdown-it.umd.min.js", "markdown-it.umd.min.js"),
                    ("LICENSE", "markdown-it.LICENSE")],
    "markdown-it-texmath": [("texmath.js", "texmath.js"),
                            ("license.txt", "markdown-it-texmath.LICENSE")],
}


def _locked_version(package: str) -> str:
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    return lock["packages"][f"node_modules/{package}"]["version"]


def test_the_vendored_cytoscape_is_the_locked_version_with_its_licence() -> None:
    script = (VENDOR / "cytoscape.min.js").read_text(encoding="utf-8")
    assert f'.version="{_locked_version("cytoscape")}"' in script
    licence = (VENDOR / "cytoscape.LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("Copyright (c)") and "Cytoscape Consortium" in licence


def test_the_vendored_katex_is_the_locked_version_with_every_font_its_css_names() -> None:
    script = (VENDOR / "katex.min.js").read_text(encoding="utf-8")
    assert f'version:"{_locked_version("katex")}"' in script
    css = (VENDOR / "katex.min.css").read_text(encoding="utf-8")
    assert set(re.findall(r"url\(fonts/([\w-]+\.woff2)\)", css)) == set(KATEX_FONTS)
    assert len(KATEX_FONTS) == 20  # browsers take the woff2 first: the woff and ttf are left out


@pytest.mark.parametrize("package", sorted(COPIES))
def test_the_vendored_files_are_byte_for_byte_npms_copies(package: str) -> None:
    npm = ROOT / "node_modules" / package
    if not npm.is_dir():
        pytest.skip(f"node_modules/{package} is absent (run `npm ci`)")
    assert json.loads((npm / "package.json").read_text(encoding="utf-8"))[
        "version"] == _locked_version(package)
    for source, vendored in COPIES[package]:
        assert (VENDOR / vendored).read_bytes() == (npm / source).read_bytes(), vendored
