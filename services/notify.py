"""SMTP delivery of outbox notifications, configured by the ``smtp_*`` settings.

One connection per message keeps the failure of one from touching the next; the outbox
(``graph.notify``) decides about retries, this module only sends or raises DeliveryError.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

from services.settings import Settings
from tutor.errors import InvalidInput
from tutor.notify import DeliveryError, Notification, message_id

_MAX_ERROR_CHARS = 500  # SMTP replies can be long; the graph keeps the gist


def build_message(n: Notification, sender: str) -> EmailMessage:
    """Build the plain-text mail for ``n``; its Message-ID is derived from the notification id."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = n.to
    msg["Subject"] = n.subject
    msg["Date"] = formatdate(n.created / 1000 if n.created else None, localtime=False)
    msg["Message-ID"] = message_id(n.id, parseaddr(sender)[1].rpartition("@")[2])
    msg.set_content(n.body)
    return msg


class SmtpMailer:
    """Sends each notification over its own SMTP connection (TLS: none, starttls or ssl)."""

    def __init__(self, settings: Settings, timeout_s: float = 10.0,
                 ssl_context: ssl.SSLContext | None = None):
        if settings.smtp_tls not in ("none", "starttls", "ssl"):
            raise InvalidInput(f"smtp_tls={settings.smtp_tls!r}: use none, starttls or ssl")
        self._s = settings
        self._timeout = timeout_s
        self._ssl = ssl_context or ssl.create_default_context()

    @property
    def configured(self) -> bool:
        """False without an SMTP host: notifications then wait in the outbox, untouched."""
        return bool(self._s.smtp_host)

    def send(self, n: Notification) -> None:
        """Hand ``n`` to the server or raise DeliveryError (permanent when refused with 5xx)."""
        try:
            msg = build_message(n, self._s.smtp_from)
        except ValueError as e:  # a header that cannot be written: no retry can fix it
            raise DeliveryError(f"notification {n.id} cannot be sent: {e}", permanent=True) from e
        if not self.configured:
            raise DeliveryError("SMTP is not configured: set KGTUTOR_SMTP_HOST")
        where = f"{self._s.smtp_host}:{self._s.smtp_port}"
        try:
            with self._connect() as smtp:
                if self._s.smtp_tls == "starttls":
                    smtp.starttls(context=self._ssl)
                if self._s.smtp_user:
                    smtp.login(self._s.smtp_user, self._s.smtp_password)
                smtp.send_message(msg)
        except smtplib.SMTPRecipientsRefused as e:
            codes = [code for code, _ in e.recipients.values()]
            raise DeliveryError(_clip(f"SMTP {where} refused {n.to}: {e.recipients}"),
                                permanent=all(code >= 500 for code in codes)) from e
        except (smtplib.SMTPException, OSError) as e:
            reason = str(e) or type(e).__name__
            raise DeliveryError(_clip(f"SMTP {where}: {reason}")) from e

    def _connect(self) -> smtplib.SMTP:
        host, port, timeout = self._s.smtp_host, self._s.smtp_port, self._timeout
        if self._s.smtp_tls == "ssl":
            return smtplib.SMTP_SSL(host, port, timeout=timeout, context=self._ssl)
        return smtplib.SMTP(host, port, timeout=timeout)


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_ERROR_CHARS else text[:_MAX_ERROR_CHARS - 1] + "…"
