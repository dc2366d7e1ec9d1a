"""The real setup, built by installer/build.py, run unattended as an administrator would.

One installation is shared by the tests of this module, in order: install (migrating an older data
file), run the installed console, check the manifest and the launcher, upgrade, uninstall.
"""

from __future__ import annotations

import json
import sqlite3
import struct
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine

from installer.manifest import MANIFEST_NAME
from installer.payload import file_digest
from mfa_console import __version__
from mfa_console.app import open_services
from mfa_console.core.db import migrate
from mfa_console.core.users.records import UserInput
from tests.installer.conftest import clean_env

pytestmark = pytest.mark.slow


@dataclass
class Installation:
    setup: Path
    target: Path
    xdg: Path
    data: Path  # the default data file (under XDG_DATA_HOME)
    workdir: Path

    def run(self, *args: str | Path, exe: Path | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(exe or self.setup), *map(str, args)],
            env=clean_env(self.xdg),
            cwd=self.workdir,  # never the source tree
            capture_output=True,
            text=True,
            timeout=300,
        )

    @property
    def console(self) -> Path:
        return self.target / "mfa-console"


def schema(data: Path) -> set[str]:
    with sqlite3.connect(data) as conn:
        return {row[0] for row in conn.execute("SELECT version_num FROM alembic_version")}


def usernames(data: Path) -> list[str]:
    with sqlite3.connect(data) as conn:
        return [row[0] for row in conn.execute("SELECT username FROM users ORDER BY username")]


def older_data_file(path: Path) -> None:
    """A data file with a user, at the first schema revision, as an earlier version left it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    services = open_services(path)
    services.users.add(UserInput("alice", phone="+1 425 555 0100"))
    services.close()
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.downgrade(migrate._config(conn), "0001_spine")
    engine.dispose()


@pytest.fixture(scope="module")
def installation(
    setup_exe: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Installation]:
    base = tmp_path_factory.mktemp("setup")
    xdg = base / "xdg"
    data = xdg / "MFA Console" / "mfa-console.db"  # where platformdirs puts it on Linux
    older_data_file(data)
    (base / "work").mkdir()
    yield Installation(setup_exe, base / "Programs" / "MFA Console", xdg, data, base / "work")


def test_unattended_install_migrates_the_data_file(installation: Installation) -> None:
    assert schema(installation.data) == {"0001_spine"}
    done = installation.run("--unattended", "--target", installation.target, "--no-launch")
    assert done.returncode == 0, done.stderr
    assert f"MFA Console {__version__} was installed in {installation.target}" in done.stdout
    assert "brought up to date" in done.stdout
    assert schema(installation.data) == migrate.head_revisions()
    assert usernames(installation.data) == ["alice"]


def test_installed_console_runs_on_its_own(installation: Installation, tmp_path: Path) -> None:
    version = installation.run("--version", exe=installation.console)
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"mfa-console {__version__}"
    png = tmp_path / "console.png"
    data = tmp_path / "fresh.db"
    shot = installation.run("--data", data, "--screenshot", png, exe=installation.console)
    assert shot.returncode == 0, shot.stderr
    header = png.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", header[16:24]) == (1200, 760)
    assert png.stat().st_size > 10_000  # a drawn window, not an empty image
    assert schema(data) == migrate.head_revisions()  # the frozen console found its migrations


def test_every_installed_file_matches_the_manifest(installation: Installation) -> None:
    manifest = json.loads((installation.target / MANIFEST_NAME).read_text())
    assert manifest["version"] == __version__
    listed = {item["path"]: item for item in manifest["files"]}
    on_disk = {
        p.relative_to(installation.target).as_posix()
        for p in installation.target.rglob("*")
        if p.is_file() or p.is_symlink()
    }
    assert on_disk - {MANIFEST_NAME} == set(listed)
    for name, item in listed.items():
        path = installation.target / name
        assert file_digest(path) == item["sha256"], name
        if not path.is_symlink():
            assert path.stat().st_size == item["size"], name
    for name in ("mfa-console", "uninstall", "LICENSE", "mfa-console.svg"):
        assert name in listed


def test_launcher_starts_the_installed_console(installation: Installation) -> None:
    entry = installation.xdg / "applications" / "mfa-console.desktop"
    manifest = json.loads((installation.target / MANIFEST_NAME).read_text())
    assert manifest["launchers"] == [str(entry)]
    fields = dict(line.split("=", 1) for line in entry.read_text().splitlines() if "=" in line)
    assert fields["Exec"] == f'"{installation.console}"'  # quoted: the folder has a space
    assert fields["Icon"] == str(installation.target / "mfa-console.svg")
    assert Path(fields["Icon"]).exists()
    assert fields["Type"] == "Application"


def test_upgrade_replaces_program_files_and_keeps_the_data_file(
    installation: Installation, tmp_path: Path
) -> None:
    manifest_file = installation.target / MANIFEST_NAME
    manifest = json.loads(manifest_file.read_text())
    manifest["version"] = "0.0.9"  # as an earlier release left it
    stale = installation.target / "_internal" / "stale-module.py"
    stale.write_text("# from 0.0.9\n")
    manifest["files"].append({"path": "_internal/stale-module.py", "size": 13, "sha256": "x"})
    manifest_file.write_text(json.dumps(manifest))
    notes = installation.target / "admin-notes.txt"  # not ours: must survive
    notes.write_text("keep me")

    done = installation.run("--unattended", "--target", installation.target, "--no-launch")

    assert done.returncode == 0, done.stderr
    assert f"upgraded from 0.0.9 to {__version__}" in done.stdout
    assert not stale.exists()
    assert notes.read_text() == "keep me"
    assert usernames(installation.data) == ["alice"]
    shot = installation.run(
        "--data",
        installation.data,
        "--screenshot",
        tmp_path / "after.png",
        exe=installation.console,
    )
    assert shot.returncode == 0, shot.stderr


def test_unattended_failure_says_why(installation: Installation, read_only_folder: Path) -> None:
    done = installation.run("--unattended", "--target", read_only_folder / "mfa", "--no-launch")
    assert done.returncode == 1
    assert "cannot be written to" in done.stderr
    assert list(read_only_folder.iterdir()) == []


def test_uninstaller_removes_what_was_installed_and_keeps_the_data(
    installation: Installation,
) -> None:
    done = installation.run(exe=installation.target / "uninstall")
    assert done.returncode == 0, done.stderr
    assert "data file was kept" in done.stdout
    assert sorted(p.name for p in installation.target.iterdir()) == ["admin-notes.txt"]
    assert not (installation.xdg / "applications" / "mfa-console.desktop").exists()
    assert usernames(installation.data) == ["alice"]
