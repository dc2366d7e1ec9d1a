"""SmtpSender: one connection to the configured mail server, messages sent over it, a transcript.

The connection follows the settings: plain, STARTTLS or implicit SSL/TLS; certificates checked
against the system store or a CA file (never unchecked); AUTH only when a username is set. Every
failure becomes an ``SmtpFailure`` in words (see ``failures``). ``deliver`` sends one message to one
recipient and calls ``before_data`` just before the body and the final "." that makes the server
deliver it leave, which is where the outbox commits its "sending" state (see ``worker``).
"""

from __future__ import annotations

import re
import smtplib
import socket
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

from mfa_console.core.mail.failures import Kind, SmtpFailure, classify, refusal
from mfa_console.core.mail.settings import EmailSettings
from mfa_console.core.mail.transcript import RecordingSMTP, RecordingSMTPSSL, Transcript

_LEADING_DOT = re.compile(rb"(?m)^\.")


class SmtpConnection:
    """An open, authenticated SMTP session. Use ``SmtpSender.connect()`` to get one."""

    def __init__(self, smtp: RecordingSMTP, settings: EmailSettings) -> None:
        self._smtp = smtp
        self._settings = settings

    @property
    def transcript(self) -> Transcript:
        return self._smtp.transcript

    def deliver(
        self,
        raw: bytes,
        sender: str,
        recipient: str,
        before_data: Callable[[], None] | None = None,
    ) -> None:
        """Send ``raw`` (an RFC 5322 message, CRLF line ends) to ``recipient``.

        ``before_data`` runs just before the body leaves.
        A refusal of this message (sender, recipient, content) raises ``SmtpFailure`` and leaves
        the connection usable for the next message; a broken connection raises ``SmtpFailure``
        of a connection kind (DISCONNECTED, TIMEOUT, NETWORK...).
        """
        step = "mail"
        try:
            code, reply = self._smtp.mail(sender)
            if code != 250:
                self._reset()
                raise refusal("mail", code, reply, sender)
            step = "rcpt"
            code, reply = self._smtp.rcpt(recipient)
            if code not in (250, 251):
                self._reset()
                raise refusal("rcpt", code, reply, recipient)
            step = "data"
            code, reply = self._smtp.docmd("DATA")
            if code != 354:
                self._reset()
                raise refusal("data", code, reply)
            step = "message"
            body = _stuffed(raw)
            # The server delivers nothing before the body's final ".": the outbox commits its
            # "committing" state here, just before the body and its "." leave in one write.
            if before_data is not None:
                before_data()
            self._smtp.send_raw(body, f"(message, {len(body):,} bytes, then .)")
            code, reply = self._smtp.getreply()
            if code != 250:
                raise refusal("message", code, reply)
        except SmtpFailure:
            raise
        except (OSError, smtplib.SMTPException) as exc:
            raise self._classify(exc, step) from None

    def close(self) -> None:
        try:
            self._smtp.quit()
        except (OSError, smtplib.SMTPException):
            self._smtp.close()

    def abort(self) -> None:
        """Drop the connection at once (no QUIT): a message in DATA is discarded by the server."""
        self._smtp.close()

    def _reset(self) -> None:
        try:
            self._smtp.rset()
        except (OSError, smtplib.SMTPException) as exc:
            raise self._classify(exc, "rset") from None

    def _classify(self, exc: BaseException, step: str) -> SmtpFailure:
        s = self._settings
        return classify(exc, server=s.server, port=s.port, timeout=s.timeout, step=step)


class SmtpSender:
    """Opens connections as the Email Settings say, with the password from the keyring."""

    def __init__(self, settings: EmailSettings, password: str | None) -> None:
        self.settings = settings
        self._password = password

    @contextmanager
    def connect(self, transcript: Transcript | None = None) -> Iterator[SmtpConnection]:
        connection = self.open(transcript)
        try:
            yield connection
        finally:
            connection.close()

    def open(self, transcript: Transcript | None = None) -> SmtpConnection:
        s = self.settings
        if not s.server:
            raise SmtpFailure(
                Kind.NOT_CONFIGURED,
                "No SMTP server is set.",
                hint="Enter the mail server on the Email Settings tab.",
            )
        if s.username and self._password is None:
            raise SmtpFailure(
                Kind.NOT_CONFIGURED,
                f"No SMTP password is stored for {s.username!r}.",
                hint="Enter the password on the Email Settings tab (it is kept in the OS keyring).",
            )
        if s.password_in_clear and not s.allow_plaintext_password:
            raise SmtpFailure(
                Kind.NOT_CONFIGURED,
                "The SMTP password was not sent: with Security None it would cross the network "
                "in clear text.",
                hint="Choose STARTTLS or SSL/TLS (or, knowingly, allow sending the password "
                "without encryption in the Email settings).",
            )
        transcript = transcript if transcript is not None else Transcript()
        step = "connect"
        smtp: RecordingSMTP | None = None
        try:
            smtp = self._new_smtp(transcript)
            transcript.note(f"connecting to {s.server}:{s.port} ({s.security})")
            smtp.connect(s.server, s.port)
            # Commands are small writes, each answered before the next: never wait for Nagle.
            if smtp.sock is not None:
                smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if s.security == "ssl":
                transcript.note(_tls_note(smtp))
            smtp.ehlo()
            if s.security == "starttls":
                step = "starttls"
                smtp.starttls(context=self._tls_context())
                transcript.note(_tls_note(smtp))
                smtp.ehlo()
            if s.username:
                if s.password_in_clear:
                    transcript.note("warning: the password is sent without encryption")
                step = "login"
                smtp.login(s.username, self._password or "")
        except (OSError, smtplib.SMTPException) as exc:
            if smtp is not None:
                smtp.close()
            raise classify(
                exc, server=s.server, port=s.port, timeout=s.timeout, step=step
            ) from None
        return SmtpConnection(smtp, s)

    def _new_smtp(self, transcript: Transcript) -> RecordingSMTP:
        s = self.settings
        smtp: RecordingSMTP
        if s.security == "ssl":
            smtp = RecordingSMTPSSL(timeout=s.timeout, context=self._tls_context())
        else:
            smtp = RecordingSMTP(timeout=s.timeout)
        smtp.transcript = transcript
        # smtplib checks the certificate against _host, which only its constructor sets.
        smtp._host = s.server  # type: ignore[attr-defined]
        return smtp

    def _tls_context(self) -> ssl.SSLContext:
        s = self.settings
        cafile = s.ca_file if s.verify == "ca-file" else None
        try:
            return ssl.create_default_context(cafile=cafile)
        except (OSError, ssl.SSLError) as exc:
            reason = getattr(exc, "strerror", None) or exc
            raise SmtpFailure(
                Kind.CERTIFICATE,
                f"The CA file {s.ca_file!r} cannot be read ({reason}).",
                hint="Choose a PEM file with the certificate of the CA that signed the server's.",
            ) from None


def _stuffed(raw: bytes) -> bytes:
    body = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n").replace(b"\n", b"\r\n")
    body = _LEADING_DOT.sub(b"..", body)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    return body + b".\r\n"


def _tls_note(smtp: RecordingSMTP) -> str:
    sock = smtp.sock
    if isinstance(sock, ssl.SSLSocket):
        return f"TLS established ({sock.version()}, {(sock.cipher() or ('?',))[0]})"
    return "TLS not established"


def build_test_message(settings: EmailSettings, recipient: str) -> EmailMessage:
    """The message the Test button sends, with the configured From."""
    msg = EmailMessage()
    msg["From"] = formataddr((settings.from_name, settings.from_address))
    msg["To"] = recipient
    msg["Subject"] = "MFA Console test message"
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=settings.from_address.rpartition("@")[2] or None)
    msg.set_content(
        "This is a test message from MFA Console.\n\n"
        f"It was sent through {settings.server}:{settings.port} ({settings.security}) "
        f"with the From address {settings.from_address}.\n"
    )
    return msg


def send_test(
    settings: EmailSettings, password: str | None, recipient: str
) -> tuple[Transcript, SmtpFailure | None]:
    """Send a test message to ``recipient``; returns the transcript and the failure (or None)."""
    transcript = Transcript()
    message = build_test_message(settings, recipient)
    try:
        with SmtpSender(settings, password).connect(transcript) as connection:
            raw = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
            connection.deliver(raw, settings.from_address, recipient)
    except SmtpFailure as failure:
        transcript.note(f"failed: {failure.message}")
        return transcript, failure
    transcript.note("test message accepted by the server")
    return transcript, None
