"""Install logic without Qt: requirements on real small file systems, cancel, uninstall."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from installer import cli, core, requirements
from installer.manifest import MANIFEST_NAME, read_manifest
from installer.payload import FolderPayload
from mfa_console.core.errors import CancelledError, ConsoleError
from mfa_console.core.progress import CancelToken

MB = 1024 * 1024


def installed_names(target: Path) -> set[str]:
    return {p.relative_to(target).as_posix() for p in target.rglob("*") if not p.is_dir()}


def test_install_records_every_file_and_uninstall_removes_them(
    fake_payload: Path, tmp_path: Path, xdg: Path
) -> None:
    target = tmp_path / "opt" / "mfa-console"
    result = core.install(FolderPayload(fake_payload), target, data_file=tmp_path / "none.db")
    manifest = read_manifest(target)
    assert manifest is not None
    assert {f.path for f in manifest.files} == installed_names(target) - {MANIFEST_NAME}
    assert (target / "_internal" / "link.bin").readlink() == Path("base.bin")
    assert result.launchers == [str(xdg / "applications" / "mfa-console.desktop")]

    data = tmp_path / "data" / "console.db"
    data.parent.mkdir()
    data.write_bytes(b"kept unless asked")
    assert cli.main(["--uninstall", "--target", str(target), "--data", str(data)]) == 0
    assert not target.exists() and data.exists()
    assert not Path(result.launchers[0]).exists()


def test_uninstall_removes_the_data_file_only_when_asked(
    fake_payload: Path, tmp_path: Path, xdg: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "mfa-console"
    core.install(FolderPayload(fake_payload), target, data_file=tmp_path / "none.db")
    data = xdg / "MFA Console" / "mfa-console.db"  # the default data file
    data.parent.mkdir(parents=True)
    data.write_bytes(b"x")
    Path(f"{data}-wal").write_bytes(b"x")
    args = ["--uninstall", "--target", str(target), "--remove-data"]
    assert cli.main(args) == 0
    assert not data.exists() and not Path(f"{data}-wal").exists()
    assert f"The data file {data} was deleted." in capsys.readouterr().out


def test_uninstall_of_a_folder_without_installation_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["--uninstall", "--target", str(tmp_path)]) == 1
    assert "holds no MFA Console installation" in capsys.readouterr().err


def test_read_only_folder_is_refused_with_a_reason(
    fake_payload: Path, read_only_folder: Path
) -> None:
    check = requirements.check_folder(read_only_folder / "mfa-console")
    assert not check.ok
    assert f"The folder {read_only_folder} cannot be written to" in check.text
    with pytest.raises(core.RequirementsError, match="cannot be written to"):
        core.install(FolderPayload(fake_payload), read_only_folder / "mfa-console")


def test_full_disk_is_refused_before_anything_is_written(
    fake_payload: Path, full_disk: Path | None, tmp_path: Path
) -> None:
    if full_disk is None:  # no way to mount here: measure a real folder, report a tiny disk
        full_disk, free = tmp_path, (lambda _path: 2 * MB)
    else:
        free = requirements.disk_free
    check = requirements.check_space(full_disk / "mfa-console", 1000, free)
    assert not check.ok
    assert "Not enough free space: MFA Console needs 200 MB" in check.text
    with pytest.raises(core.RequirementsError, match="Not enough free space"):
        core.install(FolderPayload(fake_payload), full_disk / "mfa-console", free=free)
    assert not (full_disk / "mfa-console").exists()


def test_disk_filling_up_while_copying_leaves_nothing_behind(
    fake_payload: Path, full_disk: Path | None
) -> None:
    if full_disk is None:
        pytest.skip("needs a small file system (mount as root)")
    (fake_payload / "_internal" / "big.bin").write_bytes(b"\0" * 3 * MB)
    target = full_disk / "mfa-console"
    with pytest.raises(ConsoleError, match="No space left on device"):
        # The figure is read before copying; say the disk has room to reach the copy itself.
        core.install(FolderPayload(fake_payload), target, free=lambda _p: 1 << 40)
    assert not target.exists()


def test_cancelled_upgrade_keeps_the_previous_installation(
    fake_payload: Path, tmp_path: Path, xdg: Path
) -> None:
    target = tmp_path / "mfa-console"
    core.install(FolderPayload(fake_payload), target, version="0.0.9", data_file=tmp_path / "n")
    before = installed_names(target)

    class CancelAfterFirstFile(CancelToken):
        def report(self, done: int, total: int | None = None, text: str = "") -> None:
            self.cancel()

    with pytest.raises(CancelledError):
        core.install(FolderPayload(fake_payload), target, CancelAfterFirstFile())
    assert installed_names(target) == before
    assert json.loads((target / MANIFEST_NAME).read_text())["version"] == "0.0.9"


def test_default_folder_follows_the_platform(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(core.os, "geteuid", lambda: 1000)
    assert core.default_target() == Path.home() / ".local" / "opt" / "mfa-console"
    monkeypatch.setattr(core.os, "geteuid", lambda: 0)
    assert core.default_target() == Path("/opt/mfa-console")


def test_memory_and_architecture_failures_are_explained() -> None:
    assert "needs at least 1 GB of memory; this computer has 512 MB" in (
        requirements.check_memory(lambda: 512 * MB).text
    )
    assert not requirements.check_64bit(bits=32, machine="i686").ok
    assert requirements.check_memory().ok and requirements.check_64bit().ok
