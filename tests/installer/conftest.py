"""Installer fixtures: the real setup built once per session (cached by a hash of the sources),
a per-test XDG data folder for launchers and the default data file, small file systems."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.services.shared import locked

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("mfa_console", "installer", "resources/icons", "LICENSE", "pyproject.toml")


def sources_hash() -> str:
    """Changes whenever anything that goes into the setup changes."""
    import PyInstaller

    digest = hashlib.sha256(f"{sys.version} {PyInstaller.__version__}".encode())
    for name in SOURCES:
        base = ROOT / name
        files = [base] if base.is_file() else sorted(base.rglob("*"))
        for path in files:
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(ROOT).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@pytest.fixture(scope="session")
def setup_exe() -> Path:
    """The one-file setup for this platform, built by installer/build.py (once per source state;
    a lock makes the other test workers, or another run in this checkout, wait for it)."""
    from installer.build import build, setup_name

    cache = ROOT / "build" / "installer-test"
    here = cache / sources_hash()
    exe = here / "dist" / setup_name()
    with locked(ROOT / "build" / "installer-test.lock"):
        if not exe.exists():
            if cache.exists():
                shutil.rmtree(cache)  # keep only the build of the current sources
            build(here / "dist", here / "work")
    return exe


def clean_env(xdg: Path) -> dict[str, str]:
    """An environment like an administrator's: no virtual environment, no source tree."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(XDG_DATA_HOME=str(xdg), QT_QPA_PLATFORM="offscreen")
    env.pop("MFA_CONSOLE_DATA", None)
    return env


@pytest.fixture
def xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """XDG_DATA_HOME for this test: launchers and the default data file land there."""
    path = tmp_path / "xdg"
    monkeypatch.setenv("XDG_DATA_HOME", str(path))
    monkeypatch.delenv("MFA_CONSOLE_DATA", raising=False)
    return path


def _mount(args: list[str], where: Path) -> bool:
    where.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    done = subprocess.run(["mount", *args, "tmpfs", str(where)], capture_output=True)
    return done.returncode == 0


def _unmount(where: Path) -> None:
    subprocess.run(["umount", str(where)], capture_output=True, check=False)


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder nobody may write to: a read-only tmpfs as root, else one without write rights."""
    where = tmp_path / "read-only"
    if _mount(["-t", "tmpfs", "-o", "size=1m,ro"], where):
        yield where
        _unmount(where)
        return
    where.chmod(0o555)
    yield where
    where.chmod(0o755)


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path | None]:
    """A 2 MB file system (root only); None where it cannot be made (the test then injects the
    free-space figure at the boundary instead)."""
    where = tmp_path / "small-disk"
    if _mount(["-t", "tmpfs", "-o", "size=2m"], where):
        yield where
        _unmount(where)
        return
    yield None


LAUNCH_MARKER_ENV = "MFA_CONSOLE_TEST_LAUNCHED"


@pytest.fixture
def fake_payload(tmp_path: Path) -> Path:
    """A small stand-in for the frozen console (the real one is tested in test_setup_exe.py):
    its ``mfa-console`` only records that it was started, and where."""
    root = tmp_path / "payload"
    (root / "_internal" / "lib").mkdir(parents=True)
    exe = root / "mfa-console"
    exe.write_text(f'#!/bin/sh\necho "$PWD" > "${LAUNCH_MARKER_ENV}"\n')
    exe.chmod(0o755)
    (root / "_internal" / "lib" / "module.txt").write_text("program file\n")
    (root / "_internal" / "base.bin").write_bytes(os.urandom(4096))
    (root / "_internal" / "link.bin").symlink_to("base.bin")
    (root / "mfa-console.svg").write_text((ROOT / "resources/icons/mfa-console.svg").read_text())
    return root
