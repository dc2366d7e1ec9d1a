"""The Logs pane: the audit trail filtered by time, user and kind, paged, exported as CSV."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate

from mfa_console.app import Services
from mfa_console.core import auditlog
from mfa_console.core.auditlog import AuditFilter
from mfa_console.core.db.base import utcnow
from mfa_console.core.db.models import AuditRow
from mfa_console.ui.models.audit_model import AuditTableModel
from mfa_console.ui.panes.logs import BETWEEN, LogsPane


@pytest.fixture
def trail(small: Services) -> Services:
    """The small file's six user entries, plus 450 older entries by other people."""
    now = utcnow()
    with small.db.write() as session:
        for i in range(450):
            session.add(
                AuditRow(
                    at=now - timedelta(days=10, minutes=i),
                    actor="svc-mfa" if i % 3 else "helpdesk",
                    action="sync.run" if i % 2 else "email.sent",
                    target="=cmd|' /C calc'!A0" if i == 0 else f"item{i}",
                    before=None,
                    after='{"count": 1}',
                )
            )
    return small


def make_pane(qtbot, services: Services) -> LogsPane:  # type: ignore[no-untyped-def]
    pane = LogsPane(services)
    qtbot.addWidget(pane)
    pane.resize(1000, 600)
    pane.show()
    return pane


def choose(box, data) -> None:  # type: ignore[no-untyped-def]
    box.setCurrentIndex(box.findData(data))


def test_model_pages_and_passes_the_model_tester(qtmodeltester, trail: Services) -> None:  # type: ignore[no-untyped-def]
    model = AuditTableModel(trail.audit)
    assert model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == auditlog.PAGE
    model.fetchMore()
    model.fetchMore()
    assert model.rowCount() == 456 and not model.canFetchMore()
    ids = [model.entry(row).id for row in range(model.rowCount())]
    assert ids == sorted(ids, reverse=True)  # newest first
    qtmodeltester.check(model)


def test_filters(qtbot, trail: Services) -> None:  # type: ignore[no-untyped-def]
    pane = make_pane(qtbot, trail)
    assert pane.count_label.text() == "456 entries"
    choose(pane.actor_box, "helpdesk")
    assert pane.count_label.text() == "150 entries"
    choose(pane.actor_box, None)
    choose(pane.action_box, "user.")
    assert pane.count_label.text() == "6 entries"
    choose(pane.action_box, "user.disable")
    assert pane.count_label.text() == "1 entry"
    assert pane.model.entry(0).target == "erin"
    choose(pane.action_box, None)
    pane.range_box.setCurrentIndex(1)  # last 24 hours
    assert pane.count_label.text() == "6 entries"
    pane.range_box.setCurrentIndex(BETWEEN)
    ten_days_ago = QDate.currentDate().addDays(-10)
    pane.since_edit.setDate(ten_days_ago.addDays(-1))
    pane.until_edit.setDate(ten_days_ago)
    assert pane.count_label.text() == "450 entries"
    pane.target_edit.setText("item44")
    pane.apply_filter()
    assert pane.count_label.text() == "11 entries"  # item44 and item440..449


def test_export_csv_off_the_gui_thread(qtbot, trail: Services, tmp_path: Path, messages) -> None:  # type: ignore[no-untyped-def]
    pane = make_pane(qtbot, trail)
    choose(pane.action_box, "email.")
    target = tmp_path / "trail.csv"
    pane.export_to(target)
    # run_task deletes its Task when done: wait for the outcome, not on the Task's signal.
    qtbot.waitUntil(lambda: bool(messages), timeout=10_000)
    assert messages[-1].title == "Export finished"
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == list(auditlog.CSV_HEADER)
    assert len(rows) == 1 + 225
    assert {row[3] for row in rows[1:]} == {"email.sent"}
    assert rows[-1][4] == "'=cmd|' /C calc'!A0"  # no formula for a spreadsheet to run
    assert not list(tmp_path.glob(".*partial"))


def test_export_large_trail_in_core(trail: Services, tmp_path: Path) -> None:
    count = auditlog.export_csv(
        trail.db, AuditFilter(since=datetime(2000, 1, 1)), tmp_path / "a.csv"
    )
    assert count == 456
