"""A private FreeRADIUS 3 server on free loopback ports, in the foreground, stopped by PID.

The Debian configuration is copied (links dereferenced), its sites replaced by one site that
listens on 127.0.0.1 with PAP against a users file; ``users`` holds the entries
(``alice Cleartext-Password := "pw"`` then tab-indented reply attributes).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from tests.services.slapd import free_port

SOURCE = Path("/etc/freeradius/3.0")

SITE = """server default {{
listen {{
	type = auth
	ipaddr = 127.0.0.1
	port = {auth}
}}
listen {{
	type = acct
	ipaddr = 127.0.0.1
	port = {acct}
}}
authorize {{
	files
	pap
}}
authenticate {{
	Auth-Type PAP {{
		pap
	}}
}}
preacct {{
	acct_unique
}}
accounting {{
	ok
}}
post-auth {{
}}
}}
"""


def free_udp_port() -> int:
    """A port free for both TCP and UDP on 127.0.0.1 (slapd's helper checks TCP)."""
    import socket

    while True:
        port = free_port()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port


class FreeRadius:
    def __init__(self, workdir: Path, secret: str, users: str) -> None:
        self.workdir = workdir
        self.secret = secret
        self.users = users
        self.auth_port = free_udp_port()
        self.acct_port = free_udp_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log = workdir / "freeradius.log"

    def configure(self) -> None:
        conf = self.workdir / "raddb"
        shutil.copytree(SOURCE, conf, symlinks=False)
        for site in (conf / "sites-enabled").iterdir():
            site.unlink()
        (conf / "mods-enabled" / "eap").unlink()  # needs sections this site does not have
        (conf / "sites-enabled" / "mfa").write_text(
            SITE.format(auth=self.auth_port, acct=self.acct_port)
        )
        (conf / "clients.conf").write_text(
            f"client localhost {{\n\tipaddr = 127.0.0.1\n\tsecret = {self.secret}\n"
            "\trequire_message_authenticator = no\n}\n"
        )
        (conf / "mods-config" / "files" / "authorize").write_text(self.users)
        # Stay the test's user (pytest's folders are private): no switch to user freerad.
        radiusd = conf / "radiusd.conf"
        lines = radiusd.read_text().splitlines()
        kept = [ln for ln in lines if ln.strip().split(" ")[0] not in ("user", "group")]
        radiusd.write_text("\n".join(kept) + "\n")
        self.conf = conf

    def start(self) -> FreeRadius:
        self.configure()
        out = self.log.open("wb")
        self.process = subprocess.Popen(
            ["freeradius", "-f", "-d", str(self.conf), "-l", "stdout"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if "Ready to process requests" in self.log.read_text(errors="replace"):
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"FreeRADIUS did not start:\n{self.log.read_text(errors='replace')}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None
