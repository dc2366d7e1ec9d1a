"""The RADIUS server's own process: it marks when it last answered, and the service reads that
through shared memory to pause its synchronizations (core.radius.state.pause_while_answering)."""

from __future__ import annotations

import os
import signal
import time

from mfa_console.app import Services, open_services
from mfa_console.core.db.pgpass import forget_password
from mfa_console.core.radius.process import RadiusProcess, RadiusSupervisor
from mfa_console.core.radius.state import pause_while_answering
from tests.radius.conftest import RadiusEnv
from tests.services.postgres import CONSOLE_PASSWORD, CONSOLE_ROLE, PostgresServer

REQUEST = "User-Name=nobody,User-Password=pw123456,Message-Authenticator=0x00"


def test_the_service_sees_when_the_server_process_answers(
    services: Services, radius: RadiusEnv
) -> None:
    radius.add_client(append_code=True)
    process = RadiusProcess(services.db.url)
    pause = pause_while_answering(process.activity)
    try:
        process.ensure()
        assert pause(0.5) == 0.0  # nothing answered yet
        sent = time.time()
        reply = radius.send(REQUEST, retries=10, timeout=1)
        assert reply.code, reply.output  # answered
        assert process.activity.value >= sent
        assert pause(0.5) == 0.5
    finally:
        process.close()


def test_the_supervisor_restarts_a_killed_server_and_stops_it_when_disabled(
    services: Services, radius: RadiusEnv
) -> None:
    """From its own thread: no tick of the service's loop (busy with a long sync, say) needed."""
    radius.add_client(append_code=True)
    watch = RadiusSupervisor(
        RadiusProcess(services.db.url), lambda: services.radius.settings().enabled, 0.2
    )
    try:
        watch.start()
        assert radius.send(REQUEST, retries=10, timeout=1).code
        first = watch.process.pid
        assert first is not None
        os.kill(first, signal.SIGKILL)
        assert radius.send(REQUEST, retries=20, timeout=1).code  # answered again
        assert watch.process.pid not in (None, first)
        radius.configure(enabled=False)
        deadline = time.monotonic() + 30
        while watch.process.pid is not None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert watch.process.pid is None
    finally:
        watch.close()


def test_the_postgresql_password_given_to_the_service_reaches_the_server_process(
    postgres: PostgresServer,
) -> None:
    """``service --password-stdin`` on a server whose keyring cannot keep the password."""
    name = postgres.new_database(empty=True, owner=CONSOLE_ROLE)
    url = postgres.url(name, role=CONSOLE_ROLE)
    services = open_services(url, password=CONSOLE_PASSWORD)
    forget_password(url)  # only the service has it now
    process = RadiusProcess(url, services.db.password)
    try:
        radius = RadiusEnv(services)
        radius.add_client(append_code=True)
        process.ensure()
        assert radius.send(REQUEST, retries=10, timeout=1).code
        assert process.activity.value > 0
    finally:
        process.close()
        services.close()
        postgres.drop(name)
