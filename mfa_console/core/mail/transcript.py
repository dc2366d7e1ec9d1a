"""The SMTP conversation as an administrator may read it: never a password, never a message body.

``RecordingSMTP`` (and its SSL twin) log every line the client sends and every reply the server
gives. AUTH arguments and every answer to a 334 challenge are replaced by ``REDACTED``, so the
transcript can be shown, copied and logged without leaking the password; message bodies are
summarised by size.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass, field

REDACTED = "********"
MAX_LINE = 300
MAX_LINES = 400


@dataclass
class Transcript:
    lines: list[str] = field(default_factory=list)
    # The outbox worker stops recording once connected: thousands of messages need no transcript.
    enabled: bool = True

    def client(self, text: str) -> None:
        if self.enabled:
            self._add(f"C: {text}")

    def server(self, code: int, text: str) -> None:
        if not self.enabled:
            return
        for i, part in enumerate(text.splitlines() or [""]):
            sep = "-" if i < len(text.splitlines()) - 1 else " "
            self._add(f"S: {code}{sep}{part}")

    def note(self, text: str) -> None:
        self._add(f"-- {text}")

    def text(self) -> str:
        return "\n".join(self.lines)

    def _add(self, line: str) -> None:
        if len(self.lines) < MAX_LINES:
            self.lines.append(line if len(line) <= MAX_LINE else line[:MAX_LINE] + "...")


class RecordingSMTP(smtplib.SMTP):
    """``smtplib.SMTP`` that records the conversation into ``transcript`` (secrets redacted)."""

    transcript: Transcript
    _challenged = False

    def send(self, s: str | bytes) -> None:  # type: ignore[override]
        if self.transcript.enabled:
            line = s.decode("ascii", "replace") if isinstance(s, bytes) else s
            self.transcript.client(self._redact(line.rstrip("\r\n")))
        super().send(s)

    def send_raw(self, data: bytes, note: str = "") -> None:
        """Send bytes as they are (a message body), recording only ``note``."""
        if self.sock is None:
            raise smtplib.SMTPServerDisconnected("please run connect() first")
        if note and self.transcript.enabled:
            self.transcript.client(note)
        try:
            self.sock.sendall(data)
        except OSError:
            self.close()
            raise smtplib.SMTPServerDisconnected("Server not connected") from None

    def getreply(self) -> tuple[int, bytes]:
        code, message = super().getreply()
        if self.transcript.enabled:
            self.transcript.server(code, message.decode("utf-8", "replace"))
        self._challenged = code == 334
        return code, message

    def _redact(self, line: str) -> str:
        if self._challenged:
            return REDACTED
        if line[:5].upper() == "AUTH ":
            words = line.split(" ")
            return " ".join(words[:2] + ([REDACTED] if len(words) > 2 else []))
        return line


class RecordingSMTPSSL(RecordingSMTP, smtplib.SMTP_SSL):
    """``smtplib.SMTP_SSL`` (implicit TLS) with the same recording."""
