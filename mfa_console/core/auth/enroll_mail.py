"""The enrollment email of a new software token: the QR code as an inline CID image.

Mail clients block ``data:`` images, so the QR code travels as a ``multipart/related`` part
referenced by ``cid:``. The message carries the secret, so the outbox seals it exactly like a
message with an initial PIN (and deletes its body once sent or discarded).
"""

from __future__ import annotations

import email
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.utils import make_msgid
from html import escape

from sqlalchemy.orm import Session

from mfa_console.core.auth.qr import qr_png
from mfa_console.core.auth.tokens import SoftwareSecret
from mfa_console.core.db.models import UserRow
from mfa_console.core.errors import ConsoleError
from mfa_console.core.mail import compose, outbox
from mfa_console.core.mail.settings import EmailSettings
from mfa_console.core.mail.templates import Rendered


def queue_token_email(session: Session, user: UserRow, secret: SoftwareSecret) -> int:
    """Queue ``user``'s enrollment email with the new secret's QR code; returns the outbox id."""
    settings = outbox.load_group(session, EmailSettings)
    prepared = outbox.render_for_user(session, user, "manual", None, settings)
    if prepared is None:
        raise ConsoleError(
            f"{user.username} has no email address: the token cannot be sent by email.",
            hint="Add the user's email address, or show the QR code in the Edit User dialog.",
        )
    cid = make_msgid(domain="qr.mfa-console.invalid")
    rendered = _with_token(prepared.rendered, secret, cid)
    raw = _build(rendered, prepared, cid, qr_png(secret.uri, scale=6))
    message = outbox.Prepared(
        prepared.template, prepared.recipient, prepared.recipient_name, prepared.sender,
        prepared.subject_display, rendered, prepared.message_id, raw,
    )  # fmt: skip
    return outbox._add(session, message, True, audience="user", user=user, reason="manual")


def _with_token(rendered: Rendered, secret: SoftwareSecret, cid: str) -> Rendered:
    text = (
        f"{rendered.text}\n\nAdd the account to your authenticator app with this key: "
        f"{secret.secret}\n(time-based, 6 digits, 30 seconds)\n"
    )
    html = rendered.html or f"<html><body><pre>{escape(rendered.text)}</pre></body></html>"
    block = (
        "<p>Scan this code with your authenticator app:</p>"
        f'<p><img src="cid:{cid[1:-1]}" alt="QR code of your token" width="240" height="240"></p>'
        f"<p>Or enter this key: <code>{escape(secret.secret)}</code></p>"
    )
    html = html.replace("</body>", block + "</body>") if "</body>" in html else html + block
    return Rendered(rendered.subject, text, html)


def _build(rendered: Rendered, prepared: outbox.Prepared, cid: str, png: bytes) -> bytes:
    """The prepared message's headers over text + HTML (with the token) + the inline image."""
    original = email.message_from_bytes(prepared.raw)
    related = MIMEMultipart("related")
    for name in ("From", "To", "Subject", "Date", "Message-ID"):
        if original[name] is not None:
            related[name] = original[name]
    body = MIMEMultipart("alternative")
    body.attach(compose._text_part(rendered.text, "plain"))
    body.attach(compose._text_part(rendered.html, "html"))
    related.attach(body)
    image = MIMEImage(png, "png")
    image["Content-ID"] = cid
    image.add_header("Content-Disposition", "inline", filename="token-qr.png")
    related.attach(image)
    return related.as_bytes(policy=compose._POLICY)
