"""Look at a server's TLS certificate: who it names, who issued it, when it expires, and why it
is not trusted. Used by the staged Test; connections themselves go through ``connection``."""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.x509.oid import NameOID

# LDAP ExtendedRequest (message id 1) for StartTLS, OID 1.3.6.1.4.1.1466.20037.
_STARTTLS_OID = b"1.3.6.1.4.1.1466.20037"
STARTTLS_REQUEST = b"\x30\x1d\x02\x01\x01\x77\x18\x80" + bytes([len(_STARTTLS_OID)]) + _STARTTLS_OID


@dataclass(frozen=True)
class CertificateInfo:
    subject: str
    issuer: str
    not_after: datetime
    names: tuple[str, ...]

    @property
    def days_left(self) -> int:
        return (self.not_after - datetime.now(UTC)).days

    def summary(self) -> str:
        names = ", ".join(self.names) or "none"
        return (
            f"subject {self.subject}; issuer {self.issuer}; expires "
            f"{self.not_after:%Y-%m-%d} ({self.days_left} days); names: {names}"
        )


def certificate_info(der: bytes) -> CertificateInfo:
    cert = x509.load_der_x509_certificate(der)
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = tuple(san.get_values_for_type(x509.DNSName)) + tuple(
            str(ip) for ip in san.get_values_for_type(x509.IPAddress)
        )
    except x509.ExtensionNotFound:
        names = ()
    return CertificateInfo(
        subject=_name(cert.subject),
        issuer=_name(cert.issuer),
        not_after=cert.not_valid_after_utc,
        names=names,
    )


def _name(name: x509.Name) -> str:
    common = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    organization = name.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    if common:
        text = _text(common[0].value)
        return f"{text} ({_text(organization[0].value)})" if organization else text
    return name.rfc4514_string() or "(empty)"


def _text(value: str | bytes) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def start_tls_on(sock: socket.socket) -> None:
    """Ask an LDAP server to start TLS on a plain socket; OSError if it refuses."""
    sock.sendall(STARTTLS_REQUEST)
    reply = sock.recv(4096)
    # extendedResponse (0x78) whose resultCode (ENUMERATED 0x0a 0x01) is success (0)
    marker = reply.find(b"\x78")
    if marker < 0 or b"\x0a\x01\x00" not in reply[marker : marker + 8]:
        raise OSError("the server refused StartTLS")


def fetch_certificate(
    host: str, port: int, starttls: bool, timeout: float, address: str = ""
) -> bytes:
    """The server's certificate (DER) without verifying it, to describe it."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection((address or host, port), timeout=timeout) as raw:
        if starttls:
            start_tls_on(raw)
        with context.wrap_socket(raw, server_hostname=host) as tls:
            der = tls.getpeercert(binary_form=True)
    if not der:
        raise OSError("the server sent no certificate")
    return der


def verify(
    host: str,
    port: int,
    starttls: bool,
    context: ssl.SSLContext,
    timeout: float,
    address: str = "",
) -> str:
    """Handshake with verification; returns the TLS version, raises ssl errors."""
    with socket.create_connection((address or host, port), timeout=timeout) as raw:
        if starttls:
            start_tls_on(raw)
        with context.wrap_socket(raw, server_hostname=host) as tls:
            return tls.version() or "TLS"


def why_untrusted(
    exc: ssl.SSLCertVerificationError, info: CertificateInfo | None, host: str
) -> str:
    """A sentence on why verification failed and what to do."""
    message = (exc.verify_message or str(exc)).lower()
    if "hostname mismatch" in message or "ip address mismatch" in message:
        names = ", ".join(info.names) if info and info.names else "no subject alternative names"
        return (
            f"the certificate does not name {host} (it names: {names}); "
            "connect with one of those names"
        )
    if "expired" in message:
        return "the certificate has expired: renew it on the server"
    if "not yet valid" in message:
        return "the certificate is not valid yet: check the server's and this computer's clocks"
    if "self-signed" in message or "self signed" in message:
        return "the certificate is self-signed: give its CA file, or install a CA-issued one"
    if "local issuer" in message or "unable to get issuer" in message:
        issuer = info.issuer if info else "its issuer"
        return (
            f"it was issued by {issuer}, which is not trusted here: choose that CA's "
            "certificate as the CA file, or add it to the system store"
        )
    return f"{exc.verify_message or exc}"
