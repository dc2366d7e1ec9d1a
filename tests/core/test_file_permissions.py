"""Who may read the files (checked with stat), and an empty data file refused, not reused."""

from __future__ import annotations

import grp
import json
import logging
import os
import shutil
import stat
import tempfile
from pathlib import Path

import pytest

from mfa_console.app import open_services
from mfa_console.core import fileperms, logs
from mfa_console.core.backup import create_backup
from mfa_console.core.db import open_database
from mfa_console.core.errors import DataFileError


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def _open_umask() -> object:
    """The usual umask lets everyone read new files: the console must not rely on it."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_an_empty_data_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    with pytest.raises(DataFileError, match=r"empty \(0 bytes\).*left untouched"):
        open_database(empty)
    assert empty.stat().st_size == 0
    assert not empty.with_name("empty.db-wal").exists()


def test_a_path_that_does_not_exist_makes_a_new_private_data_file(tmp_path: Path) -> None:
    path = tmp_path / "new" / "deeper" / "console.db"
    services = open_services(path)
    try:
        services.users.count()
        assert _mode(path) == 0o600
        assert _mode(path.with_name("console.db-wal")) == 0o600
        assert _mode(path.with_name("console.db-shm")) == 0o600
        assert _mode(tmp_path / "new") == 0o700
        assert _mode(tmp_path / "new" / "deeper") == 0o700
        assert services.db.permission_problems == []
    finally:
        services.close()


def test_existing_files_are_tightened_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "console.db"
    open_services(path).close()
    os.chmod(path, 0o644)
    services = open_services(path)
    try:
        services.users.count()
        assert _mode(path) == 0o600
        assert _mode(path.with_name("console.db-wal")) == 0o600
    finally:
        services.close()


def test_a_setgid_folder_shares_the_files_with_its_group(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    group = grp.getgrnam("daemon").gr_gid  # any group other than ours
    os.chown(folder, -1, group)
    os.chmod(folder, 0o2770)
    path = folder / "console.db"
    services = open_services(path)
    try:
        services.users.count()
        for name in ("console.db", "console.db-wal", "console.db-shm"):
            info = (folder / name).stat()
            assert stat.S_IMODE(info.st_mode) == 0o660, name
            assert info.st_gid == group, name
        result = create_backup(path, folder / "b.mfabackup")
        assert _mode(result.path) == 0o660
        assert result.path.stat().st_gid == group
        fileperms.make_dirs(folder / "backups" / "deeper")
        for sub in (folder / "backups", folder / "backups" / "deeper"):
            assert (_mode(sub), sub.stat().st_gid) == (0o2770, group)
    finally:
        services.close()


def test_backups_and_logs_are_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "console.db"
    open_services(path).close()
    backup = create_backup(path, tmp_path / "b.mfabackup").path
    assert _mode(backup) == 0o600
    monkeypatch.setenv("MFA_CONSOLE_LOG_DIR", str(tmp_path / "logs"))
    root = logging.getLogger()
    before = list(root.handlers)
    target = logs.setup_logging("permtest")
    try:
        logging.getLogger("mfa_console.test").warning("a line")
        assert target is not None
        assert _mode(target) == 0o600
        assert _mode(target.parent) == 0o700
    finally:
        for handler in root.handlers[:]:
            if handler not in before:
                root.removeHandler(handler)
                handler.close()


def test_status_warns_when_a_file_cannot_be_tightened() -> None:
    """Another account opens a file it may write but does not own: chmod is refused, Status
    says so (run as ``nobody`` in a separate process)."""
    folder = Path(tempfile.mkdtemp(prefix="mfa-perm-"))
    try:
        os.chmod(folder, 0o777)
        path = folder / "console.db"
        open_services(path).close()
        for name in ("console.db", "console.db-wal", "console.db-shm"):
            if (folder / name).exists():
                os.chmod(folder / name, 0o666)
        section = _status_as_nobody(path)
        assert section["state"] == "warning"
        assert any("other users" in line and "console.db" in line for line in section["lines"])
        assert _mode(path) == 0o666  # it could not be changed, and said so
    finally:
        shutil.rmtree(folder)


def _status_as_nobody(path: Path) -> dict[str, object]:
    """The data file's Status section, read by a forked child that became ``nobody``."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            os.close(read)
            os.setgid(65534)
            os.setuid(65534)
            from mfa_console.core.status import data_file_section

            services = open_services(path)
            os.write(write, json.dumps(data_file_section(services).to_json()).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    return dict(json.loads(data))


def test_older_backups_and_logs_are_tightened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mfa_console.core.backup.schedule import prune

    path = tmp_path / "console.db"
    open_services(path).close()
    folder = tmp_path / "scheduled"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    old = create_backup(path, folder / "scheduled-20240101-000000.mfabackup").path
    os.chmod(old, 0o644)
    prune(folder, 7)
    assert (_mode(folder), _mode(old)) == (0o700, 0o600)
    logs_dir = tmp_path / "logs"
    logs_dir.mkdir()
    os.chmod(logs_dir, 0o755)
    rotated = logs_dir / "mfa-console-permtest.log.1"
    rotated.write_text("old line\n")
    os.chmod(rotated, 0o644)
    monkeypatch.setenv("MFA_CONSOLE_LOG_DIR", str(logs_dir))
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        logs.setup_logging("permtest")
        assert (_mode(logs_dir), _mode(rotated)) == (0o700, 0o600)
    finally:
        for handler in root.handlers[:]:
            if handler not in before:
                root.removeHandler(handler)
                handler.close()
