"""`mfa-console service`: a scheduled sync, the heartbeat, clean stop, secrets without a keyring."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import delete

from mfa_console.app import Services
from mfa_console.core.db.lease import lease_info
from mfa_console.core.directory.settings import DirectorySettings
from mfa_console.core.sync.items import SyncItem
from mfa_console.core.sync.models import SyncRunRow
from tests.services.fixtures import TestCAs
from tests.services.slapd import SlapdServer
from tests.sync.conftest import configure_ldap, set_sync

SECRET = "directory.bind-password"


def _service(data: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "mfa_console", "--data", str(data), "service", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _wait_for(predicate, timeout: float = 30) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _prepare(services: Services, slapd: SlapdServer) -> str:
    ou = slapd.add_ou(f"s{uuid.uuid4().hex[:8]}")
    slapd.add_user("svc1", ou)
    slapd.add_user("svc2", ou)
    services.sync.items.add(SyncItem(scope="container", dn=ou))
    set_sync(services, enabled=True, interval_minutes=1)
    return ou


def test_service_runs_scheduled_sync_writes_heartbeat_and_stops_cleanly(
    services: Services, data_file: Path, slapd: SlapdServer, test_cas: TestCAs
) -> None:
    configure_ldap(services, slapd, test_cas)
    _prepare(services, slapd)
    process = _service(data_file, "--tick", "0.2")
    try:
        assert _wait_for(lambda: services.sync.history.last_run(completed=True) is not None)
        run = services.sync.history.last_run(completed=True)
        assert run is not None and run.trigger == "schedule" and run.status == "succeeded"
        assert run.counts["added"] == 2
        heartbeat = lease_info(services.db, "service")
        assert heartbeat is not None and heartbeat.alive and heartbeat.pid == process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert "Sync run #" in stderr and "Service stopped." in stderr
    assert lease_info(services.db, "service") is None  # released on a clean stop


def _headless_env(tmp_path: Path, credentials: Path | None) -> dict[str, str]:
    """No D-Bus session, an empty HOME: no keyring exists, as on a headless server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBUS_", "XDG_"))}
    env["HOME"] = str(tmp_path / "home")
    (tmp_path / "home").mkdir(exist_ok=True)
    env.pop("CREDENTIALS_DIRECTORY", None)
    if credentials is not None:
        env["CREDENTIALS_DIRECTORY"] = str(credentials)
    return env


def _configure_without_password(services: Services, slapd: SlapdServer, cas: TestCAs) -> None:
    settings = replace(
        DirectorySettings.defaults("ldap"),
        servers=(slapd.url,),
        security="starttls",
        ca_file=str(cas.trusted.ca_file),
        bind_dn=slapd.reader_dn,
        base_dn=slapd.suffix,
    )
    services.settings.save(settings)


def _seal_bind_password(services: Services, password: str) -> str:
    """The console stores the bind password sealed in the data file; returns the data key (the
    one secret the service needs, as its systemd credential ``data-key``)."""
    from mfa_console.core.keys import data_key

    services.secrets.set(SECRET, password)
    return data_key(services.db).encoded()


def _systemd_credential(tmp_path: Path, value: str) -> Path:
    """Encrypt ``value`` as systemd-creds does, then decrypt it the way systemd does at unit
    start (LoadCredentialEncrypted=): into a private directory only this user can read."""
    from mfa_console.core.keys import KEY_ENTRY as SECRET  # the service's single credential

    if shutil.which("systemd-creds") is None or os.geteuid() != 0:
        pytest.skip("systemd-creds (as root) is needed to encrypt a credential")
    cred = tmp_path / f"{SECRET}.cred"
    subprocess.run(
        ["systemd-creds", "encrypt", f"--name={SECRET}", "-", str(cred)],
        input=value.encode(),
        check=True,
        capture_output=True,
    )
    assert value.encode() not in cred.read_bytes()  # encrypted at rest
    directory = tmp_path / "credentials"
    directory.mkdir(mode=0o700)
    target = directory / SECRET
    subprocess.run(
        ["systemd-creds", "decrypt", f"--name={SECRET}", str(cred), str(target)],
        check=True,
        capture_output=True,
    )
    target.chmod(0o400)
    return directory


def test_headless_service_reads_bind_password_from_systemd_credentials(
    services: Services, data_file: Path, slapd: SlapdServer, test_cas: TestCAs, tmp_path: Path
) -> None:
    _configure_without_password(services, slapd, test_cas)
    _prepare(services, slapd)
    credentials = _systemd_credential(tmp_path, _seal_bind_password(services, slapd.reader_pw))

    process = _service(data_file, "--once", env=_headless_env(tmp_path, credentials))
    _, stderr = process.communicate(timeout=60)

    assert process.returncode == 0, stderr
    run = services.sync.history.last_run()
    assert run is not None and run.status == "succeeded", run
    assert run.counts["added"] == 2
    assert slapd.reader_pw not in stderr


def test_headless_service_without_credential_or_keyring_fails_safely(
    services: Services, data_file: Path, slapd: SlapdServer, test_cas: TestCAs, tmp_path: Path
) -> None:
    _configure_without_password(services, slapd, test_cas)
    _prepare(services, slapd)
    key = _seal_bind_password(services, slapd.reader_pw)
    loose = tmp_path / "loose"
    loose.mkdir()
    (loose / "data-key").write_text(key)
    (loose / "data-key").chmod(0o644)  # a plain file others can read: never used

    for credentials in (None, loose):
        with services.db.write() as session:  # make the schedule due again
            session.execute(delete(SyncRunRow))
        process = _service(data_file, "--once", env=_headless_env(tmp_path, credentials))
        _, stderr = process.communicate(timeout=60)
        assert process.returncode == 0, stderr
        run = services.sync.history.last_run()
        assert run is not None and run.status == "failed"
        expected = "keyring" if credentials is None else "other users"
        assert expected in run.message and "import it here" in run.message
        assert run.counts["added"] == 0
