"""QR codes of ``otpauth://`` URIs (segno), as PNG bytes for the window and the email."""

from __future__ import annotations

import io


def qr_png(text: str, scale: int = 5) -> bytes:
    import segno

    buffer = io.BytesIO()
    segno.make(text, error="m", micro=False).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()
