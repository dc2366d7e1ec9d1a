"""The application log: one rotated file per kind of process in the platform's log folder.

The GUI, the command line and the background service each call ``setup_logging`` once at start.
Kinds get their own file (``mfa-console-gui.log``...) so that two processes never rotate the same
file. A filter masks anything that looks like a password, token or secret, as a second line of
defence: the code never logs secrets in the first place.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
import sys
from pathlib import Path

from mfa_console.core import fileperms, paths

MAX_BYTES = 2 * 1024 * 1024
BACKUP_COUNT = 5
FORMAT = "%(asctime)s %(levelname)s %(process)d %(name)s: %(message)s"
_SECRET = re.compile(
    r"(?i)\b(password|passwd|secret|token|pin)\b(\s*[\"']?\s*[:=]\s*[\"']?)([^\s\"',;}]+)"
)


class RedactSecrets(logging.Filter):
    """Mask ``password=...``-like values in a record's final message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _SECRET.sub(r"\1\2***", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotated log that only its owner (or the configured group: ``fileperms``) may read."""

    def _open(self):  # type: ignore[no-untyped-def]
        path = Path(self.baseFilename)
        try:
            fileperms.create_file(path)
        except FileExistsError:
            fileperms.tighten(path)
        return super()._open()

    def handleError(self, record: logging.LogRecord) -> None:
        """A full disk must not print a traceback on every line logged: the record is dropped
        (what failed is reported by the operation itself, which also fails to write)."""
        from mfa_console.core.diskfull import is_full

        exc = sys.exc_info()[1]
        if exc is not None and is_full(exc):
            return
        super().handleError(record)


def log_file(kind: str) -> Path:
    return paths.log_dir() / f"mfa-console-{kind}.log"


def setup_logging(kind: str = "gui", level: int = logging.INFO) -> Path | None:
    """Install the rotated file handler on the root logger (once); returns the file, or None if
    the log folder cannot be written (the console still works, it just cannot log)."""
    root = logging.getLogger()
    target = log_file(kind)
    for handler in root.handlers:
        if getattr(handler, "mfa_console_log", None) == str(target):
            return target
    try:
        fileperms.make_dirs(target.parent)
        fileperms.tighten_all([target.parent, *target.parent.glob(f"{target.name}*")])
        handler = PrivateRotatingFileHandler(
            target, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8", delay=True
        )
    except OSError:
        return None
    handler.mfa_console_log = str(target)  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RedactSecrets())
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # one line per plugin on every open
    logging.captureWarnings(True)
    return target
