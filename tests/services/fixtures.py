"""Pytest fixtures over the real servers of this package (import them into a conftest.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.services.certs import CertFiles, ca_files, write_ca
from tests.services.dns import DnsServer
from tests.services.postgres import PostgresServer
from tests.services.samba_ad import SambaDC
from tests.services.shared import locked, run_folder, run_id
from tests.services.slapd import SlapdServer


@dataclass(frozen=True)
class TestCAs:
    """``trusted`` signed the servers' certificates; ``untrusted`` signed nothing they use."""

    __test__ = False
    trusted: CertFiles
    untrusted: CertFiles


@pytest.fixture(scope="session")
def test_cas(tmp_path_factory: pytest.TempPathFactory) -> TestCAs:
    """Made once per run: the workers of a run share the Samba AD DC, which presents a
    certificate of ``trusted``."""
    folder = run_folder(tmp_path_factory) / "cas"
    with locked(folder / "lock"):
        if not (folder / "done").exists():
            write_ca(folder, "trusted")
            write_ca(folder, "untrusted")
            (folder / "done").touch()
    return TestCAs(ca_files(folder, "trusted"), ca_files(folder, "untrusted"))


@pytest.fixture(scope="session")
def slapd(tmp_path_factory: pytest.TempPathFactory, test_cas: TestCAs) -> Iterator[SlapdServer]:
    """The session's slapd (dc=example,dc=test, ou=people, ou=groups; cn=reader can bind)."""
    server = SlapdServer(tmp_path_factory.mktemp("slapd"), test_cas.trusted).start()
    yield server
    server.stop()


MakeSlapd = Callable[..., SlapdServer]


@pytest.fixture
def make_slapd(tmp_path: Path, test_cas: TestCAs) -> Iterator[MakeSlapd]:
    """A factory of private slapd instances a test may stop; all are stopped at the end.

    ``make_slapd(preload=ldif_chunks, start=True)``: the LDIF is bulk-loaded offline first.
    """
    started: list[SlapdServer] = []

    def make(preload: str | Iterable[str] | None = None, start: bool = True) -> SlapdServer:
        server = SlapdServer(tmp_path / f"slapd{len(started)}", test_cas.trusted)
        server.configure()
        if preload is not None:
            server.slapadd(preload)
        started.append(server)
        return server.start() if start else server

    yield make
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def samba_ad(tmp_path_factory: pytest.TempPathFactory, test_cas: TestCAs) -> Iterator[SambaDC]:
    """The run's Samba AD DC (EXAMPLE.TEST on localhost:389/636): one per machine, shared by
    the workers of a run; another run waits until the last of them is done with it."""
    dc = SambaDC(tmp_path_factory.mktemp("samba"), test_cas.trusted).acquire(run_id())
    yield dc
    dc.release()


MakeDns = Callable[..., DnsServer]


@pytest.fixture
def make_dns(tmp_path: Path) -> Iterator[MakeDns]:
    """A factory of dnsmasq servers: ``make_dns(srv=[(name, target, port, prio, weight)],
    hosts=[(name, ipv4)])``; all are stopped at the end."""
    started: list[DnsServer] = []

    def make(**records: object) -> DnsServer:
        server = DnsServer(tmp_path / f"dns{len(started)}")
        started.append(server)
        return server.start(**records)  # type: ignore[arg-type]

    yield make
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """The session's PostgreSQL cluster, with a migrated template database."""
    server = PostgresServer().start()
    try:
        server.make_template()
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(postgres: PostgresServer) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for one test (dropped at the end)."""
    name = postgres.new_database()
    yield postgres.url(name)
    postgres.recycle(name)


MakePostgres = Callable[[], PostgresServer]


@pytest.fixture
def make_postgres() -> Iterator[MakePostgres]:
    """Private clusters a test may kill or hang; all are stopped at the end."""
    started: list[PostgresServer] = []

    def make() -> PostgresServer:
        server = PostgresServer(crash_safe=True)
        started.append(server)
        return server.start()

    yield make
    for server in started:
        server.stop()
