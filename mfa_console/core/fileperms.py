"""Who may read the console's files: the owner, and a group only when one is configured.

The data file, its ``-wal``/``-shm``, backups, safety backups and logs hold phone numbers, PIN
hashes and the audit trail: nobody else on the machine may read them. Files are created 0600 and
folders 0700.

**A shared group.** The background service's account and the administrators may share one data
file. The group is configured on the folder, the usual POSIX way: give the folder that group and
the setgid bit (``chgrp mfa-admins DIR && chmod 2770 DIR``). In such a folder the system gives new
files the folder's group, and the console creates them 0660 (folders 2770) so that every member
can read and write them. No setting in the data file is needed, and every process sees the same
answer.

**Existing files** are tightened when opened (the data file and its companions, every file of a
backup folder the console writes): permissions for others are removed, and group permissions too
unless the folder is shared. What cannot be changed (a file of another owner) is returned as a
sentence the Status pane shows.

**Windows** has no mode bits: files and folders get an explicit ACL (inheritance removed) for the
owner, Administrators, SYSTEM and the service account named by ``MFA_CONSOLE_SERVICE_ACCOUNT``,
set with ``icacls``. That code path is not exercised by the tests (they run on Linux).
"""

from __future__ import annotations

import contextlib
import os
import stat
import subprocess
import sys
from pathlib import Path

SERVICE_ACCOUNT_ENV = "MFA_CONSOLE_SERVICE_ACCOUNT"
PRIVATE_FILE, SHARED_FILE = 0o600, 0o660
PRIVATE_DIR = 0o700
_WINDOWS = sys.platform == "win32"


def shared(folder: Path) -> bool:
    """True when ``folder`` is set up for a group (setgid bit): files there are 0660."""
    if _WINDOWS:
        return False
    try:
        return bool(folder.stat().st_mode & stat.S_ISGID)
    except OSError:
        return False


def file_mode(folder: Path) -> int:
    return SHARED_FILE if shared(folder) else PRIVATE_FILE


def create_file(path: Path) -> None:
    """Create the empty file ``path`` (it must not exist) with the folder's private mode."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, file_mode(path.parent))
    try:
        if sys.platform != "win32":  # (a check mypy follows on every platform)
            os.fchmod(fd, file_mode(path.parent))  # the umask may have dropped group bits
    finally:
        os.close(fd)
    if _WINDOWS:
        _windows_acl(path)


def make_dirs(folder: Path) -> None:
    """``mkdir -p`` where every folder created is private (or shared, below a shared folder)."""
    missing = []
    current = folder
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    for path in reversed(missing):
        group = shared(path.parent)
        try:
            path.mkdir(mode=0o770 if group else 0o700)
        except FileExistsError:
            continue
        if _WINDOWS:
            _windows_acl(path)
        else:
            _set_dir_mode(path, group)


def _set_dir_mode(path: Path, group: bool) -> None:
    """0700, or 0770 keeping the setgid bit the folder inherited (Linux gives it to folders made
    in a setgid folder). A chmod refused (a sandbox forbidding setgid modes) is left to
    ``tighten`` to report."""
    current = stat.S_IMODE(path.stat().st_mode)
    want = ((current | 0o770) & ~0o007) if group else PRIVATE_DIR
    if want != current:
        with contextlib.suppress(PermissionError):
            os.chmod(path, want)


def tighten(path: Path) -> str | None:
    """Remove what others (and an unconfigured group) may do with ``path``; the problem, if any."""
    if _WINDOWS:
        return _windows_acl(path)
    try:
        current = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"Cannot check who may read {path}: {exc.strerror}."
    allowed = 0o7770 if shared(path.parent) else 0o7700
    if not current & ~allowed:
        return None
    try:
        os.chmod(path, current & allowed)
    except OSError as exc:
        return (
            f"{path} can be read by other users of this computer and its permissions cannot be "
            f"changed ({exc.strerror}): run `chmod o-rwx` on it as its owner."
        )
    return None


def tighten_all(paths: list[Path]) -> list[str]:
    return [problem for path in paths if (problem := tighten(path))]


def _windows_acl(path: Path) -> str | None:  # pragma: no cover - Windows only
    """Replace ``path``'s ACL: full control for the owner, Administrators, SYSTEM, the service."""
    user = os.environ.get("USERNAME", "")
    grants = ["*S-1-5-32-544:(F)", "*S-1-5-18:(F)"]  # Administrators, SYSTEM
    if user:
        grants.append(f"{user}:(F)")
    if service := os.environ.get(SERVICE_ACCOUNT_ENV):
        grants.append(f"{service}:(F)")
    if path.is_dir():
        grants = [g.replace(":(F)", ":(OI)(CI)(F)") for g in grants]
    command = ["icacls", str(path), "/inheritance:r"]
    for grant in grants:
        command += ["/grant:r", grant]
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"Cannot restrict who may read {path} ({exc})."
    return None
