"""Secrets for the headless service from systemd credentials, never from plain-text files.

On a server without a desktop keyring, the unit file names each secret with
``LoadCredentialEncrypted=<name>:<file.cred>``. The ``.cred`` file is encrypted by
``systemd-creds encrypt`` with the machine's credential key (and the TPM2 when present), so it is
useless on another machine or in a backup. When the service starts, systemd decrypts it into
``$CREDENTIALS_DIRECTORY``, a private in-memory directory that only the service's user can read and
that disappears when the service stops.

``CredentialSecretStore`` reads secrets from there and falls back to the OS keyring (the service
account's own Secret Service, Windows Credential Manager...) for names the unit does not provide.
A credential file that other users could read is refused: it did not come from systemd.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from mfa_console.core.errors import ConsoleError, SecretsUnavailableError
from mfa_console.core.secrets import SecretStore

CREDENTIALS_ENV = "CREDENTIALS_DIRECTORY"


class CredentialSecretStore(SecretStore):
    """A ``SecretStore`` that prefers the unit's decrypted credentials to the keyring."""

    def __init__(self, namespace: str, directory: Path) -> None:
        super().__init__(namespace)
        self.directory = directory

    def get(self, name: str) -> str | None:
        path = self.directory / name
        if path.is_file():
            return _read_private(path)
        try:
            return super().get(name)
        except SecretsUnavailableError:
            raise SecretsUnavailableError(
                f"The secret {name!r} is neither among the service's credentials "
                f"({self.directory}) nor in a usable OS keyring.",
                hint=f"Add LoadCredentialEncrypted={name}:<file>.cred to the unit (see "
                "resources/systemd/README.md), then restart the service.",
            ) from None

    def set(self, name: str, value: str) -> None:
        if (self.directory / name).exists():
            raise ConsoleError(
                f"The secret {name!r} comes from the service's credentials and cannot be changed "
                "here.",
                hint="Encrypt the new value with systemd-creds and restart the service.",
            )
        super().set(name, value)


def _read_private(path: Path) -> str:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SecretsUnavailableError(
            f"The credential file {path} can be read by other users; it was not used.",
            hint="Let systemd provide it (LoadCredentialEncrypted=) instead of a plain file.",
        )
    return path.read_text(encoding="utf-8").rstrip("\n")


def credentials_directory() -> Path | None:
    """The unit's credentials directory, when systemd started this process with credentials."""
    value = os.environ.get(CREDENTIALS_ENV, "")
    return Path(value) if value and Path(value).is_dir() else None
