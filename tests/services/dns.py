"""A real DNS server for the tests: dnsmasq on 127.0.0.1 and a free port, authoritative for the
``.test`` names it is given (SRV records for domain controllers, A records), NXDOMAIN for others.
Started with its records, stopped by PID."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

import dns.exception
import dns.resolver


class DnsServer:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        """The ``host:port`` to put in the directory settings' DNS server."""
        return f"127.0.0.1:{self.port}"

    def start(
        self,
        srv: Sequence[tuple[str, str, int, int, int]] = (),
        hosts: Sequence[tuple[str, str]] = (),
    ) -> DnsServer:
        """``srv``: (name, target, port, priority, weight); ``hosts``: (name, IPv4 address)."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = _free_udp_port()
        args = [
            "dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv",
            "--no-hosts", "--listen-address=127.0.0.1", "--bind-interfaces",
            f"--port={self.port}", "--pid-file=", "--user=root", "--local=/test/",
            f"--log-facility={self.workdir / 'dnsmasq.log'}",
        ]  # fmt: skip
        args += [f"--srv-host={n},{t},{p},{prio},{w}" for n, t, p, prio, w in srv]
        args += [f"--host-record={name},{address}" for name, address in hosts]
        self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL, start_new_session=True)
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 10) -> None:
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = ["127.0.0.1"]
        resolver.port = self.port
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                resolver.resolve("ready.probe.test", "A", lifetime=0.5)
            except dns.resolver.NXDOMAIN:
                return  # it answers
            except dns.exception.DNSException:
                time.sleep(0.05)
        raise RuntimeError(f"dnsmasq did not answer on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            self.process.wait(10)
        self.process = None


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
