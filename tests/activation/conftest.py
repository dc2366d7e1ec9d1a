"""A real activation service on loopback (a subprocess, HTTPS with a trustme certificate).

The service process runs for the whole session and is stopped by its PID. Tests make credentials
through the service's own store (the same code ``generate-credentials`` runs), with a clock set in
the past when they need expired ones.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme

from mfa_console.app import Services
from mfa_console.core.activation.protocol import CREDENTIAL_TTL_SECONDS
from mfa_console.core.activation.server.store import ActivationStore, Generated
from mfa_console.core.activation.settings import ActivationServiceSettings

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class RunningService:
    url: str
    port: int
    ca_file: Path
    state: Path
    process: subprocess.Popen[str]

    def store(self, clock: Callable[[], float] = time.time) -> ActivationStore:
        return ActivationStore(self.state, clock=clock)

    def credentials(self, email: str = "admin@example.test", *, expired: bool = False) -> Generated:
        if expired:
            past = time.time() - CREDENTIAL_TTL_SECONDS - 1
            return self.store(clock=lambda: past).generate(email)
        return self.store().generate(email)


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("tls")
    ca = trustme.CA()
    cert = ca.issue_cert("localhost", "127.0.0.1")
    files = {
        "ca": folder / "ca.pem",
        "cert": folder / "cert.pem",
        "key": folder / "key.pem",
        "other_ca": folder / "other-ca.pem",
    }
    ca.cert_pem.write_to_path(str(files["ca"]))
    cert.cert_chain_pems[0].write_to_path(str(files["cert"]))
    cert.private_key_pem.write_to_path(str(files["key"]))
    trustme.CA().cert_pem.write_to_path(str(files["other_ca"]))
    return files


def cli_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "mfa_console", *args]


def cli_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


@pytest.fixture(scope="session")
def activation_service(
    tls_files: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningService]:
    state = tmp_path_factory.mktemp("service") / "activation-service.db"
    process = subprocess.Popen(
        cli_command(
            "activation-service", "serve",
            "--cert", str(tls_files["cert"]), "--key", str(tls_files["key"]),
            "--listen", "127.0.0.1:0", "--state", str(state),
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=cli_env(),
        cwd=ROOT,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "listening on https://" in line, line
        port = int(line.rsplit(":", 1)[1])
        yield RunningService(f"https://localhost:{port}", port, tls_files["ca"], state, process)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def configured(services: Services, activation_service: RunningService) -> Services:
    """Console services pointed at the running activation service, trusting its CA file."""
    services.activation.save_service_settings(
        ActivationServiceSettings(activation_service.url, str(activation_service.ca_file))
    )
    return services


@pytest.fixture
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def services_factory(tmp_path: Path) -> Iterator[Callable[[RunningService], Services]]:
    """Services over further data files (other console servers), closed at the end."""
    from mfa_console.app import open_services

    opened: list[Services] = []

    def make(service: RunningService) -> Services:
        svc = open_services(tmp_path / f"server{len(opened) + 2}.db")
        svc.activation.save_service_settings(
            ActivationServiceSettings(service.url, str(service.ca_file))
        )
        opened.append(svc)
        return svc

    yield make
    for svc in opened:
        svc.close()


@pytest.fixture
def window(services: Services, qtbot):  # type: ignore[no-untyped-def]
    """A main window over the test's data file, UI state thrown away."""
    from PySide6.QtCore import QSettings

    from mfa_console.ui.main_window import MainWindow

    win = MainWindow(services, QSettings(os.devnull, QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    return win


@pytest.fixture
def shots() -> Path:
    """Where screenshots go (SCREENSHOT_DIR, else a temporary folder); they are not committed."""
    import tempfile

    folder = Path(os.environ.get("SCREENSHOT_DIR") or tempfile.mkdtemp(prefix="shots-"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder
