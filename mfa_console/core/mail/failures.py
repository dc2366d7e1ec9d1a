"""What went wrong with the mail server, in words, decided from the exception type and the step.

``classify`` turns whatever smtplib, ssl or the socket layer raised into an ``SmtpFailure`` whose
message names the problem (name not found, connection refused, certificate not trusted,
authentication failed, relay denied / recipient refused, timeout...) and what to do about it. It
never looks at exception texts to decide, only at types, reply codes and the step that failed.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from enum import StrEnum

from mfa_console.core.errors import ConsoleError


class Kind(StrEnum):
    NAME_NOT_FOUND = "name-not-found"
    CONNECTION_REFUSED = "connection-refused"
    CERTIFICATE = "certificate-not-trusted"
    TLS = "tls-failed"
    TLS_NOT_OFFERED = "starttls-not-offered"
    AUTH_FAILED = "authentication-failed"
    AUTH_REQUIRED = "authentication-required"
    AUTH_NOT_OFFERED = "authentication-not-offered"
    SENDER_REFUSED = "sender-refused"
    RECIPIENT_REFUSED = "recipient-refused"
    MESSAGE_REFUSED = "message-refused"
    TIMEOUT = "timeout"
    DISCONNECTED = "disconnected"
    NETWORK = "network"
    NOT_CONFIGURED = "not-configured"
    UNREADABLE = "message-unreadable"
    OTHER = "other"


class SmtpFailure(ConsoleError):
    """An SMTP failure a person can act on; ``temporary`` failures are retried later."""

    def __init__(
        self, kind: Kind, message: str, *, hint: str = "", code: int = 0, temporary: bool = False
    ) -> None:
        super().__init__(message, hint=hint)
        self.kind = kind
        self.code = code
        self.temporary = temporary


def reply_text(message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
    return " ".join(text.split())


def refusal(step: str, code: int, message: bytes | str, address: str = "") -> SmtpFailure:
    """A reply code the server gave at ``step`` (mail, rcpt, data, message) as an SmtpFailure."""
    said = f"{code} {reply_text(message)}".strip()
    temporary = 400 <= code < 500
    if code == 530:
        return SmtpFailure(
            Kind.AUTH_REQUIRED,
            f"The mail server requires authentication ({said}).",
            hint="Enter the username and password of a mailbox allowed to send.",
            code=code,
        )
    if step == "rcpt":
        kind_text = "is temporarily refusing" if temporary else "refused (relay denied or unknown)"
        return SmtpFailure(
            Kind.RECIPIENT_REFUSED,
            f"The mail server {kind_text} the recipient {address} ({said}).",
            hint="Check the address. If every outside address is refused, the server does not "
            "relay for this sender: check the username, password and From address.",
            code=code,
            temporary=temporary,
        )
    if step == "mail":
        return SmtpFailure(
            Kind.SENDER_REFUSED,
            f"The mail server refused the From address {address} ({said}).",
            hint="Use a From address the SMTP account may send as.",
            code=code,
            temporary=temporary,
        )
    return SmtpFailure(
        Kind.MESSAGE_REFUSED,
        f"The mail server refused the message ({said}).",
        hint="The server's reason is quoted above; a temporary refusal is retried later.",
        code=code,
        temporary=temporary,
    )


def classify(exc: BaseException, *, server: str, port: int, timeout: int, step: str) -> SmtpFailure:
    """Explain ``exc``, raised while doing ``step`` (connect, starttls, login, mail...)."""
    where = f"{server}:{port}"
    if isinstance(exc, SmtpFailure):
        return exc
    if isinstance(exc, smtplib.SMTPServerDisconnected) and isinstance(exc.__context__, OSError):
        # smtplib turns a socket error (a timeout, a reset) into "disconnected": use the cause.
        exc = exc.__context__
    if isinstance(exc, socket.gaierror):
        return SmtpFailure(
            Kind.NAME_NOT_FOUND,
            f"The mail server name {server!r} was not found.",
            hint="Check the SMTP server name (and that this computer can resolve it).",
            temporary=True,
        )
    if isinstance(exc, ConnectionRefusedError):
        return SmtpFailure(
            Kind.CONNECTION_REFUSED,
            f"The mail server {where} refused the connection.",
            hint="Check the port and that the mail server is running; a firewall may block it.",
            temporary=True,
        )
    if isinstance(exc, ssl.SSLCertVerificationError):
        return SmtpFailure(
            Kind.CERTIFICATE,
            f"The certificate of {where} is not trusted ({exc.verify_message}).",
            hint="Choose the CA file that signed the server's certificate, or add that CA to the "
            "system certificate store; the server name must match the certificate.",
        )
    if isinstance(exc, ssl.SSLError):
        return SmtpFailure(
            Kind.TLS,
            f"The secure connection to {where} failed ({exc.reason or type(exc).__name__}).",
            hint="Check the security setting: STARTTLS usually on port 587, SSL/TLS on 465.",
            temporary=True,
        )
    if isinstance(exc, TimeoutError):
        return SmtpFailure(
            Kind.TIMEOUT,
            f"The mail server {where} did not answer within {timeout} s.",
            hint="Check the server and port, or raise the timeout.",
            temporary=True,
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError) or (
        isinstance(exc, smtplib.SMTPException)
        and step in ("starttls", "login")
        and not isinstance(exc, smtplib.SMTPResponseException)
    ):
        return _not_offered(step, where)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return SmtpFailure(
            Kind.AUTH_FAILED,
            f"The mail server refused the username or password ({exc.smtp_code} "
            f"{reply_text(exc.smtp_error)}).",
            hint="Check the username and enter the password again.",
            code=exc.smtp_code,
        )
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return SmtpFailure(
            Kind.DISCONNECTED,
            f"The mail server {where} closed the connection unexpectedly.",
            hint="Try again later; if it persists, check the security setting and the port.",
            temporary=True,
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return refusal(step, exc.smtp_code, exc.smtp_error)
    if isinstance(exc, OSError):
        return SmtpFailure(
            Kind.NETWORK,
            f"Cannot reach the mail server {where} ({exc.strerror or type(exc).__name__}).",
            hint="Check the network connection and the server name.",
            temporary=True,
        )
    return SmtpFailure(Kind.OTHER, f"Sending mail through {where} failed ({type(exc).__name__}).")


def _not_offered(step: str, where: str) -> SmtpFailure:
    if step == "starttls":
        return SmtpFailure(
            Kind.TLS_NOT_OFFERED,
            f"The mail server {where} does not offer STARTTLS.",
            hint="Choose SSL/TLS (usually port 465) or, only on a trusted network, None.",
        )
    return SmtpFailure(
        Kind.AUTH_NOT_OFFERED,
        f"The mail server {where} does not offer authentication here.",
        hint="Use STARTTLS or SSL/TLS (servers offer AUTH only over TLS), or leave the "
        "username empty if the server accepts mail without it.",
    )
