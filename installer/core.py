"""Install, upgrade and uninstall MFA Console (no Qt: the wizard, unattended setup and the
uninstaller all call these functions).

Installing copies the payload into a staging folder inside the target (reporting files copied out
of the total), then swaps it in: an upgrade removes only the files the previous manifest lists and
keeps everything else, above all the data file, which the new console then migrates.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from installer import PRODUCT, launchers, requirements
from installer.manifest import (
    InstalledFile,
    Manifest,
    manifest_path,
    read_manifest,
    require_manifest,
    write_manifest,
)
from installer.payload import Entry, Payload
from mfa_console import __version__
from mfa_console.core import paths
from mfa_console.core.errors import ConsoleError
from mfa_console.core.progress import NullProgress, Progress, check_cancel

STAGING = ".setup-staging"
MIGRATE_TIMEOUT = 600


class RequirementsError(ConsoleError):
    """The computer or the chosen folder does not meet the requirements; nothing was written."""

    def __init__(self, checks: list[requirements.Check]) -> None:
        self.checks = checks
        super().__init__(" ".join(check.text for check in checks if not check.ok))


@dataclass
class InstallResult:
    target: Path
    version: str
    upgraded_from: str | None
    files: int
    launchers: list[str]
    migration: str = ""  # what happened to the data file, in words ("" when there was none)
    warnings: list[str] = field(default_factory=list)


def outcome(result: InstallResult) -> str:
    """One sentence for the administrator: what was installed where."""
    if result.upgraded_from:
        return (
            f"{PRODUCT} was upgraded from {result.upgraded_from} to {result.version} in "
            f"{result.target}"
        )
    return f"{PRODUCT} {result.version} was installed in {result.target}"


def default_target() -> Path:
    """The platform's usual folder for a per-user (or, as root on Linux, system) installation."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "Programs" / "MFA Console"
    if sys.platform == "darwin":
        return Path.home() / "Applications" / "MFA Console"
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return Path("/opt/mfa-console")
    return Path.home() / ".local" / "opt" / "mfa-console"


def default_data_file() -> Path:
    """The data file the installed console opens by default (MFA_CONSOLE_DATA if it names one)."""
    named = os.environ.get(paths.DATA_ENV, "")
    if named and "://" not in named:
        return Path(named)
    return paths.default_data_file()


def install(
    payload: Payload,
    target: Path,
    progress: Progress | None = None,
    *,
    version: str = __version__,
    data_file: Path | None = None,
    free: Callable[[Path], int] = requirements.disk_free,
) -> InstallResult:
    """Install (or upgrade) the console from ``payload`` into ``target``."""
    progress = progress or NullProgress()
    target = target.expanduser().absolute()
    checks = requirements.check_all(target, payload.installed_size(), free)
    if not all(check.ok for check in checks):
        raise RequirementsError(checks)
    previous = read_manifest(target)
    installed = _stage(payload, target, progress)
    _replace(previous, target, installed)
    old_version = previous.version if previous else None
    result = InstallResult(target, version, old_version, len(installed), [])
    _register(result, Manifest(version=version, files=installed))
    result.migration = migrate_data(target, data_file or default_data_file())
    return result


def _stage(payload: Payload, target: Path, progress: Progress) -> list[InstalledFile]:
    """Copy the payload beside the current files; on any failure nothing is left behind."""
    staging = target / STAGING
    try:
        return _extract(payload, payload.entries(), staging, progress)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        _remove_if_empty(target)
        raise


def _replace(previous: Manifest | None, target: Path, installed: list[InstalledFile]) -> None:
    """Swap the staged files in, removing what the previous installation listed."""
    try:
        if previous is not None:
            _remove_files(target, [f.path for f in previous.files])
            launchers.remove_launchers(previous.launchers)
        _swap_in(target / STAGING, target, [f.path for f in installed])
    except OSError as exc:
        raise ConsoleError(
            f"The program files in {target} could not be replaced ({exc}).",
            hint="Close MFA Console if it is running, then run the setup again.",
        ) from exc


def _register(result: InstallResult, manifest: Manifest) -> None:
    """Write the manifest and make the launcher (the manifest first, so all is undoable)."""
    write_manifest(result.target, manifest)
    try:
        manifest.launchers = launchers.create_launchers(result.target, result.version)
    except (OSError, subprocess.CalledProcessError) as exc:
        result.warnings.append(f"The launcher could not be created ({exc}).")
    write_manifest(result.target, manifest)
    result.launchers = manifest.launchers


def _extract(
    payload: Payload, entries: list[Entry], staging: Path, progress: Progress
) -> list[InstalledFile]:
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    installed = []
    total = len(entries)
    for done, entry in enumerate(entries, start=1):
        check_cancel(progress)
        dest = staging / entry.path
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            digest = payload.extract(entry, dest)
        except OSError as exc:
            raise ConsoleError(
                f"Copying {entry.path} failed: {exc.strerror or exc}.",
                hint="Free some space or choose another folder, then run the setup again.",
            ) from exc
        installed.append(InstalledFile(entry.path, entry.size, digest))
        progress.report(done, total, f"Copying {entry.path}")
    return installed


def _swap_in(staging: Path, target: Path, names: list[str]) -> None:
    for name in names:
        dest = target / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.is_dir() and not dest.is_symlink():
            shutil.rmtree(dest)
        os.replace(staging / name, dest)
    shutil.rmtree(staging, ignore_errors=True)


def _remove_files(target: Path, names: list[str]) -> list[str]:
    """Remove the listed files and the folders they leave empty; returns those that stayed."""
    left = []
    for name in names:
        path = target / name
        try:
            if path.is_symlink() or path.is_file():
                path.unlink()
        except OSError:
            left.append(name)
    folders = {p for name in names for p in (target / name).parents if _inside(p, target)}
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        _remove_if_empty(folder)
    return left


def _inside(path: Path, root: Path) -> bool:
    return path != root and root in path.parents


def _remove_if_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):
        folder.rmdir()


@dataclass
class UninstallResult:
    target: Path
    removed: int
    left: list[str]
    data_removed: Path | None


def uninstall(
    target: Path, *, remove_data: bool = False, data_file: Path | None = None
) -> UninstallResult:
    """Remove exactly what the manifest lists; the data file only when ``remove_data`` is set."""
    target = target.expanduser().absolute()
    manifest = require_manifest(target)
    names = [f.path for f in manifest.files]
    left = _remove_files(target, names)
    left += launchers.remove_launchers(manifest.launchers)
    manifest_path(target).unlink(missing_ok=True)
    _remove_if_empty(target)
    removed_data = None
    if remove_data:
        removed_data = _remove_data_file(data_file or default_data_file())
    if left and sys.platform == "win32":
        _schedule_windows_cleanup(target, left)
    return UninstallResult(target, len(names) - len(left), left, removed_data)


def _remove_data_file(data: Path) -> Path | None:
    if not data.exists():
        return None
    for path in (data, Path(f"{data}-wal"), Path(f"{data}-shm"), Path(f"{data}-journal")):
        path.unlink(missing_ok=True)
    return data


def _schedule_windows_cleanup(target: Path, left: list[str]) -> None:
    """Windows cannot delete the running uninstaller: a detached shell does it once it exits.

    It deletes only the listed files, then the folders that leaves empty (``rmdir`` without /s
    refuses a folder that still holds anything, such as files we did not install).
    """
    files = [target / name for name in left if not name.startswith("registry:")]
    folders = {p for f in files for p in f.parents if p == target or _inside(p, target)}
    steps = ["ping -n 3 127.0.0.1 >nul"]
    steps += [f'del /f /q "{f}" 2>nul' for f in files]
    steps += [
        f'rmdir "{d}" 2>nul' for d in sorted(folders, key=lambda p: len(p.parts), reverse=True)
    ]
    flags = getattr(subprocess, "DETACHED_PROCESS", 0) | getattr(
        subprocess, "CREATE_NEW_PROCESS_GROUP", 0
    )
    subprocess.Popen(["cmd", "/c", " & ".join(steps)], creationflags=flags, close_fds=True)


def clean_env() -> dict[str, str]:
    """The environment for starting the installed console from the (frozen) setup.

    A PyInstaller program sets variables its children would inherit (its own library path, its
    unpacked folder); the installed console is a separate program and must start afresh.
    """
    env = dict(os.environ)
    env["PYINSTALLER_RESET_ENVIRONMENT"] = "1"
    for name in ("LD_LIBRARY_PATH", "DYLD_LIBRARY_PATH"):
        original = env.pop(f"{name}_ORIG", None)
        if original is not None:
            env[name] = original
        elif getattr(sys, "frozen", False):
            env.pop(name, None)
    for name in ("QT_PLUGIN_PATH", "QML2_IMPORT_PATH", "PYTHONHOME", "PYTHONPATH"):
        if getattr(sys, "frozen", False):
            env.pop(name, None)
    return env


def migrate_data(target: Path, data_file: Path) -> str:
    """Open the data file once with the installed console, which brings its schema up to date."""
    if not data_file.exists():
        return ""
    exe = launchers.console_executable(target)
    if not exe.exists():
        return "The data file was not migrated: the console executable is missing."
    # `users list` opens the file without a window; consoles without it fall back to a screenshot.
    attempts = [["users", "list", "--json"], ["--screenshot", "", "--size", "320x240"]]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for args in attempts:
                args = [a or str(Path(tmp) / "check.png") for a in args]
                done = _run_console(exe, ["--data", str(data_file), *args])
                if done.returncode != 2:
                    break
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"The data file was not migrated now ({exc}); the console migrates it when it opens."
    if done.returncode == 0:
        return f"The data file {data_file} was opened and brought up to date."
    reason = (done.stderr or "").strip().splitlines()[-1:] or ["no reason given"]
    return f"The data file {data_file} could not be brought up to date: {reason[0]}"


def _run_console(exe: Path, args: list[str]) -> subprocess.CompletedProcess[str]:
    env = clean_env()
    env["QT_QPA_PLATFORM"] = "offscreen"
    return subprocess.run(
        [str(exe), *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=MIGRATE_TIMEOUT,
        check=False,
    )


def launch_console(target: Path) -> subprocess.Popen[bytes]:
    """Start the installed console on its own (its first run shows the configuration wizard)."""
    exe = launchers.console_executable(target)
    kwargs: dict = {"cwd": str(target), "env": clean_env(), "close_fds": True}
    if sys.platform == "win32":
        kwargs["creationflags"] = getattr(subprocess, "DETACHED_PROCESS", 0)
    else:
        kwargs["start_new_session"] = True
    return subprocess.Popen(
        [str(exe)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        **kwargs,
    )
