"""The task helper: work off the GUI thread, progress, cancel, errors, a parent closed mid-task."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from mfa_console.core.errors import ConsoleError
from mfa_console.core.progress import CancelToken, check_cancel
from mfa_console.ui.tasks import run_task
from tests.faults.small_disk import mount_small_disk


def test_result_arrives_on_the_gui_thread(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    seen: list[tuple[object, bool]] = []
    gui = threading.current_thread()

    def work(progress: CancelToken) -> str:
        assert threading.current_thread() is not gui
        progress.report(1, 2, "half")
        return "done"

    def done(result: object) -> None:
        seen.append((result, threading.current_thread() is gui))

    task = run_task(parent, work, title="Working", on_done=done)
    with qtbot.waitSignal(task.done, timeout=5000):
        pass
    assert seen == [("done", True)]


def test_expected_error_is_shown_without_on_error(
    qtbot: QtBot,
    messages: list,  # type: ignore[type-arg]
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)

    def work(_progress: CancelToken) -> None:
        raise ConsoleError("The server said no.", hint="Try later.")

    task = run_task(parent, work, title="Asking")
    with qtbot.waitSignal(task.done, timeout=5000):
        pass
    assert [(m.kind, m.text, m.detail) for m in messages] == [
        ("error", "The server said no.", "Try later.")
    ]


def test_closing_the_parent_cancels_and_drops_callbacks(qtbot: QtBot) -> None:
    parent = QWidget()
    release = threading.Event()
    stopped = threading.Event()
    called: list[object] = []

    def work(progress: CancelToken) -> None:
        release.wait(5)
        try:
            check_cancel(progress)
        finally:
            stopped.set()

    task = run_task(parent, work, title="Long", on_done=called.append, cancellable=True)
    task.errored.connect(called.append)
    qtbot.waitUntil(lambda: task.running)
    parent.deleteLater()
    qtbot.waitUntil(lambda: task.token.cancelled())
    release.set()
    qtbot.waitUntil(stopped.is_set)
    qtbot.wait(50)
    assert called == []


def test_garbage_is_collected_on_the_gui_thread(qtbot: QtBot) -> None:
    import gc

    from mfa_console.ui.garbage import GarbageCollector

    owner = QWidget()
    qtbot.addWidget(owner)
    collector = GarbageCollector(owner)
    assert not gc.isenabled()
    collected: list[str] = []

    def callback(phase: str, info: dict[str, int]) -> None:
        if phase == "stop":
            collected.append(threading.current_thread().name)

    gc.callbacks.append(callback)
    try:
        for _ in range(gc.get_threshold()[0] + 50):
            cycle: list[object] = []
            cycle.append(cycle)  # garbage that only the cyclic collector frees
        qtbot.waitUntil(lambda: bool(collected), timeout=5000)
    finally:
        gc.callbacks.remove(callback)
        collector.deleteLater()
    assert set(collected) == {threading.main_thread().name}


class _BoxWatcher:
    """Waits for the result box, notes which progress windows are visible then, and presses
    Enter once, where the keyboard focus is (as a person would)."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.boxes: list[str] = []
        self.progress_visible_with_box: list[bool] = []
        self.progress_seen = False
        self.enters = 0
        self.stuck = 0
        self.waited = 0
        self.focus: list[str] = []
        self._timer = QTimer()
        self._timer.setInterval(10)
        self._timer.timeout.connect(self._poll)
        self._timer.start()

    def _poll(self) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest
        from PySide6.QtWidgets import QApplication, QMessageBox

        from mfa_console.ui.tasks import ProgressWindow

        visible = [w for w in QApplication.topLevelWidgets() if isinstance(w, ProgressWindow)]
        visible = [w for w in visible if w.isVisible()]
        self.progress_seen = self.progress_seen or bool(visible)
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox) or not box.isVisible():
            return
        if box.text() in self.boxes:
            self.stuck += 1
            if self.stuck > 50:  # one Enter did not close it: close it, the test fails
                box.reject()
            return
        # A person reads the box before pressing Enter: give focus a moment to settle.
        self.waited += 1
        target = QApplication.focusWidget()
        if (target is None or target.window() is not box) and self.waited < 30:
            return
        self.boxes.append(box.text())
        self.progress_visible_with_box.append(bool(visible))
        self.focus.append(type(target).__name__ if target is not None else "")
        if target is None or target.window() is not box:
            return  # the Enter would be lost
        self.enters += 1
        QTest.keyClick(target, Qt.Key.Key_Return)

    def stop(self) -> None:
        self._timer.stop()
        from PySide6.QtWidgets import QApplication, QMessageBox

        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            box.reject()  # never leave the test hanging on a box that kept its focus elsewhere


def _run_with_real_boxes(qtbot: QtBot, work, on_done=None):  # type: ignore[no-untyped-def]
    parent = QWidget()
    parent.resize(400, 300)
    qtbot.addWidget(parent)
    parent.show()
    parent.activateWindow()
    qtbot.waitExposed(parent)
    watcher = _BoxWatcher()
    try:
        task = run_task(parent, work, title="Working", on_done=on_done, error_title="It failed")
        with qtbot.waitSignal(task.done, timeout=8000):
            pass
    finally:
        watcher.stop()
    return watcher


def test_failure_at_once_shows_no_progress_and_one_enter_closes_the_box(qtbot: QtBot) -> None:
    def work(_progress: CancelToken) -> None:
        raise ConsoleError("The server said no.")

    watcher = _run_with_real_boxes(qtbot, work)
    assert watcher.boxes == ["The server said no."]
    assert watcher.progress_visible_with_box == [False]
    assert watcher.focus == ["QPushButton"]
    assert not watcher.progress_seen  # it failed long before the progress window was due
    assert watcher.enters == 1


def test_slow_success_closes_progress_before_the_result_box(qtbot: QtBot) -> None:
    from mfa_console.ui import messages

    def work(progress: CancelToken) -> str:
        for step in range(10):
            progress.report(step, 10, f"Step {step}")
            threading.Event().wait(0.1)
        return "All done."

    watcher = _run_with_real_boxes(
        qtbot, work, on_done=lambda text: messages.info(None, "Result", text)
    )
    assert watcher.progress_seen  # the work outlasted the delay: a progress window was shown
    assert watcher.boxes == ["All done."]
    assert watcher.progress_visible_with_box == [False]
    assert watcher.enters == 1


def test_cancel_is_offered_only_for_cancellable_work(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QApplication, QPushButton

    from mfa_console.ui.tasks import ProgressWindow

    parent = QWidget()
    qtbot.addWidget(parent)
    release = threading.Event()
    buttons: dict[bool, list[str]] = {}
    for cancellable in (False, True):

        def work(progress: CancelToken) -> None:
            release.wait(5)
            check_cancel(progress)

        release.clear()
        task = run_task(parent, work, title=f"Long {cancellable}", cancellable=cancellable)

        def shown(title: str = f"Long {cancellable}") -> ProgressWindow | None:
            for w in QApplication.topLevelWidgets():
                if isinstance(w, ProgressWindow) and w.isVisible() and w.windowTitle() == title:
                    return w
            return None

        qtbot.waitUntil(lambda: shown() is not None, timeout=3000)
        dialog = shown()
        assert dialog is not None
        buttons[cancellable] = [b.text() for b in dialog.findChildren(QPushButton)]
        release.set()
        with qtbot.waitSignal(task.done, timeout=5000):
            pass
    assert buttons == {False: [], True: ["Cancel"]}


def test_a_full_disk_is_a_message_not_a_crash(
    qtbot: QtBot,
    tmp_path: Path,
    messages: list,  # type: ignore[type-arg]
) -> None:
    """Any write off the GUI thread that hits a full disk (a real one) shows one sentence, not
    the crash dialog. (A bare write error does not say which file: the core's writers name it.)"""
    parent = QWidget()
    qtbot.addWidget(parent)
    with mount_small_disk(tmp_path / "disk", "1m") as disk:
        target = disk.root / "big.bin"

        def work(_progress: CancelToken) -> None:
            with target.open("wb") as handle:
                handle.write(b"\0" * (2 << 20))

        task = run_task(parent, work, title="Writing")
        with qtbot.waitSignal(task.done, timeout=5000):
            pass
    assert [(m.kind, m.text) for m in messages] == [("error", "The disk is full.")]
