"""The installer wizard driven with pytest-qt, in process, over the same install functions.

It installs a small stand-in payload (the real payload is installed by test_setup_exe.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QLabel, QWidget, QWizard
from pytestqt.qtbot import QtBot

from installer import requirements
from installer.manifest import read_manifest
from installer.payload import FolderPayload, file_digest
from installer.wizard import SetupWizard
from tests.installer.conftest import LAUNCH_MARKER_ENV

Button = QWizard.WizardButton
MB = 1024 * 1024


def make_wizard(qtbot: QtBot, payload: Path, target: Path, **kwargs: object) -> SetupWizard:
    wizard = SetupWizard(FolderPayload(payload), target, target.parent / "none.db", **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(wizard)
    wizard.resize(800, 600)
    wizard.show()
    return wizard


def to_folder_page(wizard: SetupWizard) -> None:
    wizard.next()
    wizard.license.agree.setChecked(True)
    wizard.next()
    assert wizard.currentPage() is wizard.folder


def install(qtbot: QtBot, wizard: SetupWizard) -> list[tuple[int, int]]:
    """Click Install and wait for the Finish page; returns the progress the page showed."""
    seen: list[tuple[int, int]] = []
    wizard.button(Button.CommitButton).click()
    task = wizard.installing.task
    assert task is not None
    task.progressed.connect(lambda done, total, _text: seen.append((done, total)))
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.finish, timeout=10_000)
    return seen


def test_wizard_installs_and_launches_the_console(
    qtbot: QtBot, fake_payload: Path, tmp_path: Path, xdg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "launched"
    monkeypatch.setenv(LAUNCH_MARKER_ENV, str(marker))
    target = tmp_path / "Programs" / "MFA Console"
    wizard = make_wizard(qtbot, fake_payload, target)
    assert wizard.currentPage() is wizard.welcome
    wizard.next()
    assert wizard.license.text.toPlainText().startswith("MIT License")
    assert not wizard.button(Button.NextButton).isEnabled()  # until I Agree
    wizard.license.agree.setChecked(True)
    assert wizard.button(Button.NextButton).isEnabled()
    wizard.next()
    assert wizard.folder.isComplete()
    assert wizard.button(Button.CommitButton).text() == "&Install"

    progress = install(qtbot, wizard)

    total = len(list(FolderPayload(fake_payload).entries()))
    assert progress[-1] == (total, total)
    assert [done for done, _ in progress] == sorted(done for done, _ in progress)
    assert wizard.installing.bar.value() == total
    manifest = read_manifest(target)
    assert manifest is not None
    for item in manifest.files:
        assert file_digest(target / item.path) == item.sha256
    assert (xdg / "applications" / "mfa-console.desktop").exists()
    assert wizard.finish.launch.isChecked()
    assert f"was installed in {target}" in wizard.finish.summary.text()

    wizard.button(Button.FinishButton).click()
    qtbot.waitUntil(marker.exists, timeout=5_000)
    assert marker.read_text().strip() == str(target)  # started in its own folder


def test_wizard_upgrades_an_existing_installation(
    qtbot: QtBot, fake_payload: Path, tmp_path: Path, xdg: Path
) -> None:
    target = tmp_path / "mfa-console"
    first = make_wizard(qtbot, fake_payload, target)
    to_folder_page(first)
    install(qtbot, first)
    first.finish.launch.setChecked(False)
    first.accept()

    second = make_wizard(qtbot, fake_payload, target)
    to_folder_page(second)
    assert "is installed in this folder. Setup upgrades it" in second.folder.upgrade_note.text()
    install(qtbot, second)
    assert "was upgraded from 0.1.0" in second.finish.summary.text()


def test_folder_page_explains_a_read_only_folder(
    qtbot: QtBot, fake_payload: Path, read_only_folder: Path
) -> None:
    wizard = make_wizard(qtbot, fake_payload, read_only_folder / "mfa-console")
    to_folder_page(wizard)
    assert not wizard.folder.isComplete()
    assert not wizard.button(Button.CommitButton).isEnabled()
    assert (
        f"The folder {read_only_folder} cannot be written to" in wizard.folder.checks_label.text()
    )


def test_folder_page_explains_a_full_disk(
    qtbot: QtBot, fake_payload: Path, full_disk: Path | None, tmp_path: Path
) -> None:
    if full_disk is None:  # no way to mount here: a real folder, a tiny free-space figure
        wizard = make_wizard(qtbot, fake_payload, tmp_path / "x", free=lambda _p: 2 * MB)
    else:
        wizard = make_wizard(qtbot, fake_payload, full_disk / "mfa-console")
    to_folder_page(wizard)
    assert not wizard.button(Button.CommitButton).isEnabled()
    assert "Not enough free space: MFA Console needs 200 MB" in wizard.folder.checks_label.text()
    # Choosing another folder re-checks it (after a short pause while typing).
    wizard.folder.folder.setText(str(tmp_path / "elsewhere"))
    qtbot.waitUntil(lambda: wizard.button(Button.CommitButton).isEnabled(), timeout=3_000)


def clipped(widget: QWidget, window: QWizard) -> list[str]:
    """Visible widgets that stick out of the window, and word-wrapped labels cut short."""
    problems = []
    area = window.rect()
    for layout_owner in (window, window.currentPage()):  # lay out text that just changed
        layout = layout_owner.layout()
        if layout is not None:
            layout.activate()
    for child in widget.findChildren(QWidget):
        if not child.isVisible():
            continue
        rect = QRect(child.mapTo(window, QPoint(0, 0)), child.size())
        if not area.contains(rect):
            problems.append(f"{type(child).__name__} {child.objectName()} at {rect}")
        wrapped = isinstance(child, QLabel) and child.wordWrap() and child.text()
        if wrapped and child.heightForWidth(child.width()) > child.height():
            problems.append(f"label cut short: {child.text()[:40]!r}")
    return problems


def test_each_page_fits_800_by_600(
    qtbot: QtBot, fake_payload: Path, tmp_path: Path, xdg: Path
) -> None:
    wizard = make_wizard(qtbot, fake_payload, tmp_path / "Programs" / "MFA Console")
    shots = []
    for page in ("welcome", "license", "folder", "installing", "finish"):
        if page == "installing":
            wizard.button(Button.CommitButton).click()
        elif page != "welcome":
            if page == "folder":
                wizard.license.agree.setChecked(True)
            if page != "finish":
                wizard.next()
        if page == "finish":
            qtbot.waitUntil(lambda: wizard.currentPage() is wizard.finish, timeout=10_000)
        qtbot.wait(10)
        image = wizard.grab()
        assert (image.width(), image.height()) == (800, 600)
        shot = tmp_path / f"setup-{page}.png"
        assert image.save(str(shot))
        shots.append(shot)
        assert clipped(wizard, wizard) == [], page
    assert all(shot.stat().st_size > 5000 for shot in shots)
    assert requirements.MIN_FREE == 200 * MB
