"""Run core work off the GUI thread: one path for every pane (progress, cancel, result or error).

``run_task(parent, fn, title=..., on_done=...)`` calls ``fn(progress)`` on a worker thread, where
``progress`` is a ``CancelToken`` (the core progress protocol), then hands the result to
``on_done`` on the GUI thread. In the spirit of Anki's ``QueryOp``/``CollectionOp``:

- the progress window is created by a timer, only if the work still runs after
  ``DIALOG_DELAY_MS``; it has Cancel only when the work stops cleanly (``cancellable``);
- it is closed before anything else is shown, so no result or error box ever sits under it and
  the first key pressed reaches the box;
- an expected error (``ConsoleError``) is shown here, in one message box titled ``error_title``;
  ``recover`` may take over an expected error (return True when it did); a cancellation shows
  nothing; anything else is a bug and is raised on the GUI thread, where the crash dialog shows it.

Panes keep no copy of this logic: they pass the work and what to do with its result, and may
connect to ``Task.done`` (emitted once everything was shown) to re-enable their buttons.
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
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from mfa_console.core.errors import CancelledError, ConsoleError
from mfa_console.core.progress import CancelToken

log = logging.getLogger(__name__)
DIALOG_DELAY_MS = 600
DIALOG_MIN_WIDTH = 380


class _Relay(QObject):
    """One long-lived object in the GUI thread that carries every worker's news to its task.

    Workers know only a task id and this relay, so no worker ever holds (or frees) a task's Qt
    objects; the relay looks the task up in the GUI thread.
    """

    posted = Signal(int, str, object)  # task id, "progress" | "finished" | "failed", payload

    def __init__(self) -> None:
        super().__init__()
        self.tasks: dict[int, Task] = {}
        self.showing: set[int] = set()  # tasks whose outcome a view has still to show
        self.posted.connect(self._on_posted)

    def _on_posted(self, task_id: int, kind: str, payload: object) -> None:
        task = self.tasks.get(task_id)
        if task is None:
            return
        if kind != "progress":
            del self.tasks[task_id]  # the task lives on while the caller holds it
        if task_id not in self.showing:
            task.presented = False  # its view went with its parent: nobody shows the outcome
        task.receive(kind, payload)


def _orphan(task_id: int, token: CancelToken, showing: set[int]) -> None:
    """A task's view was destroyed with its parent: stop the work, show nothing."""
    token.cancel()
    showing.discard(task_id)


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
    """One piece of work running off the GUI thread; its signals arrive on the GUI thread.

    ``succeeded``, ``errored`` and ``cancelled`` carry the raw outcome as soon as the worker ends
    (for quiet background reads such as the Status pane's); ``done`` comes last, once the
    outcome was shown to the person when ``run_task`` started the task.
    """

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
        self.presented = False  # True while a view will show the outcome, then call finish()

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
        if not self.presented:
            self.finish()

    def finish(self) -> None:
        self.done.emit()
        self.deleteLater()


class ProgressWindow(QDialog):
    """The progress window: the work's words, a bar, and Cancel only when the work stops cleanly.

    A plain dialog, not ``QProgressDialog``: that one starts its own show timer when it is built
    and processes events inside ``setValue``, which let a result box open under it.
    Escape and the title bar's close button cancel only if Cancel is offered.
    """

    canceled = Signal()

    def __init__(self, parent: QWidget, title: str, cancellable: bool) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(DIALOG_MIN_WIDTH)
        self.label = QLabel(title)
        self.label.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        self.cancel_button: QPushButton | None = None
        if cancellable:
            buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
            buttons.rejected.connect(self.reject)
            self.cancel_button = buttons.button(QDialogButtonBox.StandardButton.Cancel)
            layout.addWidget(buttons)

    def set_progress(self, done: int, total: int, text: str) -> None:
        self.bar.setRange(0, max(total, 0))
        if total > 0:
            self.bar.setValue(min(done, total))
        if text:
            self.label.setText(text)

    def reject(self) -> None:
        if self.cancel_button is None or not self.cancel_button.isEnabled():
            return
        self.cancel_button.setEnabled(False)
        self.label.setText("Cancelling…")
        self.canceled.emit()

    def closeEvent(self, event: QCloseEvent) -> None:
        event.ignore()
        self.reject()


class _TaskView(QObject):
    """The GUI side of one task: the delayed progress window, then the result or the error.

    Being a child of the parent, it is destroyed with it; Qt then drops its connections, so no
    callback runs against a dead widget, and the task is asked to stop between batches.
    """

    def __init__(
        self,
        parent: QWidget,
        task: Task,
        title: str,
        *,
        cancellable: bool,
        on_done: Callable[[Any], None] | None,
        error_title: str,
        recover: Callable[[ConsoleError], bool] | None,
    ) -> None:
        super().__init__(parent)
        self._parent, self._task, self._title = parent, task, title
        self._cancellable, self._error_title = cancellable, error_title
        self._on_done_callback, self._recover = on_done, recover
        self.dialog: ProgressWindow | None = None
        self._last: tuple[int, int, str] = (0, -1, "")
        self._outcome: tuple[str, object] = ("", None)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DIALOG_DELAY_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._timer.start()
        task.presented = True
        task.progressed.connect(self._on_progress)
        # Bound methods, not lambdas: Qt drops them when this view goes with its parent.
        task.succeeded.connect(self._on_task_succeeded)
        task.errored.connect(self._on_task_errored)
        task.cancelled.connect(self._on_task_cancelled)
        task_id, token, showing = task.task_id, task.token, _the_relay().showing
        showing.add(task_id)
        # Plain objects only: safe whenever this fires. The task then ends on its own.
        self.destroyed.connect(lambda: _orphan(task_id, token, showing))

    def _on_task_succeeded(self, result: object) -> None:
        self._settle("finished", result)

    def _on_task_errored(self, exc: object) -> None:
        self._settle("failed", exc)

    def _on_task_cancelled(self) -> None:
        self._settle("cancelled", None)

    def _on_timer_timeout(self) -> None:
        if not self._task.running:
            return
        self.dialog = ProgressWindow(self._parent, self._title, self._cancellable)
        self.dialog.canceled.connect(self._task.cancel)
        self._on_progress(*self._last)
        self.dialog.show()

    def _on_progress(self, done: int, total: int, text: str) -> None:
        self._last = (done, total, text)
        if self.dialog is not None and not self._task.token.cancelled():
            self.dialog.set_progress(done, total, text)

    def _settle(self, kind: str, payload: object) -> None:
        """Close the progress window first, then show the outcome on the next turn of the event
        loop, when the window is gone and focus has returned to the parent's window."""
        self._timer.stop()
        if self.dialog is not None:
            self.dialog.hide()
            self.dialog.deleteLater()
            self.dialog = None
        self._outcome = (kind, payload)
        # A child timer: it goes with this view (and its parent), so nothing is shown for a
        # window that was closed meanwhile.
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.timeout.connect(self._on_present_timer_timeout)
        timer.start(0)

    def _on_present_timer_timeout(self) -> None:
        self._present(*self._outcome)

    def _present(self, kind: str, payload: Any) -> None:
        try:
            if kind == "finished":
                if self._on_done_callback is not None:
                    self._on_done_callback(payload)
            elif kind == "failed":
                self._show_error(payload)
        finally:
            _the_relay().showing.discard(self._task.task_id)
            self._task.presented = False
            self._task.finish()
            if isValid(self):  # the callback may have closed the parent, and this view with it
                self.deleteLater()

    def _show_error(self, exc: BaseException) -> None:
        if not isinstance(exc, ConsoleError):
            raise exc  # a bug: the crash handler shows and logs it
        if self._recover is not None and self._recover(exc):
            return
        from mfa_console.ui import messages

        messages.error(self._parent, self._error_title, exc)


def run_task(
    parent: QWidget,
    fn: Callable[[CancelToken], Any],
    *,
    title: str,
    on_done: Callable[[Any], None] | None = None,
    error_title: str | None = None,
    cancellable: bool = False,
    recover: Callable[[ConsoleError], bool] | None = None,
) -> Task:
    """Start ``fn`` off the GUI thread; returns the running Task.

    ``title`` names the work in the progress window (shown only after ``DIALOG_DELAY_MS``);
    ``cancellable`` offers Cancel: only for work that checks its token between batches and
    leaves nothing half-written. An expected error is shown in a box titled ``error_title``
    (default ``title``) unless ``recover`` handles it; a bug reaches the crash dialog.
    """
    task = Task()
    task.view = _TaskView(
        parent,
        task,
        title,
        cancellable=cancellable,
        on_done=on_done,
        error_title=error_title or title,
        recover=recover,
    )
    QTimer.singleShot(0, lambda: task.start(fn))
    return task


def wait_for_tasks(timeout: float = 10.0) -> bool:
    """Process events until every running task has delivered its result (for screenshots and
    scripted runs); False if some were still running at the timeout."""
    from PySide6.QtCore import QCoreApplication

    deadline = time.monotonic() + timeout
    while _relay is not None and (_relay.tasks or _relay.showing):
        if time.monotonic() > deadline:
            return False
        QCoreApplication.processEvents()
        time.sleep(0.005)
    QCoreApplication.processEvents()
    return True
