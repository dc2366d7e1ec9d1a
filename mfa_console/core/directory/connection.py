"""Open a verified, bound connection to the directory, failing over along the server list.

TLS always verifies the certificate chain (system store, or the CA file from the settings) and the
host name (subjectAltName only, as Python's ssl does). Security "none" is allowed but logged as a
warning. A server that cannot be reached (name, TCP or TLS) makes us try the next one; a refused
bind does not (the next server would refuse the same credentials, and each try counts towards a
lockout).
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import ssl
from types import TracebackType
from typing import Any

import ldap3
from ldap3.core import exceptions as lexc

from mfa_console.core.directory.discovery import endpoints
from mfa_console.core.directory.errors import (
    DirectoryBindError,
    DirectoryError,
    DirectoryTlsError,
    DirectoryUnreachableError,
    bind_error,
)
from mfa_console.core.directory.settings import DirectorySettings

log = logging.getLogger(__name__)


def tls_context(settings: DirectorySettings) -> ssl.SSLContext:
    """A client context that verifies chain and host name against the store or the CA file."""
    cafile = settings.ca_file.strip() or None
    if cafile and not os.path.isfile(cafile):
        raise DirectoryError(
            f"The CA file {cafile} does not exist.",
            hint="Choose the PEM file of the CA that issued the directory server's certificate.",
        )
    try:
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=cafile)
    except (ssl.SSLError, ValueError) as exc:
        raise DirectoryError(
            f"The CA file {cafile} cannot be read as PEM certificates ({exc}).",
            hint="Choose a PEM file (-----BEGIN CERTIFICATE-----).",
        ) from None
    context.check_hostname = True
    context.verify_mode = ssl.CERT_REQUIRED
    return context


class _VerifiedTls(ldap3.Tls):
    """ldap3's Tls with our SSLContext: the hostname is checked by OpenSSL (SAN only)."""

    def __init__(self, context: ssl.SSLContext, host: str) -> None:
        super().__init__(validate=ssl.CERT_REQUIRED)
        self._context = context
        self._host = host

    def wrap_socket(self, connection: Any, do_handshake: bool = False) -> None:
        connection.socket = self._context.wrap_socket(
            connection.socket,
            server_side=False,
            do_handshake_on_connect=do_handshake,
            server_hostname=self._host,
        )


class DirectoryConnection:
    """A bound connection: ``.conn`` is the ldap3 Connection, ``.server_url`` the server used."""

    def __init__(
        self,
        conn: ldap3.Connection,
        server_url: str,
        settings: DirectorySettings,
        skipped: list[str],
    ) -> None:
        self.conn = conn
        self.server_url = server_url
        self.settings = settings
        # "url: reason" of each server tried before this one
        self.skipped = skipped

    def close(self) -> None:
        _close(self.conn)

    def __enter__(self) -> DirectoryConnection:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def connect(settings: DirectorySettings, password: str | None) -> DirectoryConnection:
    """Connect and bind to the first server that answers; raise a DirectoryError otherwise."""
    settings.validate()
    if settings.bind == "simple" and not password:
        raise DirectoryBindError(
            "No bind password is stored for the directory.",
            hint="Enter the bind password in Directory Integration > Settings.",
        )
    if settings.security == "none":
        log.warning("Directory connection without TLS: the bind password travels in clear text.")
    context = tls_context(settings) if settings.security != "none" else None
    skipped: list[str] = []
    tls_failed = False
    for endpoint in endpoints(settings):
        url = endpoint.url
        try:
            conn = open_connection(
                settings, endpoint.host, endpoint.port, context, password, endpoint.address
            )
        except _ServerUnreachable as exc:
            skipped.append(f"{url}: {exc.reason}")
            tls_failed = tls_failed or exc.tls
            log.warning(
                "Directory server %s not usable (%s); trying the next one.", url, exc.reason
            )
            continue
        if skipped:
            log.warning("Using backup directory server %s.", url)
        return DirectoryConnection(conn, url, settings, skipped)
    reasons = "; ".join(skipped)
    if tls_failed:
        raise DirectoryTlsError(
            f"No directory server could be used: {reasons}.",
            hint="Check the CA file (or the system store) and that the server names in the list "
            "match the certificates' subject alternative names.",
        )
    raise DirectoryUnreachableError(
        f"No directory server could be reached: {reasons}.",
        hint="Check the server names and ports, the network and firewalls, and that the "
        "directory service is running.",
    )


class _ServerUnreachable(Exception):
    def __init__(self, reason: str, tls: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.tls = tls


def open_connection(
    settings: DirectorySettings,
    host: str,
    port: int,
    context: ssl.SSLContext | None,
    password: str | None,
    address: str = "",
) -> ldap3.Connection:
    """Open, secure and bind one server; _ServerUnreachable for name/TCP/TLS failures.

    ``address``: connect there (the certificate is still checked against ``host``)."""
    tls = _VerifiedTls(context, host) if context is not None else None
    server = ldap3.Server(
        address or host,
        port=port,
        use_ssl=settings.security == "ldaps",
        tls=tls,
        get_info=ldap3.NONE,
        connect_timeout=settings.connect_timeout,
    )
    simple = settings.bind == "simple"
    conn = ldap3.Connection(
        server,
        user=settings.bind_dn if simple else None,
        password=password if simple else None,
        authentication=ldap3.SIMPLE if simple else ldap3.ANONYMOUS,
        read_only=True,
        receive_timeout=settings.search_timeout,
        auto_referrals=False,
        raise_exceptions=False,
    )
    try:
        conn.open()
        _no_delay(conn)
        if settings.security == "starttls" and not conn.start_tls():
            raise _ServerUnreachable(f"StartTLS refused ({conn.result.get('description')})", True)
    except lexc.LDAPStartTLSError as exc:
        _close(conn)
        raise _ServerUnreachable(f"StartTLS failed: {describe_socket_error(exc)}", True) from None
    except (lexc.LDAPSocketOpenError, lexc.LDAPSocketReceiveError, OSError) as exc:
        _close(conn)
        text = describe_socket_error(exc)
        raise _ServerUnreachable(text, _is_tls(str(exc))) from None
    try:
        bound = conn.bind()
    except (lexc.LDAPSocketReceiveError, lexc.LDAPSocketSendError, OSError) as exc:
        _close(conn)
        raise _ServerUnreachable(f"connection lost during bind: {exc}") from None
    except lexc.LDAPException as exc:
        _close(conn)
        raise DirectoryBindError(f"Bind failed: {exc}.", hint="Check the bind settings.") from None
    if not bound:
        result = dict(conn.result or {})
        _close(conn)
        raise bind_error(result, settings.bind_dn if simple else "")
    return conn


def _no_delay(conn: ldap3.Connection) -> None:
    """Send small requests at once: with Nagle's algorithm the TLS handshake and the bind wait
    for the server's delayed ACK (40 ms on Linux) on every connection."""
    with contextlib.suppress(OSError, AttributeError):
        conn.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _close(conn: ldap3.Connection) -> None:
    with contextlib.suppress(lexc.LDAPException, OSError):
        conn.unbind()


def _is_tls(text: str) -> bool:
    lowered = text.lower()
    return "ssl" in lowered or "certificate" in lowered or "tls" in lowered


def describe_socket_error(exc: BaseException) -> str:
    """A short reason for a failed open: name not found, refused, timed out, untrusted..."""
    text = str(exc)
    lowered = text.lower()
    if "certificate verify failed" in lowered:
        detail = text.split("certificate verify failed:", 1)[-1].split("(_ssl")[0].strip()
        return f"the server's certificate is not trusted ({detail})"
    if "hostname mismatch" in lowered:
        return "the certificate does not name this server"
    if "wrong version number" in lowered or "unexpected eof" in lowered:
        return f"TLS handshake failed ({text}); is the port right for this security choice?"
    if "invalid server address" in lowered or "name or service not known" in lowered:
        return "the server name does not resolve"
    if "refused" in lowered:
        return "connection refused (nothing listens on that port)"
    if "timed out" in lowered or "timeout" in lowered:
        return "connection timed out"
    return text


def resolve(host: str, port: int) -> list[str]:
    """Addresses of ``host`` (raises OSError when the name does not resolve)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))
