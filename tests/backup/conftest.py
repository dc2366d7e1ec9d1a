"""Fixtures for backup tests: filled data files and helper processes started and stopped by PID."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.backup.bulk import add_users

ROOT = Path(__file__).resolve().parents[2]


def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


class Actor:
    """``tests/backup/actor.py`` in its own process; its output lines are collected as they come."""

    def __init__(
        self, *args: str, env: dict[str, str] | None = None, module: str = "tests.backup.actor"
    ) -> None:
        self.lines: list[str] = []
        self._new = threading.Condition()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", module, *args],
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._new:
                self.lines.append(line.rstrip("\n"))
                self._new.notify_all()
        with self._new:
            self._new.notify_all()

    def wait_for(self, predicate, timeout: float = 30.0) -> str:  # type: ignore[no-untyped-def]
        """The first output line matching ``predicate``."""
        with self._new:
            ok = self._new.wait_for(
                lambda: any(predicate(line) for line in self.lines) or self.proc.poll() is not None,
                timeout,
            )
            match = next((line for line in self.lines if predicate(line)), None)
        if not ok or match is None:
            err = (
                self.proc.stderr.read() if self.proc.poll() is not None and self.proc.stderr else ""
            )
            raise AssertionError(f"no matching output; last lines {self.lines[-3:]} {err}")
        return match

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)
        self._reader.join(10)

    def finish(self, timeout: float = 60.0) -> int:
        code = self.proc.wait(timeout)
        self._reader.join(10)
        return code


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    """A data file with 3,000 users (old0..)."""
    path = tmp_path / "data" / "console.db"
    path.parent.mkdir()
    add_users(path, 3000, prefix="old")
    return path


@pytest.fixture
def writer(filled: Path) -> Iterator[Actor]:
    actor = Actor("write", str(filled), "live")
    actor.wait_for(lambda line: line.startswith("live"))
    yield actor
    actor.kill()
