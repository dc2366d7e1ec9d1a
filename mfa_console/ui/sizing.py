"""Fitting panes into a 1024x700 window: tabs that scroll instead of growing the window, and
table columns sized from what is shown."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHeaderView, QScrollArea, QTableView, QWidget


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


def fit_columns(table: QTableView, minimum: int = 60, maximum: int = 360) -> None:
    """Size each column once from the rows shown now (never ``ResizeToContents``, which reads
    every row of a paged model), within ``minimum``..``maximum``; the user may resize them."""
    header = table.horizontalHeader()
    for column in range(header.count()):
        hint = max(table.sizeHintForColumn(column), header.sectionSizeHint(column))
        header.resizeSection(column, min(max(hint, minimum), maximum))
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
