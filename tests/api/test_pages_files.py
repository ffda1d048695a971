"""The pages' files come from the ``web`` package (so an installed kgtutor serves them too),
the libraries from their vendored copies, and nothing of the package that is not a page."""

from __future__ import annotations

from importlib import resources

from flask.testing import FlaskClient


def _get(client: FlaskClient, url: str) -> tuple[int, bytes, str]:
    """Status, body and CSP; the response is closed (a file's stream would leak otherwise)."""
    with client.get(url) as r:
        return r.status_code, r.get_data(), r.headers.get("Content-Security-Policy", "")


def test_the_app_shell_and_cytoscape_come_from_the_web_package(client: FlaskClient) -> None:
    web = resources.files("web")
    assert _get(client, "/app/")[:2] == (200, web.joinpath("index.html").read_bytes())
    status, body, csp = _get(client, "/app/vendor/cytoscape.min.js")
    assert (status, body) == (200, web.joinpath("vendor", "cytoscape.min.js").read_bytes())
    assert csp.startswith("default-src 'self'")


def test_katex_its_stylesheet_and_fonts_are_served_with_their_types(client: FlaskClient) -> None:
    vendor = resources.files("web").joinpath("vendor")
    for name, kind in (("katex.min.js", "text/javascript"), ("katex.min.css", "text/css"),
                       ("fonts/KaTeX_Main-Regular.woff2", "font/woff2"),
                       ("markdown-it.umd.min.js", "text/javascript"),
                       ("texmath.js", "text/javascript")):
        with client.get(f"/app/vendor/{name}") as r:
            assert (r.status_code, r.get_data()) == (200, vendor.joinpath(name).read_bytes())
            assert r.mimetype == kind, name
            assert r.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_the_package_marker_and_the_licence_files_are_not_pages(client: FlaskClient) -> None:
    for url in ("/app/__init__.py", "/app/vendor/cytoscape.LICENSE", "/app/vendor/other.js",
                "/app/vendor/../__init__.py", "/app/vendor/katex.LICENSE",
                "/app/vendor/fonts/KaTeX_Main-Regular.ttf", "/app/vendor/fonts/other.woff2",
                "/app/vendor/fonts/../../js/main.js", "/app/vendor/%2e%2e/js/main.js"):
        assert _get(client, url)[0] == 404, url
