"""The original's requirements, checked before anything is written, each explained in words.

A folder that can be written to, enough free space (200 MB, or what the payload needs if more),
a 64-bit system and at least 1 GB of memory. The measurements come through small functions that
tests and callers may replace at the boundary (``disk_free``, ``memory``).
"""

from __future__ import annotations

import os
import platform
import shutil
import struct
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mfa_console.core.sysinfo import total_memory

MB = 1024 * 1024
MIN_FREE = 200 * MB
MIN_MEMORY = 1024 * MB


@dataclass(frozen=True)
class Check:
    """One requirement: its name, whether it is met, and a sentence saying why or why not."""

    name: str
    ok: bool
    text: str


def existing_ancestor(target: Path) -> Path:
    """The folder itself if it exists, else the nearest parent that does (where it will be made)."""
    path = target
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def check_folder(target: Path) -> Check:
    name = "Folder"
    if target.exists() and not target.is_dir():
        return Check(name, False, f"{target} is a file, not a folder. Choose another folder.")
    base = existing_ancestor(target)
    try:
        fd, probe = tempfile.mkstemp(prefix=".mfa-console-setup-", dir=base)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return Check(
            name,
            False,
            f"The folder {base} cannot be written to ({reason}). Choose a folder you own, for "
            "example one in your home folder, or run the setup as an administrator.",
        )
    where = "will be created" if base != target else "can be written to"
    return Check(name, True, f"{target} {where}.")


def disk_free(path: Path) -> int:
    return shutil.disk_usage(path).free


def check_space(target: Path, needed: int, free: Callable[[Path], int] = disk_free) -> Check:
    needed = max(needed, MIN_FREE)
    base = existing_ancestor(target)
    try:
        available = free(base)
    except OSError as exc:
        return Check("Disk space", False, f"The free space on {base} cannot be read ({exc}).")
    if available < needed:
        return Check(
            "Disk space",
            False,
            f"Not enough free space: MFA Console needs {_mb(needed)} and the disk holding {base} "
            f"has {_mb(available)} free. Free some space or choose a folder on another disk.",
        )
    return Check("Disk space", True, f"{_mb(available)} free, {_mb(needed)} needed.")


def check_64bit(bits: int | None = None, machine: str | None = None) -> Check:
    bits = bits or struct.calcsize("P") * 8
    machine = machine or platform.machine() or "unknown"
    if bits < 64:
        return Check(
            "64-bit system",
            False,
            f"MFA Console needs a 64-bit system; this one is {bits}-bit ({machine}).",
        )
    return Check("64-bit system", True, f"64-bit ({machine}).")


def physical_memory() -> int | None:
    """Installed memory in bytes, or None where it cannot be read."""
    return total_memory()


def check_memory(memory: Callable[[], int | None] = physical_memory) -> Check:
    total = memory()
    if total is None:
        return Check("Memory", True, "The installed memory could not be read; 1 GB is needed.")
    if total < MIN_MEMORY:
        return Check(
            "Memory",
            False,
            f"MFA Console needs at least 1 GB of memory; this computer has {_mb(total)}.",
        )
    return Check("Memory", True, f"{_mb(total)} installed, 1 GB needed.")


def check_all(
    target: Path,
    needed: int,
    free: Callable[[Path], int] = disk_free,
    memory: Callable[[], int | None] = physical_memory,
) -> list[Check]:
    """Every requirement, in the order the wizard lists them."""
    folder = check_folder(target)
    checks = [folder]
    if folder.ok:
        checks.append(check_space(target, needed, free))
    return [*checks, check_64bit(), check_memory(memory)]


def _mb(size: int) -> str:
    if size >= 10 * 1024 * MB:
        return f"{size / (1024 * MB):.0f} GB"
    return f"{size / MB:,.0f} MB"
