"""The payload: the frozen console the setup installs, read from a zip archive or a folder.

The build packs the console's folder into ``payload.zip`` (symbolic links and Unix modes kept);
the setup reads it entry by entry so the Installing page can show files copied out of the total.
A plain folder works too, which is what developers and the wizard's tests use.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from mfa_console.core.errors import ConsoleError

PAYLOAD_NAME = "payload.zip"
_CHUNK = 1 << 20


class PayloadError(ConsoleError):
    """The setup's payload is missing or damaged."""


@dataclass(frozen=True)
class Entry:
    """One file of the payload: its relative POSIX path, size, mode and link target."""

    path: str
    size: int
    mode: int
    link: str | None = None


class Payload:
    """The files to install; ``entries()`` lists them, ``extract(entry, dest)`` writes one.

    ``extract`` returns the SHA-256 of what it wrote (of the link text for a symbolic link), which
    the install manifest records.
    """

    def entries(self) -> list[Entry]:
        raise NotImplementedError

    def extract(self, entry: Entry, dest: Path) -> str:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def installed_size(self) -> int:
        return sum(entry.size for entry in self.entries())


class ZipPayload(Payload):
    def __init__(self, path: Path) -> None:
        try:
            self._zip = zipfile.ZipFile(path)
        except (OSError, zipfile.BadZipFile) as exc:
            raise PayloadError(
                f"The setup's payload {path.name} cannot be read ({exc}).",
                hint="Download the setup again; the file may be incomplete.",
            ) from exc
        self._infos = {info.filename: info for info in self._zip.infolist() if not info.is_dir()}

    def entries(self) -> list[Entry]:
        return [_zip_entry(info, self._zip) for info in self._infos.values()]

    def extract(self, entry: Entry, dest: Path) -> str:
        if entry.link is not None:
            return _make_link(entry.link, dest)
        with self._zip.open(self._infos[entry.path]) as src:
            digest = copy_hashing(src, dest)
        os.chmod(dest, entry.mode or 0o644)
        return digest

    def close(self) -> None:
        self._zip.close()


class FolderPayload(Payload):
    def __init__(self, root: Path) -> None:
        if not root.is_dir():
            raise PayloadError(f"The payload folder {root} does not exist.")
        self.root = root

    def entries(self) -> list[Entry]:
        return [_folder_entry(self.root, path) for path in sorted(_walk(self.root))]

    def extract(self, entry: Entry, dest: Path) -> str:
        if entry.link is not None:
            return _make_link(entry.link, dest)
        with open(self.root / entry.path, "rb") as src:
            digest = copy_hashing(src, dest)
        os.chmod(dest, entry.mode)
        return digest


def open_payload(path: Path) -> Payload:
    """A zip archive or a folder, whichever ``path`` is."""
    if path.is_dir():
        return FolderPayload(path)
    if not path.exists():
        raise PayloadError(
            f"The setup's payload {path} is missing.",
            hint="Build the setup with `python -m installer.build`, or pass --payload.",
        )
    return ZipPayload(path)


def write_zip(root: Path, archive: Path, extra: dict[str, Path], level: int = 6) -> int:
    """Pack the folder ``root`` (plus ``extra`` files at given names) into ``archive``."""
    count = 0
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for path in sorted(_walk(root)):
            _add(zf, root / path, path)
            count += 1
        for name, source in extra.items():
            _add(zf, source, name)
            count += 1
    return count


def _add(zf: zipfile.ZipFile, source: Path, name: str) -> None:
    if source.is_symlink():
        info = zipfile.ZipInfo(name)
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        info.create_system = 3  # Unix, so the mode bits are read back
        zf.writestr(info, os.readlink(source))
        return
    zf.write(source, name)


def _walk(root: Path) -> Iterator[str]:
    for dirpath, dirnames, filenames in os.walk(root):
        base = Path(dirpath)
        for name in filenames + [d for d in dirnames if (base / d).is_symlink()]:
            yield (base / name).relative_to(root).as_posix()


def _zip_entry(info: zipfile.ZipInfo, zf: zipfile.ZipFile) -> Entry:
    _check_name(info.filename)
    mode = (info.external_attr >> 16) & 0o177777
    if stat.S_ISLNK(mode):
        link = zf.read(info).decode()
        _check_name(posixpath.normpath(posixpath.join(posixpath.dirname(info.filename), link)))
        return Entry(info.filename, 0, 0o777, link)
    return Entry(info.filename, info.file_size, stat.S_IMODE(mode) or 0o644)


def _folder_entry(root: Path, name: str) -> Entry:
    path = root / name
    if path.is_symlink():
        return Entry(name, 0, 0o777, os.readlink(path))
    st = path.stat()
    return Entry(name, st.st_size, stat.S_IMODE(st.st_mode))


def _check_name(name: str) -> None:
    pure = PurePosixPath(name)
    if pure.is_absolute() or ".." in pure.parts:
        raise PayloadError(f"The setup's payload is damaged: unsafe file name {name!r}.")


def copy_hashing(src: IO[bytes], dest: Path) -> str:
    """Copy an open file to ``dest`` and return the SHA-256 of its bytes."""
    digest = hashlib.sha256()
    with open(dest, "wb") as out:
        while chunk := src.read(_CHUNK):
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def file_digest(path: Path) -> str:
    """The SHA-256 the manifest records: of the bytes, or of the link text for a link."""
    if path.is_symlink():
        return hashlib.sha256(os.readlink(path).encode()).hexdigest()
    with open(path, "rb") as src:
        return hashlib.file_digest(src, "sha256").hexdigest()


def _make_link(target: str, dest: Path) -> str:
    if os.name == "nt":  # links need privileges there; PyInstaller makes none on Windows anyway
        raise PayloadError(f"The payload holds a symbolic link ({dest.name}) Windows cannot make.")
    os.symlink(target, dest)
    return hashlib.sha256(target.encode()).hexdigest()
