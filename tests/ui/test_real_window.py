"""The console opens a real window on an X server (Xvfb), through Qt's xcb platform plugin.

The offscreen platform used by the other GUI tests needs none of the window system's libraries, so
it cannot tell whether a fresh machine can show the window at all. This test starts Xvfb, runs the
console as an administrator would (``mfa-console`` with no command), and checks that Qt loaded
the xcb plugin, that a top-level window appeared, and that it was drawn.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture
def x_display(tmp_path: Path) -> Iterator[str]:
    """A private Xvfb server on a free display number, stopped by its PID."""
    read, write = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "xvfb.log").open("wb"),
    )
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    assert number, f"Xvfb did not start: {(tmp_path / 'xvfb.log').read_text()}"
    yield f":{number}"
    xvfb.terminate()
    xvfb.wait(timeout=10)


def _window_ids(env: dict[str, str], pid: int) -> list[str]:
    """The visible top-level windows of a process (on a fresh data file: the first-run wizard)."""
    found = subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--pid", str(pid)],
        env=env,
        capture_output=True,
        text=True,
    )
    return found.stdout.split()


def test_console_opens_a_real_window_through_xcb(tmp_path: Path, x_display: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env.update(DISPLAY=x_display, QT_DEBUG_PLUGINS="1", MFA_CONSOLE_CONFIG_DIR=str(tmp_path / "c"))
    log = tmp_path / "console.log"
    console = subprocess.Popen(
        [sys.executable, "-m", "mfa_console", "--data", str(tmp_path / "console.db")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )
    try:
        deadline = time.monotonic() + 30
        windows: list[str] = []
        while not windows and time.monotonic() < deadline and console.poll() is None:
            time.sleep(0.2)
            windows = _window_ids(env, console.pid)
        output = log.read_text(errors="replace")
        assert windows, f"no window appeared; the console said:\n{output[-3000:]}"
        assert "libqxcb.so" in output and "loaded library" in output
        assert console.poll() is None  # still running: the window is up, not a crash
        picture = tmp_path / "screen.png"
        grab = (
            "import sys; from PySide6.QtGui import QGuiApplication; app = QGuiApplication([]); "
            "sys.exit(not app.primaryScreen().grabWindow(0).save(sys.argv[1]))"
        )
        subprocess.run([sys.executable, "-c", grab, str(picture)], env=env, check=True)
        from PySide6.QtGui import QImage

        image = QImage(str(picture))
        center = image.pixelColor(image.width() // 2, image.height() // 2)
        assert center.lightness() > 100  # the window is drawn over Xvfb's black root
    finally:
        console.terminate()
        console.wait(timeout=20)
