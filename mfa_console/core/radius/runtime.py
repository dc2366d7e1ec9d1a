"""What a running server holds: clients by address or subnet, the target, resolution, prompt."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from sqlalchemy import bindparam, select

from mfa_console.core.company import CompanySettings
from mfa_console.core.db import Database
from mfa_console.core.db.engine import translate_errors
from mfa_console.core.db.models import UserRow
from mfa_console.core.radius.config import RadiusClient
from mfa_console.core.radius.settings import RadiusSettings
from mfa_console.core.radius.targets import Target
from mfa_console.core.resolution import UsernameResolution

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Client:
    config: RadiusClient
    secret: bytes

    @property
    def label(self) -> str:
        return self.config.name or self.config.address


class ClientTable:
    """Find the client of a source address: an exact address first, then the narrowest subnet."""

    def __init__(self, clients: list[Client]) -> None:
        self._exact: dict[IpAddress, Client] = {}
        nets: list[tuple[IpNetwork, Client]] = []
        for client in clients:
            if "/" in client.config.address:
                nets.append((ipaddress.ip_network(client.config.address), client))
            else:
                self._exact[ipaddress.ip_address(client.config.address)] = client
        self._networks = sorted(nets, key=lambda item: -item[0].prefixlen)
        self._memo: dict[str, Client | None] = {}

    def find(self, source: str) -> Client | None:
        if source in self._memo:
            return self._memo[source]
        address = ipaddress.ip_address(source.split("%", 1)[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        found = self._exact.get(address)
        if found is None:
            found = next((c for net, c in self._networks if address in net), None)
        if len(self._memo) < 10_000:
            self._memo[source] = found
        return found

    def __len__(self) -> int:
        return len(self._exact) + len(self._networks)


@dataclass(frozen=True)
class ConsoleUser:
    username: str
    enabled: bool
    method: str


@dataclass
class Runtime:
    settings: RadiusSettings
    clients: ClientTable
    target: Target
    prompt: str
    resolution: UsernameResolution
    company: CompanySettings
    server_name: str


_FIND_USER = select(UserRow.username, UserRow.username_key, UserRow.enabled, UserRow.method).where(
    UserRow.username_key.in_(bindparam("keys", expanding=True))
)


def find_user(db: Database, resolution: UsernameResolution, name: str) -> ConsoleUser | None:
    """The console user ``name`` stands for (Company Settings > Username Resolution).

    A Core query on a pooled connection: this runs for every request."""
    keys = [c.lower() for c in resolution.candidates(name)]
    with translate_errors(db), db.engine.connect() as conn:
        rows = conn.execute(_FIND_USER, {"keys": keys}).all()
    by_key = {row.username_key: row for row in rows}
    for key in keys:
        row = by_key.get(key)
        if row is not None:
            return ConsoleUser(row.username, bool(row.enabled), row.method)
    return None
