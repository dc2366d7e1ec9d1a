"""A small bar chart of activity per day (synchronization, email, users), drawn with QPainter."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from mfa_console.core.status import ChartSeries

COLORS = ("#2b6cb0", "#d69e2e", "#38a169", "#805ad5")


class ActivityChart(QWidget):
    """Grouped bars: one group per day, one bar per series, with a legend and a scale."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._series: tuple[ChartSeries, ...] = ()
        self.setMinimumHeight(170)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Activity over the last days")

    def set_series(self, series: tuple[ChartSeries, ...]) -> None:
        self._series = series
        self.setToolTip(
            "\n".join(f"{s.label}: {sum(s.counts):,} in {len(s.days)} days" for s in series)
        )
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(480, 170)

    def paintEvent(self, _event: QPaintEvent) -> None:
        if not self._series:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = self.palette().color(QPalette.ColorRole.WindowText)
        metrics = painter.fontMetrics()
        line = metrics.height()
        plot = QRectF(40, line + 8, self.width() - 50, self.height() - 2 * line - 16)
        self._draw_legend(painter, line)
        peak = max(max(s.counts) for s in self._series) or 1
        painter.setPen(text)
        painter.drawText(
            QRectF(0, plot.top() - line / 2, 34, line), Qt.AlignmentFlag.AlignRight, str(peak)
        )
        painter.drawText(
            QRectF(0, plot.bottom() - line / 2, 34, line), Qt.AlignmentFlag.AlignRight, "0"
        )
        painter.setPen(QColor(text.red(), text.green(), text.blue(), 60))
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        days = self._series[0].days
        group = plot.width() / max(len(days), 1)
        bar = max(group * 0.8 / len(self._series), 1.0)
        for d, day in enumerate(days):
            x = plot.left() + d * group + group * 0.1
            for s, series in enumerate(self._series):
                height = plot.height() * series.counts[d] / peak
                painter.fillRect(
                    QRectF(x + s * bar, plot.bottom() - height, bar - 1, height),
                    QColor(COLORS[s % len(COLORS)]),
                )
            if d % max(len(days) // 7, 1) == 0:
                painter.setPen(text)
                painter.drawText(
                    QRectF(x - 10, plot.bottom() + 4, group + 20, line),
                    Qt.AlignmentFlag.AlignHCenter,
                    day.strftime("%d %b"),
                )
        painter.end()

    def _draw_legend(self, painter: QPainter, line: int) -> None:
        x = 40.0
        for s, series in enumerate(self._series):
            painter.fillRect(QRectF(x, 4, line - 4, line - 4), QColor(COLORS[s % len(COLORS)]))
            painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
            label = f"{series.label} ({sum(series.counts):,})"
            painter.drawText(
                QRectF(x + line, 0, 400, line + 4), Qt.AlignmentFlag.AlignVCenter, label
            )
            x += line + painter.fontMetrics().horizontalAdvance(label) + 20
