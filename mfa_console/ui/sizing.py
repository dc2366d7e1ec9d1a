"""Fitting panes into a 1024x700 window: tabs that scroll instead of growing the window, and
table columns sized from what is shown.

``fit_columns`` keeps a table's columns as wide as their header and the rows on screen need
(never ``ResizeToContents``, which reads up to a thousand rows of a paged model every time data
changes), lets one text column take the space left, and narrows the widest columns when the
viewport is too small, so no horizontal scrollbar appears; text that no longer fits is elided and
shown whole in its tooltip.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QPoint, Qt
from PySide6.QtGui import QFont, QFontMetrics, QHelpEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QScrollArea,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolTip,
    QTreeView,
    QWidget,
)
from shiboken6 import isValid

Index = QModelIndex | QPersistentModelIndex
MAX_ROWS_MEASURED = 60  # at most one screen of rows is read to size the columns
ELIDE_SLACK = 4  # QHeaderView elides a title to its label rectangle less these pixels


def scrolled(page: QWidget, *, keep_height: bool = False) -> QScrollArea:
    """``page`` in a frameless scroll area: a tall form scrolls rather than grow the window.

    ``keep_height``: the page never gets less than its natural height (wrapped labels, button
    columns), so a short window scrolls it instead of squeezing it."""
    if keep_height:
        page.setMinimumHeight(page.sizeHint().height())
    area = QScrollArea()
    area.setWidget(page)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    return area


def fit_columns(
    view: QTableView | QTreeView,
    stretch: int,
    *,
    minimum: int = 40,
    maximum: int = 360,
    stretch_chars: int = 12,
    keep: tuple[int, ...] = (),
) -> ColumnFitter:
    """Keep ``view``'s columns sized from its header and the rows on screen; column ``stretch``
    (a text column) takes what is left, and in a narrow window gives way first, down to about
    ``stretch_chars`` characters; the columns in ``keep`` (times, short words) are not narrowed
    while the others can give way. Refitted when the view is resized, when the model is reset
    and when rows arrive on screen; a column the administrator resized keeps its width."""
    fitter = ColumnFitter(view, stretch, minimum=minimum, maximum=maximum, chars=stretch_chars)
    fitter.keep = keep
    fitter.fit()
    return fitter


def _header(view: QTableView | QTreeView) -> QHeaderView:
    return view.horizontalHeader() if isinstance(view, QTableView) else view.header()


class ElidedTextDelegate(QStyledItemDelegate):
    """Draws cells as usual; a cell whose text is elided shows it whole in its tooltip (unless
    the model gives a tooltip of its own)."""

    def helpEvent(
        self,
        event: QHelpEvent,
        view: QAbstractItemView,
        option: QStyleOptionViewItem,
        index: Index,
    ) -> bool:
        if event.type() == QEvent.Type.ToolTip and index.isValid():
            text = elided_text(view, index)
            if text is not None:
                QToolTip.showText(event.globalPos(), text, view)
                return True
        return super().helpEvent(event, view, option, index)


def elided_text(view: QAbstractItemView, index: Index) -> str | None:
    """The whole text of a cell shown elided and without a tooltip of its own, else None."""
    if index.data(Qt.ItemDataRole.ToolTipRole):
        return None
    text = index.data(Qt.ItemDataRole.DisplayRole)
    if not isinstance(text, str) or not text:
        return None
    return text if view.sizeHintForIndex(index).width() > view.visualRect(index).width() else None


class ColumnFitter(QObject):
    """Sizes a view's columns (see ``fit_columns``); lives as long as the view."""

    def __init__(
        self,
        view: QTableView | QTreeView,
        stretch: int,
        *,
        minimum: int,
        maximum: int,
        chars: int = 12,
    ) -> None:
        super().__init__(view)
        self.view = view
        self.stretch = stretch
        self.stretch_chars = chars
        self.minimum = minimum
        self.maximum = maximum
        self.user_widths: dict[int, int] = {}
        self.keep: tuple[int, ...] = ()
        self._fitting = False
        self._width = -1
        header = _header(view)
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(minimum)
        header.setTextElideMode(Qt.TextElideMode.ElideRight)
        header.setHighlightSections(False)  # a bold title would not fit its column
        header.sectionResized.connect(self._on_header_section_resized)
        header.sortIndicatorChanged.connect(lambda *_: self.fit())  # the arrow needs room
        view.setItemDelegate(ElidedTextDelegate(view))
        view.setWordWrap(False)
        view.viewport().installEventFilter(self)
        model = view.model()
        model.modelReset.connect(self.fit)
        model.layoutChanged.connect(self.fit)
        model.rowsInserted.connect(self._on_model_rows_inserted)
        self.fit()

    # Measuring -----------------------------------------------------------------------------
    def shown_rows(self) -> range:
        """The rows on screen now (the first rows before the view is laid out), at most
        ``MAX_ROWS_MEASURED``."""
        model = self.view.model()
        count = model.rowCount()
        top = max(0, self.view.indexAt(QPoint(1, 1)).row())
        bottom = self.view.indexAt(QPoint(1, self.view.viewport().height() - 2)).row()
        if bottom < top:
            bottom = count - 1
        return range(top, min(bottom + 1, top + MAX_ROWS_MEASURED, count))

    def header_widths(self) -> list[int]:
        """Per column: what its header text needs, in the header's own font, with room for the
        sort arrow only where it is (Qt's hint keeps room for a bold title and an arrow in every
        column, which costs a column or two at 1024 pixels)."""
        header = _header(self.view)
        count = header.count()
        hints = [header.sectionSizeHint(column) for column in range(count)]
        if header.isSortIndicatorShown():
            arrow = header.sortIndicatorSection()
            blocked = header.blockSignals(True)
            header.setSortIndicatorShown(False)
            hints = [
                hint if column == arrow else header.sectionSizeHint(column)
                for column, hint in enumerate(hints)
            ]
            header.setSortIndicatorShown(True)
            header.blockSignals(blocked)
        bold_font = QFont(header.font())
        bold_font.setBold(True)
        bold, plain = QFontMetrics(bold_font), header.fontMetrics()
        model = self.view.model()
        for column in range(count):
            title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
            # Qt elides a title to its label's width less 4 pixels: keep those.
            saved = bold.horizontalAdvance(title) - plain.horizontalAdvance(title) - ELIDE_SLACK
            hints[column] -= max(0, saved)
        return hints

    def wanted_widths(self, headers: list[int]) -> list[int]:
        """Per column: what its header and its rows on screen need, within minimum..maximum."""
        model = self.view.model()
        rows = self.shown_rows()
        widths = []
        for column, need in enumerate(headers):
            if column in self.user_widths:
                widths.append(self.user_widths[column])
                continue
            for row in rows:
                need = max(need, self.view.sizeHintForIndex(model.index(row, column)).width() + 1)
            widths.append(min(max(need, self.minimum), self.maximum))
        return widths

    # Fitting -------------------------------------------------------------------------------
    def fit(self) -> None:
        if not isValid(self.view):  # the view's model resets while the view is destroyed
            return
        header = _header(self.view)
        count = header.count()
        if not count:
            return
        available = self.view.viewport().width()
        headers = self.header_widths()
        floors = [max(self.minimum, min(width, self.maximum)) for width in headers]
        # The text column that takes the space left gives way first (its text elides) ...
        stretch_floor = max(
            floors[self.stretch], self.view.fontMetrics().averageCharWidth() * self.stretch_chars
        )
        wanted = self.wanted_widths(headers)
        widths = narrowed(wanted, self.stretch, stretch_floor, available)
        # ... then the widest columns, down to their headers (a column kept whole, such as a
        # time, not at all), then the headers elide too.
        for column in self.keep:
            floors[column] = wanted[column]
        floors[self.stretch] = min(stretch_floor, wanted[self.stretch])
        widths = shrunk_to(widths, floors, available)
        widths = shrunk_to(widths, [self.minimum] * count, available)
        self._fitting = True
        try:
            for column in range(count):
                mode = QHeaderView.ResizeMode.Interactive
                if column == self.stretch:
                    mode = QHeaderView.ResizeMode.Stretch
                header.setSectionResizeMode(column, mode)
                if column != self.stretch:
                    header.resizeSection(column, widths[column])
        finally:
            self._fitting = False
        self._width = available

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Resize
            and isValid(self.view)
            and watched is self.view.viewport()
            and self.view.viewport().width() != self._width
        ):
            self.fit()
        return False

    def _on_model_rows_inserted(self, _parent: Index, first: int, _last: int) -> None:
        # Rows that show up on screen (not a page fetched below it while scrolling).
        if isValid(self.view) and (first == 0 or first in self.shown_rows()):
            self.fit()

    def _on_header_section_resized(self, column: int, _old: int, new: int) -> None:
        if not self._fitting and column != self.stretch:
            self.user_widths[column] = new


def narrowed(widths: list[int], column: int, floor: int, available: int) -> list[int]:
    """``widths`` with ``column`` narrowed (not below ``floor``) by what exceeds ``available``."""
    excess = sum(widths) - available
    result = list(widths)
    if excess > 0 and result[column] > floor:
        result[column] -= min(excess, result[column] - floor)
    return result


def shrunk_to(wanted: list[int], floors: list[int], available: int) -> list[int]:
    """``wanted`` with the widest columns narrowed (never below their ``floors``) until all fit
    ``available``; unchanged when they fit already."""
    if sum(wanted) <= available or available <= 0:
        return list(wanted)
    low, high = 0, max(wanted)
    while low < high:  # the widest cap at which everything fits
        cap = (low + high + 1) // 2
        total = sum(max(min(w, cap), f) for w, f in zip(wanted, floors, strict=True))
        if total <= available:
            low = cap
        else:
            high = cap - 1
    return [max(min(w, low), min(f, w)) for w, f in zip(wanted, floors, strict=True)]
