"""Where a PostgreSQL password lives: the OS keyring (never the URL, the environment or a file
of ours). libpq reads a ``.pgpass`` on its own when the keyring has nothing."""

from __future__ import annotations

import contextlib

from mfa_console.core.db import postgres
from mfa_console.core.errors import SecretsUnavailableError
from mfa_console.core.secrets import SecretStore


def _store() -> SecretStore:
    return SecretStore(postgres.KEYRING_NAMESPACE)


def stored_password(url: str) -> str | None:
    """The keyring's password for this server, role and database; None without one (or keyring)."""
    try:
        return _store().get(postgres.password_key(url))
    except SecretsUnavailableError:
        return None  # .pgpass, or a prompt, may still give it


def remember_password(url: str, password: str) -> bool:
    """Keep a password that worked; False when no keyring can hold it (it is then not kept)."""
    try:
        _store().set(postgres.password_key(url), password)
    except SecretsUnavailableError:
        return False
    return True


def forget_password(url: str) -> None:
    with contextlib.suppress(SecretsUnavailableError):
        _store().delete(postgres.password_key(url))
