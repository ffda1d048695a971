"""The production server of the API: gunicorn, ``workers`` processes of gevent greenlets.

Python runs one thread at a time per process, so one process keeps one core busy whatever its
thread count; gunicorn's pre-fork model puts a process on every core and restarts one that
dies. The worker class is ``gevent``: a worker's requests are greenlets on one thread, which
overlap the graph round trips (the sockets are gevent's) without threads contending for the
GIL. Against ``gthread`` workers of 8 threads the mix of ``bench/api_load.py`` costs 11-16 %
less of the workers' CPU per request (docs/evaluation/api-load.md, ninth look). The price:
a greenlet runs until it waits, so a long stretch of CPU (re-reading a course after an edit,
about a second on ASSIST2009) holds up the worker's other requests instead of sharing the
core with them.

- **The app is built in each worker, after the fork** (no ``preload_app``): a FalkorDB or
  Redis connection, a Neo4j driver's pool and torch's thread pool must not cross a fork, and
  building costs a few seconds per worker, once. torch gets one thread per worker: the
  workers are the parallelism.
- **Workers hold no state of their own**: tokens, LTI nonces and rate-limit counters live in
  the graph or its Redis (``services.store.rate_limit_storage``); cached catalogues follow
  the graph's cache version (``graph.cache_version``).
- **Server-level errors are problem+json** like the app's: gunicorn writes the answer to a
  request line or header it cannot parse with ``gunicorn.util.write_error``, which
  :func:`install_problem_errors` replaces; a broken chunked body is found while the app reads
  it (``api.input_guard``).
- **Behind a proxy** only ``trusted_proxy`` may set X-Forwarded-For/-Proto/-Host/-Port: the
  app is wrapped in werkzeug's ProxyFix for requests from that address, and the headers are
  dropped from any other peer.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from gunicorn.app.base import BaseApplication

from api.problems import TYPE_BASE

FORWARDED = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
             "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_PREFIX", "HTTP_FORWARDED")
Wsgi = Callable[[dict, Callable], Iterable[bytes]]


class ApiServer(BaseApplication):
    """gunicorn run from `kgtutor serve`: ``build`` makes the WSGI app in each worker."""

    def __init__(self, build: Callable[[], Wsgi], options: dict[str, Any]) -> None:
        self._build, self._options = build, options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Wsgi:
        from models.threads import one_thread

        one_thread()
        return self._build()


def behind_proxy(app: Wsgi, trusted_proxy: str | None) -> Wsgi:
    """``app`` believing X-Forwarded-* only from ``trusted_proxy`` (one hop), else never."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    fixed = ProxyFix(app, x_for=1, x_proto=1, x_host=1, x_port=1) if trusted_proxy else app

    def serve(environ: dict, start_response: Callable) -> Iterable[bytes]:
        if trusted_proxy and environ.get("REMOTE_ADDR") == trusted_proxy:
            return fixed(environ, start_response)
        for key in FORWARDED:
            environ.pop(key, None)
        return app(environ, start_response)

    return serve


def install_problem_errors() -> None:
    """Make gunicorn answer the requests it refuses itself with problem+json, and name
    itself ``kgtutor`` rather than its version."""
    from gunicorn import util
    from gunicorn.http import wsgi

    def write_error(sock: Any, status_int: int, reason: str, mesg: str) -> None:
        body = json.dumps({"type": TYPE_BASE + reason.lower().replace(" ", "-"),
                           "title": reason, "status": status_int,
                           "detail": mesg or reason}).encode()
        head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
                f"Content-Type: application/problem+json\r\nContent-Length: {len(body)}\r\n"
                "\r\n").encode("latin-1")
        util.write_nonblock(sock, head + body)

    util.write_error = write_error
    wsgi.SERVER = "kgtutor"
