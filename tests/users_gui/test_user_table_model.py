"""The users table model: qtmodeltester, paging without loading everything, SQL sort and filter."""

from __future__ import annotations

from PySide6.QtCore import Qt

from mfa_console.app import Services
from mfa_console.ui.models.user_table import COLUMNS, MAX_PAGES, PAGE_SIZE, UserTableModel


def test_model_passes_qtmodeltester(qtmodeltester, many_users: Services) -> None:  # type: ignore[no-untyped-def]
    model = UserTableModel(many_users.users)
    qtmodeltester.check(model, force_py=True)  # stays connected: checks the resets below too
    model.set_filter("smith")
    model.sort(3, Qt.SortOrder.DescendingOrder)
    model.refresh()
    filtered = UserTableModel(many_users.users)
    filtered.set_filter("jo")
    qtmodeltester.check(filtered)


def test_rows_are_read_page_by_page(many_users: Services) -> None:
    model = UserTableModel(many_users.users)
    assert model.rowCount() == 600
    assert model.loaded_rows() == 0
    assert model.data(model.index(0, 0))
    assert model.loaded_rows() == PAGE_SIZE
    assert model.data(model.index(599, 0))  # the end: one more page, read in reverse
    assert model.loaded_rows() <= 2 * PAGE_SIZE
    for row in range(0, 600, 10):
        model.data(model.index(row, 0))
    assert model.loaded_rows() <= MAX_PAGES * PAGE_SIZE


def test_sort_and_filter_happen_in_sql(many_users: Services) -> None:
    model = UserTableModel(many_users.users)
    column = [key for _title, key in COLUMNS].index("updated_at")
    model.sort(column, Qt.SortOrder.DescendingOrder)
    times = [model.user_at(row).updated_at for row in range(model.rowCount())]  # type: ignore[union-attr]
    assert times == sorted(times, reverse=True)
    model.set_filter("Østergaard")
    assert 0 < model.rowCount() < 600
    users = [model.user_at(row) for row in range(model.rowCount())]
    assert all(u is not None and u.last_name == "Østergaard" for u in users)
    model.set_filter("nobody-at-all")
    assert model.rowCount() == 0


def test_display_values(few_users: Services) -> None:
    model = UserTableModel(few_users.users)
    row = {model.user_at(r).username: r for r in range(model.rowCount())}["bob.jones@contoso.com"]  # type: ignore[union-attr]
    shown = [model.data(model.index(row, c)) for c in range(len(COLUMNS))]
    assert shown[:4] == ["bob.jones@contoso.com", "No", "Phone Call", "+1 206-555-0199"]
    assert shown[6] == "Manual"
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(len(COLUMNS))] == [
        title for title, _key in COLUMNS
    ]


def test_pages_next_to_held_ones_match_pages_by_position(many_users: Services) -> None:
    from mfa_console.core.users.query import UserQuery

    for column, order, text in (
        (0, Qt.SortOrder.AscendingOrder, ""),
        (7, Qt.SortOrder.DescendingOrder, "o"),
        (1, Qt.SortOrder.AscendingOrder, "contoso"),
    ):
        model = UserTableModel(many_users.users)
        model.set_filter(text)
        model.sort(column, order)
        query = UserQuery(
            many_users.db, text, COLUMNS[column][1], order == Qt.SortOrder.DescendingOrder
        )
        want = [u.id for u in query.iter_all()]
        forward = [model.user_at(r).id for r in range(model.rowCount())]  # type: ignore[union-attr]
        model.refresh()
        backward = [model.user_at(r).id for r in reversed(range(model.rowCount()))]  # type: ignore[union-attr]
        assert forward == want
        assert backward[::-1] == want


def test_other_countries_phones_are_formatted_once_phonenumbers_is_loaded(
    qtbot, services: Services
) -> None:  # type: ignore[no-untyped-def]
    from mfa_console.core.users.records import UserInput

    services.users.add(UserInput("uk@contoso.com", phone="+44 20 7946 0958", method="oath-token"))
    model = UserTableModel(services.users)
    phone = model.index(0, [key for _t, key in COLUMNS].index("phone"))
    qtbot.waitUntil(lambda: model.data(phone) == "+44 20 7946 0958")
