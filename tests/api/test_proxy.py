"""`kgtutor serve --trusted-proxy ADDRESS`: X-Forwarded-* are believed from that peer only
(``api.server.behind_proxy``, werkzeug's ProxyFix); from any other peer, or with no trusted
proxy, the app never sees them. The live check is in ``test_workers.py``."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

from api.server import behind_proxy

PROXY, CLIENT, OTHER = "10.0.0.2", "203.0.113.7", "198.51.100.9"
FORWARDED = {"X-Forwarded-For": CLIENT, "X-Forwarded-Proto": "https",
             "X-Forwarded-Host": "tutor.example.edu", "X-Forwarded-Port": "443"}


def what_the_app_sees(environ: dict, start_response: Callable) -> Iterable[bytes]:
    request = Request(environ)
    forwarded = sorted(k for k in environ if k.startswith("HTTP_X_FORWARDED"))
    body = f"{request.remote_addr} {request.url_root} {','.join(forwarded)}"
    return Response(body)(environ, start_response)


def seen(trusted: str | None, peer: str) -> str:
    client = Client(behind_proxy(what_the_app_sees, trusted))
    return client.get("/", headers=FORWARDED, environ_base={"REMOTE_ADDR": peer}).get_data(
        as_text=True)


def test_the_trusted_proxy_names_the_client_scheme_and_host() -> None:
    assert seen(PROXY, PROXY).startswith(f"{CLIENT} https://tutor.example.edu/ ")


def test_another_peer_cannot_forge_them() -> None:
    assert seen(PROXY, OTHER) == f"{OTHER} http://localhost/ "


def test_without_a_trusted_proxy_nobody_can() -> None:
    assert seen(None, PROXY) == f"{PROXY} http://localhost/ "
    assert seen(None, "127.0.0.1") == "127.0.0.1 http://localhost/ "
