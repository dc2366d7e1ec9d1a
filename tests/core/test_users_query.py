"""The users query layer over a real data file: search, sort orders, paging, keyset streaming."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from mfa_console.app import Services, open_services
from mfa_console.core.users.query import SORTS, UserQuery, fts_query, phone_digits
from mfa_console.core.users.records import UserInput
from tests.services.postgres import PostgresServer
from tests.users_gui.data import insert_users

pytestmark = pytest.mark.both_databases


@pytest.fixture(
    scope="module",
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)],
)
def svc(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Services]:
    """700 users (and one more), on SQLite and on PostgreSQL."""
    if request.param == "postgresql":
        server: PostgresServer = request.getfixturevalue("postgres")
        name = server.new_database()
        services = open_services(server.url(name))
        request.addfinalizer(lambda: server.drop(name))
    else:
        services = open_services(tmp_path_factory.mktemp("query") / "users.db")
    insert_users(services, 700, seed=3)
    services.users.add(
        UserInput(
            "Zed.Person@Example.com", "Zed", "Person", "zed@example.com", phone="+44 20 7946 0958"
        )
    )
    yield services
    services.close()


def all_users(svc: Services) -> list:  # type: ignore[type-arg]
    return list(UserQuery(svc.db).iter_all(batch=97))


def expected_order(users: list, sort: str, descending: bool) -> list[str]:  # type: ignore[type-arg]
    def key(user):  # type: ignore[no-untyped-def]
        value = getattr(user, sort)
        if sort == "username":
            return (value.lower(),)
        return (value is not None, value if value is not None else "", user.username.lower())

    return [u.username for u in sorted(users, key=key, reverse=descending)]


def test_substring_search_matches_every_field_case_insensitively(svc: Services) -> None:
    users = all_users(svc)
    for text in ("SMITH", "østergaard", "ohn", "contoso.co"):
        needle = text.lower()
        want = {
            u.username
            for u in users
            if any(
                needle in (v or "").lower()
                for v in (u.username, u.first_name, u.last_name, u.email, u.phone)
            )
        }
        query = UserQuery(svc.db, text)
        assert {u.username for u in query.iter_all()} == want
        assert query.count() == len(want) > 0


def test_phone_search_by_digits_and_with_plus(svc: Services) -> None:
    zed = svc.users.find("zed.person@example.com")
    assert phone_digits("7946-0958") == "79460958"
    for text in ("79460958", "+4420794", "7946-0958", "7946 0958"):
        found = [u.username for u in UserQuery(svc.db, text).iter_all()]
        assert zed.username in found, text


def test_one_and_two_characters_match_the_start_of_the_username(svc: Services) -> None:
    users = all_users(svc)
    for text in ("a", "Jo", "z"):
        want = {u.username for u in users if u.username.lower().startswith(text.lower())}
        query = UserQuery(svc.db, text)
        assert {u.username for u in query.iter_all()} == want
        assert query.count() == len(want)
    plus = UserQuery(svc.db, "+4")
    assert [u.username for u in plus.iter_all()] == ["Zed.Person@Example.com"]


def test_several_terms_must_all_match(svc: Services) -> None:
    users = all_users(svc)
    want = {u.username for u in users if "ann" in u.username and "smith" in u.last_name.lower()}
    assert {u.username for u in UserQuery(svc.db, "ann smith").iter_all()} == want


@pytest.mark.parametrize("text", ["zzqx", "q", "qq", "+9", "no such user"])
def test_no_match(svc: Services, text: str) -> None:
    query = UserQuery(svc.db, text)
    assert query.count() == 0
    assert query.page(0, 50) == []
    assert list(query.iter_all()) == []


def test_fts_query_quotes_terms() -> None:
    assert fts_query(['o"brien']) == '"o""brien"'
    assert fts_query(["555-0100"]) == '("555-0100" OR "5550100")'


@pytest.mark.parametrize("sort", sorted(SORTS))
@pytest.mark.parametrize("descending", [False, True])
def test_sort_orders_pages_and_stream_agree(svc: Services, sort: str, descending: bool) -> None:
    users = all_users(svc)
    want = expected_order(users, sort, descending)
    query = UserQuery(svc.db, "", sort, descending)
    assert [u.username for u in query.iter_all(batch=64)] == want
    paged = []
    for offset in range(0, query.count(), 150):
        paged += [u.username for u in query.page(offset, 150)]
    assert paged == want
    tail = query.page(query.count() - 10, 50)
    assert [u.username for u in tail] == want[-10:]


@pytest.mark.parametrize("text", ["a", "smi", "contoso"])
@pytest.mark.parametrize("sort", ["username", "phone", "updated_at", "enabled"])
def test_filtered_pages_follow_the_sort(svc: Services, text: str, sort: str) -> None:
    query = UserQuery(svc.db, text, sort, descending=sort == "updated_at")
    streamed = [u.id for u in query.iter_all(batch=50)]
    paged = [u.id for offset in range(0, query.count(), 40) for u in query.page(offset, 40)]
    assert paged == streamed
    assert len(streamed) == query.count()
    for row in (0, len(streamed) // 2, len(streamed) - 1):
        assert query.position(streamed[row]) == row


def test_count_enabled_and_unknown_sort(svc: Services) -> None:
    users = all_users(svc)
    assert UserQuery(svc.db).count_enabled() == sum(u.enabled for u in users)
    with pytest.raises(ValueError, match="unknown sort"):
        UserQuery(svc.db, sort="password")


def test_index_follows_edits_and_removals(tmp_path: Path) -> None:
    services = open_services(tmp_path / "edit.db")
    try:
        user = services.users.add(UserInput("first.user", "Quentin", "Blake", method="oath-token"))
        assert UserQuery(services.db, "quentin").count() == 1
        services.users.update(user.id, user.version, replace(user.to_input(), first_name="Roald"))
        assert UserQuery(services.db, "quentin").count() == 0
        assert UserQuery(services.db, "roald").count() == 1
        services.users.remove([user.id])
        assert UserQuery(services.db, "roald").count() == 0
    finally:
        services.close()


def test_query_users_equal_the_service_users(svc: Services) -> None:
    query = UserQuery(svc.db, sort="updated_at", descending=True)
    for user in [*query.page(0, 20), *query.iter_all(batch=300)][::37]:
        assert user == svc.users.get(user.id)
