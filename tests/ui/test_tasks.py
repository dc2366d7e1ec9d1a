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

    task = run_task(parent, work, title="Long", on_done=called.append, on_error=called.append)
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
