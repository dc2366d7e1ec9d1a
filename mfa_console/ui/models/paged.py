"""A table model over keyset pages: it holds only the rows fetched so far and asks for the next
page as the view scrolls (``canFetchMore`` / ``fetchMore``); a filter change starts again.
Subclasses give ``columns``, ``data`` and ``next_page`` (the rows after the last one held)."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from PySide6.QtCore import QModelIndex

from mfa_console.ui.models.columns import ColumnsTableModel, Index

Row = TypeVar("Row")
Filter = TypeVar("Filter")


class PagedTableModel(ColumnsTableModel, Generic[Row, Filter]):
    page_size = 200

    def __init__(self, where: Filter, parent: Any = None) -> None:
        super().__init__(parent)
        self._filter = where
        self._rows: list[Row] = []
        self._more = True

    def next_page(self, last: Row | None) -> list[Row]:
        """Up to ``page_size`` rows after ``last`` (the first page when None), in SQL."""
        raise NotImplementedError

    @property
    def filter(self) -> Filter:
        return self._filter

    def set_filter(self, where: Filter) -> None:
        self.beginResetModel()
        self._filter, self._rows, self._more = where, [], True
        self.endResetModel()

    def reload(self) -> None:
        self.set_filter(self._filter)

    def entry(self, row: int) -> Row:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._more

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or not self._more:
            return
        rows = self.next_page(self._rows[-1] if self._rows else None)
        self._more = len(rows) == self.page_size
        if rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
