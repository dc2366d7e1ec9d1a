"""Run core work off the GUI thread: progress, cancel, result or error back on the GUI thread.

``run_task(parent, fn, ...)`` calls ``fn(progress)`` on a worker thread. ``progress`` is a
``CancelToken`` (the core progress protocol). A progress dialog appears only if the work lasts
longer than ``DIALOG_DELAY_MS``; Cancel sets the token, and the core function stops between batches.
Workers never touch widgets: results come back through queued signals.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from mfa_console.core.errors import CancelledError, ConsoleError
from mfa_console.core.progress import CancelToken

log = logging.getLogger(__name__)
DIALOG_DELAY_MS = 600


class _Signals(QObject):
    progress = Signal(int, int, str)  # done, total (-1 unknown), text
    finished = Signal(object)
    failed = Signal(object)


class _Token(CancelToken):
    def __init__(self, signals: _Signals) -> None:
        super().__init__()
        self._signals = signals

    def report(self, done: int, total: int | None = None, text: str = "") -> None:
        super().report(done, total, text)
        self._signals.progress.emit(done, -1 if total is None else total, text)


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[CancelToken], Any], token: _Token, signals: _Signals) -> None:
        super().__init__()
        self.fn, self.token, self.signals = fn, token, signals

    def run(self) -> None:
        try:
            result = self.fn(self.token)
        except BaseException as exc:
            if not isinstance(exc, ConsoleError):
                log.error("Task failed:\n%s", "".join(traceback.format_exception(exc)))
            self.signals.failed.emit(exc)
        else:
            self.signals.finished.emit(result)


class Task(QObject):
    """One running piece of work; keep a reference while it runs (``run_task`` returns it)."""

    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    errored = Signal(object)  # a ConsoleError (expected) or any other exception (a bug)
    cancelled = Signal()
    done = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._signals = _Signals()
        self.token = _Token(self._signals)
        self._signals.progress.connect(self.progressed)
        self._signals.finished.connect(self._on_finished)
        self._signals.failed.connect(self._on_failed)
        self.running = False

    def start(self, fn: Callable[[CancelToken], Any], pool: QThreadPool | None = None) -> None:
        self.running = True
        (pool or QThreadPool.globalInstance()).start(_Runnable(fn, self.token, self._signals))

    def cancel(self) -> None:
        self.token.cancel()

    def _on_finished(self, result: object) -> None:
        self.running = False
        self.succeeded.emit(result)
        self.done.emit()

    def _on_failed(self, exc: object) -> None:
        self.running = False
        if isinstance(exc, CancelledError):
            self.cancelled.emit()
        else:
            self.errored.emit(exc)
        self.done.emit()


def run_task(
    parent: QWidget,
    fn: Callable[[CancelToken], Any],
    *,
    title: str,
    on_done: Callable[[Any], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
    cancellable: bool = True,
) -> Task:
    """Start ``fn`` off the GUI thread with a delayed progress dialog; returns the running Task."""
    task = Task(parent)
    dialog = QProgressDialog(title, "Cancel" if cancellable else "", 0, 0, parent)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(DIALOG_DELAY_MS)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    if not cancellable:
        dialog.setCancelButton(None)
    dialog.canceled.connect(task.cancel)

    def on_progress(done: int, total: int, text: str) -> None:
        dialog.setMaximum(max(total, 0))
        dialog.setValue(done if total > 0 else 0)
        if text:
            dialog.setLabelText(text)

    task.progressed.connect(on_progress)
    if on_done is not None:
        task.succeeded.connect(on_done)
    if on_error is not None:
        task.errored.connect(on_error)
    task.done.connect(dialog.close)
    task.done.connect(dialog.deleteLater)
    # No task.deleteLater here: deleting the Task while the pool thread is still releasing its
    # references crashed (PySide6 6.12, "shared QObject was deleted directly"). The Task is
    # small and goes with its parent.
    QTimer.singleShot(0, lambda: task.start(fn))
    return task
