"""GUI with pytest-qt on real data files: Test User, the OATH Token tab, the token list."""

from __future__ import annotations

import time
from pathlib import Path

import pyotp
import zxingcpp
from PySide6.QtWidgets import QPushButton

from mfa_console.app import Services
from mfa_console.ui.dialogs.oath_token_tab import OathTokenTab
from mfa_console.ui.dialogs.oath_tokens import OathTokensDialog
from mfa_console.ui.dialogs.test_user import TestUserDialog as UserTestDialog
from mfa_console.ui.dialogs.user_edit import UserEditDialog
from mfa_console.ui.panes.users import UsersPane
from tests.auth.conftest import b32, totp_for

SEED = bytes(range(100, 120))


def test_test_user_dialog_shows_result_codes_and_logs(
    qtbot,
    services: Services,
    alice: str,  # type: ignore[no-untyped-def]
    enrolled: pyotp.TOTP,
) -> None:
    dialog = UserTestDialog(services, alice)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.code, enrolled.now())
    dialog.test_button.click()
    qtbot.waitUntil(lambda: dialog.last_result is not None, timeout=10_000)
    assert "OATH_CODE_VERIFIED" in dialog.outcome.text()
    dialog.last_result = None
    qtbot.keyClicks(dialog.code, enrolled.now())
    dialog.test_button.click()
    qtbot.waitUntil(lambda: dialog.last_result is not None, timeout=10_000)
    assert "FAILED_OATH_CODE_DUPLICATE" in dialog.outcome.text()
    results = [
        e.result
        for e in services.auth.log_page(
            __import__("mfa_console.core.auth.log", fromlist=["LogFilter"]).LogFilter()
        )
    ]
    assert results == ["FAILED_OATH_CODE_DUPLICATE", "OATH_CODE_VERIFIED"]


def test_users_pane_test_button_opens_the_dialog(
    qtbot,
    services: Services,
    alice: str,  # type: ignore[no-untyped-def]
    monkeypatch,
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(UserTestDialog, "exec", lambda self: opened.append(self.username) or 0)
    pane = UsersPane(services)
    qtbot.addWidget(pane)
    assert not pane.buttons["test"].isEnabled() and pane.buttons["tokens"].isEnabled()
    pane._select_rows([0])
    assert pane.buttons["test"].isEnabled()
    pane.buttons["test"].click()
    assert opened == [alice]


def test_oath_token_tab_shows_a_qr_that_decodes_to_the_uri(
    qtbot,
    services: Services,  # type: ignore[no-untyped-def]
    alice: str,
    tmp_path: Path,
) -> None:
    dialog = UserEditDialog(services, _user_id(services, alice))
    qtbot.addWidget(dialog)
    tab = next(
        dialog.tabs.widget(i)
        for i in range(dialog.tabs.count())
        if isinstance(dialog.tabs.widget(i), OathTokenTab)
    )
    assert "none" in tab.current.text()
    tab.generate_button.click()
    qtbot.waitUntil(lambda: bool(tab.secret.text()), timeout=10_000)
    image = tab.qr.pixmap().toImage()
    (barcode,) = zxingcpp.read_barcodes(image)
    assert barcode.text == tab.secret.toolTip()
    assert barcode.text.startswith("otpauth://totp/") and tab.secret.text() in barcode.text
    assert dialog.method.currentData() == "oath-token"
    assert "waiting for its first code" in tab.current.text()
    tab.grab().save(str(tmp_path / "oath-token-tab.png"))


def _user_id(services: Services, username: str) -> int:
    from mfa_console.core.auth.store import user_by_name

    with services.db.read() as session:
        return user_by_name(session, username).id


def test_token_list_imports_assigns_resyncs_and_unblocks(
    qtbot,
    services: Services,
    alice: str,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    messages,
) -> None:
    csv_file = tmp_path / "t.csv"
    csv_file.write_text(
        "upn,serial number,secret key,time interval,manufacturer,model\n"
        f",HW-7,{b32(SEED)},30,Contoso,c200\n,HW-8,short,30,,\n"
    )
    dialog = OathTokensDialog(services)
    qtbot.addWidget(dialog)
    dialog.import_file(csv_file)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1, timeout=10_000)
    qtbot.waitUntil(lambda: bool(messages), timeout=10_000)
    assert "1 tokens imported" in messages[-1].text and "line 3" in messages[-1].detail
    dialog.assign("HW-7", alice)
    assert dialog.model.token(0).username == alice
    token = totp_for(b32(SEED))
    ahead = time.time() + 300
    dialog.resync("HW-7", token.at(ahead), token.at(ahead + 30))
    assert "resynchronised (+11 steps)" in messages[-1].text
    from mfa_console.core.auth.settings import AuthSettings
    from mfa_console.core.auth.verify import AuthRequest, verify

    services.settings.save(AuthSettings(lockout_denials=1))
    verify(services.db, AuthRequest(alice, "000000"))
    dialog.reload()
    assert dialog.locked.count() == 1
    dialog.locked.setCurrentRow(0)
    dialog.findChild(QPushButton, "locked-unblock").click()
    assert dialog.locked.count() == 0
