"""The web pages: static HTML, CSS and ES modules of the ``web`` package, with the vendored
libraries (cytoscape; KaTeX with its stylesheet and fonts, markdown-it and its math plugin).

Pages are public (``@open_endpoint``): they hold no data. They call the API with the access
token kept in the browser's sessionStorage, so every datum still passes the API's gate.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path, PurePosixPath

from flask import Blueprint, Response, redirect, send_from_directory, url_for
from werkzeug.exceptions import NotFound

from api.gate import open_endpoint

# package data, so that an installed kgtutor serves the same files as a checkout
WEB = Path(str(resources.files("web")))
# vendored, not fetched: the machines that run kgtutor have no internet
VENDOR = WEB / "vendor"
# what web/vendor serves, by suffix, with the type said explicitly (the system's mimetypes table
# may not know woff2): scripts, KaTeX's stylesheet and its fonts (fonts/, as its CSS names
# them); anything else there (licences) is not served. The CSP needs nothing more for them:
# fonts are 'self', and KaTeX's inline style attributes are allowed by style-src.
VENDORED = {".js": "text/javascript", ".css": "text/css", ".woff2": "font/woff2"}
CSP = ("default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'")

blp = Blueprint("pages", __name__)


@blp.route("/")
@open_endpoint
def root() -> Response:
    """The site's root opens the app."""
    return redirect(url_for("pages.app_page", filename=""))


@blp.route("/app/", defaults={"filename": ""})
@blp.route("/app/<path:filename>")
@open_endpoint
def app_page(filename: str) -> Response:
    """A file of ``web/``; the app shell for the directory itself (routes live in the hash)."""
    if filename.endswith((".py", ".pyc")):  # the package's own marker, not a page
        raise NotFound(filename)
    return _secured(send_from_directory(WEB, filename or "index.html", max_age=0))


@blp.route("/app/vendor/<path:filename>")
@open_endpoint
def vendor(filename: str) -> Response:
    """A third-party browser library's file, vendored in ``web/vendor`` (no CDN)."""
    mimetype = VENDORED.get(PurePosixPath(filename).suffix)
    if mimetype is None or not (VENDOR / filename).is_file():
        raise NotFound(f"no vendored library {filename!r}")
    # send_from_directory refuses a path that leaves VENDOR ("..", absolute)
    return _secured(send_from_directory(VENDOR, filename, mimetype=mimetype, max_age=3600))


def _secured(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
