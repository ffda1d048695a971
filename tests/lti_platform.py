"""A small LTI 1.3 platform for tests, served over HTTP on loopback in a thread: its key set,
an OAuth2 token endpoint (client credentials with a JWT assertion, checked against the tool's
published keys) and Assignment and Grade Services line items and scores. It signs real
id_tokens (RS256, with a kid) and records everything the tool sends it."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, jsonify, request
from werkzeug.serving import BaseWSGIServer, make_server

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
MENTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"
ALL_SCOPES = [SCOPE + s for s in ("lineitem", "lineitem.readonly", "result.readonly", "score")]


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


@dataclass
class Platform:
    client_id: str
    deployment_id: str
    key: rsa.RSAPrivateKey = field(default_factory=rsa_key)
    kid: str = "platform-key-1"
    tool_jwks: dict[str, Any] = field(default_factory=dict)  # the tool's /lti/jwks answer
    tokens: dict[str, str] = field(default_factory=dict)  # access token issued -> scope
    scores: list[dict[str, Any]] = field(default_factory=list)
    lineitems: list[dict[str, Any]] = field(default_factory=list)
    _server: BaseWSGIServer | None = None

    @property
    def issuer(self) -> str:
        assert self._server is not None, "start() the platform first"
        return f"http://127.0.0.1:{self._server.port}"

    def start(self) -> Platform:
        self._server = make_server("127.0.0.1", 0, self._app(), threaded=True)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def registration(self, tenant: str, private_key_file: str) -> dict[str, Any]:
        """This platform's entry in a kgtutor LTI configuration file."""
        return {"tenant": tenant, "default": True, "client_id": self.client_id,
                "auth_login_url": self.issuer + "/auth", "auth_token_url": self.issuer + "/token",
                "key_set_url": self.issuer + "/jwks", "private_key_file": private_key_file,
                "deployment_ids": [self.deployment_id]}

    def id_token(self, nonce: str, sub: str, roles: list[str], *, context: str | None = "ctx",
                 link: str = "link-1", ags: dict[str, Any] | None = None,
                 key: rsa.RSAPrivateKey | None = None, **claims: Any) -> str:
        """A signed resource-link launch; ``claims`` override, add or (None) drop claims."""
        now = int(time.time())
        body: dict[str, Any] = {
            "iss": self.issuer, "aud": self.client_id, "sub": sub, "nonce": nonce,
            "iat": now, "exp": now + 300, "name": f"User {sub}", "email": f"{sub}@lms.test",
            CLAIM + "message_type": "LtiResourceLinkRequest", CLAIM + "version": "1.3.0",
            CLAIM + "deployment_id": self.deployment_id, CLAIM + "roles": roles,
            CLAIM + "target_link_uri": "http://localhost/lti/launch",
            CLAIM + "resource_link": {"id": link, "title": f"Practice {link}"}}
        if context:
            body[CLAIM + "context"] = {"id": context, "title": f"Course {context}"}
        if ags is not None:
            body[AGS] = ags
        body.update(claims)
        body = {k: v for k, v in body.items() if v is not None}  # None drops a claim
        return jwt.encode(body, key or self.key, algorithm="RS256", headers={"kid": self.kid})

    def ags(self, lineitem: str | None = "1", scopes: list[str] = ALL_SCOPES) -> dict[str, Any]:
        """An AGS endpoint claim; ``lineitem`` names a line item of this platform's."""
        claim: dict[str, Any] = {"scope": scopes, "lineitems": self.issuer + "/lineitems"}
        if lineitem:
            claim["lineitem"] = f"{self.issuer}/lineitems/{lineitem}"
        return claim

    def _app(self) -> Flask:
        app = Flask("lti-platform")
        app.add_url_rule("/jwks", "jwks", self._jwks)
        app.add_url_rule("/token", "token", self._token, methods=["POST"])
        app.add_url_rule("/lineitems", "lineitems", self._lineitems, methods=["GET", "POST"])
        app.add_url_rule("/lineitems/<n>/scores", "scores", self._score, methods=["POST"])
        return app

    def _jwks(self) -> Any:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return jsonify({"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]})

    def _token(self) -> Any:
        """Client credentials with a JWT assertion signed by a key of the tool's JWKS."""
        form = request.form
        if (form.get("grant_type") != "client_credentials" or form.get("client_assertion_type")
                != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"):
            return jsonify({"error": "unsupported_grant_type"}), 400
        assertion = form.get("client_assertion", "")
        kid = jwt.get_unverified_header(assertion).get("kid")
        keys = [k for k in self.tool_jwks.get("keys", []) if k.get("kid") == kid]
        try:
            claims = jwt.decode(assertion, jwt.PyJWK(keys[0]).key, algorithms=["RS256"],
                                audience=self.issuer + "/token", issuer=self.client_id)
        except (IndexError, jwt.PyJWTError):
            return jsonify({"error": "invalid_client"}), 401
        if claims["sub"] != self.client_id:
            return jsonify({"error": "invalid_client"}), 401
        token = secrets.token_urlsafe(16)
        self.tokens[token] = form.get("scope", "")
        return jsonify({"access_token": token, "token_type": "bearer", "expires_in": 3600})

    def _granted(self, scope: str) -> bool:
        auth = request.headers.get("Authorization", "")
        return auth.startswith("Bearer ") and scope in self.tokens.get(auth[7:], "").split()

    def _lineitems(self) -> Any:
        if not self._granted(SCOPE + "lineitem"):
            return jsonify({"error": "forbidden"}), 403
        if request.method == "GET":
            return jsonify(self.lineitems)
        item = {**request.get_json(force=True),
                "id": f"{self.issuer}/lineitems/new-{len(self.lineitems) + 1}"}
        self.lineitems.append(item)
        return jsonify(item), 201

    def _score(self, n: str) -> Any:
        if not n.isdigit() and not n.startswith("new-"):
            return jsonify({"error": "no such line item"}), 404
        granted = self._granted(SCOPE + "score")
        self.scores.append({"lineitem": f"{self.issuer}/lineitems/{n}", "token_ok": granted,
                            "content_type": request.content_type,
                            "body": request.get_json(force=True)})
        return ("", 204) if granted else (jsonify({"error": "unauthorized"}), 401)
