"""Email templates: the shipped catalog, the placeholders each may use, edits in the data file.

The defaults are files in ``mfa_console/resources/email`` (``catalog.json`` plus ``<key>.txt`` and
``<key>.html``). An edit is a row in ``mail_templates``; Restore default deletes the row. A template
is saved only when every placeholder it uses is known and it parses; rendering goes through the
sandbox (``sandbox``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from email.utils import parseaddr
from functools import cache
from importlib import resources

from sqlalchemy.orm import Session

from mfa_console.core import audit
from mfa_console.core.addresses import address_problem
from mfa_console.core.db.base import utcnow
from mfa_console.core.errors import NotFoundError, ValidationError
from mfa_console.core.mail import sandbox
from mfa_console.core.mail.models import TemplateRow

USER_PLACEHOLDERS: dict[str, str] = {
    "username": "The user's username",
    "first_name": "First name",
    "last_name": "Last name",
    "full_name": "First and last name (or the username)",
    "email": "The user's email address",
    "phone": "Phone number, formatted (empty if none)",
    "extension": "Phone extension",
    "backup_phone": "Backup phone number, formatted",
    "backup_extension": "Backup phone extension",
    "method": "Verification method (Phone Call, Text Message, Mobile App, OATH Token)",
    "mode": "Mode of the method (Standard, PIN, One-way OTP...)",
    "pin": "The initial PIN (only in messages sent with a new PIN)",
    "portal_url": "User Portal URL (Email Settings)",
    "company_name": "Company name (Company Settings)",
}
ADMIN_PLACEHOLDERS: dict[str, str] = {
    "company_name": "Company name (Company Settings)",
    "change_count": "How many users would be disabled or removed",
    "threshold": "The approval limit set on the Synchronization tab",
    "sync_item": "The synchronization item (or 'all items')",
    "requested_at": "When the synchronization ran",
    "server": "The computer that ran the synchronization",
    "details": "A summary of the pending changes",
}


@dataclass(frozen=True)
class Template:
    key: str
    name: str
    audience: str  # "user" | "admin"
    from_address: str  # empty: the From of Email Settings
    subject: str
    text_body: str
    html_body: str
    customized: bool = False

    @property
    def placeholders(self) -> dict[str, str]:
        return USER_PLACEHOLDERS if self.audience == "user" else ADMIN_PLACEHOLDERS


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@cache
def _catalog() -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = json.loads(_resource("catalog.json"))
    return data


def _resource(name: str) -> str:
    return resources.files("mfa_console.resources.email").joinpath(name).read_text("utf-8")


def template_keys() -> list[str]:
    return list(_catalog())


@cache
def default_template(key: str) -> Template:
    entry = _catalog().get(key)
    if entry is None:
        raise NotFoundError(f"There is no email template {key!r}.")
    try:
        html = _resource(f"{key}.html")
    except FileNotFoundError:
        html = ""
    return Template(
        key, entry["name"], entry["audience"], "", entry["subject"], _resource(f"{key}.txt"), html
    )


def load(session: Session, key: str) -> Template:
    """The template as it is used now: the edit in the data file, else the default."""
    base = default_template(key)
    row = session.get(TemplateRow, key)
    if row is None:
        return base
    return replace(
        base,
        from_address=row.from_address,
        subject=row.subject,
        text_body=row.text_body,
        html_body=row.html_body,
        customized=True,
    )


def problems(template: Template) -> dict[str, str]:
    """What keeps ``template`` from being saved, by field; empty when it can be saved."""
    found: dict[str, str] = {}
    known = set(template.placeholders)
    for field in ("subject", "text_body", "html_body"):
        source = getattr(template, field)
        try:
            unknown = sorted(sandbox.placeholders(source) - known)
        except sandbox.TemplateProblem as exc:
            found[field] = str(exc)
            continue
        if unknown:
            found[field] = "unknown placeholder " + ", ".join(f"{{{{ {n} }}}}" for n in unknown)
            continue
        try:
            sandbox.render(source, {name: "sample" for name in known}, html=field == "html_body")
        except sandbox.TemplateProblem as exc:
            found[field] = str(exc)
    if not template.subject.strip():
        found["subject"] = "a subject is required"
    if not template.text_body.strip():
        found["text_body"] = "a plain-text body is required"
    if template.from_address.strip():
        address = parseaddr(template.from_address)[1]
        if reason := address_problem(address or template.from_address):
            found["from_address"] = reason
    return found


def save(session: Session, template: Template) -> None:
    if found := problems(template):
        raise ValidationError(found)
    before = load(session, template.key)
    row = session.get(TemplateRow, template.key) or TemplateRow(key=template.key)
    row.from_address = template.from_address.strip()
    row.subject, row.text_body, row.html_body = (
        template.subject,
        template.text_body,
        template.html_body,
    )
    row.updated_at = utcnow()
    session.add(row)
    audit.record(session, "email.template.change", template.key, _fields(before), _fields(template))


def restore_default(session: Session, key: str) -> Template:
    before = load(session, key)
    row = session.get(TemplateRow, key)
    if row is not None:
        session.delete(row)
        audit.record(
            session, "email.template.restore", key, _fields(before), _fields(default_template(key))
        )
    return default_template(key)


def render(template: Template, values: dict[str, str]) -> Rendered:
    """Render all parts; raises ``sandbox.TemplateProblem`` naming what is wrong."""
    subject = " ".join(sandbox.render(template.subject, values).split())
    text = sandbox.render(template.text_body, values)
    html = sandbox.render(template.html_body, values, html=True) if template.html_body else ""
    return Rendered(subject, text, html)


def _fields(template: Template) -> dict[str, str]:
    return {
        "from_address": template.from_address,
        "subject": template.subject,
        "text_body": template.text_body,
        "html_body": template.html_body,
    }
