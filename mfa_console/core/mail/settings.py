"""Email Settings: the SMTP server, its security, the sender, and the Send emails to users switch.

The SMTP password is not a setting: it lives only in the OS keyring under ``PASSWORD_KEY``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from mfa_console.core.addresses import address_problem
from mfa_console.core.errors import ValidationError

PASSWORD_KEY = "email.smtp-password"

SECURITY = {"none": "None", "starttls": "STARTTLS", "ssl": "SSL/TLS"}
DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}
VERIFY = {"system": "System certificate store", "ca-file": "CA file"}
TIMEOUT_RANGE = (1, 300)
PLAINTEXT_WARNING = (
    "With Security None the SMTP password crosses the network in clear text (AUTH only encodes "
    "it): anyone on the path can read it. Choose STARTTLS or SSL/TLS."
)


@dataclass(frozen=True)
class EmailSettings:
    SECTION: ClassVar[str] = "email"
    LABELS: ClassVar[dict[str, str]] = {
        "server": "Server",
        "port": "Port",
        "security": "Security",
        "verify": "Certificate",
        "ca_file": "CA file",
        "username": "Username",
        "timeout": "Timeout",
        "from_address": "From address",
        "from_name": "From display name",
        "portal_url": "User Portal URL",
        "admin_addresses": "Administrators",
        "send_to_users": "Send emails to users",
    }

    server: str = ""
    port: int = 587
    security: str = "starttls"
    verify: str = "system"
    ca_file: str = ""
    username: str = ""
    from_address: str = ""
    from_name: str = ""
    timeout: int = 30
    # Off by default: while it is off, no message is ever sent to a user.
    send_to_users: bool = False
    portal_url: str = ""
    # Where administrator notices (a synchronization waiting for approval) go; comma-separated.
    admin_addresses: str = ""
    # Security None with a user name sends the password in clear: refused unless this is on.
    allow_plaintext_password: bool = False

    @property
    def password_in_clear(self) -> bool:
        """True when a login would send the password without encryption."""
        return self.security == "none" and bool(self.username.strip())

    def plaintext_warning(self) -> str:
        return PLAINTEXT_WARNING if self.password_in_clear else ""

    @property
    def configured(self) -> bool:
        return bool(self.server and self.from_address)

    def admin_recipients(self) -> list[str]:
        return [a.strip() for a in self.admin_addresses.split(",") if a.strip()]

    def validate(self) -> None:
        problems: dict[str, str] = {}
        if any(ch.isspace() for ch in self.server.strip()):
            problems["server"] = "the server name cannot contain spaces"
        if not 1 <= self.port <= 65535:
            problems["port"] = "the port must be between 1 and 65535"
        if self.security not in SECURITY:
            problems["security"] = "choose None, STARTTLS or SSL/TLS"
        if self.password_in_clear and not self.allow_plaintext_password:
            problems["security"] = (
                "with Security None and a user name the password would cross the network in "
                "clear; choose STARTTLS or SSL/TLS, or allow sending the password without "
                "encryption"
            )
        if self.verify not in VERIFY:
            problems["verify"] = "choose the system certificate store or a CA file"
        elif self.verify == "ca-file" and not self.ca_file.strip():
            problems["ca_file"] = "choose the CA file that signed the server's certificate"
        low, high = TIMEOUT_RANGE
        if not low <= self.timeout <= high:
            problems["timeout"] = f"the timeout must be between {low} and {high} seconds"
        if any(ord(ch) < 32 for ch in self.from_name):
            problems["from_name"] = (
                "the display name cannot contain line breaks or control characters"
            )
        if self.from_address and (reason := address_problem(self.from_address)):
            problems["from_address"] = reason
        if self.send_to_users and not self.configured:
            problems["send_to_users"] = "set the SMTP server and From address first"
        if self.portal_url and not self.portal_url.startswith(("https://", "http://")):
            problems["portal_url"] = "the User Portal URL must start with https://"
        for address in self.admin_recipients():
            if reason := address_problem(address):
                problems["admin_addresses"] = f"{address}: {reason}"
        if problems:
            raise ValidationError(problems)
