"""The data key: one random key per data file that seals every secret stored in the database.

Scheme (see docs/keys.md): each data file has one random 256-bit **data key**. It lives outside
the file: in the OS keyring (entry ``data-key`` of the data file's keyring namespace) or, for the
headless service, in its single systemd credential ``data-key``. Token seeds, RADIUS secrets, the
bind and SMTP passwords and the outbox key are stored in the database sealed with AES-256-GCM under
that key, with associated data naming what each value is for (``secret:<name>``,
``oath-seed:<token id>``...), so a sealed value copied to another row or purpose does not open.

The data file records the key's fingerprint (``meta.data_key_fingerprint``): a backup's manifest
names it, and a machine whose keyring lacks the key (or holds another one) is told exactly what to
do (``mfa-console key import FILE``) instead of failing later on each secret.
"""

from __future__ import annotations

import base64
import hashlib
import os
import threading
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select
from sqlalchemy.orm import Session

from mfa_console.core.db import Database
from mfa_console.core.db.models import Meta
from mfa_console.core.errors import ConsoleError, SecretsUnavailableError
from mfa_console.core.secrets import SecretStore

KEY_ENTRY = "data-key"  # keyring entry name and systemd credential name
FINGERPRINT_META = "data_key_fingerprint"
_VERSION = b"\x01"
_NONCE = 12


# Moving a data key has no window of its own: a person is pointed at the guide that says how.
KEY_GUIDE = (
    "export it there and import it here, as \u201cOne data key per data file\u201d in "
    "docs/keys-and-tokens.md describes."
)


class KeyMissingError(ConsoleError):
    """The data file's secrets are sealed under a key this machine does not have."""


@dataclass(frozen=True)
class DataKey:
    """A data key: seal and open values bound to a purpose (the associated data)."""

    raw: bytes

    @property
    def fingerprint(self) -> str:
        return fingerprint_of(self.raw)

    def seal(self, plain: bytes, purpose: str) -> bytes:
        nonce = os.urandom(_NONCE)
        return _VERSION + nonce + AESGCM(self.raw).encrypt(nonce, plain, purpose.encode())

    def open(self, blob: bytes, purpose: str) -> bytes:
        if len(blob) < 1 + _NONCE + 16 or blob[:1] != _VERSION:
            raise _unopenable(purpose)
        try:
            nonce, sealed = blob[1 : 1 + _NONCE], blob[1 + _NONCE :]
            return AESGCM(self.raw).decrypt(nonce, sealed, purpose.encode())
        except InvalidTag:
            raise _unopenable(purpose) from None

    def seal_text(self, text: str, purpose: str) -> bytes:
        return self.seal(text.encode("utf-8"), purpose)

    def open_text(self, blob: bytes, purpose: str) -> str:
        return self.open(blob, purpose).decode("utf-8")

    def encoded(self) -> str:
        return base64.urlsafe_b64encode(self.raw).decode("ascii")

    @classmethod
    def generate(cls) -> DataKey:
        return cls(AESGCM.generate_key(bit_length=256))

    @classmethod
    def decode(cls, text: str) -> DataKey:
        try:
            raw = base64.urlsafe_b64decode(text.strip().encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            raw = b""
        if len(raw) != 32:
            raise ConsoleError(
                "The stored data key is not a valid key.",
                hint=KEY_GUIDE,
                command_hint="Import the key again with: mfa-console key import FILE",
            )
        return cls(raw)


def fingerprint_of(raw: bytes) -> str:
    return hashlib.sha256(b"mfa-console data key\x00" + raw).hexdigest()[:16]


def _unopenable(purpose: str) -> ConsoleError:
    kind = purpose.split(":", 1)[0]
    return ConsoleError(
        f"A stored secret ({kind}) cannot be opened with this data file's key: it was changed or "
        "sealed under another key.",
        hint=f"Enter the secret again, or bring the right data key to this machine: {KEY_GUIDE}",
        command_hint="Enter the secret again (or import the right key with: mfa-console key "
        "import FILE).",
    )


_lock = threading.Lock()
_cache: dict[str, DataKey] = {}


def data_key(db: Database, *, create: bool = True) -> DataKey:
    """The data key of ``db``; created on first use when ``create``; else ``KeyMissingError``."""
    with db.read() as session:
        install_id, expected = _meta(session)
    cached = _cached(install_id, expected)
    if cached is not None:
        return cached
    key = _load(install_id, expected)
    if key is None:
        if not create:
            raise _missing(expected or "", install_id)
        with db.write() as session:
            key = _create(session, install_id)
    elif expected is None:
        with db.write() as session:
            _record(session, key)
    return _remember(install_id, key)


def data_key_in(session: Session) -> DataKey:
    """The data key, reading (and, for a new key, writing) through an open write ``session``."""
    install_id, expected = _meta(session)
    cached = _cached(install_id, expected)
    if cached is not None:
        return cached
    key = _load(install_id, expected)
    if key is None:
        key = _create(session, install_id)
    elif expected is None:
        _record(session, key)
    return _remember(install_id, key)


def stored_fingerprint(session: Session) -> str | None:
    return _meta(session)[1]


def install_key(db: Database, key: DataKey) -> None:
    """Make ``key`` this data file's key on this machine (``key import``)."""
    with db.read() as session:
        install_id, expected = _meta(session)
    if expected is not None and expected != key.fingerprint:
        raise ConsoleError(
            f"This key (fingerprint {key.fingerprint}) is not the key of this data file "
            f"(fingerprint {expected}). Nothing was changed.",
            hint="Export the key from the machine that made this data file and import that one.",
        )
    _key_store(install_id).set(KEY_ENTRY, key.encoded())
    if expected is None:
        with db.write() as session:
            _record(session, key)
    forget_cached_keys()


def _meta(session: Session) -> tuple[str, str | None]:
    result = session.execute(
        select(Meta.key, Meta.value).where(Meta.key.in_(("install_id", FINGERPRINT_META)))
    )
    rows = {key: value for key, value in result}
    return rows["install_id"], rows.get(FINGERPRINT_META)


def _cached(install_id: str, expected: str | None) -> DataKey | None:
    with _lock:
        key = _cache.get(install_id)
    return key if key is not None and expected in (None, key.fingerprint) else None


def _remember(install_id: str, key: DataKey) -> DataKey:
    with _lock:
        _cache[install_id] = key
    return key


def _key_store(install_id: str) -> SecretStore:
    from mfa_console.core.service.credentials import CredentialSecretStore, credentials_directory

    directory = credentials_directory()
    if directory is not None:
        return CredentialSecretStore(install_id, directory)
    return SecretStore(install_id)


def _load(install_id: str, expected: str | None) -> DataKey | None:
    try:
        text = _key_store(install_id).get(KEY_ENTRY)
    except SecretsUnavailableError as exc:
        if expected is None:
            raise
        raise _missing(expected, install_id, str(exc)) from None
    if text is None:
        if expected is not None:
            raise _missing(expected, install_id)
        return None
    key = DataKey.decode(text)
    if expected is not None and key.fingerprint != expected:
        raise KeyMissingError(
            f"The data key in this machine's keyring (fingerprint {key.fingerprint}) is not the "
            f"one this data file's secrets are sealed under (fingerprint {expected}).",
            hint=f"Bring the data key from the machine that made the data file: {KEY_GUIDE}",
            command_hint="On the machine that made the data file run `mfa-console key export "
            "FILE`, then here `mfa-console key import FILE`.",
        )
    return key


def _missing(expected: str, install_id: str, why: str = "") -> KeyMissingError:
    where = f" ({why})" if why else ""
    return KeyMissingError(
        f"This data file's secrets are sealed under data key {expected}, which this machine does "
        f"not have{where}.",
        hint=f"Bring the data key from the machine that made the data file: {KEY_GUIDE}",
        command_hint="On the machine that made the data file run `mfa-console key export FILE`; "
        "copy the file here and run `mfa-console key import FILE` (the passphrase on standard "
        f"input). For the service, provide it as the systemd credential '{KEY_ENTRY}' (keyring "
        f"namespace mfa-console:{install_id}).",
    )


def _create(session: Session, install_id: str) -> DataKey:
    key = DataKey.generate()
    _key_store(install_id).set(KEY_ENTRY, key.encoded())
    _record(session, key)
    return key


def _record(session: Session, key: DataKey) -> None:
    row = session.get(Meta, FINGERPRINT_META)
    if row is None:
        session.add(Meta(key=FINGERPRINT_META, value=key.fingerprint))
    else:
        row.value = key.fingerprint


def forget_cached_keys() -> None:
    with _lock:
        _cache.clear()
