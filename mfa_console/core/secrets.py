"""Secrets (bind, SMTP and activation passwords) live only in the OS keyring.

Each data file has its own keyring namespace (its install id), so two data files on one machine do
not share passwords. When no keyring backend exists we say so and stop: there is no silent fallback
to plain text.
"""

from __future__ import annotations

from mfa_console.core.errors import SecretsUnavailableError

SERVICE_PREFIX = "mfa-console"

_NO_BACKEND_HINT = (
    "Install or unlock an OS keyring (Windows Credential Manager, macOS Keychain, or a Secret "
    "Service such as GNOME Keyring or KWallet on Linux), then try again."
)


class SecretStore:
    """Get, set and delete named secrets of one data file in the OS keyring."""

    def __init__(self, namespace: str) -> None:
        self.service = f"{SERVICE_PREFIX}:{namespace}"

    def get(self, name: str) -> str | None:
        keyring, errors = self._keyring()
        try:
            return keyring.get_password(self.service, name)
        except errors.KeyringError as exc:
            raise self._unavailable(exc) from None

    def set(self, name: str, value: str) -> None:
        keyring, errors = self._keyring()
        try:
            keyring.set_password(self.service, name, value)
        except errors.KeyringError as exc:
            raise self._unavailable(exc) from None

    def delete(self, name: str) -> None:
        keyring, errors = self._keyring()
        try:
            keyring.delete_password(self.service, name)
        except errors.PasswordDeleteError:
            pass
        except errors.KeyringError as exc:
            raise self._unavailable(exc) from None

    def has(self, name: str) -> bool:
        return self.get(name) is not None

    def backend_name(self) -> str:
        keyring, _ = self._keyring()
        backend = keyring.get_keyring()
        return f"{type(backend).__module__}.{type(backend).__name__}"

    @staticmethod
    def _keyring():  # type: ignore[no-untyped-def]
        import keyring
        import keyring.errors

        return keyring, keyring.errors

    @staticmethod
    def _unavailable(exc: Exception) -> SecretsUnavailableError:
        # The keyring's own message never contains the secret; keep only its class and text.
        return SecretsUnavailableError(
            f"The OS keyring cannot be used ({type(exc).__name__}: {exc}).", hint=_NO_BACKEND_HINT
        )


def password_change(typed: str | None, *, needed: bool = True) -> str | None:
    """What to do with a stored password, the same rule for every form and the command line:
    None keeps the stored one (nothing typed), a text replaces it, "" deletes it (the settings no
    longer need a password, e.g. an anonymous bind or no SMTP login)."""
    if not needed:
        return ""
    return typed or None
