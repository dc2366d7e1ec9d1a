"""MailService: what the Email pane, the Users pane, the command line and the service call.

Plain values in and out. Settings are validated in core; the password goes only to the keyring.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from mfa_console.core.addresses import address_problem
from mfa_console.core.db import Database
from mfa_console.core.db.lease import LeaseHeldError
from mfa_console.core.db.models import UserRow
from mfa_console.core.errors import ConsoleError, ValidationError
from mfa_console.core.mail import outbox, templates, worker
from mfa_console.core.mail.failures import SmtpFailure
from mfa_console.core.mail.sandbox import TemplateProblem
from mfa_console.core.mail.settings import PASSWORD_KEY, EmailSettings
from mfa_console.core.mail.smtp import send_test
from mfa_console.core.mail.templates import Rendered, Template
from mfa_console.core.progress import Progress
from mfa_console.core.secrets import SecretStore
from mfa_console.core.settings import SettingsStore

SAMPLE_USER = {
    "username": "jane.doe@example.com",
    "first_name": "Jane",
    "last_name": "Doe",
    "full_name": "Jane Doe",
    "email": "jane.doe@example.com",
    "phone": "+1 425-555-0100",
    "extension": "",
    "backup_phone": "+1 425-555-0199",
    "backup_extension": "",
    "method": "Phone Call",
    "mode": "PIN",
    "pin": "4826",
}
SAMPLE_ADMIN = {
    "change_count": "12",
    "threshold": "5",
    "sync_item": "OU=Staff,DC=example,DC=com",
    "requested_at": "2026-11-25 08:00 UTC",
    "server": "mfa01",
    "details": "Disable: 10 users; remove: 2 users.",
}


@dataclass(frozen=True)
class SmtpTestResult:
    ok: bool
    transcript: str
    error: str = ""
    hint: str = ""
    kind: str = ""
    warning: str = ""  # e.g. the password crossed the network in clear


@dataclass(frozen=True)
class UserPreview:
    user_id: int
    username: str
    recipient: str  # empty: the user has no email address
    template: str
    template_name: str
    rendered: Rendered | None
    problem: str = ""


class MailService:
    def __init__(self, db: Database, settings: SettingsStore, secrets: SecretStore) -> None:
        self._db = db
        self._settings = settings
        self._secrets = secrets

    # Settings -------------------------------------------------------------------------------
    def settings(self) -> EmailSettings:
        return self._settings.load(EmailSettings)

    def save_settings(self, value: EmailSettings, password: str | None = None) -> None:
        """Save; ``password`` None leaves the stored one, "" deletes it."""
        self._settings.save(value)
        if password is not None:
            if password:
                self._secrets.set(PASSWORD_KEY, password)
            else:
                self._secrets.delete(PASSWORD_KEY)

    def has_password(self) -> bool:
        return self._secrets.has(PASSWORD_KEY)

    def test(
        self, recipient: str, settings: EmailSettings | None = None, password: str | None = None
    ) -> SmtpTestResult:
        """Send a test message to ``recipient`` (not via the outbox); no secrets shown."""
        if reason := address_problem(recipient):
            raise ValidationError({"recipient": reason})
        settings = settings or self.settings()
        if password is None and settings.username:
            password = self._secrets.get(PASSWORD_KEY)
        transcript, failure = send_test(settings, password, recipient)
        warning = settings.plaintext_warning()
        if failure is None:
            return SmtpTestResult(True, transcript.text(), warning=warning)
        return SmtpTestResult(
            False, transcript.text(), failure.message, failure.hint, failure.kind, warning
        )

    # Templates ------------------------------------------------------------------------------
    def templates(self) -> list[Template]:
        with self._db.read() as session:
            return [templates.load(session, key) for key in templates.template_keys()]

    def template(self, key: str) -> Template:
        with self._db.read() as session:
            return templates.load(session, key)

    def save_template(self, template: Template) -> None:
        with self._db.write() as session:
            templates.save(session, template)

    def restore_default(self, key: str) -> Template:
        with self._db.write() as session:
            return templates.restore_default(session, key)

    def sample_values(self, template: Template) -> dict[str, str]:
        """The sample user (or sync notice) of the preview, with this console's settings."""
        with self._db.read() as session:
            company = outbox.load_group(session, outbox.CompanySettings).company_name
        company_name = {"company_name": company or "Contoso"}
        if template.audience == "admin":
            return SAMPLE_ADMIN | company_name
        portal_url = self.settings().portal_url or "https://mfa.example.com/portal"
        return SAMPLE_USER | company_name | {"portal_url": portal_url}

    def preview(self, template: Template) -> Rendered:
        """Render ``template`` with the sample user; raises TemplateProblem."""
        return templates.render(template, self.sample_values(template))

    # Users ----------------------------------------------------------------------------------
    def preview_users(self, user_ids: Sequence[int], reason: str = "manual") -> list[UserPreview]:
        settings = self.settings()
        previews = []
        with self._db.read() as session:
            for user_id in user_ids:
                row = session.get(UserRow, user_id)
                if row is None:
                    continue
                previews.append(self._preview_one(session, row, reason, settings))
        return previews

    def _preview_one(
        self, session: Session, row: UserRow, reason: str, settings: EmailSettings
    ) -> UserPreview:
        try:
            prepared = outbox.render_for_user(session, row, reason, None, settings)
        except ConsoleError as exc:  # a broken template shows as a problem
            return UserPreview(row.id, row.username, "", "", "", None, str(exc))
        if prepared is None:
            return UserPreview(
                row.id,
                row.username,
                "",
                "",
                "",
                None,
                "no email address (and the username is not an address)",
            )
        name = templates.default_template(prepared.template).name
        return UserPreview(
            row.id, row.username, prepared.recipient, prepared.template, name, prepared.rendered
        )

    def queue_users(self, user_ids: Iterable[int], reason: str = "manual") -> list[int]:
        """Queue the email for each user (one transaction); returns the outbox ids."""
        ids = []
        with self._db.write() as session:
            for user_id in user_ids:
                queued = outbox.queue_for_user(session, user_id, reason)
                if queued is not None:
                    ids.append(queued)
        return ids

    # Outbox ---------------------------------------------------------------------------------
    def outbox(self, states: Iterable[str] | None = None) -> list[outbox.OutboxEntry]:
        with self._db.read() as session:
            return outbox.entries(session, states=states)

    def outbox_counts(self) -> dict[str, int]:
        with self._db.read() as session:
            return outbox.counts(session)

    def retry(self, ids: Iterable[int]) -> int:
        with self._db.write() as session:
            return outbox.retry(session, ids)

    def discard(self, ids: Iterable[int]) -> int:
        with self._db.write() as session:
            return outbox.discard(session, ids)

    def send_now(self, progress: Progress | None = None) -> worker.SendReport:
        """Send every due message now (raises LeaseHeldError if another process is sending)."""
        return worker.send_outbox(self._db, self._secrets, progress=progress)

    def send_due(self) -> worker.SendReport | None:
        """For the background service's loop: send what is due; None if another process is."""
        try:
            return worker.send_outbox(self._db, self._secrets)
        except LeaseHeldError:
            return None


__all__ = ["MailService", "SmtpFailure", "SmtpTestResult", "TemplateProblem", "UserPreview"]
