"""Typed settings, read from the environment in exactly one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from graph.connect import backend as graph_backend
from tutor.errors import InvalidInput

_GRAPH_SCHEMES = ("bolt://", "bolt+s://", "neo4j://", "neo4j+s://", "falkordb://")


@dataclass(frozen=True)
class Settings:
    graph_uri: str = "embedded"  # "embedded", a Neo4j URI, or falkordb://host:port
    graph_name: str = "kgtutor"  # FalkorDB graph key; for Neo4j see neo4j_database
    var_dir: Path = Path("var")  # runtime state; the embedded graph lives in var_dir/graph
    embedded_tcp_port: int | None = None  # optional TCP listener, 127.0.0.1 only
    neo4j_user: str = "neo4j"
    neo4j_password: str = ""
    neo4j_database: str = "neo4j"
    falkordb_password: str = ""  # for falkordb:// servers run by someone else
    data_root: Path = Path("../shared/data")  # public datasets, read by path, never committed
    batch_size: int = 5000  # rows per UNWIND batch on import
    smtp_host: str = ""  # empty: e-mails wait in the graph's outbox until one is set
    smtp_port: int = 25
    smtp_tls: str = "none"  # none | starttls | ssl
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = "kgtutor@localhost"
    # the web API
    jwt_secret: str = ""  # empty: generated once and kept in var_dir/secrets/jwt.key
    access_ttl_s: int = 900
    refresh_ttl_s: int = 30 * 24 * 3600
    max_body_bytes: int = 8 * 1024 * 1024  # larger requests get 413
    auth_rate_limit: str = "300 per minute"  # per client address on log-in, token, refresh
    ingest_rate_limit: str = "6000 per minute"  # per caller, on attempts and xAPI
    # where the rate limits count ("" : the embedded graph server's Redis when embedded, so
    # every kgtutor serve process on one graph shares them; else this process's memory)
    rate_limit_storage: str = ""
    lrs_url: str = ""  # a learning record store's xAPI root; empty: no 5-minute sync
    lrs_user: str = ""
    lrs_password: str = ""
    lrs_tenant: str = ""  # the tenant students created from LRS statements belong to
    lti_config: Path | None = None  # PyLTI1p3 JSON tool configuration; None: LTI is off

    @property
    def graph_dir(self) -> Path:
        return self.var_dir / "graph"

    @property
    def models_dir(self) -> Path:
        """Trained models (``kgtutor train``), read by the recommender and the API."""
        return self.var_dir / "models"

    @property
    def backend(self) -> str:
        """Return "embedded", "neo4j" or "falkordb" according to the URI."""
        return graph_backend(self.graph_uri)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Build settings from ``KGTUTOR_*`` variables; unknown URI schemes are refused early."""
        e = os.environ if env is None else env
        uri = e.get("KGTUTOR_GRAPH_URI", "embedded").strip() or "embedded"
        if uri != "embedded" and not uri.startswith(_GRAPH_SCHEMES):
            raise InvalidInput(
                f"KGTUTOR_GRAPH_URI={uri!r}: use 'embedded' or a URI starting with "
                + ", ".join(_GRAPH_SCHEMES)
            )
        return cls(
            graph_uri=uri,
            graph_name=e.get("KGTUTOR_GRAPH_NAME", "kgtutor"),
            var_dir=Path(e.get("KGTUTOR_VAR", "var")),
            embedded_tcp_port=_int_or_none(e, "KGTUTOR_EMBEDDED_TCP_PORT"),
            neo4j_user=e.get("KGTUTOR_NEO4J_USER", "neo4j"),
            neo4j_password=e.get("KGTUTOR_NEO4J_PASSWORD", ""),
            neo4j_database=e.get("KGTUTOR_NEO4J_DATABASE", "neo4j"),
            falkordb_password=e.get("KGTUTOR_FALKORDB_PASSWORD", ""),
            data_root=Path(e.get("KGTUTOR_DATA", "../shared/data")),
            batch_size=_int_or_none(e, "KGTUTOR_BATCH_SIZE") or 5000,
            smtp_host=e.get("KGTUTOR_SMTP_HOST", ""),
            smtp_port=_int_or_none(e, "KGTUTOR_SMTP_PORT") or 25,
            smtp_tls=_choice(e, "KGTUTOR_SMTP_TLS", ("none", "starttls", "ssl")),
            smtp_user=e.get("KGTUTOR_SMTP_USER", ""),
            smtp_password=e.get("KGTUTOR_SMTP_PASSWORD", ""),
            smtp_from=e.get("KGTUTOR_SMTP_FROM", "kgtutor@localhost"),
            jwt_secret=e.get("KGTUTOR_JWT_SECRET", ""),
            access_ttl_s=_int_or_none(e, "KGTUTOR_ACCESS_TTL_S") or 900,
            refresh_ttl_s=_int_or_none(e, "KGTUTOR_REFRESH_TTL_S") or 30 * 24 * 3600,
            max_body_bytes=_int_or_none(e, "KGTUTOR_MAX_BODY_BYTES") or 8 * 1024 * 1024,
            auth_rate_limit=e.get("KGTUTOR_AUTH_RATE_LIMIT", "300 per minute"),
            ingest_rate_limit=e.get("KGTUTOR_INGEST_RATE_LIMIT", "6000 per minute"),
            rate_limit_storage=e.get("KGTUTOR_RATE_LIMIT_STORAGE", ""),
            lrs_url=e.get("KGTUTOR_LRS_URL", ""),
            lrs_user=e.get("KGTUTOR_LRS_USER", ""),
            lrs_password=e.get("KGTUTOR_LRS_PASSWORD", ""),
            lrs_tenant=e.get("KGTUTOR_LRS_TENANT", ""),
            lti_config=Path(e["KGTUTOR_LTI_CONFIG"]) if e.get("KGTUTOR_LTI_CONFIG") else None,
        )


def _int_or_none(env: os._Environ[str] | dict[str, str], key: str) -> int | None:
    raw = env.get(key, "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput(f"{key}={raw!r} is not an integer") from None


def _choice(env: os._Environ[str] | dict[str, str], key: str, allowed: tuple[str, ...]) -> str:
    raw = env.get(key, "").strip().lower() or allowed[0]
    if raw not in allowed:
        raise InvalidInput(f"{key}={raw!r}: use one of {', '.join(allowed)}")
    return raw
