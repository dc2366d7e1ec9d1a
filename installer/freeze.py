"""What the PyInstaller specs share: the Qt parts the console does not use, and how to drop them.

The console needs QtCore, QtGui and QtWidgets with the desktop platform plugins (xcb, Wayland,
offscreen on Linux). PySide6's hooks also bring plugins for kiosk displays, TLS, the GTK theme and
the libraries only those use; ``lean_binaries`` leaves them out.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path, PurePosixPath

_UNUSED_QT = (
    "QtNetwork QtQml QtQuick QtQuickControls2 QtQuickTest QtQuickWidgets QtOpenGL QtOpenGLWidgets "
    "QtDesigner QtHelp QtTest QtUiTools QtSql QtXml QtConcurrent QtDBus QtLabsStyleKit "
    "QtQmlFeatures QtPrintSupport QtSvgWidgets"
)
EXCLUDED_QT = [f"PySide6.{name}" for name in _UNUSED_QT.split(" ")]
EXCLUDED_ALWAYS = ["tkinter", "_tkinter", "unittest", "pydoc", "test", "lib2to3", "IPython"]

_PLUGINS = "PySide6/Qt/plugins/"
DROPPED_PLUGIN_DIRS = ("tls", "networkinformation", "egldeviceintegrations", "generic")
DROPPED_PLUGINS = (
    "platforms/libqeglfs.so",
    "platforms/libqlinuxfb.so",
    "platforms/libqminimalegl.so",
    "platforms/libqvkkhrdisplay.so",
    "platforms/libqvnc.so",
    "platformthemes/libqgtk3.so",
)


def _dropped(dest: str) -> bool:
    path = dest.replace("\\", "/")
    if not path.startswith(_PLUGINS):
        return False
    rest = path[len(_PLUGINS) :]
    return rest.split("/")[0] in DROPPED_PLUGIN_DIRS or rest in DROPPED_PLUGINS


def make_lean(analysis) -> None:  # type: ignore[no-untyped-def]
    """Drop the unused plugins from a PyInstaller Analysis, and on Linux the libraries only they
    need (with the links to them)."""
    binaries = analysis.binaries
    kept = [entry for entry in binaries if not _dropped(entry[0])]
    gone = {PurePosixPath(entry[0]).name for entry in binaries if _dropped(entry[0])}
    if sys.platform.startswith("linux"):
        imported = _closure(binaries)
        roots = [e for e in kept if PurePosixPath(e[0]).name not in imported]
        needed = _closure(roots)
        gone |= {PurePosixPath(e[0]).name for e in kept if _unneeded(e, imported, needed)}
        kept = [e for e in kept if not _unneeded(e, imported, needed)]
    analysis.binaries = [e for e in kept if not _link_to(e, gone)]
    analysis.datas = [e for e in analysis.datas if not _link_to(e, gone)]


def _unneeded(entry: tuple, imported: set[str], needed: set[str]) -> bool:
    name = PurePosixPath(entry[0]).name
    return entry[2] == "BINARY" and name in imported and name not in needed


def _link_to(entry: tuple, gone: set[str]) -> bool:
    return entry[2] == "SYMLINK" and PurePosixPath(str(entry[1])).name in gone


def _closure(entries: list) -> set[str]:
    """Names of every library the entries need, directly or through each other."""
    from PyInstaller.depend.bindepend import get_imports

    seen: set[str] = set()
    todo = [str(e[1]) for e in entries if e[2] == "BINARY"]
    while todo:
        for name, full in get_imports(todo.pop()):
            base = PurePosixPath(name).name
            if base not in seen:
                seen.add(base)
                if full:
                    todo.append(full)
    return seen


def wait_for(ready: Path, timeout: float = 1800) -> None:
    """Wait until the console's build has written the payload (the setup is built beside it)."""
    deadline = time.monotonic() + timeout
    while not ready.exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"The payload did not appear within {timeout:.0f} s ({ready}).")
        time.sleep(0.2)
