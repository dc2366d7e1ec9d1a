"""The backup file layout: the database, then its manifest, then a fixed 32-byte footer.

    [ database: manifest.size bytes ][ manifest.json (UTF-8) ][ footer ]
    footer = magic (16 bytes) + manifest offset (8, big-endian) + manifest length (8, big-endian)

SQLite reads the database size from its own header, so the whole file opens as a database in any
SQLite tool, read-only; the manifest is plain text at the end. A file cut short has no footer and
is refused.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO

from mfa_console.core.backup.errors import BackupCorruptError, BackupError
from mfa_console.core.backup.manifest import Manifest

MAGIC = b"MFA-Console-Bak\x01"
FOOTER = struct.Struct(">16sQQ")
MAX_MANIFEST = 1 << 20


def append_manifest(handle: BinaryIO, manifest: Manifest) -> None:
    """Write the manifest and footer at the end of the database bytes in ``handle``."""
    offset = handle.seek(0, 2)
    data = manifest.dumps().encode("utf-8")
    handle.write(data)
    handle.write(FOOTER.pack(MAGIC, offset, len(data)))


def read_manifest(path: Path) -> Manifest:
    """The manifest of the backup at ``path``; a missing or broken footer means a damaged file."""
    name = str(path)
    try:
        with path.open("rb") as handle:
            total = handle.seek(0, 2)
            if total < FOOTER.size:
                raise _broken(name)
            handle.seek(total - FOOTER.size)
            magic, offset, length = FOOTER.unpack(handle.read(FOOTER.size))
            if magic != MAGIC or length > MAX_MANIFEST or offset + length + FOOTER.size != total:
                raise _broken(name)
            handle.seek(offset)
            manifest = Manifest.loads(handle.read(length), name)
    except FileNotFoundError:
        raise BackupError(f"There is no backup file at {path}.") from None
    except OSError as exc:
        raise BackupError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    if manifest.size != offset:
        raise _broken(name)
    return manifest


def _broken(name: str) -> BackupCorruptError:
    return BackupCorruptError(
        f"{name} cannot be used: it is not a complete MFA Console backup. Nothing was changed.",
        hint="Use another backup file (for example the previous scheduled backup).",
    )
