"""Named secrets (bind and SMTP passwords, the outbox key) sealed in the data file.

``SealedSecretStore`` keeps the ``SecretStore`` interface the features already use, but stores each
value in table ``sealed_secrets``, sealed under the data key (``core.keys``) with the associated
data ``secret:<name>``. Only the activation token stays in the OS keyring: it identifies this
machine, and a backup restored elsewhere must not carry it.

Entries an older version kept in the keyring move into the data file the first time its secrets
are used on this machine (``move_keyring_entries``), and are then removed from the keyring.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import DateTime, LargeBinary, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from mfa_console.core.db import Database
from mfa_console.core.db.base import Base, utcnow
from mfa_console.core.db.models import Meta
from mfa_console.core.errors import SecretsUnavailableError
from mfa_console.core.keys import DataKey, data_key, data_key_in
from mfa_console.core.secrets import SecretStore

log = logging.getLogger(__name__)

KEYRING_ONLY = frozenset({"activation.token"})
MOVED_META = "keyring_entries_moved"
MOVABLE = ("directory.bind-password", "email.smtp-password", "email.outbox-key")


class SealedSecretRow(Base):
    __tablename__ = "sealed_secrets"

    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


def purpose(name: str) -> str:
    return f"secret:{name}"


class SealedSecretStore(SecretStore):
    """Secrets of one data file, sealed in it; through ``db`` or one open ``session``."""

    def __init__(
        self, namespace: str, *, db: Database | None = None, session: Session | None = None
    ) -> None:
        super().__init__(namespace)
        if (db is None) == (session is None):
            raise ValueError("give exactly one of db and session")
        self._db, self._session = db, session

    def get(self, name: str) -> str | None:
        if name in KEYRING_ONLY:
            return super().get(name)
        with self._reading() as session:
            blob = session.get(SealedSecretRow, name)
            if blob is None:
                return None
            return self._key(session).open_text(blob.sealed, purpose(name))

    def set(self, name: str, value: str) -> None:
        if name in KEYRING_ONLY:
            super().set(name, value)
            return
        if self._db is not None:
            key = data_key(self._db)  # may write the fingerprint: before the write session
        with self._writing() as session:
            if self._session is not None:
                key = data_key_in(session)
            store_sealed(session, key, name, value)

    def delete(self, name: str) -> None:
        if name in KEYRING_ONLY:
            super().delete(name)
            return
        with self._writing() as session:
            session.execute(delete(SealedSecretRow).where(SealedSecretRow.name == name))

    def has(self, name: str) -> bool:
        if name in KEYRING_ONLY:
            return super().has(name)
        with self._reading() as session:
            return session.get(SealedSecretRow, name) is not None

    def _key(self, session: Session) -> DataKey:
        if self._db is not None:
            return data_key(self._db, create=False)
        return data_key_in(session)

    @contextmanager
    def _reading(self) -> Iterator[Session]:
        if self._session is not None:
            yield self._session
        else:
            assert self._db is not None
            with self._db.read() as session:
                yield session

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        if self._session is not None:
            yield self._session
            self._session.flush()
        else:
            assert self._db is not None
            with self._db.write() as session:
                yield session


def store_sealed(session: Session, key: DataKey, name: str, value: str) -> None:
    row = session.get(SealedSecretRow, name)
    sealed = key.seal_text(value, purpose(name))
    if row is None:
        session.add(SealedSecretRow(name=name, sealed=sealed, updated_at=utcnow()))
    else:
        row.sealed, row.updated_at = sealed, utcnow()


def sealed_names(db: Database) -> list[str]:
    with db.read() as session:
        return list(session.scalars(select(SealedSecretRow.name).order_by(SealedSecretRow.name)))


def move_keyring_entries(db: Database, namespace: str) -> list[str]:
    """Move this data file's old keyring entries into the data file, once; returns their names."""
    with db.read() as session:
        if session.get(Meta, MOVED_META) is not None:
            return []
    keyring = SecretStore(namespace)
    try:
        found = {name: keyring.get(name) for name in MOVABLE}
    except SecretsUnavailableError as exc:
        log.warning("Keyring entries not moved into the data file yet: %s", exc.message)
        return []
    present = {name: value for name, value in found.items() if value is not None}
    key = data_key(db) if present else None
    with db.write() as session:
        for name, value in present.items():
            if key is not None and session.get(SealedSecretRow, name) is None:
                store_sealed(session, key, name, value)
        if session.get(Meta, MOVED_META) is None:
            session.add(Meta(key=MOVED_META, value=utcnow().isoformat()))
    for name in present:
        keyring.delete(name)
    if present:
        log.info("Moved %d secrets from the keyring into the data file (sealed).", len(present))
    return sorted(present)
