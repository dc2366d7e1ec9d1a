"""A throwaway Samba Active Directory domain controller (EXAMPLE.TEST) for a whole test run.

Samba's LDAP ports are fixed (389/636), so one DC runs per machine, shared by the worker processes
of one test run (pytest-xdist). ``SambaDC.acquire(run)`` looks, under a short machine-wide gate
lock, at the state file of the running DC: one started by the same run is joined with a shared
``fcntl`` lock on LOCK_FILE; otherwise an exclusive lock on LOCK_FILE (nobody uses a DC) lets it
provision and start one, then keep a shared lock. While another run holds the DC, it waits.
``release()`` drops the shared lock, and the last user (who can then lock exclusively) stops the
DC by its PID (SIGTERM to the process group leader).

The DC presents a certificate from the test CA with SAN localhost/127.0.0.1/dc1.example.test, as a
real AD CS deployment would. Helpers create OUs, users, nested groups and change them the way an
administrator would (disable, rename, move, delete), over LDAPS as Administrator.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

import ldap3

from tests.services.certs import CertFiles

REALM = "EXAMPLE.TEST"
DOMAIN = "EXAMPLE"
BASE_DN = "DC=example,DC=test"
ADMIN_UPN = "Administrator@example.test"
ADMIN_DN = f"CN=Administrator,CN=Users,{BASE_DN}"
ADMIN_PW = "Passw0rd!Admin"
USER_PW = "Passw0rd!User1"
LOCKOUT_THRESHOLD = 3
LOCK_FILE = Path(tempfile.gettempdir()) / "mfa-console-test-samba-ad.lock"
PID_FILE = Path(tempfile.gettempdir()) / "mfa-console-test-samba-ad.pid"
# Held a moment by a process that joins, starts or leaves the DC; the state file says which run
# started it and its PID.
GATE_FILE = Path(tempfile.gettempdir()) / "mfa-console-test-samba-ad.gate"
STATE_FILE = Path(tempfile.gettempdir()) / "mfa-console-test-samba-ad.json"

GLOBAL_SECURITY_GROUP = -2147483646  # ADS_GROUP_TYPE_GLOBAL_GROUP | SECURITY_ENABLED
UAC_NORMAL = 0x200
UAC_DISABLED = 0x2
UAC_PASSWD_NOTREQD = 0x20


class SambaDC:
    """Provision, start, use and stop the session's DC; ``url``/``ldaps_url`` use localhost."""

    url = "ldap://localhost:389"
    ldaps_url = "ldaps://localhost:636"
    base_dn = BASE_DN
    admin_upn = ADMIN_UPN
    admin_dn = ADMIN_DN
    admin_pw = ADMIN_PW
    user_pw = USER_PW
    users_dn = f"CN=Users,{BASE_DN}"

    def __init__(self, workdir: Path, certs: CertFiles) -> None:
        self.workdir = workdir
        self.certs = certs
        self.process: subprocess.Popen[bytes] | None = None
        self._lock: IO[str] | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def acquire(self, run: str, timeout: float = 600) -> SambaDC:
        """Use the DC that this test run (``run``) already started, or wait until no other run
        holds one, then provision and start it."""
        self._lock = LOCK_FILE.open("a+")
        deadline = time.monotonic() + timeout
        try:
            while not self._join_or_start(run, deadline):
                if time.monotonic() > deadline:
                    raise RuntimeError("another test session kept the Samba AD DC lock")
                time.sleep(0.5)
        except BaseException:
            self._lock.close()
            self._lock = None
            raise
        return self

    def _join_or_start(self, run: str, deadline: float) -> bool:
        """One try, under the gate: join the run's DC (a shared lock), or, when nobody holds
        one (an exclusive lock), start it and keep a shared lock. False: another run has it."""
        assert self._lock is not None
        with _gate(deadline):
            state = _read_state()
            if state.get("run") == run and _is_samba(state.get("pid")):
                return _try_flock(self._lock, fcntl.LOCK_SH)
            if not _try_flock(self._lock, fcntl.LOCK_EX):
                return False
            try:
                _stop_stale_dc()
                _wait_ports_free()
                self._provision()
                self._start()
            except BaseException:
                self._stop()
                fcntl.flock(self._lock.fileno(), fcntl.LOCK_UN)
                raise
            assert self.process is not None
            STATE_FILE.write_text(json.dumps({"run": run, "pid": self.process.pid}))
            # flock turns exclusive into shared by unlocking first; only holders of the gate lock
            # LOCK_FILE, so no other process of this code can take the DC in that moment.
            fcntl.flock(self._lock.fileno(), fcntl.LOCK_SH)
            return True

    def _provision(self) -> None:
        t = self.workdir
        (t / "run").mkdir(parents=True, exist_ok=True)
        (t / "log").mkdir(exist_ok=True)
        empty = t / "empty.conf"
        empty.write_text("")
        options = {
            "interfaces": "lo",
            "bind interfaces only": "yes",
            "pid directory": f"{t}/run",
            "log file": f"{t}/log/log.%m",
            "ncalrpc dir": f"{t}/run/ncalrpc",
            "winbindd socket directory": f"{t}/run/winbindd",
            "ntp signd socket directory": f"{t}/run/ntp_signd",
            "server services": "s3fs rpc ldap cldap kdc drepl winbindd kcc",
            "prefork children": "1",
        }
        command = [
            "samba-tool", "domain", "provision", "-s", str(empty), "--host-name=dc1",
            f"--realm={REALM}", f"--domain={DOMAIN}", "--server-role=dc",
            "--dns-backend=NONE", "--use-rfc2307", f"--adminpass={ADMIN_PW}",
            f"--targetdir={t}",
        ]  # fmt: skip
        command += [f"--option={k}={v}" for k, v in options.items()]
        _run(command)
        _run([
            "samba-tool", "domain", "passwordsettings", "set", "-H", f"{t}/private/sam.ldb",
            f"--account-lockout-threshold={LOCKOUT_THRESHOLD}", "--min-pwd-age=0",
        ])  # fmt: skip
        conf = t / "etc" / "smb.conf"
        text = conf.read_text()
        tls = (
            "\ttls enabled = yes\n"
            f"\ttls keyfile = {self.certs.key_file}\n"
            f"\ttls certfile = {self.certs.cert_file}\n"
            f"\ttls cafile = {self.certs.ca_file}\n"
        )
        conf.write_text(text.replace("[global]\n", "[global]\n" + tls, 1))

    def _start(self) -> None:
        log = (self.workdir / "log" / "samba.log").open("ab")
        self.process = subprocess.Popen(
            ["samba", "-i", "-s", str(self.workdir / "etc" / "smb.conf")],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        PID_FILE.write_text(str(self.process.pid))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"samba exited; see {self.workdir}/log/samba.log")
            try:
                with socket.create_connection(("127.0.0.1", 636), timeout=0.5):
                    pass
                with self.admin():
                    return
            except (OSError, ldap3.core.exceptions.LDAPException):
                time.sleep(0.2)
        raise RuntimeError("the Samba AD DC did not answer LDAPS within 60 s")

    def release(self) -> None:
        """Drop this process's use of the DC; the last user of the run stops it (SIGTERM to its
        PID ends all its processes)."""
        if self._lock is None:
            return
        with _gate(time.monotonic() + 600):
            fcntl.flock(self._lock.fileno(), fcntl.LOCK_UN)
            if _try_flock(self._lock, fcntl.LOCK_EX):
                self._stop()
                fcntl.flock(self._lock.fileno(), fcntl.LOCK_UN)
        self._lock.close()
        self._lock = None

    def _stop(self) -> None:
        """Stop the DC described by the state file (started by this or another process)."""
        pid = _read_state().get("pid")
        if self.process is not None:
            _terminate(self.process.pid)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
            self.process = None
        elif isinstance(pid, int) and _is_samba(pid):
            _terminate(pid)
            _wait_gone(pid)
        STATE_FILE.unlink(missing_ok=True)
        PID_FILE.unlink(missing_ok=True)

    # -- administration over LDAPS ---------------------------------------------------------
    def admin(self) -> ldap3.Connection:
        tls = ldap3.Tls(ca_certs_file=str(self.certs.ca_file), validate=ssl.CERT_REQUIRED)
        server = ldap3.Server("localhost", port=636, use_ssl=True, tls=tls, get_info=ldap3.NONE)
        return ldap3.Connection(server, ADMIN_UPN, ADMIN_PW, auto_bind=True, raise_exceptions=True)

    def create_ou(self, name: str, parent: str = BASE_DN, *, unique: bool = True) -> str:
        """An OU; its name gets a random suffix unless ``unique`` is False, so tests never clash."""
        if unique:
            name = f"{name}-{uuid.uuid4().hex[:8]}"
        dn = f"OU={name},{parent}"
        with self.admin() as conn:
            conn.add(dn, ["top", "organizationalUnit"], {"ou": name})
        return dn

    def create_user(
        self,
        sam: str,
        ou: str,
        *,
        given: str = "",
        sn: str = "",
        mail: str = "",
        upn: str | None = "",
        password: str | None = USER_PW,
        disabled: bool = False,
        **attrs: str | Sequence[str],
    ) -> str:
        """A user ``CN=<given sn or sam>`` in ``ou``; ``upn=""`` means sam@example.test, None none.

        ``attrs`` are more LDAP attributes: telephoneNumber, mobile, homePhone, pager,
        facsimileTelephoneNumber, ipPhone, description, ...
        """
        cn = " ".join(p for p in (given, sn) if p) or sam
        dn = f"CN={cn},{ou}"
        values: dict[str, object] = {"sAMAccountName": sam}
        if upn is not None:
            values["userPrincipalName"] = upn or f"{sam}@example.test"
        for key, value in (("givenName", given), ("sn", sn), ("mail", mail)):
            if value:
                values[key] = value
        values.update({k: v for k, v in attrs.items() if v})
        uac = UAC_NORMAL | (UAC_DISABLED if disabled else 0)
        if password is None:
            uac |= UAC_PASSWD_NOTREQD
        else:
            values["unicodePwd"] = f'"{password}"'.encode("utf-16-le")
        values["userAccountControl"] = uac
        with self.admin() as conn:
            conn.add(dn, ["top", "person", "organizationalPerson", "user"], values)
        return dn

    def create_group(self, name: str, ou: str, members: Sequence[str] = ()) -> str:
        """A global security group; ``members`` are DNs of users or other groups (nesting)."""
        dn = f"CN={name},{ou}"
        values: dict[str, object] = {"sAMAccountName": name, "groupType": GLOBAL_SECURITY_GROUP}
        if members:
            values["member"] = list(members)
        with self.admin() as conn:
            conn.add(dn, ["top", "group"], values)
        return dn

    def add_members(self, group: str, members: Sequence[str]) -> None:
        with self.admin() as conn:
            conn.modify(group, {"member": [(ldap3.MODIFY_ADD, list(members))]})

    def remove_members(self, group: str, members: Sequence[str]) -> None:
        with self.admin() as conn:
            conn.modify(group, {"member": [(ldap3.MODIFY_DELETE, list(members))]})

    def modify(self, dn: str, **replace: str | Sequence[str] | int) -> None:
        changes = {
            k: [(ldap3.MODIFY_REPLACE, list(v) if isinstance(v, list | tuple) else [v])]
            for k, v in replace.items()
        }
        with self.admin() as conn:
            conn.modify(dn, changes)

    def set_disabled(self, dn: str, disabled: bool = True) -> None:
        with self.admin() as conn:
            conn.search(dn, "(objectClass=*)", ldap3.BASE, attributes=["userAccountControl"])
            uac = int(conn.entries[0].userAccountControl.value)
            uac = uac | UAC_DISABLED if disabled else uac & ~UAC_DISABLED
            conn.modify(dn, {"userAccountControl": [(ldap3.MODIFY_REPLACE, [uac])]})

    def rename(self, dn: str, new_cn: str) -> str:
        """Change the CN (the objectGUID stays); returns the new DN."""
        with self.admin() as conn:
            conn.modify_dn(dn, f"CN={new_cn}")
        return f"CN={new_cn},{dn.split(',', 1)[1]}"

    def move(self, dn: str, new_ou: str) -> str:
        """Move to another OU (the objectGUID stays); returns the new DN."""
        rdn = dn.split(",", 1)[0]
        with self.admin() as conn:
            conn.modify_dn(dn, rdn, new_superior=new_ou)
        return f"{rdn},{new_ou}"

    def delete(self, dn: str, *, tree: bool = False) -> None:
        with self.admin() as conn:
            if tree:
                conn.delete(dn, controls=[("1.2.840.113556.1.4.805", True, None)])
            else:
                conn.delete(dn)

    def object_guid(self, dn: str) -> bytes:
        """The raw 16 bytes of objectGUID (little-endian layout, as AD stores them)."""
        with self.admin() as conn:
            conn.search(dn, "(objectClass=*)", ldap3.BASE, attributes=["objectGUID"])
            return bytes(conn.entries[0].objectGUID.raw_values[0])


INSTALL_HINT = "run scripts/install-system-packages.sh test as root"
AD_PORTS = (389, 636, 3268, 3269)


def _run(command: list[str]) -> None:
    """Run a samba-tool step; on failure the first line says what is likely missing."""
    try:
        result = subprocess.run(command, capture_output=True, text=True)
    except FileNotFoundError:
        raise RuntimeError(
            f"{command[0]} not found: install the Debian packages samba-ad-dc and "
            f"samba-common-bin ({INSTALL_HINT})"
        ) from None
    if result.returncode != 0:
        output = result.stdout + result.stderr
        raise RuntimeError(
            f"{_likely_cause(output)}\n{' '.join(command[:3])} said:\n{output[-3000:]}"
        )


def _likely_cause(output: str) -> str:
    """One line naming the missing package or step, from what samba-tool printed."""
    failed = "Samba AD provision failed"
    if "samba-ad-provision" in output or "ad-schema" in output:
        return f"{failed}: the package samba-ad-provision is missing ({INSTALL_HINT})"
    if "Permission denied" in output:
        return f"{failed}: permission denied (the test DC must be provisioned as root)"
    if "No such file or directory" in output:
        return f"{failed}: a Samba file is missing ({INSTALL_HINT})"
    return f"{failed} (are samba-ad-dc and samba-ad-provision installed? {INSTALL_HINT})"


def _check_ports_free() -> None:
    """The DC needs 389/636/3268/3269 on loopback: name the program that holds one, if any."""
    for port in AD_PORTS:
        with contextlib.closing(socket.socket()) as probe:
            probe.settimeout(0.5)
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                continue
        holder = _listener_of(port) or "another program"
        raise RuntimeError(
            f"port {port} is already taken by {holder}: the test Samba AD DC needs ports "
            f"{', '.join(map(str, AD_PORTS))}. Stop it (for a system service started at boot: "
            "systemctl stop slapd samba-ad-dc; systemctl disable them) and run the tests again"
        )


def _listener_of(port: int) -> str | None:
    """``name (pid N)`` of the process listening on a local TCP port, read from /proc."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(f"socket:[{fields[9]}]")
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            for fd in (proc / "fd").iterdir():
                if os.readlink(fd) in inodes:
                    name = (proc / "comm").read_text().strip()
                    return f"{name} (pid {proc.name})"
    return None


def _terminate(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)


def _stop_stale_dc() -> None:
    """A DC left by a killed test session (we hold the lock, so its owner is gone): stop it."""
    for pid in (_read_state().get("pid"), _read_pid_file()):
        if isinstance(pid, int) and _is_samba(pid):
            _terminate(pid)
            _wait_gone(pid)
    STATE_FILE.unlink(missing_ok=True)
    PID_FILE.unlink(missing_ok=True)


def _read_pid_file() -> int | None:
    try:
        return int(PID_FILE.read_text().strip())
    except (OSError, ValueError):
        return None


def _read_state() -> dict[str, object]:
    try:
        state = json.loads(STATE_FILE.read_text())
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def _is_samba(pid: object) -> bool:
    """A live (not zombie) process whose command line names samba."""
    if not isinstance(pid, int):
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        status = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return b"samba" in cmdline and status != "Z"


def _wait_gone(pid: int, timeout: float = 20) -> None:
    """Wait for a process that is not our child to end (or be left a zombie); SIGKILL its group
    after ``timeout``."""
    deadline = time.monotonic() + timeout
    while _is_samba(pid):
        if time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            deadline = time.monotonic() + timeout
        time.sleep(0.1)


def _wait_ports_free(timeout: float = 20) -> None:
    """A DC just stopped may leave its ports a moment; after ``timeout`` name their holder."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            _check_ports_free()
            return
        except RuntimeError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _try_flock(handle: IO[str], operation: int) -> bool:
    try:
        fcntl.flock(handle.fileno(), operation | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextlib.contextmanager
def _gate(deadline: float) -> Iterator[None]:
    with GATE_FILE.open("a+") as gate:
        while not _try_flock(gate, fcntl.LOCK_EX):
            if time.monotonic() > deadline:
                raise RuntimeError("another test session kept the Samba AD DC's gate")
            time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(gate.fileno(), fcntl.LOCK_UN)
