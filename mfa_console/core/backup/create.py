"""Write a backup file: snapshot straight into a temporary file, hash it, append the manifest,
fsync, rename into place.

The finished backup appears under its final name only by an atomic rename of a complete, fsynced
file, so a crash or a kill at any moment leaves either no backup or a whole one (plus, at worst, a
hidden ``.*.tmp`` file in the destination folder).
"""

from __future__ import annotations

import hashlib
import os
import socket
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from mfa_console import __version__
from mfa_console.core.backup import files
from mfa_console.core.backup.container import append_manifest
from mfa_console.core.backup.errors import BackupError
from mfa_console.core.backup.hooks import step
from mfa_console.core.backup.manifest import SUFFIX, Manifest
from mfa_console.core.backup.snapshot import SnapshotFacts, take_snapshot
from mfa_console.core.progress import NullProgress, Progress

CHUNK = 8 << 20


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: Manifest

    def to_json(self) -> dict[str, object]:
        return {"file": str(self.path), **self.manifest.to_json()}


def default_name(now: datetime | None = None, prefix: str = "mfa-console") -> str:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    return f"{prefix}-{stamp}{SUFFIX}"


def create_backup(
    source: Path,
    destination: Path,
    *,
    secrets: tuple[str, ...] = (),
    progress: Progress | None = None,
    data_key: str = "",
) -> BackupResult:
    """Back up the live data file ``source`` to ``destination`` (a file, or a folder for a
    default name). ``secrets`` are keyring entry names the manifest lists for a restore elsewhere.
    """
    progress = progress or NullProgress()
    if not source.is_file():
        raise BackupError(f"There is no data file at {source} to back up.")
    if destination.is_dir():
        destination = destination / default_name()
    _check_folder(destination.parent)
    _refuse_overwriting_data(source, destination)
    partial = files.temp_name(destination, "partial")
    try:
        facts = take_snapshot(source, partial, progress)
        manifest = _finish(partial, _manifest(source, facts, secrets, data_key), progress)
        step(progress, 1, 1, "Saving the backup")
        os.replace(partial, destination)
        files.fsync_dir(destination.parent)
    except OSError as exc:
        raise BackupError(
            f"Cannot write the backup {destination}: {exc.strerror or exc}.",
            hint="Check the free space and that you may write to that folder.",
        ) from None
    finally:
        files.remove_quietly([partial, *files.sqlite_companions(partial)])
    return BackupResult(destination, manifest)


def _check_folder(folder: Path) -> None:
    if not folder.is_dir():
        raise BackupError(
            f"The folder {folder} does not exist.", hint="Choose an existing folder for the backup."
        )


def _refuse_overwriting_data(source: Path, destination: Path) -> None:
    data = source.resolve()
    own = {data, *(p.resolve() for p in files.sqlite_companions(data))}
    if destination.resolve() in own:
        raise BackupError(
            f"{destination} is the data file itself (or one of its companion files).",
            hint="Choose another name or folder for the backup.",
        )


def _manifest(
    source: Path, facts: SnapshotFacts, secrets: tuple[str, ...], data_key: str
) -> Manifest:
    return Manifest(
        program_version=__version__,
        schema_revisions=facts.schema_revisions,
        user_count=facts.user_count,
        sha256="",
        size=0,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        source=str(source),
        host=socket.gethostname(),
        install_id=facts.install_id,
        secrets=tuple(secrets),
        data_key=data_key,
    )


def _finish(partial: Path, base: Manifest, progress: Progress) -> Manifest:
    """Hash the snapshot (one read), append its manifest, and make the file durable."""
    digest, size = hashlib.sha256(), 0
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    with partial.open("r+b", buffering=0) as handle:
        total = handle.seek(0, 2)
        handle.seek(0)
        while count := handle.readinto(buffer):
            digest.update(view[:count])
            size += count
            step(progress, size, total, "Writing the backup")
        manifest = replace(base, sha256=digest.hexdigest(), size=size)
        append_manifest(handle, manifest)
        files.fsync_fd(handle.fileno())
    return manifest
