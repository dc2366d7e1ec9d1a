"""Sealing queued messages that carry an initial PIN: the data file never holds a PIN in clear.

Design: a message is rendered when it is queued (in the transaction of the change that causes it).
If it contains an initial PIN, its bytes are encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from
``cryptography``) under a key generated once per data file and kept only in the OS keyring
(``email.outbox-key``, beside the SMTP password). The subject shown in the Outbox is rendered a
second time with the PIN masked. Once the message is sent or discarded, its sealed body is
deleted, so even the key cannot reveal it afterwards. Without a keyring, a message with a PIN
cannot be queued (``SecretsUnavailableError``): the change is refused rather than a PIN written
in clear.
"""

from __future__ import annotations

import threading

from cryptography.fernet import Fernet, InvalidToken

from mfa_console.core.errors import ConsoleError
from mfa_console.core.secrets import SecretStore

KEY_NAME = "email.outbox-key"

_lock = threading.Lock()
_keys: dict[str, Fernet] = {}


def _fernet(store: SecretStore, *, create: bool) -> Fernet | None:
    with _lock:
        cached = _keys.get(store.service)
        if cached is not None:
            return cached
        key = store.get(KEY_NAME)
        if key is None:
            if not create:
                return None
            key = Fernet.generate_key().decode("ascii")
            store.set(KEY_NAME, key)
        _keys[store.service] = Fernet(key.encode("ascii"))
        return _keys[store.service]


def seal(store: SecretStore, raw: bytes) -> bytes:
    fernet = _fernet(store, create=True)
    assert fernet is not None
    return fernet.encrypt(raw)


def unseal(store: SecretStore, token: bytes) -> bytes:
    fernet = _fernet(store, create=False)
    try:
        if fernet is None:
            raise InvalidToken
        return fernet.decrypt(token)
    except InvalidToken:
        raise ConsoleError(
            "A queued message with an initial PIN cannot be opened: the outbox key in the OS "
            "keyring is missing or was replaced.",
            hint="Discard the message in the Outbox and send the user a new PIN.",
        ) from None


def forget_cached_keys() -> None:
    with _lock:
        _keys.clear()
