"""A real submission server for the mail tests and the bench: aiosmtpd with STARTTLS and AUTH.

``SmtpServer`` runs aiosmtpd's Controller on 127.0.0.1 with a trustme certificate; STARTTLS and
AUTH are required (530 before them, 535 on a bad password). ``Capture`` keeps every accepted
message and can refuse chosen recipients (550) or call a hook on RCPT / DATA.
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

LOGIN = "mailer@example.test"
PASSWORD = "Pa55-w0rd!smtp"


def free_port() -> int:
    # aiosmtpd 1.4.6 cannot bind port 0: ask the OS for a free port first.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.content, policy=policy.default)  # type: ignore[return-value]


@dataclass
class Capture:
    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    defer: set[str] = field(default_factory=set)  # answered 451 (try again later)
    on_rcpt: Callable[[int], None] | None = None
    on_data: Callable[[int], None] | None = None
    rcpt_count: int = 0
    keep: bool = True  # False: count messages only (the bench)
    count: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    logins: list[tuple[str, bool]] = field(default_factory=list)  # (login, over TLS)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        self.rcpt_count += 1
        if self.on_rcpt is not None:
            self.on_rcpt(self.rcpt_count)
        if address in self.refuse:
            return "550 5.7.1 Relaying denied"
        if address in self.defer:
            return "451 4.7.1 Greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.count += 1
            count = self.count
            if self.keep:
                item = Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
                self.received.append(item)
        if self.on_data is not None:
            self.on_data(count)
        return "250 2.0.0 Message accepted"

    def message_ids(self) -> list[str]:
        return [str(r.message["Message-ID"]) for r in self.received]


def _authenticator(capture: Capture) -> Callable[..., AuthResult]:
    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and data.login == LOGIN.encode()
            and data.password == PASSWORD.encode()
        )
        if isinstance(data, LoginPassword):
            capture.logins.append((data.login.decode(), session.ssl is not None))
        return AuthResult(success=ok, handled=False)

    return check


class Certificates:
    def __init__(self, folder: Path) -> None:
        self.ca = trustme.CA()
        self.cert = self.ca.issue_cert("127.0.0.1", "localhost")
        self.ca_file = folder / "smtp-ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_file))

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.cert.configure_cert(context)
        return context


class SmtpServer:
    """Start / stop a real SMTP server on a fixed loopback port (so it can come back)."""

    def __init__(
        self,
        certs: Certificates,
        capture: Capture | None = None,
        *,
        implicit_tls: bool = False,
        plaintext: bool = False,
    ) -> None:
        self.certs = certs
        self.capture = capture or Capture()
        self.port = free_port()
        self.implicit_tls = implicit_tls  # TLS from the first byte (port 465), not STARTTLS
        # No TLS at all, AUTH accepted in the open: an old relay that a password crosses in clear
        self.plaintext = plaintext
        self._controller: Controller | None = None

    def start(self) -> SmtpServer:
        tls = None if self.plaintext else self.certs.server_context()
        self._controller = Controller(
            self.capture,
            hostname="127.0.0.1",
            port=self.port,
            ssl_context=tls if self.implicit_tls else None,
            tls_context=None if self.implicit_tls else tls,
            require_starttls=not (self.implicit_tls or self.plaintext),
            auth_required=True,
            # implicit TLS: the whole session is TLS already; plaintext: AUTH in the open
            auth_require_tls=not (self.implicit_tls or self.plaintext),
            authenticator=_authenticator(self.capture),
        )
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def serve(folder: Path) -> None:
    """Run a server until stdin closes (the bench runs it in its own process): prints port, CA."""
    import sys

    server = SmtpServer(Certificates(folder), Capture(keep=False)).start()
    print(server.port, server.certs.ca_file, flush=True)
    sys.stdin.read()
    server.stop()


if __name__ == "__main__":
    import sys

    serve(Path(sys.argv[1]))
