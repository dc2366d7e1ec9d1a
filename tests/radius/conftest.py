"""RADIUS tests: the server runs in the test process on free ports; clients are radclient and
pyrad's client, the upstream server is a real FreeRADIUS."""

from __future__ import annotations

import re
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyotp
import pytest

from mfa_console.app import Services
from mfa_console.core.radius.config import RadiusClient
from mfa_console.core.radius.process import ThreadedServer
from mfa_console.core.radius.service import RadiusRunner
from mfa_console.core.radius.verification import QueuedAuthLog
from mfa_console.core.users.records import UserInput
from tests.auth.conftest import totp_for
from tests.services.fixtures import TestCAs
from tests.services.freeradius import FreeRadius, free_udp_port
from tests.services.slapd import SlapdServer
from tests.sync.conftest import configure_ldap

SECRET = "client-secret-1"
UPSTREAM_SECRET = "upstream-secret-1"


@dataclass
class Reply:
    code: str  # Access-Accept, Access-Reject, Access-Challenge, Accounting-Response, "" (none)
    attributes: dict[str, list[str]] = field(default_factory=dict)
    output: str = ""

    def first(self, name: str) -> str:
        return self.attributes[name][0]


_RECEIVED = re.compile(r"^Received (\S+) Id")
_ATTR = re.compile(r"^\s+([A-Za-z0-9:._-]+) = (.*)$")


def radclient(
    port: int,
    pairs: str,
    *,
    secret: str = SECRET,
    kind: str = "auth",
    timeout: float = 3,
    retries: int = 1,
) -> Reply:
    """Send ``pairs`` ("User-Name=alice,User-Password=pw,...") with radclient; the reply."""
    run = subprocess.run(
        [
            "radclient",
            "-x",
            "-t",
            str(timeout),
            "-r",
            str(retries),
            f"127.0.0.1:{port}",
            kind,
            secret,
        ],
        input=pairs + "\n",
        capture_output=True,
        text=True,
        timeout=timeout * (retries + 1) + 10,
    )
    reply = Reply("", {}, run.stdout + run.stderr)
    receiving = False
    for line in run.stdout.splitlines():
        match = _RECEIVED.match(line)
        if match:
            reply.code, receiving = match.group(1), True
            continue
        if line.startswith("Sent "):
            receiving = False
        attr = _ATTR.match(line)
        if receiving and attr:
            reply.attributes.setdefault(attr.group(1), []).append(attr.group(2).strip('"'))
    return reply


class RadiusEnv:
    """The data file's RADIUS settings and a server started from them, as the service does."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.auth_port = free_udp_port()
        self.acct_port = free_udp_port()
        self.runner: RadiusRunner | None = None
        self.auth_log: QueuedAuthLog | None = None
        self.server: ThreadedServer | None = None
        self.configure(
            enabled=True,
            auth_port=self.auth_port,
            acct_port=self.acct_port,
            listen_addresses=("127.0.0.1",),
            target="none",
        )

    def configure(self, **changes: object) -> None:
        current = self.services.radius.settings()
        self.services.radius.save_settings(replace(current, **changes))  # type: ignore[arg-type]

    def add_client(self, address: str = "127.0.0.1", secret: str = SECRET, **flags: bool) -> None:
        self.services.radius.config.save_client(RadiusClient(address, "VPN", **flags), secret)

    def start(self, *, workers: int | None = None) -> RadiusEnv:
        if self.server is None:
            self.server = ThreadedServer(self.services)  # as the service's RADIUS process runs
            self.runner, self.auth_log = self.server.runner, self.server.auth_log
            if workers is not None:
                self.runner.workers = workers
        assert self.runner is not None
        self.runner.tick()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = self.runner = self.auth_log = None

    def send(self, pairs: str, **options: object) -> Reply:
        return radclient(self.auth_port, pairs, **options)  # type: ignore[arg-type]


@pytest.fixture
def radius(services: Services) -> Iterator[RadiusEnv]:
    env = RadiusEnv(services)
    yield env
    env.stop()


UPSTREAM_USERS = (
    'carol Cleartext-Password := "carol-pw"\n'
    '\tClass = "vpn-users",\n'
    '\tCisco-AVPair = "shell:priv-lvl=15",\n'
    '\tFilter-Id = "full-access",\n'
    '\tTunnel-Password = "tunnel-secret-7"\n'
)


@pytest.fixture(scope="module")
def upstream(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FreeRadius]:
    server = FreeRadius(
        Path(tmp_path_factory.mktemp("freeradius")), UPSTREAM_SECRET, UPSTREAM_USERS
    ).start()
    yield server
    server.stop()


def add_console_user(services: Services, username: str, *, token: bool = True) -> pyotp.TOTP | None:
    """A console user; with a software token, the TOTP that shows its codes."""
    email = username if "@" in username else f"{username}@example.test"
    services.users.add(UserInput(username=username, email=email,
                                 phone="555-123-4567", method="phone-call"))  # fmt: skip
    if not token:
        return None
    return totp_for(services.auth.generate_software(username).secret)


def ldap_person(slapd: SlapdServer, password: str) -> str:
    """A fresh slapd person with ``password``; its uid."""
    uid = f"p{uuid.uuid4().hex[:8]}"
    slapd.add_user(uid, userPassword=password)
    return uid


@pytest.fixture
def ldap_radius(radius: RadiusEnv, slapd: SlapdServer, test_cas: TestCAs) -> RadiusEnv:
    """RADIUS with the LDAP bind target on the session's slapd (StartTLS)."""
    configure_ldap(radius.services, slapd, test_cas)
    radius.configure(target="ldap")
    return radius
