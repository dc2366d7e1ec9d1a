"""The enrollment email of a software token: received by the real test SMTP server, its inline
QR image decoded (zxing-cpp) back to the same otpauth URI; the secret is sealed while queued."""

from __future__ import annotations

from pathlib import Path

import zxingcpp
from PySide6.QtGui import QImage
from sqlalchemy import select

from mfa_console.app import Services
from mfa_console.core.mail.models import OutboxBodyRow, OutboxRow
from tests.mail.conftest import add_user
from tests.mail.smtpd import SmtpServer


def test_token_email_carries_the_qr_as_a_cid_image(
    mail_services: Services,
    smtpd: SmtpServer,
    data_file: Path,
) -> None:
    add_user(mail_services, "gail", method="oath-token")
    secret = mail_services.auth.generate_software("gail", send_email=True)
    with mail_services.db.read() as session:
        row = session.scalars(select(OutboxRow)).one()
        body = session.get(OutboxBodyRow, row.id)
        assert row.sealed and body is not None and secret.secret.encode() not in body.content
    for path in data_file.parent.glob(data_file.name + "*"):
        assert secret.secret.encode() not in path.read_bytes()
    assert mail_services.mail.send_now().sent == 1
    [received] = smtpd.capture.received
    message = received.message
    assert message.get_content_type() == "multipart/related"
    html = message.get_body(("html",)).get_content()
    image = next(p for p in message.walk() if p.get_content_type() == "image/png")
    cid = image["Content-ID"].strip("<>")
    assert f'src="cid:{cid}"' in html and "data:" not in html
    qimage = QImage.fromData(image.get_payload(decode=True))
    qimage = qimage.convertToFormat(QImage.Format.Format_Grayscale8)
    (barcode,) = zxingcpp.read_barcodes(qimage)
    assert barcode.text == secret.uri
    assert secret.secret in message.get_body(("plain",)).get_content()
