"""The console's activation service: activate, deactivate and report this server's activation.

The token the activation service issues goes only to the OS keyring; the data file keeps only the
non-secret facts (``ActivationState``). The console works unactivated: nothing else requires it.
"""

from __future__ import annotations

import contextlib
import socket
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from mfa_console.core.activation import errors as e
from mfa_console.core.activation.client import ActivationClient, CredentialCheck
from mfa_console.core.activation.settings import (
    TOKEN_KEY,
    ActivationServiceSettings,
    ActivationState,
)
from mfa_console.core.errors import ValidationError
from mfa_console.core.progress import NullProgress, Progress, check_cancel
from mfa_console.core.secrets import SecretStore
from mfa_console.core.settings import SettingsStore


@dataclass(frozen=True)
class ActivationStatus:
    """What the Activation and Status panes and ``activation status`` show."""

    activated: bool
    account: str = ""
    group_id: str = ""
    group_name: str = ""
    role: str = ""
    server_name: str = ""
    activated_at: datetime | None = None
    service_url: str = ""

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["activated_at"] = self.activated_at.isoformat() if self.activated_at else None
        return data


def default_server_name() -> str:
    return socket.gethostname() or "mfa-console"


class ActivationService:
    def __init__(self, settings: SettingsStore, secrets: SecretStore) -> None:
        self._settings = settings
        self._secrets = secrets

    # Settings ------------------------------------------------------------------------------
    def service_settings(self) -> ActivationServiceSettings:
        return self._settings.load(ActivationServiceSettings)

    def save_service_settings(self, value: ActivationServiceSettings) -> None:
        self._settings.save(value)

    def status(self) -> ActivationStatus:
        state = self._settings.load(ActivationState)
        if not state.activated:
            return ActivationStatus(False, service_url=self.service_settings().url)
        when = datetime.fromisoformat(state.activated_at) if state.activated_at else None
        return ActivationStatus(
            True,
            state.account,
            state.group_id,
            state.group_name,
            state.role,
            state.server_name,
            when,
            state.service_url,
        )

    # Activation ----------------------------------------------------------------------------
    def check_credentials(
        self, email: str, password: str, progress: Progress | None = None
    ) -> CredentialCheck:
        """Verify the credentials (without using them up) and list the account's groups."""
        _check_input(email, password)
        self._require_unactivated()
        self._secrets.has(TOKEN_KEY)  # fail now, not after the credentials are used up
        check_cancel(progress or NullProgress())
        return self._client().check(email.strip(), password.strip())

    def activate(
        self,
        email: str,
        password: str,
        *,
        join_group: str | None = None,
        server_name: str = "",
        progress: Progress | None = None,
    ) -> ActivationStatus:
        """Use the credentials: create a new group (``join_group`` None) or join one."""
        _check_input(email, password)
        self._require_unactivated()
        self._secrets.has(TOKEN_KEY)
        check_cancel(progress or NullProgress())
        client = self._client()
        name = server_name.strip() or default_server_name()
        issued = client.activate(email.strip(), password.strip(), name, join_group)
        self._secrets.set(TOKEN_KEY, issued.token)
        self._settings.save(
            ActivationState(
                activated=True,
                account=issued.account,
                group_id=issued.group_id,
                group_name=issued.group_name,
                role=issued.role,
                server_name=issued.server_name,
                activated_at=issued.activated_at.isoformat(timespec="seconds"),
                service_url=client.url,
            )
        )
        return self.status()

    def deactivate(self, *, local_only: bool = False, progress: Progress | None = None) -> None:
        """Tell the service this server leaves its group, then forget the activation here."""
        state = self._settings.load(ActivationState)
        if not state.activated:
            raise e.NotActivatedError("This server is not activated.")
        token = self._secrets.get(TOKEN_KEY)
        check_cancel(progress or NullProgress())
        if token and not local_only:
            # If the service forgot this server already, forgetting it here too is right.
            with contextlib.suppress(e.NotActivatedError):
                self._client(state.service_url).deactivate(token)
        self._secrets.delete(TOKEN_KEY)
        self._settings.save(ActivationState())

    # Helpers -------------------------------------------------------------------------------
    def _client(self, url: str = "") -> ActivationClient:
        config = self.service_settings()
        url = url or config.url
        if not url:
            raise e.ActivationError(
                "No activation service URL is set.",
                hint="Enter the activation service URL on the Activation pane.",
            )
        return ActivationClient(url, config.ca_file)

    def _require_unactivated(self) -> None:
        state = self._settings.load(ActivationState)
        if state.activated:
            raise e.ActivationError(
                f"This server is activated already (account {state.account}, "
                f"group {state.group_name}).",
                hint="Deactivate it first to activate it again.",
            )


def _check_input(email: str, password: str) -> None:
    problems = {}
    if "@" not in email.strip():
        problems["email"] = "enter the Email shown with the activation credentials"
    if not password.strip():
        problems["password"] = "enter the Password shown with the activation credentials"
    if problems:
        raise ValidationError(problems)
