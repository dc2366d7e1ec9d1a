"""A private OpenLDAP slapd on free loopback ports, started in the foreground and stopped by PID.

``SlapdServer(workdir, certs).start()`` writes a slapd.conf (core, cosine, nis, inetorgperson;
back_mdb; indexes for incremental reads), loads the base entries offline with slapadd and starts
slapd listening on ``ldap://`` (StartTLS available) and ``ldaps://`` on 127.0.0.1. Clients connect
as ``localhost`` so the certificate's SAN matches.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import ldap3

from tests.services.certs import CertFiles

SUFFIX = "dc=example,dc=test"
ROOT_DN = f"cn=admin,{SUFFIX}"
ROOT_PW = "Passw0rd!Ldap"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"
SCHEMA_DIR = Path("/etc/ldap/schema")
MODULE_DIR = Path("/usr/lib/ldap")

_BASE_LDIF = f"""dn: {SUFFIX}
objectClass: dcObject
objectClass: organization
dc: example
o: Example

dn: {PEOPLE}
objectClass: organizationalUnit
ou: people

dn: {GROUPS}
objectClass: organizationalUnit
ou: groups

dn: cn=reader,{SUFFIX}
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: reader
userPassword: Passw0rd!Reader

"""
READER_DN = f"cn=reader,{SUFFIX}"
READER_PW = "Passw0rd!Reader"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def user_entry(uid: str, ou: str = PEOPLE, **attrs: str | Sequence[str]) -> tuple[str, dict]:  # type: ignore[type-arg]
    """DN and attributes of an inetOrgPerson ``uid`` (cn/sn default from uid)."""
    values: dict[str, object] = {
        "objectClass": ["inetOrgPerson"],
        "uid": uid,
        "cn": attrs.pop("cn", uid),
        "sn": attrs.pop("sn", uid),
    }
    values.update(attrs)
    return f"uid={uid},{ou}", values


def users_ldif(count: int, *, ou: str = PEOPLE, prefix: str = "user") -> Iterable[str]:
    """LDIF text chunks for ``count`` generated inetOrgPerson users (for slapadd bulk loads)."""
    for i in range(count):
        uid = f"{prefix}{i:06d}"
        yield (
            f"dn: uid={uid},{ou}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: User {i}\n"
            f"sn: Number{i}\ngivenName: User\nmail: {uid}@example.test\n"
            f"telephoneNumber: +1 425 555 {i % 10000:04d}\n\n"
        )


class SlapdServer:
    """One slapd instance in ``workdir``; ``url``/``ldaps_url`` name it as ``localhost``."""

    def __init__(self, workdir: Path, certs: CertFiles) -> None:
        self.workdir = workdir
        self.certs = certs
        self.port = free_port()
        self.ldaps_port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.conf = workdir / "slapd.conf"
        self.dbdir = workdir / "db"
        self._configured = False

    # -- addresses -------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"ldap://localhost:{self.port}"

    @property
    def ldaps_url(self) -> str:
        return f"ldaps://localhost:{self.ldaps_port}"

    suffix = SUFFIX
    root_dn = ROOT_DN
    root_pw = ROOT_PW
    reader_dn = READER_DN
    reader_pw = READER_PW
    people = PEOPLE
    groups = GROUPS

    # -- lifecycle -------------------------------------------------------------------------
    def configure(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.dbdir.mkdir(exist_ok=True)
        schemas = "\n".join(
            f"include {SCHEMA_DIR / name}.schema"
            for name in ("core", "cosine", "nis", "inetorgperson")
        )
        self.conf.write_text(
            f"""{schemas}
pidfile {self.workdir / "slapd.pid"}
argsfile {self.workdir / "slapd.args"}
modulepath {MODULE_DIR}
moduleload back_mdb
sizelimit unlimited
TLSCACertificateFile {self.certs.ca_file}
TLSCertificateFile {self.certs.cert_file}
TLSCertificateKeyFile {self.certs.key_file}
database mdb
maxsize 1073741824
suffix "{SUFFIX}"
rootdn "{ROOT_DN}"
rootpw {ROOT_PW}
directory {self.dbdir}
dbnosync
index objectClass,entryCSN,entryUUID,modifyTimestamp eq
index uid,mail,cn,sn,givenName eq,sub
index member eq
access to attrs=userPassword by anonymous auth by * none
access to * by * read
"""
        )
        subprocess.run(["slaptest", "-Q", "-u", "-f", str(self.conf)], check=True)
        self.slapadd(_BASE_LDIF)
        self._configured = True

    def slapadd(self, ldif: str | Iterable[str]) -> None:
        """Bulk load LDIF offline (the server must be stopped): ~20k entries/s."""
        if self.process is not None:
            raise RuntimeError("slapadd needs the server stopped")
        path = self.workdir / "load.ldif"
        with path.open("w") as fh:
            if isinstance(ldif, str):
                fh.write(ldif)
            else:
                for chunk in ldif:
                    fh.write(chunk)
        subprocess.run(
            ["slapadd", "-q", "-f", str(self.conf), "-b", SUFFIX, "-l", str(path)],
            check=True,
            capture_output=True,
        )
        path.unlink()

    def start(self) -> SlapdServer:
        if not self._configured:
            self.configure()
        urls = f"ldap://127.0.0.1:{self.port}/ ldaps://127.0.0.1:{self.ldaps_port}/"
        self.process = subprocess.Popen(
            ["slapd", "-d", "0", "-h", urls, "-f", str(self.conf)],
            stdout=subprocess.DEVNULL,
            stderr=(self.workdir / "slapd.log").open("ab"),
        )
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                log = (self.workdir / "slapd.log").read_text(errors="replace")
                raise RuntimeError(f"slapd exited: {log[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    pass
                with socket.create_connection(("127.0.0.1", self.ldaps_port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("slapd did not answer within 15 s")

    def stop(self) -> None:
        if self.process is None:
            return
        os.kill(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    # -- online helpers (as the root DN, over LDAPS) ------------------------------------------
    def admin(self) -> ldap3.Connection:
        """A bound root-DN connection over LDAPS (verified against the test CA)."""
        import ssl

        tls = ldap3.Tls(ca_certs_file=str(self.certs.ca_file), validate=ssl.CERT_REQUIRED)
        server = ldap3.Server(
            "localhost", port=self.ldaps_port, use_ssl=True, tls=tls, get_info=ldap3.NONE
        )
        return ldap3.Connection(server, ROOT_DN, ROOT_PW, auto_bind=True, raise_exceptions=True)

    def add(self, dn: str, attributes: Mapping[str, object]) -> str:
        with self.admin() as conn:
            attrs = dict(attributes)
            classes = attrs.pop("objectClass")
            conn.add(dn, classes, attrs)
        return dn

    def add_user(self, uid: str, ou: str = PEOPLE, **attrs: str | Sequence[str]) -> str:
        dn, values = user_entry(uid, ou, **attrs)
        return self.add(dn, values)

    def add_users(self, entries: Iterable[tuple[str, Mapping[str, object]]]) -> int:
        """Online add over one connection (~300 entries/s)."""
        count = 0
        with self.admin() as conn:
            for dn, attributes in entries:
                attrs = dict(attributes)
                conn.add(dn, attrs.pop("objectClass"), attrs)
                count += 1
        return count

    def add_ou(self, name: str, parent: str = SUFFIX) -> str:
        dn = f"ou={name},{parent}"
        return self.add(dn, {"objectClass": ["organizationalUnit"], "ou": name})

    def add_group(self, name: str, members: Sequence[str], parent: str = GROUPS) -> str:
        """A groupOfNames (it needs at least one member: the group itself stands in)."""
        dn = f"cn={name},{parent}"
        return self.add(
            dn, {"objectClass": ["groupOfNames"], "cn": name, "member": list(members) or [dn]}
        )

    def modify(self, dn: str, **replace: str | Sequence[str]) -> None:
        changes = {
            k: [(ldap3.MODIFY_REPLACE, [v] if isinstance(v, str) else list(v))]
            for k, v in replace.items()
        }
        with self.admin() as conn:
            conn.modify(dn, changes)

    def rename(self, dn: str, new_rdn: str, new_parent: str | None = None) -> str:
        with self.admin() as conn:
            conn.modify_dn(dn, new_rdn, new_superior=new_parent)
        parent = new_parent or dn.split(",", 1)[1]
        return f"{new_rdn},{parent}"

    def delete(self, dn: str) -> None:
        with self.admin() as conn:
            conn.delete(dn)
