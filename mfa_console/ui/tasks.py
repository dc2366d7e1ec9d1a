"""Run core work off the GUI thread: progress, cancel, result or error back on the GUI thread.

``run_task(parent, fn, ...)`` calls ``fn(progress)`` on a worker thread. ``progress`` is a
``CancelToken`` (the core progress protocol). A progress dialog appears only if the work lasts
longer than ``DIALOG_DELAY_MS``; Cancel sets the token, and the core function stops between batches.
Workers never touch widgets: results come back through queued signals.
"""

from __future__ import annotations

import itertools
import logging
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from mfa_console.core.errors import CancelledError, ConsoleError
from mfa_console.core.progress import CancelToken

log = logging.getLogger(__name__)
DIALOG_DELAY_MS = 600


class _Relay(QObject):
    """One long-lived object in the GUI thread that carries every worker's news to its task.

    Workers know only a task id and this relay, so no worker ever holds (or frees) a task's Qt
    objects; the relay looks the task up in the GUI thread.
    """

    posted = Signal(int, str, object)  # task id, "progress" | "finished" | "failed", payload

    def __init__(self) -> None:
        super().__init__()
        self.tasks: dict[int, Task] = {}
        self.posted.connect(self._on_posted)

    def _on_posted(self, task_id: int, kind: str, payload: object) -> None:
        task = self.tasks.get(task_id)
        if task is None:
            return
        if kind != "progress":
            del self.tasks[task_id]  # the task lives on while the caller holds it
        task.receive(kind, payload)


_relay: _Relay | None = None
_ids = itertools.count(1)


def _the_relay() -> _Relay:
    global _relay
    if _relay is None:
        _relay = _Relay()
    return _relay


class _Token(CancelToken):
    def __init__(self, task_id: int, relay: _Relay) -> None:
        super().__init__()
        self._task_id, self._relay = task_id, relay

    def report(self, done: int, total: int | None = None, text: str = "") -> None:
        super().report(done, total, text)
        self._relay.posted.emit(
            self._task_id, "progress", (done, -1 if total is None else total, text)
        )


_executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="mfa-console-task")


def _run(fn: Callable[[CancelToken], Any], token: _Token, task_id: int) -> None:
    """The worker side: run ``fn`` and post the outcome to the relay (never touches widgets)."""
    relay = _the_relay()
    try:
        result = fn(token)
    except BaseException as exc:  # every failure must reach the GUI thread
        exc = _expected(exc)
        if not isinstance(exc, ConsoleError):
            log.error("Task failed:\n%s", "".join(traceback.format_exception(exc)))
        relay.posted.emit(task_id, "failed", exc)
    else:
        relay.posted.emit(task_id, "finished", result)


def _expected(exc: BaseException) -> BaseException:
    """A full disk is the environment, not a bug: the one-line message, not the crash dialog."""
    from mfa_console.core.diskfull import disk_full, is_full

    if isinstance(exc, OSError) and is_full(exc):
        return disk_full(exc.filename or "")
    return exc


class Task(QObject):
    """One piece of work running off the GUI thread; its signals arrive on the GUI thread."""

    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    errored = Signal(object)  # a ConsoleError (expected) or any other exception (a bug)
    cancelled = Signal()
    done = Signal()

    def __init__(self) -> None:
        # Owned by the relay (never by Python's garbage collector or a pane that may close),
        # and deleted with deleteLater once it is done.
        self._relay = _the_relay()
        super().__init__(self._relay)
        self.task_id = next(_ids)
        self.token = _Token(self.task_id, self._relay)
        self.running = False
        # Holds the GUI side's Python wrapper: PySide crashes deleting a QObject whose wrapper
        # was collected while the C++ object lived on.
        self.view: QObject | None = None

    def start(self, fn: Callable[[CancelToken], Any]) -> None:
        self.running = True
        self._relay.tasks[self.task_id] = self
        _executor.submit(_run, fn, self.token, self.task_id)

    def cancel(self) -> None:
        self.token.cancel()

    def receive(self, kind: str, payload: Any) -> None:
        if kind == "progress":
            self.progressed.emit(*payload)
            return
        self.running = False
        if kind == "finished":
            self.succeeded.emit(payload)
        elif isinstance(payload, CancelledError):
            self.cancelled.emit()
        else:
            self.errored.emit(payload)
        self.done.emit()
        self.deleteLater()


class _TaskView(QObject):
    """The GUI side of one task: its progress dialog and callbacks, owned by the parent widget.

    Being a child of the parent, it is destroyed with it; Qt then drops its connections, so no
    callback runs against a dead widget, and the task is asked to stop between batches.
    """

    def __init__(
        self,
        parent: QWidget,
        task: Task,
        dialog: QProgressDialog,
        on_done: Callable[[Any], None] | None,
        on_error: Callable[[BaseException], None] | None,
    ) -> None:
        super().__init__(parent)
        self._parent, self._dialog = parent, dialog
        self._on_done_callback, self._on_error_callback = on_done, on_error
        task.progressed.connect(self._on_progress)
        task.succeeded.connect(self._on_succeeded)
        task.errored.connect(self._on_errored)
        task.done.connect(self._on_finished)
        dialog.canceled.connect(task.cancel)
        self.destroyed.connect(task.token.cancel)  # a plain object: safe whenever this fires

    def _on_progress(self, done: int, total: int, text: str) -> None:
        self._dialog.setMaximum(max(total, 0))
        self._dialog.setValue(done if total > 0 else 0)
        if text:
            self._dialog.setLabelText(text)

    def _on_succeeded(self, result: object) -> None:
        if self._on_done_callback is not None:
            self._on_done_callback(result)

    def _on_errored(self, exc: BaseException) -> None:
        if self._on_error_callback is not None:
            self._on_error_callback(exc)
        elif isinstance(exc, ConsoleError):
            from mfa_console.ui import messages

            messages.error(self._parent, self._dialog.windowTitle(), exc)
        else:
            raise exc  # a bug: the crash handler shows and logs it

    def _on_finished(self) -> None:
        self._dialog.close()
        self._dialog.deleteLater()
        self.deleteLater()


def run_task(
    parent: QWidget,
    fn: Callable[[CancelToken], Any],
    *,
    title: str,
    on_done: Callable[[Any], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
    cancellable: bool = True,
) -> Task:
    """Start ``fn`` off the GUI thread with a delayed progress dialog; returns the running Task.

    Without ``on_error``, an expected error is shown in a message box and a bug reaches the
    crash dialog.
    """
    task = Task()
    dialog = QProgressDialog(title, "Cancel" if cancellable else "", 0, 0, parent)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(DIALOG_DELAY_MS)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    if not cancellable:
        dialog.setCancelButton(None)
    task.view = _TaskView(parent, task, dialog, on_done, on_error)
    QTimer.singleShot(0, lambda: task.start(fn))
    return task


def wait_for_tasks(timeout: float = 10.0) -> bool:
    """Process events until every running task has delivered its result (for screenshots and
    scripted runs); False if some were still running at the timeout."""
    from PySide6.QtCore import QCoreApplication

    deadline = time.monotonic() + timeout
    while _relay is not None and _relay.tasks:
        if time.monotonic() > deadline:
            return False
        QCoreApplication.processEvents()
        time.sleep(0.005)
    QCoreApplication.processEvents()
    return True
