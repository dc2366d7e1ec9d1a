"""What a backup says about itself: program, schema, users, checksum, and the keys it needs.

The data file's secrets are sealed under its data key (``core.keys``), which the backup does not
carry: the manifest names it by fingerprint (``data_key``), so a restore on a machine without it
says to import it (``mfa-console key import FILE``). The few secrets that stay in the OS keyring
(the activation token, bound to this machine) are listed by name (never value) in ``secrets``:
after a restore on another machine they must be entered again.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from mfa_console.core.backup.errors import BackupCorruptError

FORMAT = "mfa-console-backup"
FORMAT_VERSION = 1
SUFFIX = ".mfabackup"


def known_secrets() -> dict[str, str]:
    """The keyring entries the features use (name -> what to enter again after a restore)."""
    # Imported here: the feature modules (mail's seal loads cryptography) are not needed at start.
    from mfa_console.core.activation.settings import TOKEN_KEY
    from mfa_console.core.directory.settings import PASSWORD_SECRET as DIRECTORY_PASSWORD
    from mfa_console.core.mail.seal import KEY_NAME as OUTBOX_KEY
    from mfa_console.core.mail.settings import PASSWORD_KEY as SMTP_PASSWORD

    return {
        DIRECTORY_PASSWORD: "the directory bind password (Directory Integration > Settings)",
        SMTP_PASSWORD: "the SMTP server password (Email)",
        OUTBOX_KEY: "the key of queued messages with an initial PIN (discard and resend them)",
        TOKEN_KEY: "the activation of this server (Activation: activate again)",
    }


def describe_secret(name: str) -> str:
    return known_secrets().get(name, name)


@dataclass(frozen=True)
class Manifest:
    """What the end of a backup file says about the database before it (see ``container``)."""

    program_version: str
    schema_revisions: tuple[str, ...]
    user_count: int
    sha256: str
    size: int
    created_at: str  # ISO 8601, UTC
    source: str
    host: str
    install_id: str
    secrets: tuple[str, ...] = ()
    data_key: str = ""  # fingerprint of the data key the backup's secrets are sealed under
    format: str = FORMAT
    format_version: int = FORMAT_VERSION
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["schema_revisions"] = list(self.schema_revisions)
        data["secrets"] = list(self.secrets)
        return data

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, sort_keys=True)

    @classmethod
    def loads(cls, text: bytes | str, name: str) -> Manifest:
        """Parse a manifest; anything malformed is reported as a damaged backup."""
        try:
            data = json.loads(text)
            return cls(
                program_version=str(data["program_version"]),
                schema_revisions=tuple(str(r) for r in data["schema_revisions"]),
                user_count=int(data["user_count"]),
                sha256=str(data["sha256"]),
                size=int(data["size"]),
                created_at=str(data["created_at"]),
                source=str(data.get("source", "")),
                host=str(data.get("host", "")),
                install_id=str(data.get("install_id", "")),
                secrets=tuple(str(s) for s in data.get("secrets", ())),
                data_key=str(data.get("data_key", "")),
                format=str(data["format"]),
                format_version=int(data["format_version"]),
                extra=dict(data.get("extra", {})),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise BackupCorruptError(
                f"{name} has a damaged manifest ({type(exc).__name__}).",
                hint="Use another backup file.",
            ) from None
