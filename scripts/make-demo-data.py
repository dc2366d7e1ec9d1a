"""Make a demo data file for screenshots: users, company, email and directory settings, a
synchronization item with scheduling on, and one failed run (the directory is not there).

    .venv/bin/python scripts/make-demo-data.py demo.db
    mfa-console --data demo.db --screenshot docs/screenshots/users.png --pane users --size 1024x700
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

from mfa_console.app import open_services
from mfa_console.core.company import CompanySettings
from mfa_console.core.directory.settings import DirectorySettings
from mfa_console.core.mail.settings import EmailSettings
from mfa_console.core.sync.items import SyncItem
from mfa_console.core.sync.settings import SyncSettings
from mfa_console.core.users.records import UserInput

PEOPLE = (
    ("Ann", "Smith"), ("Bob", "Jones"), ("Carol", "Nguyen"), ("Dan", "Okafor"),
    ("Eva", "Lindqvist"), ("Farid", "Haddad"), ("Grace", "Kim"), ("Hugo", "Moreau"),
    ("Ines", "Costa"), ("Jonas", "Weber"), ("Kiri", "Tane"), ("Lena", "Novak"),
)  # fmt: skip
METHODS = ("phone-call", "text-message", "mobile-app", "phone-call")


def main(path: Path) -> None:
    services = open_services(path)
    try:
        for index, (first, last) in enumerate(PEOPLE):
            services.users.add(
                UserInput(
                    username=f"{first.lower()}.{last.lower()}@contoso.com",
                    first_name=first,
                    last_name=last,
                    email=f"{first.lower()}.{last.lower()}@contoso.com",
                    phone=f"425555{1000 + index * 37:04d}" if index % 5 else "",
                    method=METHODS[index % len(METHODS)],
                    enabled=index % 5 != 0 and index % 7 != 6,
                )
            )
        company = services.settings.load(CompanySettings)
        services.settings.save(dataclasses.replace(company, company_name="Contoso"))
        directory = DirectorySettings.defaults("ldap")
        services.directory.save(
            dataclasses.replace(
                directory,
                servers=("ldap://127.0.0.1:9",),
                security="none",
                bind="anonymous",
                base_dn="dc=contoso,dc=com",
                connect_timeout=2,
            )
        )
        services.mail.save_settings(
            EmailSettings(server="smtp.contoso.com", from_address="mfa@contoso.com")
        )
        services.sync.items.add(SyncItem(scope="container", dn="ou=Staff,dc=contoso,dc=com"))
        services.sync.save_settings(SyncSettings(enabled=True, interval_minutes=60))
        services.sync.save_settings(SyncSettings(enabled=True, interval_minutes=540))
        services.sync.run("manual", full=True)  # fails: nothing listens on port 9
    finally:
        services.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
