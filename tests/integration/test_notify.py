"""The graph outbox against a real SMTP server on loopback (aiosmtpd): delivery, idempotent
queueing, an SMTP outage ridden out with backoff, giving up, claims, TLS. Clocks are injected."""

from __future__ import annotations

import json
import shutil
import socket
import ssl
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner

from cli.common import store_for
from cli.notify import notify
from graph.notify import deliver_due, enqueue, notifications_for, outbox_counts
from services.notify import SmtpMailer
from services.settings import Settings
from services.store import embedded_server
from tutor.notify import (
    MAX_ATTEMPTS,
    DeliveryReport,
    Notification,
    backoff_ms,
    message_id,
    new_notification,
)
from tutor.ports import GraphStore

NOW = 1_700_000_000_000
SENDER = "kgtutor@school.example"


@dataclass
class Inbox:
    """An aiosmtpd handler that keeps what it accepts and refuses the addresses in ``refuse``."""

    messages: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    logins: list[tuple[bytes, bytes]] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), msg))
        return "250 Message accepted"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str,
                     auth_data: Any) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        self.logins.append((auth_data.login, auth_data.password))
        ok = auth_data.password == b"secret"
        return AuthResult(success=ok, handled=False)  # handled=False: the server says 535


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[Callable[..., Inbox]]:
    """Start a server on a given port when the test says so; stop it at the end."""
    running: list[Controller] = []

    def start(port: int, **kwargs: Any) -> Inbox:
        inbox = Inbox()
        if kwargs.pop("auth", False):
            kwargs.update(authenticator=inbox.authenticate, auth_require_tls=False)
        controller = Controller(inbox, hostname="127.0.0.1", port=port, **kwargs)
        controller.start()
        running.append(controller)
        return inbox

    yield start
    for controller in running:
        controller.stop()


def settings(port: int, **kwargs: Any) -> Settings:
    return Settings(smtp_host="127.0.0.1", smtp_port=port, smtp_from=SENDER, **kwargs)


def note(key: str = "e1", created: int = NOW, student: str = "s1") -> Notification:
    return new_notification("negative_affect", student, key, "tutor@school.example",
                            f"Ada seems frustrated ({key})", "Ada reported frustration.\n",
                            created)


def only(store: GraphStore, student: str = "s1") -> Notification:
    [n] = notifications_for(store, student)
    return n


def test_a_queued_notification_arrives_as_written(store: GraphStore, smtp_server) -> None:
    port = free_port()
    inbox = smtp_server(port, auth=True)
    n = note()
    assert enqueue(store, n)
    mailer = SmtpMailer(settings(port, smtp_user="tutorbot", smtp_password="secret"))
    report = deliver_due(store, mailer, NOW)
    assert (report.sent, report.retried, report.failed, report.errors) == (1, 0, 0, [])
    [(mail_from, rcpt_tos, msg)] = inbox.messages
    assert (mail_from, rcpt_tos) == (SENDER, ["tutor@school.example"])
    assert (msg["From"], msg["To"], msg["Subject"]) == (SENDER, n.to, n.subject)
    assert msg["Message-ID"] == message_id(n.id, "school.example")
    assert msg.get_content_type() == "text/plain"
    assert msg.get_content().replace("\r\n", "\n") == n.body  # SMTP carries CRLF line ends
    assert inbox.logins == [(b"tutorbot", b"secret")]
    sent = only(store)
    assert (sent.status, sent.attempts, sent.sent) == ("sent", 1, NOW)


def test_a_wrong_password_is_retried_not_lost(store: GraphStore, smtp_server) -> None:
    port = free_port()
    smtp_server(port, auth=True)
    enqueue(store, note())
    mailer = SmtpMailer(settings(port, smtp_user="tutorbot", smtp_password="wrong"))
    report = deliver_due(store, mailer, NOW)
    assert (report.sent, report.retried) == (0, 1)
    assert "535" in only(store).last_error and only(store).status == "pending"


def test_enqueue_is_idempotent_and_links_the_student(store: GraphStore) -> None:
    store.write("upsert_students", {"rows": [{"id": "s1", "name": "Ada", "email": "",
                                              "affect_consent": True, "dataset": "d"}]})
    n = note()
    assert enqueue(store, n) is True
    again = Notification(n.id, "other@school.example", "Other", "Other", "s1", n.kind,
                         created=NOW + 5, next_try=NOW + 5)
    assert enqueue(store, again) is False
    assert notifications_for(store, "s1") == [n]
    edges = {r["type"]: r["n"] for r in store.read("graph_stats_relationships")}
    assert edges == {"ABOUT": 1}


def test_a_student_missing_from_the_graph_does_not_drop_the_message(store: GraphStore) -> None:
    assert enqueue(store, note(student="ghost"))
    assert only(store, "ghost").status == "pending"
    assert outbox_counts(store) == {"pending": 1, "sent": 0, "failed": 0}


def test_without_an_smtp_host_mail_waits_untouched(store: GraphStore) -> None:
    enqueue(store, note())
    assert deliver_due(store, SmtpMailer(Settings()), NOW) == DeliveryReport()
    assert only(store) == note()  # not claimed, no attempt counted


def test_an_outage_delays_delivery_and_loses_nothing(store: GraphStore, smtp_server) -> None:
    port = free_port()  # nothing listens there yet: the server is "down"
    mailer = SmtpMailer(settings(port))
    enqueue(store, note())
    report = deliver_due(store, mailer, NOW)
    assert (report.sent, report.retried, report.failed) == (0, 1, 0)
    waiting = only(store)
    assert (waiting.status, waiting.attempts) == ("pending", 1)
    assert waiting.next_try == NOW + backoff_ms(1)
    assert f"127.0.0.1:{port}" in waiting.last_error and report.errors
    inbox = smtp_server(port)  # the server comes back
    assert deliver_due(store, mailer, waiting.next_try - 1).sent == 0
    assert inbox.messages == []
    assert deliver_due(store, mailer, waiting.next_try).sent == 1
    assert deliver_due(store, mailer, waiting.next_try + 10 * backoff_ms(1)).sent == 0
    assert len(inbox.messages) == 1
    done = only(store)
    assert (done.status, done.attempts, done.sent) == ("sent", 2, waiting.next_try)


def test_gives_up_after_max_attempts(store: GraphStore) -> None:
    mailer = SmtpMailer(settings(free_port()))
    enqueue(store, note())
    now, reports = NOW, []
    for _ in range(MAX_ATTEMPTS):
        reports.append(deliver_due(store, mailer, now))
        now = max(only(store).next_try, now)
    assert [r.retried for r in reports] == [1] * (MAX_ATTEMPTS - 1) + [0]
    assert reports[-1].failed == 1
    failed = only(store)
    assert (failed.status, failed.attempts) == ("failed", MAX_ATTEMPTS)
    assert deliver_due(store, mailer, now + 10 * backoff_ms(MAX_ATTEMPTS)).failed == 0


def test_a_refused_recipient_fails_at_once(store: GraphStore, smtp_server) -> None:
    port = free_port()
    smtp_server(port).refuse.add("tutor@school.example")
    enqueue(store, note())
    report = deliver_due(store, SmtpMailer(settings(port)), NOW)
    assert (report.failed, report.retried) == (1, 0)
    assert (only(store).status, only(store).attempts) == ("failed", 1)
    assert "550" in only(store).last_error


def test_oldest_first_within_the_limit(store: GraphStore, smtp_server) -> None:
    port = free_port()
    inbox = smtp_server(port)
    for i, created in enumerate((NOW - 3, NOW - 1, NOW - 2)):
        enqueue(store, note(key=f"e{i}", created=created))
    assert deliver_due(store, SmtpMailer(settings(port)), NOW, limit=2).sent == 2
    assert [m["Subject"] for _, _, m in inbox.messages] == [note("e0").subject,
                                                             note("e2").subject]


def test_a_claimed_message_is_not_sent_twice_until_its_lease_ends(store: GraphStore,
                                                                  smtp_server) -> None:
    port = free_port()
    inbox = smtp_server(port)
    enqueue(store, note())
    [claimed] = store.write("claim_notifications", {"now": NOW, "lease_ms": 1000, "limit": 10})
    assert claimed["id"] == note().id
    mailer = SmtpMailer(settings(port))
    assert deliver_due(store, mailer, NOW + 999).sent == 0  # another sender holds it
    assert deliver_due(store, mailer, NOW + 1000).sent == 1  # that sender died: lease over
    assert len(inbox.messages) == 1


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if not shutil.which("openssl"):
        pytest.skip("openssl not installed: no certificate for the TLS tests")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


@pytest.mark.parametrize("mode", ["starttls", "ssl"])
def test_tls_modes(store: GraphStore, smtp_server, certificate: tuple[Path, Path],
                   mode: str) -> None:
    cert, key = certificate
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    port = free_port()
    if mode == "starttls":
        inbox = smtp_server(port, tls_context=server_ctx, require_starttls=True)
    else:
        inbox = smtp_server(port, ssl_context=server_ctx)
    client_ctx = ssl.create_default_context(cafile=str(cert))
    enqueue(store, note())
    mailer = SmtpMailer(settings(port, smtp_tls=mode), ssl_context=client_ctx)
    assert deliver_due(store, mailer, NOW).sent == 1
    assert inbox.messages[0][2]["Subject"] == note().subject


def test_the_notify_commands(tmp_path: Path, smtp_server) -> None:
    port = free_port()
    inbox = smtp_server(port)
    configured = settings(port, var_dir=tmp_path)
    try:
        with store_for(configured) as s:
            enqueue(s, note())
        waiting = CliRunner().invoke(notify, ["deliver"], obj=Settings(var_dir=tmp_path))
        assert "1 notification(s) wait in the outbox" in waiting.output
        delivered = CliRunner().invoke(notify, ["deliver"], obj=configured)
        assert delivered.exit_code == 0, delivered.output
        assert delivered.output.startswith("sent 1, to retry 0, failed 0; outbox: 0 pending")
        assert len(inbox.messages) == 1
        listed = CliRunner().invoke(notify, ["list", "--student", "s1", "--json"],
                                    obj=configured)
        assert [(n["status"], n["attempts"]) for n in json.loads(listed.output)] == [("sent", 1)]
        text = CliRunner().invoke(notify, ["list", "--student", "s1"], obj=configured)
        assert "sent" in text.output and note().subject in text.output
        missing = CliRunner().invoke(notify, ["list", "--student", "nobody"], obj=configured)
        assert missing.exit_code == 1 and "no student nobody" in missing.output
    finally:
        embedded_server(configured).stop(force=True)
