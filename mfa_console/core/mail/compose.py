"""From a user to a message: which template (as the original chose), the values, the MIME bytes.

Choice, for a user being told about their enrollment:
- ``updated``: *Account updated*.
- an initial PIN comes with the message: the method's *with initial PIN* template;
- a phone or text-message user without a phone number, when a User Portal URL is set: *Finish
  enrollment in the User Portal*;
- otherwise the method's template with or without phone numbers, by whether the user has one.
"""

from __future__ import annotations

import email.policy
from email.charset import QP, Charset
from email.header import Header
from email.headerregistry import Address
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.utils import formataddr, formatdate, getaddresses, make_msgid

from mfa_console.core.addresses import address_problem
from mfa_console.core.db.models import UserRow
from mfa_console.core.mail.templates import Rendered
from mfa_console.core.users.methods import method_label, mode_label
from mfa_console.core.users.phones import format_phone

REASONS = ("new", "updated", "pin", "manual")
PHONE_METHODS = frozenset({"phone-call", "text-message"})
PIN_MASK = "••••"
_POLICY = email.policy.compat32.clone(linesep="\r\n")
_UTF8_QP = Charset("utf-8")
_UTF8_QP.body_encoding = QP


def choose_template(
    method: str, has_phone: bool, reason: str, has_pin: bool, portal_url: str
) -> str:
    if reason == "updated":
        return "account-updated"
    if has_pin:
        return f"{method}-pin"
    if method in PHONE_METHODS and not has_phone and portal_url:
        return "portal-enrollment"
    return f"{method}-phone" if has_phone else method


def recipient_of(row: UserRow) -> str | None:
    """The user's email address; the username when it is an address and no email is set."""
    for candidate in (row.email, row.username):
        if candidate and address_problem(candidate) is None:
            return candidate
    return None


def user_values(
    row: UserRow, *, company_name: str, portal_url: str, pin: str | None
) -> dict[str, str]:
    full = " ".join(p for p in (row.first_name, row.last_name) if p) or row.username
    return {
        "username": row.username,
        "first_name": row.first_name,
        "last_name": row.last_name,
        "full_name": full,
        "email": row.email,
        "phone": format_phone(row.phone) if row.phone else "",
        "extension": row.extension,
        "backup_phone": format_phone(row.backup_phone) if row.backup_phone else "",
        "backup_extension": row.backup_extension,
        "method": method_label(row.method),
        "mode": mode_label(row.method, row.mode),
        "pin": pin or "",
        "portal_url": portal_url,
        "company_name": company_name,
    }


def sender_address(template_from: str, from_address: str, from_name: str) -> Address:
    """The template's own From when set, else the From of Email Settings."""
    if template_from.strip():
        name, addr = getaddresses([template_from])[0]
        return _address(name or from_name, addr)
    return _address(from_name, from_address)


def _address(name: str, addr: str) -> Address:
    local, _, domain = addr.rpartition("@")
    return Address(display_name=_one_line(name), username=local, domain=domain)


def new_message_id(sender: Address) -> str:
    return make_msgid(domain=sender.domain or None)


def build_message(
    rendered: Rendered, *, sender: Address, recipient: str, recipient_name: str, message_id: str
) -> bytes:
    """RFC 5322 bytes with CRLF line ends; HTML (if any) as an alternative to the text.

    Built with the compat32 MIME classes: two to three times faster than ``EmailMessage`` with
    the same result on the wire (encoded-word headers, quoted-printable UTF-8 bodies), which
    matters when an import queues thousands of messages in one transaction.
    """
    text = _text_part(rendered.text, "plain")
    msg: Message
    if rendered.html:
        msg = MIMEMultipart("alternative")
        msg.attach(text)
        msg.attach(_text_part(rendered.html, "html"))
    else:
        msg = text
    msg["From"] = formataddr((_one_line(sender.display_name), sender.addr_spec), charset="utf-8")
    msg["To"] = formataddr((_one_line(recipient_name), recipient), charset="utf-8")
    subject = _one_line(rendered.subject)
    msg["Subject"] = subject if subject.isascii() else Header(subject, "utf-8").encode()
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = message_id
    return msg.as_bytes(policy=_POLICY)


def _text_part(body: str, subtype: str) -> MIMENonMultipart:
    part = MIMENonMultipart("text", subtype)
    part.set_payload(body, _UTF8_QP)
    return part


def _one_line(text: str) -> str:
    """No line breaks in a header value (no header injection from a name or a subject)."""
    return " ".join(text.split())
