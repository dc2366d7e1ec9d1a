"""What the worker processes of one test run share (pytest-xdist runs the suite in several).

``run_id()`` names the run: every worker of one ``pytest -n N`` has the same, and a run in one
process has one of its own. ``run_folder()`` is a folder that all the workers of the run see
(pytest's base temp folder of the run). ``locked(path)`` holds an exclusive ``fcntl`` lock on a
file while a block runs, so that one worker makes what the others then reuse.
"""

from __future__ import annotations

import fcntl
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

_OWN_RUN = uuid.uuid4().hex


def run_id() -> str:
    return os.environ.get("PYTEST_XDIST_TESTRUNUID") or _OWN_RUN


def worker_id() -> str:
    """``gw0``, ``gw1``, ... under pytest-xdist; ``main`` in a run of one process."""
    return os.environ.get("PYTEST_XDIST_WORKER") or "main"


def run_folder(factory: pytest.TempPathFactory) -> Path:
    """A worker's base temp folder is ``<the run's>/popen-gwN``: the run's is its parent."""
    base = factory.getbasetemp()
    return base.parent if "PYTEST_XDIST_WORKER" in os.environ else base


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (made if missing) while the block runs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
