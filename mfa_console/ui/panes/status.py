"""The Status pane, the console's home page: one card per status section, each linking to its pane.

The snapshot is read off the GUI thread (``ui.tasks.Task``) when the pane is first shown, on
Refresh, and every ``AUTO_REFRESH_MS`` while the pane is visible.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from mfa_console.app import Services
from mfa_console.core import status
from mfa_console.core.status import ChartSeries, StatusSection
from mfa_console.ui.panes.registry import pane_spec
from mfa_console.ui.panes.status_chart import ActivityChart
from mfa_console.ui.tasks import Task

AUTO_REFRESH_MS = 30_000
STATE_TEXT = {
    status.OK: ("OK", "#2f855a"),
    status.WARNING: ("Check", "#b7791f"),
    status.ERROR: ("Error", "#c53030"),
    status.NOT_CONFIGURED: ("Not configured", "#718096"),
}


class StatusCard(QFrame):
    """One section: title, state, lines, and a link to the pane that deals with it."""

    def __init__(self, section: StatusSection, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.section = section
        self.setObjectName(f"status-{section.key}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        text, color = STATE_TEXT.get(section.state, (section.state, "#718096"))
        title = QLabel(f"<b>{section.title}</b>")
        badge = QLabel(f"<span style='color:{color}'>\u25cf {text}</span>")
        badge.setObjectName("state")
        head = QHBoxLayout()
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(badge)
        body = QLabel("<br>".join(_escape(line) for line in section.lines))
        body.setWordWrap(True)
        body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        body.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(body, 1)
        self.link: QPushButton | None = None
        if section.pane:
            self.link = QPushButton(f"Open {_pane_title(section.pane)}")
            self.link.setFlat(True)
            self.link.setCursor(Qt.CursorShape.PointingHandCursor)
            self.link.clicked.connect(self._on_link_clicked)
            layout.addWidget(self.link, 0, Qt.AlignmentFlag.AlignLeft)

    def _on_link_clicked(self) -> None:
        window = self.window()
        if self.section.pane and hasattr(window, "show_pane"):
            window.show_pane(self.section.pane)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


TAB_TITLES = {"sync": "Synchronization"}


def _pane_title(key: str) -> str:
    key, _, tab = key.partition("/")
    try:
        title = pane_spec(key).title
    except KeyError:
        return key
    return f"{title} › {TAB_TITLES.get(tab, tab.capitalize())}" if tab else title


def chart_series(sections: list[StatusSection]) -> tuple[ChartSeries, ...]:
    """Series of every section for the one chart; a feature's own series wins over the audit
    trail's count of the same label."""
    chosen: dict[str, ChartSeries] = {}
    for section in sorted(sections, key=lambda s: s.key == "activity"):
        for series in section.chart:
            chosen.setdefault(series.label, series)
    return tuple(chosen.values())


class StatusPane(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.task: Task | None = None
        self.cards: dict[str, StatusCard] = {}
        self._updated = QLabel("Reading the status...")
        refresh = QPushButton("&Refresh")
        refresh.setShortcut("F5")
        refresh.setToolTip("Read the status again (F5); it also refreshes every 30 seconds")
        refresh.clicked.connect(self.refresh)
        head = QHBoxLayout()
        head.addWidget(QLabel("<h2>Status</h2>"))
        head.addStretch(1)
        head.addWidget(self._updated)
        head.addWidget(refresh)
        self._grid = QGridLayout()
        self._grid.setSpacing(10)
        self.chart = ActivityChart()
        self.chart_title = QLabel(f"<b>Activity over the last {status.ACTIVITY_DAYS} days</b>")
        self.chart.hide()
        self.chart_title.hide()
        content = QWidget()
        inner = QVBoxLayout(content)
        inner.addLayout(self._grid)
        inner.addWidget(self.chart_title)
        inner.addWidget(self.chart)
        inner.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(scroll, 1)
        self._timer = QTimer(self)
        self._timer.setInterval(AUTO_REFRESH_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._timer.start()
        self.refresh()

    def refresh(self) -> Task | None:
        """Read the snapshot off the GUI thread; returns the running task (None if one runs)."""
        if self.task is not None and self.task.running:
            return None
        services = self.services
        task = Task()  # owns its lifetime; the connections end if this pane goes first
        task.succeeded.connect(self._on_snapshot_ready)
        task.errored.connect(self._on_snapshot_failed)
        task.start(lambda _progress: status.snapshot(services))
        self.task = task
        return task

    def _on_timer_timeout(self) -> None:
        if self.isVisible():
            self.refresh()

    def _on_snapshot_ready(self, sections: list[StatusSection]) -> None:
        self.show_sections(sections)
        self._updated.setText(f"Updated {datetime.now():%H:%M:%S}")

    def _on_snapshot_failed(self, exc: object) -> None:
        self._updated.setText(f"Could not read the status: {exc}")

    def show_sections(self, sections: list[StatusSection]) -> None:
        while self._grid.count():
            item = self._grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.cards = {}
        cards = [s for s in sections if s.key != "activity"]
        for index, section in enumerate(cards):
            card = StatusCard(section)
            self.cards[section.key] = card
            self._grid.addWidget(card, index // 2, index % 2)
        self.chart.set_series(chart_series(sections))
        self.chart.setVisible(bool(chart_series(sections)))
        self.chart_title.setVisible(self.chart.isVisibleTo(self))
