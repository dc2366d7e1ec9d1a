"""A real, small file system for full-disk tests: a tmpfs the test mounts (root only).

``SmallDisk.fill()`` takes every free block with a filler file, ``free(n)`` gives ``n`` bytes
back. Where mounting is not allowed (not root, a container without the capability) the tests that
need it are skipped with the reason.
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


class SmallDisk:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.filler = root / ".filler"

    def fill(self, leave: int = 0) -> None:
        """Take all the free space but ``leave`` bytes (rounded to blocks)."""
        block = os.statvfs(self.root).f_bsize
        with self.filler.open("ab") as handle:
            chunk = b"\0" * (1 << 16)
            while True:
                free = os.statvfs(self.root).f_bavail * block
                if free <= leave:
                    break
                try:
                    handle.write(chunk[: max(block, min(len(chunk), free - leave))])
                    handle.flush()
                except OSError as exc:
                    assert exc.errno == errno.ENOSPC
                    break

    def free(self) -> None:
        self.filler.unlink(missing_ok=True)


@contextmanager
def mount_small_disk(where: Path, size: str = "8m") -> Iterator[SmallDisk]:
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(where)],
        capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({done.stderr.strip() or 'not root'})")
    try:
        yield SmallDisk(where)
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[SmallDisk]:
    with mount_small_disk(tmp_path / "disk") as disk:
        yield disk
