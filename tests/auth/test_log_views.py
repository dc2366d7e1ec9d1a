"""The authentication log: retention purge in batches, CSV export with formulas defused, the
Logs pane's Authentication tab and Company Settings' Lockout and Log tab."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

from mfa_console.app import Services
from mfa_console.core.auth import log as auth_log
from mfa_console.core.auth.log import AuthLogEntry, LogFilter, write_entry
from mfa_console.core.auth.logcsv import export_csv
from mfa_console.core.auth.settings import AuthSettings
from mfa_console.core.db.base import utcnow
from mfa_console.ui.panes.auth_log_tab import AuthLogTab
from mfa_console.ui.panes.company_auth_tab import CompanyAuthTab
from mfa_console.ui.panes.logs_tabs import LogsTabsPane

HOSTILE = '=HYPERLINK("http://x","y")@example.test'


def test_retention_purges_in_batches(services: Services, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(auth_log, "PURGE_BATCH", 7)
    old = utcnow() - timedelta(days=40)
    for n in range(30):
        write_entry(
            services.db,
            AuthLogEntry(
                f"u{n}@example.test", "FAILED_USER_NOT_FOUND", at=old + timedelta(minutes=n)
            ),
        )
    write_entry(services.db, AuthLogEntry("new@example.test", "FAILED_USER_NOT_FOUND"))
    services.settings.save(AuthSettings(log_retention_days=30))
    assert auth_log.purge_expired(services.db) == 30
    assert [e.username for e in services.auth.log_page(LogFilter())] == ["new@example.test"]


def test_csv_export_defuses_formulas(services: Services, tmp_path: Path) -> None:
    write_entry(services.db, AuthLogEntry(HOSTILE, "FAILED_USER_NOT_FOUND", client_ip="+1+2"))
    path = tmp_path / "log.csv"
    assert export_csv(services.db, LogFilter(), path) == 1
    rows = list(csv.DictReader(path.open(encoding="utf-8-sig")))
    assert rows[0]["username"] == "'" + HOSTILE and rows[0]["client_ip"] == "'+1+2"


def test_authentication_tab_filters_pages_and_exports(
    qtbot,
    services: Services,
    tmp_path: Path,  # type: ignore[no-untyped-def]
    messages,
) -> None:
    for n in range(450):
        result = "OATH_CODE_VERIFIED" if n % 3 else "FAILED_OATH_CODE_INCORRECT"
        write_entry(
            services.db,
            AuthLogEntry(f"user{n % 5}@example.test", result, at=utcnow() - timedelta(seconds=n)),
        )
    pane = LogsTabsPane(services)
    qtbot.addWidget(pane)
    tab: AuthLogTab = pane.authentication  # a child of the pane: closed with it
    assert tab.model.rowCount() == 200
    tab.model.fetchMore()
    tab.model.fetchMore()
    assert tab.model.rowCount() == 450 and not tab.model.canFetchMore()
    tab.result_box.setCurrentIndex(tab.result_box.findData("FAILED_OATH_CODE_INCORRECT"))
    assert tab.model.rowCount() == 150
    tab.user_edit.setText("USER1@example.test")
    tab.apply_filter()
    assert {tab.model.entry(r).username for r in range(tab.model.rowCount())} == {
        "user1@example.test"
    }
    from pytestqt.modeltest import ModelTester

    ModelTester(None).check(tab.model)
    tab.export_to(tmp_path / "out.csv")
    qtbot.waitUntil(lambda: bool(messages), timeout=10_000)
    assert "30 entries written" in messages[-1].text


def test_lockout_and_log_tab_saves_the_settings(qtbot, services: Services) -> None:  # type: ignore[no-untyped-def]
    tab = CompanyAuthTab(services)
    qtbot.addWidget(tab)
    tab.spins["lockout_denials"].setValue(4)
    tab.spins["lockout_unblock_minutes"].setValue(0)
    tab.log_email.setChecked(False)
    assert tab.is_modified()
    tab.save()
    assert not tab.is_modified()
    stored = services.settings.load(AuthSettings)
    assert (stored.lockout_denials, stored.lockout_unblock_minutes, stored.log_email) == (
        4,
        0,
        False,
    )


def test_the_service_purges_the_log_once_an_hour(services: Services) -> None:
    from mfa_console.core.auth.jobs import log_retention_job
    from mfa_console.core.progress import CancelToken

    write_entry(
        services.db,
        AuthLogEntry(
            "old@example.test", "FAILED_USER_NOT_FOUND", at=utcnow() - timedelta(days=400)
        ),
    )
    job = log_retention_job(services)
    assert job.due()
    job.run(CancelToken())
    assert services.auth.log_page(LogFilter()) == []
    assert not job.due()  # not again within the hour
