"""Shared fixtures: a real SQLite data file per test, services over it, Qt offscreen, messages.

Service fixtures (slapd, Samba AD, SMTP) live in ``tests/services/`` and start real servers; the
keyring is the real Secret Service that scripts/test.sh starts in a private D-Bus session.
"""

from __future__ import annotations

import gc
import inspect
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ["QT_QPA_PLATFORM"] = "offscreen"
# One log folder per worker process of a parallel run (pytest-xdist), none shared by two writers.
os.environ.setdefault(
    "MFA_CONSOLE_LOG_DIR",
    str(
        Path(os.environ.get("TMPDIR", "/tmp"))
        / "mfa-console-test-logs"
        / os.environ.get("PYTEST_XDIST_WORKER", "main")
    ),
)

from mfa_console.app import Services, open_services

# Real-server fixtures (slapd, Samba AD DC, test CAs), registered once for the whole session so
# that every test directory shares the same servers.
pytest_plugins = ["tests.services.fixtures"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("allowed_skips", "NODE ID | always or unless-root | why", type="linelist")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    """A skip that the allow-list in pyproject.toml does not name fails the test, so a missing
    package or service can never pass as a quiet skip."""
    report = yield
    if report.skipped and not hasattr(report, "wasxfail") and not _skip_allowed(item):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"skipped, and not in allowed_skips of pyproject.toml: {reason}"
    return report


# Modules whose tests build on each other, in order: a parallel run (pytest-xdist) gives each of
# them whole to one worker. (pytest-xdist's own xdist_group marks do not work with pytest 9: they
# rename the test, which pytest 9 no longer lets a plugin do.)
ONE_WORKER_MODULES = frozenset({"tests/installer/test_setup_exe.py"})


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """Each test its own unit of work, except that a module of ONE_WORKER_MODULES is one unit
    (they go first: pytest-xdist queues the largest units first). Only for the default
    ``--dist load``; another ``--dist`` keeps pytest-xdist's own."""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class Scheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if module in ONE_WORKER_MODULES else nodeid

    return Scheduling(config, log)  # type: ignore[arg-type]


def _skip_allowed(item: pytest.Item) -> bool:
    for line in item.config.getini("allowed_skips"):
        node_id, when, _why = (part.strip() for part in line.split("|", 2))
        if item.nodeid == node_id:
            return when == "always" or (when == "unless-root" and os.geteuid() != 0)
    return False


@pytest.fixture(scope="session", autouse=True)
def _garbage_on_the_main_thread() -> Iterator[None]:
    """As the console does (ui/garbage.py): never let the cyclic collector run in a worker
    thread, where it could free a Qt object; collect after each test instead."""
    gc.disable()
    yield
    gc.enable()


@pytest.fixture(autouse=True)
def _collect_after_test() -> Iterator[None]:
    yield
    gc.collect()


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    return tmp_path / "console.db"


@pytest.fixture
def database_kind(request: pytest.FixtureRequest) -> str:
    """ "sqlite" unless the test is marked ``both_databases`` (then it runs on each)."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
def data_url(database_kind: str, data_file: Path, request: pytest.FixtureRequest) -> str:
    """Where ``services`` keeps its data: the test's SQLite file, or a fresh PostgreSQL database."""
    if database_kind == "postgresql":
        return str(request.getfixturevalue("pg_url"))
    return str(data_file)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked ``both_databases`` that use the data store run on SQLite and PostgreSQL.

    A test that reads the SQLite file itself (it asks for ``data_file``) runs on SQLite only.
    """
    marked = metafunc.definition.get_closest_marker("both_databases")
    if metafunc.definition.get_closest_marker("sqlite_only"):
        return
    own = inspect.signature(metafunc.function).parameters
    if marked and "database_kind" in metafunc.fixturenames and "data_file" not in own:
        kinds = [
            pytest.param("sqlite", id="sqlite"),
            pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgresql),
        ]
        metafunc.parametrize("database_kind", kinds, indirect=True)


@pytest.fixture
def services(data_url: str) -> Iterator[Services]:
    svc = open_services(data_url)
    yield svc
    svc.close()


@pytest.fixture
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config"
    monkeypatch.setenv("MFA_CONSOLE_CONFIG_DIR", str(path))
    return path


@pytest.fixture
def messages(monkeypatch: pytest.MonkeyPatch) -> list:  # type: ignore[type-arg]
    """Record message boxes instead of showing them; questions are answered Yes."""
    from mfa_console.ui import messages as module

    shown: list[module.Message] = []

    def handler(_parent: object, message: module.Message) -> bool:
        shown.append(message)
        return True

    monkeypatch.setattr(module.MessageSink, "handler", staticmethod(handler))
    return shown
