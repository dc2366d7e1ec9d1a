"""Primary targets: where the user's password is checked before the one-time code.

``LdapTarget`` binds as the user (the Directory Integration connection finds the entry, TLS is
required); ``UpstreamTarget`` asks upstream RADIUS servers in order and keeps what they return;
``NoTarget`` checks nothing (the code alone). Each returns a ``Primary``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Protocol

import ldap3
from ldap3.core import exceptions as lexc
from ldap3.utils.conv import escape_filter_chars
from pyrad import packet as rp

from mfa_console.core.directory.connection import open_connection, tls_context
from mfa_console.core.directory.discovery import endpoints
from mfa_console.core.directory.errors import DirectoryError, bind_error
from mfa_console.core.directory.settings import DirectorySettings
from mfa_console.core.radius import packets as pk
from mfa_console.core.radius.config import RadiusTarget

log = logging.getLogger(__name__)

# Active Directory's reasons for refusing a user's bind, as the authentication log shows them.
AD_REASONS = {
    "525": "no such user in the directory",
    "52e": "wrong password",
    "530": "not allowed to log on at this time",
    "531": "not allowed to log on from this computer",
    "532": "password expired",
    "533": "account disabled",
    "701": "account expired",
    "773": "password must be changed",
    "775": "account locked",
}


@dataclass
class Primary:
    """The primary target's answer: ``ok`` or not (with ``reason``), and upstream attributes.

    ``upstream`` is the upstream server's decoded reply (its salt-encrypted values are
    re-encrypted for the client from it); ``attributes`` are the ones to pass through."""

    ok: bool
    reason: str = ""
    attributes: pk.RawAttributes = field(default_factory=list)
    upstream: rp.Packet | None = None
    unreachable: bool = False


class Target(Protocol):
    def check(self, name: str, password: str, request: rp.Packet) -> Primary: ...

    def close(self) -> None: ...


class NoTarget:
    """Target "None": the one-time code alone."""

    def check(self, name: str, password: str, request: rp.Packet) -> Primary:
        return Primary(True)

    def close(self) -> None:
        pass


class LdapTarget:
    """Bind as the user over LDAPS or StartTLS. The entry is found with the service account."""

    DN_TTL = 300.0

    def __init__(self, settings: DirectorySettings, service_password: str | None) -> None:
        self.settings = settings
        self.password = service_password
        self._local = threading.local()
        self._dns: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def check(self, name: str, password: str, request: rp.Packet) -> Primary:
        if self.settings.security == "none":
            return Primary(False, "the LDAP bind target needs LDAPS or StartTLS", unreachable=True)
        if not password:
            return Primary(False, "empty password")  # an empty password would bind anonymously
        try:
            dn = self.find_dn(name)
            if dn is None:
                return Primary(False, "no such user in the directory")
            return self._bind(dn, password)
        except DirectoryError as exc:
            return Primary(False, f"directory unavailable: {exc.message}", unreachable=True)

    def find_dn(self, name: str) -> str | None:
        now = time.monotonic()
        with self._lock:
            cached = self._dns.get(name.lower())
        if cached is not None and cached[1] > now:
            return cached[0]
        dn = self._search(name)
        if dn is not None:
            with self._lock:
                self._dns[name.lower()] = (dn, now + self.DN_TTL)
        return dn

    def _search(self, name: str) -> str | None:
        attrs = self.settings.attributes
        names = [name]
        if "\\" in name:
            names.append(name.split("\\", 1)[1])
        wanted = [a for a in (attrs.username, attrs.username_backup) if a]
        if self.settings.is_ad:
            wanted += [a for a in ("userPrincipalName", "sAMAccountName") if a not in wanted]
        alternatives = "".join(
            f"({a}={escape_filter_chars(n)})" for a in wanted for n in dict.fromkeys(names)
        )
        query = f"(&{self.settings.user_filter}(|{alternatives}))"
        for attempt in range(2):
            conn = self._service_connection(fresh=attempt > 0)
            try:
                conn.search(self.settings.base_dn, query, attributes=[], size_limit=2)
            except (lexc.LDAPSocketReceiveError, lexc.LDAPSocketSendError, OSError):
                continue
            entries = [e for e in conn.response or [] if e.get("type") == "searchResEntry"]
            if len(entries) != 1:
                return None  # none, or ambiguous: never guess whose password this is
            return str(entries[0]["dn"])
        raise DirectoryError("The directory closed the connection during a user search.")

    def _service_connection(self, fresh: bool) -> ldap3.Connection:
        conn = getattr(self._local, "service", None)
        if conn is not None and not fresh and not conn.closed:
            return conn
        from mfa_console.core.directory.connection import connect

        self._local.service = connect(self.settings, self.password).conn
        return self._local.service

    def _bind(self, dn: str, password: str) -> Primary:
        """Bind as ``dn`` on this thread's bind connection (a rebind: no new TLS handshake per
        request); a fresh connection when it is missing or broken. Nothing else is done on it."""
        conn = getattr(self._local, "binder", None)
        if conn is not None and not conn.closed:
            try:
                if conn.rebind(user=dn, password=password):
                    return Primary(True)
                return Primary(False, _refusal(bind_error(dict(conn.result or {}), dn).message))
            except (lexc.LDAPException, OSError):
                self._local.binder = None
        return self._fresh_bind(dn, password)

    def _fresh_bind(self, dn: str, password: str) -> Primary:
        user_settings = dataclasses.replace(self.settings, bind="simple", bind_dn=dn)
        context = tls_context(self.settings)
        last = ""
        for endpoint in endpoints(self.settings):
            try:
                conn = open_connection(
                    user_settings, endpoint.host, endpoint.port, context, password, endpoint.address
                )
            except DirectoryError as exc:  # the bind was refused
                return Primary(False, _refusal(exc.message))
            except Exception as exc:  # unreachable server: try the next one
                last = str(exc)
                continue
            self._local.binder = conn
            return Primary(True)
        return Primary(False, f"no directory server answered ({last})", unreachable=True)

    def close(self) -> None:
        """Close this thread's connections (the others end with their threads)."""
        for name in ("service", "binder"):
            conn = getattr(self._local, name, None)
            if conn is not None:
                with contextlib.suppress(lexc.LDAPException, OSError):
                    conn.unbind()


_AD_CODE = re.compile(r"(?:data|AD code) ([0-9a-f]{3})", re.IGNORECASE)


def _refusal(message: str) -> str:
    match = _AD_CODE.search(message)
    code = match.group(1).lower() if match else ""
    if code in AD_REASONS:
        return f"{AD_REASONS[code]} (AD code {code})"
    if "invalidCredentials" in message or "wrong bind DN or password" in message:
        return "wrong password"
    return message


class UpstreamTarget:
    """Upstream RADIUS servers, tried in order; a server that answers decides."""

    RETRIES = 2

    def __init__(self, servers: list[tuple[RadiusTarget, bytes]]) -> None:
        self.servers = servers

    def check(self, name: str, password: str, request: rp.Packet) -> Primary:
        if not self.servers:
            return Primary(False, "no upstream RADIUS server is configured", unreachable=True)
        failures = []
        for target, secret in self.servers:
            outgoing = self._request(request, name, password, secret)
            reply = exchange(target.host, target.auth_port, outgoing, target.timeout, self.RETRIES)
            if reply is None:
                failures.append(f"{target.key} did not answer")
                log.warning("Upstream RADIUS server %s did not answer; next one.", target.key)
                continue
            attributes = [
                (k, v) for k, v in pk.raw_attributes(reply) if k not in pk.NOT_PASSED_THROUGH
            ]
            if reply.code == pk.ACCESS_ACCEPT:
                return Primary(True, attributes=attributes, upstream=reply)
            if reply.code == pk.ACCESS_CHALLENGE:
                return Primary(False, f"{target.key} asked a challenge of its own (not supported)")
            message = _reply_message(reply)
            return Primary(False, f"rejected by {target.key}" + (f": {message}" if message else ""))
        return Primary(False, "; ".join(failures), unreachable=True)

    @staticmethod
    def _request(request: rp.Packet, name: str, password: str, secret: bytes) -> rp.AuthPacket:
        outgoing = rp.AuthPacket(secret=secret, dict=pk.dictionary())
        outgoing.authenticator = outgoing.CreateAuthenticator()
        skip = (*pk.NOT_PASSED_THROUGH, pk.USER_NAME, pk.USER_PASSWORD)
        for key, value in pk.raw_attributes(request):
            if key not in skip:
                rp.OrderedDict.setdefault(outgoing, key, []).append(value)
        outgoing.AddAttribute("User-Name", name)
        rp.OrderedDict.__setitem__(outgoing, pk.USER_PASSWORD, [outgoing.PwCrypt(password)])
        outgoing.add_message_authenticator()
        return outgoing

    def account(self, data: pk.RawAttributes) -> bool:
        """Forward an accounting request; True when an upstream server acknowledged it."""
        for target, secret in self.servers:
            outgoing = rp.AcctPacket(secret=secret, dict=pk.dictionary())
            for key, value in data:
                if key not in (pk.PROXY_STATE, pk.MESSAGE_AUTHENTICATOR):
                    rp.OrderedDict.setdefault(outgoing, key, []).append(value)
            reply = exchange(target.host, target.acct_port, outgoing, target.timeout, 1)
            if reply is not None and reply.code == pk.ACCOUNTING_RESPONSE:
                return True
        return False

    def close(self) -> None:
        pass


def exchange(
    host: str, port: int, request: rp.Packet, timeout: float, retries: int
) -> rp.Packet | None:
    """Send ``request`` and wait for its verified reply (same datagram on each retry)."""
    raw = request.RequestPacket()
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)
    except OSError:
        return None
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.connect(address)
        for _ in range(retries + 1):
            try:
                sock.send(raw)
            except OSError:
                return None
            deadline = time.monotonic() + timeout
            while (left := deadline - time.monotonic()) > 0:
                sock.settimeout(left)
                try:
                    data = sock.recv(4096)
                except TimeoutError:
                    break
                except OSError:
                    return None
                try:
                    reply = request.CreateReply(packet=data)
                except Exception:
                    continue
                reply.request_authenticator = request.authenticator
                if request.VerifyReply(reply, data, enforce_ma=False):
                    return reply
    return None


def _reply_message(reply: rp.Packet) -> str:
    values = rp.OrderedDict.get(reply, pk.REPLY_MESSAGE, [])
    return " ".join(bytes(v).decode("utf-8", "replace") for v in values)[:200]
