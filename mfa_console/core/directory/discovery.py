"""Find the domain controllers of an Active Directory domain through DNS, as Windows does.

With "Use Active Directory", a domain name and no server list, the servers are the targets of
the domain's SRV records (``_ldap._tcp.dc._msdcs.<domain>``, else ``_ldap._tcp.<domain>``), in
priority order, heavier weight first: the first one answering is used, the others are its
backups. The DNS server asked is this computer's, or the one in the settings (``host[:port]``),
for an administrator's machine that does not use the domain's DNS; a controller's name that this
computer cannot resolve is then resolved by that server too (the certificate is still checked
against the name).
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

import dns.exception
import dns.inet
import dns.rdtypes.IN.SRV
import dns.resolver

from mfa_console.core.directory.errors import DirectoryUnreachableError
from mfa_console.core.directory.settings import DirectorySettings, parse_dns_server

SRV_NAMES = ("_ldap._tcp.dc._msdcs.{domain}", "_ldap._tcp.{domain}")
LDAPS_PORT = 636


@dataclass(frozen=True)
class Endpoint:
    """One server to try: ``address`` is set when only the settings' DNS server knows ``host``."""

    url: str
    host: str
    port: int
    address: str = ""

    @property
    def connect_host(self) -> str:
        return self.address or self.host


@dataclass(frozen=True)
class Controller:
    host: str
    port: int
    priority: int
    weight: int


def endpoints(settings: DirectorySettings) -> list[Endpoint]:
    """The servers of the settings, or the discovered domain controllers, in failover order."""
    if settings.servers:
        return [Endpoint(url, host, port) for url, host, port in settings.endpoints()]
    found = discover(settings)
    scheme = "ldaps" if settings.security == "ldaps" else "ldap"
    result = []
    for dc in found:
        port = LDAPS_PORT if scheme == "ldaps" else dc.port
        address = _address(dc.host, settings) if settings.dns_server else ""
        result.append(Endpoint(f"{scheme}://{dc.host}:{port}", dc.host, port, address))
    return result


def discover(settings: DirectorySettings) -> list[Controller]:
    """The domain's controllers from its SRV records; DirectoryUnreachableError if none."""
    domain = settings.domain.strip().rstrip(".")
    resolver = _resolver(settings)
    asked = []
    for pattern in SRV_NAMES:
        name = pattern.format(domain=domain)
        asked.append(name)
        try:
            answer = resolver.resolve(name, "SRV", lifetime=float(settings.connect_timeout))
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            continue
        except dns.exception.Timeout:
            raise DirectoryUnreachableError(
                f"The DNS server {_dns_name(settings)} did not answer for {name}.",
                hint="Check the DNS server in Directory Integration > Settings (or this "
                "computer's network settings), or enter the domain controllers as servers.",
            ) from None
        except dns.exception.DNSException as exc:
            raise DirectoryUnreachableError(
                f"Looking up the domain controllers of {domain} failed ({exc}).",
                hint="Check the domain name and the DNS server, or enter the servers instead.",
            ) from None
        records = [r for r in answer if isinstance(r, dns.rdtypes.IN.SRV.SRV)]
        controllers = [
            Controller(str(r.target).rstrip("."), int(r.port), int(r.priority), int(r.weight))
            for r in records
            if str(r.target) != "."  # "." means: no service here
        ]
        if controllers:
            return sorted(controllers, key=lambda c: (c.priority, -c.weight, c.host))
    raise DirectoryUnreachableError(
        f"No domain controller of {domain} was found in DNS ({' and '.join(asked)} have no SRV "
        f"records at {_dns_name(settings)}).",
        hint="Check the domain name (its DNS name, e.g. corp.example.com), and that the DNS "
        "server asked is one of the domain's; or enter the domain controllers as servers.",
    )


def _resolver(settings: DirectorySettings) -> dns.resolver.Resolver:
    if not settings.dns_server:
        try:
            return dns.resolver.Resolver()
        except dns.resolver.NoResolverConfiguration:
            raise DirectoryUnreachableError(
                "This computer has no DNS server configured to find the domain controllers.",
                hint="Set the DNS server in Directory Integration > Settings, or enter the "
                "domain controllers as servers.",
            ) from None
    host, port = parse_dns_server(settings.dns_server)
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [_ip_of(host)]
    resolver.port = port
    return resolver


def _ip_of(host: str) -> str:
    if dns.inet.is_address(host):
        return host
    try:
        return str(socket.getaddrinfo(host, 53, proto=socket.IPPROTO_UDP)[0][4][0])
    except OSError:
        raise DirectoryUnreachableError(
            f"The DNS server name {host} does not resolve.",
            hint="Enter the DNS server's IP address.",
        ) from None


def _address(host: str, settings: DirectorySettings) -> str:
    """ "" when this computer resolves ``host``; else its address from the settings' DNS server."""
    try:
        socket.getaddrinfo(host, None)
        return ""
    except OSError:
        pass
    resolver = _resolver(settings)
    for kind in ("A", "AAAA"):
        try:
            answer = resolver.resolve(host, kind, lifetime=float(settings.connect_timeout))
        except dns.exception.DNSException:
            continue
        for record in answer:
            return str(record.to_text())
    return ""  # let the connection report that the name does not resolve


def _dns_name(settings: DirectorySettings) -> str:
    return settings.dns_server or "this computer's DNS servers"
