"""The pages' files come from the ``web`` package (so an installed kgtutor serves them too),
cytoscape from its vendored copy, and nothing of the package that is not a page."""

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


def test_the_package_marker_and_the_licence_file_are_not_pages(client: FlaskClient) -> None:
    for url in ("/app/__init__.py", "/app/vendor/cytoscape.LICENSE", "/app/vendor/other.js",
                "/app/vendor/../__init__.py"):
        assert _get(client, url)[0] == 404, url
