"""Start the GUI: QApplication, crash handler, open the data file, main window or screenshot."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
import traceback
from types import TracebackType

from mfa_console.core import paths
from mfa_console.core.errors import ConsoleError

log = logging.getLogger(__name__)


def _parse_size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise SystemExit(
            f"mfa-console: --size takes WIDTHxHEIGHT, e.g. 1200x760, not {text!r}"
        ) from None
    return width, height


def launch(args: argparse.Namespace) -> int:
    if args.screenshot:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    elif not _display_available():
        print(
            "mfa-console: there is no display to open the console window on (DISPLAY and "
            "WAYLAND_DISPLAY are not set). Run it in a desktop session, or use the command line: "
            "mfa-console --help.",
            file=sys.stderr,
        )
        return 1
    # Core (SQLAlchemy, the users package) before Qt: once PySide6 is imported it inspects the
    # source of every module imported after it, which slows start-up by a tenth of a second.
    for name in ("mfa_console.app", "mfa_console.core.users.query", "sqlalchemy.dialects.sqlite"):
        importlib.import_module(name)
    from PySide6.QtWidgets import QApplication

    from mfa_console.core.logs import setup_logging
    from mfa_console.ui.main_window import MainWindow

    setup_logging("gui")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("MFA Console")
    app.setOrganizationName("MFA Console")
    sys.excepthook = _crash_handler
    from mfa_console.ui.garbage import collect_on_gui_thread

    collect_on_gui_thread(app)
    if args.screenshot:
        try:
            services = _open(args, args.data)
        except ConsoleError as exc:
            print(f"mfa-console: {exc.for_command_line()}", file=sys.stderr)
            return 1
    else:
        from mfa_console.ui.data_file_actions import open_at_start

        opened = open_at_start(args.data, lambda data: _open(args, data))
        if opened is None:
            return 1
        services = opened
    state = _ui_state(args.screenshot)
    first = tab = None
    if args.screenshot and args.pane:
        from mfa_console.ui.panes.registry import pane_spec

        name, _, tab = args.pane.partition("/")  # "directory/sync": a pane's tab
        try:
            first = pane_spec(name).key
        except KeyError as exc:
            print(f"mfa-console: {exc.args[0]}", file=sys.stderr)
            services.close()
            return 2
    window = MainWindow(services, state, first_pane=first)
    if args.screenshot:
        if first and tab:
            window.show_pane(f"{first}/{tab}")
        return _screenshot(app, window, args)
    from mfa_console.ui.wizards.first_run import FirstRun

    FirstRun(window).start()  # the configuration wizard on a new data file, then the console
    try:
        return app.exec()
    finally:
        services.close()


def _open(args: argparse.Namespace, data: str | None):  # type: ignore[no-untyped-def]
    """Open ``data``; a PostgreSQL server that wants a password gets it asked (three tries)."""
    from mfa_console.app import open_services
    from mfa_console.core.db.postgres import PasswordNeededError

    password: str | None = None
    for attempt in range(3):
        try:
            return open_services(data, password=password)
        except PasswordNeededError as exc:
            if args.screenshot or attempt == 2:
                raise
            from mfa_console.ui.dialogs.db_password import ask_password

            password = ask_password(None, _server_name(data), exc.message)
            if password is None:
                raise
    raise AssertionError("unreachable")


def _server_name(data: str | None) -> str:
    from mfa_console.core.db.engine import resolve_url
    from mfa_console.core.db.postgres import display_name

    return display_name(resolve_url(data))


def _display_available() -> bool:
    """False on Linux/BSD with no X11 or Wayland display (Qt would abort with a cryptic message)."""
    if sys.platform in ("win32", "darwin") or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _ui_state(ephemeral: bool):  # type: ignore[no-untyped-def]
    """Window geometry and last pane, kept apart from the data file's settings."""
    from PySide6.QtCore import QSettings

    if ephemeral:
        return QSettings(os.devnull, QSettings.Format.IniFormat)
    directory = paths.config_dir()
    directory.mkdir(parents=True, exist_ok=True)
    return QSettings(str(directory / "ui-state.ini"), QSettings.Format.IniFormat)


def _screenshot(app, window, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    width, height = _parse_size(args.size)
    window.resize(width, height)
    window.show()
    from mfa_console.ui.tasks import wait_for_tasks

    for _ in range(3):
        wait_for_tasks()  # panes that load off the GUI thread
        app.processEvents()
    if (window.width(), window.height()) != (width, height):
        print(
            f"mfa-console: the window needs {window.width()}x{window.height()}, "
            f"more than {width}x{height}",
            file=sys.stderr,
        )
    ok = window.grab().save(args.screenshot)
    window.close()
    window.services.close()
    if not ok:
        print(f"mfa-console: cannot write {args.screenshot}", file=sys.stderr)
        return 1
    return 0


def _crash_handler(
    kind: type[BaseException], value: BaseException, tb: TracebackType | None
) -> None:
    """A bug reached the event loop: log it with its traceback and tell the administrator."""
    text = "".join(traceback.format_exception(kind, value, tb))
    log.critical("Unexpected error:\n%s", text)
    if isinstance(value, ConsoleError):
        from mfa_console.ui import messages

        messages.error(None, "MFA Console", value)
        return
    from mfa_console.ui.dialogs.crash import CrashDialog

    CrashDialog(text).exec()
