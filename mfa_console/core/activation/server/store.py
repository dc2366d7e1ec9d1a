"""The activation service's own store: credentials, replication groups, activated servers.

Passwords are kept as salted scrypt digests and tokens as SHA-256 digests (tokens are 256 random
bits, so a plain digest is enough); neither is ever written in clear. The clock is injectable so
expiry is testable without waiting ten minutes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from mfa_console.core.activation import protocol as p

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"  # no 0/O, 1/l/I
PASSWORD_LENGTH = 16
_CANDIDATES = 20  # newest credentials of one email considered at sign-in
_CANDIDATE_AGE = 7 * 24 * 3600  # older credentials are simply "wrong"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS credentials (
    id INTEGER PRIMARY KEY, email TEXT NOT NULL, account TEXT NOT NULL,
    salt BLOB NOT NULL, digest BLOB NOT NULL,
    created_at REAL NOT NULL, expires_at REAL NOT NULL, used_at REAL);
CREATE INDEX IF NOT EXISTS credentials_email ON credentials (email);
CREATE TABLE IF NOT EXISTS groups (
    id TEXT PRIMARY KEY, account TEXT NOT NULL, name TEXT NOT NULL, created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS servers (
    id INTEGER PRIMARY KEY, group_id TEXT NOT NULL REFERENCES groups (id), name TEXT NOT NULL,
    role TEXT NOT NULL, token_digest BLOB NOT NULL UNIQUE,
    activated_at REAL NOT NULL, deactivated_at REAL);
"""


class ServiceError(Exception):
    """A refusal the service sends back as ``{"error": code, "message": text}``."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


@dataclass(frozen=True)
class Generated:
    email: str
    password: str
    account: str
    expires_at: float


@dataclass(frozen=True)
class Group:
    id: str
    name: str
    master: str  # the master server's name, "" when the group has no active server


def _digest(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)


def _token_digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def normalize_email(email: str) -> str:
    return email.strip().lower()


class ActivationStore:
    """Credentials and activations in one SQLite file; safe to share between processes."""

    def __init__(self, path: str | Path, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self.clock = clock
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            conn.execute("PRAGMA foreign_keys=ON")
            yield conn
        finally:
            conn.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    # Credentials ---------------------------------------------------------------------------
    def generate(self, email: str, account: str = "") -> Generated:
        """New one-time credentials for ``email``; the password is returned once, never stored."""
        email = normalize_email(email)
        if "@" not in email or email.startswith("@") or email.endswith("@"):
            raise ValueError(f"{email!r} is not an email address.")
        account = account.strip() or email.split("@", 1)[1]
        password = "".join(secrets.choice(_ALPHABET) for _ in range(PASSWORD_LENGTH))
        salt = secrets.token_bytes(16)
        now = self.clock()
        expires = now + p.CREDENTIAL_TTL_SECONDS
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO credentials (email, account, salt, digest, created_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (email, account, salt, _digest(password, salt), now, expires),
            )
        return Generated(email, password, account, expires)

    def _match(self, conn: sqlite3.Connection, email: str, password: str) -> tuple[int, str]:
        """The credential id and account for this Email and Password, or a ServiceError."""
        # Only recent credentials are compared: it bounds the scrypt work one request can cause.
        rows = conn.execute(
            "SELECT id, account, salt, digest, expires_at, used_at FROM credentials"
            " WHERE email = ? AND created_at > ? ORDER BY id DESC LIMIT ?",
            (normalize_email(email), self.clock() - _CANDIDATE_AGE, _CANDIDATES),
        ).fetchall()
        password = password.strip()
        for cred_id, account, salt, digest, expires_at, used_at in rows:
            if not hmac.compare_digest(_digest(password, salt), digest):
                continue
            if used_at is not None:
                raise ServiceError(
                    p.CREDENTIALS_USED, "These activation credentials were used already.", 401
                )
            if self.clock() >= expires_at:
                raise ServiceError(
                    p.CREDENTIALS_EXPIRED, "These activation credentials have expired.", 401
                )
            return int(cred_id), str(account)
        raise ServiceError(p.WRONG_CREDENTIALS, "Wrong activation Email or Password.", 401)

    def check(self, email: str, password: str) -> tuple[str, list[Group]]:
        """The account and its replication groups, if the credentials are valid (not consumed)."""
        with self._connect() as conn:
            _, account = self._match(conn, email, password)
            return account, self._groups(conn, account)

    # Activations ---------------------------------------------------------------------------
    def activate(
        self, email: str, password: str, server_name: str, join_group: str | None
    ) -> dict[str, object]:
        """Consume the credentials and register ``server_name``; returns identity and token."""
        server_name = server_name.strip()
        if not server_name:
            raise ServiceError(p.BAD_REQUEST, "The server name is empty.", 400)
        with self._transaction() as conn:
            cred_id, account = self._match(conn, email, password)
            now = self.clock()
            if join_group:
                group_id, group_name, role = self._join(conn, account, join_group, server_name)
            else:
                group_id, group_name, role = self._new_group(conn, account, now)
            token = secrets.token_urlsafe(32)
            conn.execute("UPDATE credentials SET used_at = ? WHERE id = ?", (now, cred_id))
            conn.execute(
                "INSERT INTO servers (group_id, name, role, token_digest, activated_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (group_id, server_name, role, _token_digest(token), now),
            )
        return {
            "account": account,
            "group_id": group_id,
            "group_name": group_name,
            "role": role,
            "server_name": server_name,
            "activated_at": now,
            "token": token,
        }

    def _new_group(
        self, conn: sqlite3.Connection, account: str, now: float
    ) -> tuple[str, str, str]:
        count = conn.execute("SELECT COUNT(*) FROM groups WHERE account = ?", (account,)).fetchone()
        group_id = f"grp-{secrets.token_hex(4)}"
        name = f"Replication group {int(count[0]) + 1}"
        conn.execute(
            "INSERT INTO groups (id, account, name, created_at) VALUES (?, ?, ?, ?)",
            (group_id, account, name, now),
        )
        return group_id, name, p.ROLE_MASTER

    def _join(
        self, conn: sqlite3.Connection, account: str, wanted: str, server_name: str
    ) -> tuple[str, str, str]:
        for group in self._groups(conn, account):
            if wanted in (group.id, group.name):
                if self._retire(conn, group.id, server_name):
                    group = next(g for g in self._groups(conn, account) if g.id == group.id)
                role = p.ROLE_SUBORDINATE if group.master else p.ROLE_MASTER
                return group.id, group.name, role
        raise ServiceError(
            p.GROUP_NOT_FOUND, f"No replication group {wanted!r} in account {account}.", 404
        )

    def _retire(self, conn: sqlite3.Connection, group_id: str, server_name: str) -> bool:
        """A server activated again under its old name (reinstalled, restored) replaces itself."""
        retired = conn.execute(
            "UPDATE servers SET deactivated_at = ? WHERE group_id = ? AND name = ?"
            " AND deactivated_at IS NULL",
            (self.clock(), group_id, server_name),
        ).rowcount
        return bool(retired)

    def _groups(self, conn: sqlite3.Connection, account: str) -> list[Group]:
        rows = conn.execute(
            "SELECT g.id, g.name, (SELECT s.name FROM servers s WHERE s.group_id = g.id"
            " AND s.role = ? AND s.deactivated_at IS NULL) FROM groups g WHERE g.account = ?"
            " ORDER BY g.created_at, g.id",
            (p.ROLE_MASTER, account),
        ).fetchall()
        return [Group(str(gid), str(name), str(master or "")) for gid, name, master in rows]

    def deactivate(self, token: str) -> None:
        """Retire the server holding ``token``; a leaving master hands over to a subordinate."""
        with self._transaction() as conn:
            row = conn.execute(
                "SELECT id, group_id, role FROM servers"
                " WHERE token_digest = ? AND deactivated_at IS NULL",
                (_token_digest(token),),
            ).fetchone()
            if row is None:
                raise ServiceError(p.NOT_AUTHORIZED, "This server is not activated.", 401)
            server_id, group_id, role = row
            conn.execute(
                "UPDATE servers SET deactivated_at = ? WHERE id = ?", (self.clock(), server_id)
            )
            if role == p.ROLE_MASTER:
                conn.execute(
                    "UPDATE servers SET role = ? WHERE id = (SELECT id FROM servers"
                    " WHERE group_id = ? AND deactivated_at IS NULL ORDER BY activated_at, id"
                    " LIMIT 1)",
                    (p.ROLE_MASTER, group_id),
                )

    def servers(self, group_id: str) -> list[tuple[str, str]]:
        """(name, role) of the active servers of a group, oldest first."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT name, role FROM servers WHERE group_id = ? AND deactivated_at IS NULL"
                " ORDER BY activated_at, id",
                (group_id,),
            ).fetchall()
        return [(str(n), str(r)) for n, r in rows]
