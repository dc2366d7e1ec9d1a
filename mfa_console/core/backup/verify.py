"""Verify a backup: a complete file, a sane manifest, the checksum, SQLite's integrity check.

Verification extracts the database (to a temporary file, or to where a restore wants it), so the
checks run on exactly the bytes a restore would use.
"""

from __future__ import annotations

import hashlib
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mfa_console.core.backup import files
from mfa_console.core.backup.container import read_manifest
from mfa_console.core.backup.errors import BackupCorruptError, BackupTooNewError
from mfa_console.core.backup.hooks import step
from mfa_console.core.backup.manifest import FORMAT, FORMAT_VERSION, Manifest
from mfa_console.core.backup.snapshot import read_facts
from mfa_console.core.db import migrate
from mfa_console.core.diskfull import raise_if_full
from mfa_console.core.progress import NullProgress, Progress

CHUNK = 8 << 20


@dataclass(frozen=True)
class VerifyResult:
    path: Path
    manifest: Manifest
    unknown_revisions: tuple[str, ...]  # schema revisions this program does not know (newer)

    @property
    def restorable(self) -> bool:
        return not self.unknown_revisions

    def to_json(self) -> dict[str, object]:
        return {
            "file": str(self.path),
            "ok": True,
            "integrity": "ok",
            "checksum": "ok",
            "restorable": self.restorable,
            "unknown_revisions": list(self.unknown_revisions),
            "manifest": self.manifest.to_json(),
        }


def verify_backup(
    path: Path, *, extract_to: Path | None = None, progress: Progress | None = None
) -> VerifyResult:
    """Check ``path``; raise ``BackupCorruptError`` if anything is wrong. With ``extract_to`` the
    verified database stays there (the caller owns it); otherwise a temporary copy is removed.
    """
    progress = progress or NullProgress()
    if extract_to is not None:
        return _verify_into(path, extract_to, progress)
    with tempfile.TemporaryDirectory(prefix="mfa-console-verify-") as folder:
        try:
            return _verify_into(path, Path(folder) / "data.sqlite", progress)
        except OSError as exc:  # the copy it checks goes to the temporary folder
            raise_if_full(exc, folder)
            raise


def _verify_into(path: Path, database: Path, progress: Progress) -> VerifyResult:
    name = str(path)
    manifest = read_manifest(path)
    _check_format(manifest, name)
    try:
        _extract(path, database, manifest, name, progress)
        step(progress, 0, None, "Checking the database")
        _check_database(database, manifest, name)
    except BaseException:
        files.remove_quietly([database, *files.sqlite_companions(database)])
        raise
    unknown = tuple(sorted(set(manifest.schema_revisions) - migrate.known_revisions()))
    return VerifyResult(path, manifest, unknown)


def _corrupt(name: str, what: str) -> BackupCorruptError:
    return BackupCorruptError(
        f"{name} cannot be used: {what}. Nothing was changed.",
        hint="Use another backup file (for example the previous scheduled backup).",
    )


def _check_format(manifest: Manifest, name: str) -> None:
    if manifest.format != FORMAT:
        raise _corrupt(name, f"it is not an MFA Console backup (format {manifest.format!r})")
    if manifest.format_version > FORMAT_VERSION:
        raise BackupTooNewError(
            f"{name} was made by a newer MFA Console ({manifest.program_version}). Nothing was "
            "changed.",
            hint="Install that version (or newer) to restore it.",
        )


def _extract(path: Path, database: Path, manifest: Manifest, name: str, progress: Progress) -> None:
    """Copy the database bytes out, hashing them on the way."""
    digest, done = hashlib.sha256(), 0
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    with path.open("rb", buffering=0) as src, database.open("wb") as dst:
        while done < manifest.size and (count := src.readinto(buffer)):
            count = min(count, manifest.size - done)
            digest.update(view[:count])
            dst.write(view[:count])
            done += count
            step(progress, done, manifest.size, "Checking the backup")
        dst.flush()
        files.fsync_fd(dst.fileno())
    if done != manifest.size or digest.hexdigest() != manifest.sha256:
        raise _corrupt(name, "its database does not match the checksum in its manifest")


def _check_database(database: Path, manifest: Manifest, name: str) -> None:
    uri = f"{database.as_uri()}?mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True)
        try:
            result = [row[0] for row in conn.execute("PRAGMA integrity_check(20)")]
            facts = read_facts(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise _corrupt(name, f"its database is damaged ({exc})") from None
    if result != ["ok"]:
        raise _corrupt(name, f"its database is damaged ({'; '.join(result[:3])})")
    if facts.user_count != manifest.user_count:
        raise _corrupt(name, "its user count does not match its manifest")
