"""What a running server holds: clients by address or subnet, the target, resolution, prompt."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from mfa_console.core.company import CompanySettings
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


@dataclass
class Runtime:
    settings: RadiusSettings
    clients: ClientTable
    target: Target
    prompt: str
    resolution: UsernameResolution
    company: CompanySettings
    server_name: str
