"""Build the one-file setup for this platform: ``python -m installer.build`` (or the file itself).

1. PyInstaller freezes the console into a folder (``console.spec``: mfa-console + uninstall).
2. The folder, the licence and the icon are packed into ``payload.zip``.
3. PyInstaller freezes the setup into one file with ``payload.zip`` inside (``setup.spec``).

The setup lands in ``dist/`` (or ``--dist DIR``); work files go to ``build/installer/``.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from installer.launchers import ICON_FILE
from installer.payload import PAYLOAD_NAME, write_zip
from mfa_console import __version__

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "installer"
ICON = ROOT / "resources" / "icons" / ICON_FILE


def setup_name(version: str = __version__) -> str:
    system = {"win32": "windows", "darwin": "macos"}.get(sys.platform, sys.platform)
    suffix = ".exe" if sys.platform == "win32" else ""
    return f"mfa-console-setup-{version}-{system}-{platform.machine().lower()}{suffix}"


def build(dist: Path, work: Path, log_level: str = "WARN") -> Path:
    """Build the setup; returns its path.

    The setup's own analysis runs beside the console's build (two cores are common even on CI);
    it waits for ``payload.zip`` before it writes the setup file.
    """
    work.mkdir(parents=True, exist_ok=True)
    payload, ready = work / PAYLOAD_NAME, work / "payload.ready"
    ready.unlink(missing_ok=True)
    name = setup_name().removesuffix(".exe")
    setup = _start(
        HERE / "setup.spec", dist, work / "setup-work", log_level, [payload, ready, name]
    )
    try:
        started = time.monotonic()
        console_dist = work / "console"
        console = _start(HERE / "console.spec", console_dist, work / "console-work", log_level, [])
        _check(console, "console.spec")
        count = write_zip(
            console_dist / "mfa-console",
            payload,
            {"LICENSE": ROOT / "LICENSE", ICON_FILE: ICON},
            level=1,
        )
        ready.touch()
        size = payload.stat().st_size / 2**20
        print(f"payload: {count} files, {size:.0f} MB after {time.monotonic() - started:.0f} s")
        _check(setup, "setup.spec")
    finally:
        if setup.poll() is None:
            setup.kill()
            setup.wait()
    return dist / setup_name()


def _start(
    spec: Path, dist: Path, work: Path, log_level: str, extra: list[Path | str]
) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm"]
    command += ["--distpath", str(dist), "--workpath", str(work), "--log-level", log_level]
    command += [str(spec)]
    if extra:
        command += ["--", *map(str, extra)]
    # Level 6 packs PySide6 as small as level 9 (PyInstaller's default) in half the time.
    env = dict(os.environ, PYINSTALLER_ZLIB_COMPRESSION_LEVEL="6")
    return subprocess.Popen(command, cwd=ROOT, env=env)


def _check(process: subprocess.Popen[bytes], spec: str) -> None:
    if process.wait():
        raise subprocess.CalledProcessError(process.returncode, ["PyInstaller", spec])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the MFA Console setup for this platform.")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where the setup goes")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "installer")
    parser.add_argument("--log-level", default="WARN", help="PyInstaller's log level")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        setup = build(args.dist, args.work, args.log_level)
    except subprocess.CalledProcessError as exc:
        print(f"build: PyInstaller failed (exit {exc.returncode}); see its messages above.")
        return 1
    size = setup.stat().st_size / 2**20
    print(f"{setup} ({size:.0f} MB) built in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
