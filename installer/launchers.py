"""Launchers outside the install folder: a .desktop entry, a Start menu shortcut, an app bundle.

Each ``create_*`` returns what it made (paths, and on Windows a registry key as ``registry:KEY``)
so the manifest can list it and the uninstaller can remove exactly that.
"""

from __future__ import annotations

import contextlib
import os
import plistlib
import shutil
import subprocess
import sys
from pathlib import Path

from installer import PRODUCT

DESKTOP_FILE = "mfa-console.desktop"
ICON_FILE = "mfa-console.svg"
UNINSTALL_KEY = r"Software\Microsoft\Windows\CurrentVersion\Uninstall\MFA Console"


def console_executable(target: Path) -> Path:
    return target / ("mfa-console.exe" if sys.platform == "win32" else "mfa-console")


def uninstaller_executable(target: Path) -> Path:
    return target / ("uninstall.exe" if sys.platform == "win32" else "uninstall")


def create_launchers(target: Path, version: str) -> list[str]:
    """Make the platform's launcher for the console installed in ``target``."""
    if sys.platform == "win32":
        return _windows_shortcut(target, version)
    if sys.platform == "darwin":
        return _mac_bundle(target, version)
    return _linux_desktop_entry(target, version)


def remove_launchers(items: list[str]) -> list[str]:
    """Remove what ``create_launchers`` made; returns the items that could not be removed."""
    left = []
    for item in items:
        try:
            _remove(item)
        except OSError:
            left.append(item)
    return left


def applications_dir() -> Path:
    """Where per-user .desktop entries go (the XDG data folder's ``applications``)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "applications"


def desktop_quote(path: Path) -> str:
    """A path as the Desktop Entry specification wants it in Exec: quoted and escaped."""
    text = str(path)
    for char in ("\\", '"', "`", "$"):
        text = text.replace(char, "\\" + char)
    return '"' + text.replace("%", "%%") + '"'


def desktop_entry(target: Path, version: str) -> str:
    return "\n".join(
        [
            "[Desktop Entry]",
            "Type=Application",
            f"Name={PRODUCT}",
            "GenericName=Two-step verification administration",
            "Comment=Users enrolled for two-step verification, directory sync, activation, backup",
            f"Exec={desktop_quote(console_executable(target))}",
            f"Path={target}",
            f"Icon={target / ICON_FILE}",
            "Terminal=false",
            "Categories=System;Security;Qt;",
            f"X-MFA-Console-Version={version}",
            "",
        ]
    )


def _linux_desktop_entry(target: Path, version: str) -> list[str]:
    folder = applications_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / DESKTOP_FILE
    path.write_text(desktop_entry(target, version), encoding="utf-8")
    path.chmod(0o755)  # some desktops only trust executable launchers
    if shutil.which("update-desktop-database"):
        subprocess.run(["update-desktop-database", str(folder)], capture_output=True, check=False)
    return [str(path)]


def _windows_shortcut(target: Path, version: str) -> list[str]:
    programs = Path(os.environ["APPDATA"]) / "Microsoft" / "Windows" / "Start Menu" / "Programs"
    programs.mkdir(parents=True, exist_ok=True)
    link = programs / f"{PRODUCT}.lnk"
    # WScript.Shell makes .lnk files without any extra Python package.
    script = (
        "$s = (New-Object -ComObject WScript.Shell).CreateShortcut($env:MFA_LNK); "
        "$s.TargetPath = $env:MFA_EXE; $s.WorkingDirectory = $env:MFA_DIR; "
        "$s.IconLocation = $env:MFA_EXE; $s.Save()"
    )
    env = dict(os.environ, MFA_LNK=str(link), MFA_EXE=str(console_executable(target)))
    env["MFA_DIR"] = str(target)
    subprocess.run(
        ["powershell", "-NoProfile", "-NonInteractive", "-Command", script],
        env=env,
        capture_output=True,
        check=True,
    )
    return [str(link), *_windows_uninstall_entry(target, version)]


def _windows_uninstall_entry(target: Path, version: str) -> list[str]:
    """Apps & features lists the console and runs its uninstaller (per user, no admin rights)."""
    import winreg  # type: ignore[import-not-found,unused-ignore]

    with winreg.CreateKey(winreg.HKEY_CURRENT_USER, UNINSTALL_KEY) as key:  # type: ignore[attr-defined,unused-ignore]
        values = {
            "DisplayName": PRODUCT,
            "DisplayVersion": version,
            "Publisher": PRODUCT,
            "InstallLocation": str(target),
            "DisplayIcon": str(console_executable(target)),
            "UninstallString": f'"{uninstaller_executable(target)}"',
        }
        for name, value in values.items():
            winreg.SetValueEx(key, name, 0, winreg.REG_SZ, value)  # type: ignore[attr-defined,unused-ignore]
        winreg.SetValueEx(key, "NoModify", 0, winreg.REG_DWORD, 1)  # type: ignore[attr-defined,unused-ignore]
    return [f"registry:{UNINSTALL_KEY}"]


def _mac_bundle(target: Path, version: str) -> list[str]:
    """A small app bundle in ~/Applications whose executable starts the installed console."""
    bundle = Path.home() / "Applications" / f"{PRODUCT}.app"
    macos = bundle / "Contents" / "MacOS"
    macos.mkdir(parents=True, exist_ok=True)
    script = macos / "mfa-console"
    quoted = str(console_executable(target)).replace("'", "'\\''")
    script.write_text(f"#!/bin/sh\nexec '{quoted}' \"$@\"\n", encoding="utf-8")
    script.chmod(0o755)
    info = {
        "CFBundleName": PRODUCT,
        "CFBundleDisplayName": PRODUCT,
        "CFBundleIdentifier": "org.mfa-console.launcher",
        "CFBundleExecutable": "mfa-console",
        "CFBundlePackageType": "APPL",
        "CFBundleShortVersionString": version,
        "LSMinimumSystemVersion": "11.0",
    }
    with open(bundle / "Contents" / "Info.plist", "wb") as out:
        plistlib.dump(info, out)
    return [str(bundle)]


def _remove(item: str) -> None:
    if item.startswith("registry:"):
        import winreg  # type: ignore[import-not-found,unused-ignore]

        with contextlib.suppress(FileNotFoundError):
            winreg.DeleteKey(winreg.HKEY_CURRENT_USER, item.removeprefix("registry:"))  # type: ignore[attr-defined,unused-ignore]
        return
    path = Path(item)
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
