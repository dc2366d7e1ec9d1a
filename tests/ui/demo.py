"""Demo-sized data for the size tests: long names, addresses and distinguished names in every
table (users, audit trail, authentication log, synchronization items and history, RADIUS clients,
OATH tokens), made through the services as an administrator would.

Also a script: ``python -m tests.ui.demo FILE`` fills a new data file (the scaling probe's)."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

from mfa_console.app import Services, open_services
from mfa_console.core.auth.log import AuthLogEntry, write_entry
from mfa_console.core.directory.settings import DirectorySettings
from mfa_console.core.radius.config import RadiusClient
from mfa_console.core.sync.items import SyncItem
from mfa_console.core.sync.settings import SyncSettings
from mfa_console.core.users.records import UserInput

PEOPLE = (
    ("Ann", "Smith"), ("Bartholomew", "Featherstonehaugh-Okonkwo"), ("Carol", "Nguyen"),
    ("Dan", "Okafor"), ("Evangeline", "Lindqvist-Montgomery"), ("Farid", "Haddad"),
    ("Grace", "Kim"), ("Hugo", "Moreau"), ("Ines", "Costa"), ("Jonas", "Weber"),
)  # fmt: skip
DOMAIN = "north-america.subsidiary.contoso-holdings.com"
OU = "OU=Helpdesk Staff,OU=Information Technology,OU=North America,DC=corp,DC=contoso,DC=com"


def fill(services: Services, *, users: int = 40, with_sync_run: bool = True) -> None:
    """Add demo users, log entries, a synchronization item (and a failed run), RADIUS clients
    and an OATH token."""
    for index in range(users):
        first, last = PEOPLE[index % len(PEOPLE)]
        name = f"{first}.{last}{index}".lower()
        services.users.add(
            UserInput(
                username=f"{name}@{DOMAIN}",
                first_name=first,
                last_name=last,
                email=f"{name}@{DOMAIN}",
                user_group="Helpdesk and Service Desk Operators" if index % 3 else "",
                phone=f"425555{1000 + index:04d}" if index % 4 else "",
                extension="12345" if index % 6 == 1 else "",
                enabled=bool(index % 4),
            )
        )
    _auth_log(services)
    _sync(services, with_sync_run)
    for number in range(3):
        client = RadiusClient(f"10.20.{number}.0/24", f"Remote access VPN concentrator {number}")
        services.radius.config.save_client(client, "a-long-enough-shared-secret")
    services.auth.generate_software(f"ann.smith0@{DOMAIN}")


def _auth_log(services: Services) -> None:
    for index in range(30):
        entry = AuthLogEntry(
            username=f"grace.kim{index}@{DOMAIN}",
            result="denied" if index % 3 else "allowed",
            reason="The one-time code was wrong or too old; the user has 2 tries left before "
            "the account is locked out",
            client_ip="192.0.2.15",
            server_name="radius-gateway-01.corp.contoso.com",
            application="Remote access VPN concentrator",
        )
        write_entry(services.db, entry)


def _sync(services: Services, run: bool) -> None:
    directory = DirectorySettings.defaults("ldap")
    services.directory.save(
        dataclasses.replace(
            directory,
            servers=("ldap://127.0.0.1:9",),  # nothing listens: the run fails at once
            security="none",
            bind="anonymous",
            base_dn="DC=corp,DC=contoso,DC=com",
            connect_timeout=2,
        )
    )
    services.sync.items.add(SyncItem(scope="container", dn=OU))
    services.sync.items.add(SyncItem(scope="group", dn=f"CN=VPN Users,{OU}", nested=True))
    services.sync.save_settings(SyncSettings(enabled=True, interval_minutes=60))
    if run:
        services.sync.run("manual", full=True)


if __name__ == "__main__":
    opened = open_services(Path(sys.argv[1]))
    try:
        fill(opened)
    finally:
        opened.close()
