"""Key export files: the data key wrapped under a passphrase, for restoring on a new machine.

The file is JSON: the key's fingerprint in clear (so a person and ``key import`` can tell which
data file it belongs to), and the key sealed with AES-256-GCM under a key derived from the
passphrase with scrypt (n=2**15, r=8, p=1, a random 16-byte salt). The fingerprint is the
associated data: a file edited to claim another fingerprint does not open.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from mfa_console.core.errors import ConsoleError
from mfa_console.core.keys import DataKey

FORMAT = "mfa-console-data-key"
MIN_PASSPHRASE = 10
_SCRYPT = {"n": 2**15, "r": 8, "p": 1}


def export_key(key: DataKey, path: Path, passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise ConsoleError(
            f"The passphrase is too short (at least {MIN_PASSPHRASE} characters).",
            hint="Choose a longer passphrase; it protects every secret of the data file.",
        )
    salt, nonce = os.urandom(16), os.urandom(12)
    wrapped = AESGCM(_derive(passphrase, salt, _SCRYPT)).encrypt(
        nonce, key.raw, key.fingerprint.encode()
    )
    document = {
        "format": FORMAT,
        "version": 1,
        "fingerprint": key.fingerprint,
        "kdf": {"name": "scrypt", **_SCRYPT, "salt": _b64(salt)},
        "nonce": _b64(nonce),
        "wrapped_key": _b64(wrapped),
    }
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=2)
    except OSError as exc:
        raise ConsoleError(
            f"Cannot write the key file {path}: {exc.strerror}.", hint="Choose another place."
        ) from None


def import_key(path: Path, passphrase: str) -> DataKey:
    document = _read(path)
    try:
        kdf = document["kdf"]
        params = {"n": int(kdf["n"]), "r": int(kdf["r"]), "p": int(kdf["p"])}
        secret = _derive(passphrase, _unb64(kdf["salt"]), params)
        raw = AESGCM(secret).decrypt(
            _unb64(document["nonce"]),
            _unb64(document["wrapped_key"]),
            str(document["fingerprint"]).encode(),
        )
    except InvalidTag:
        raise ConsoleError(
            f"The passphrase does not open the key file {path}.",
            hint="Type the passphrase given when the key was exported.",
        ) from None
    except (KeyError, TypeError, ValueError):
        raise _not_a_key_file(path) from None
    return DataKey(raw)


def file_fingerprint(path: Path) -> str:
    return str(_read(path).get("fingerprint", ""))


def _read(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConsoleError(
            f"Cannot read the key file {path}: {exc.strerror}.", hint="Check the path."
        ) from None
    except ValueError:
        raise _not_a_key_file(path) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise _not_a_key_file(path)
    return document


def _not_a_key_file(path: Path) -> ConsoleError:
    return ConsoleError(
        f"{path} is not a key file made by `mfa-console key export`.",
        hint="Choose the file that `mfa-console key export FILE` wrote.",
    )


def _derive(passphrase: str, salt: bytes, params: dict[str, int]) -> bytes:
    if not (2**10 <= params["n"] <= 2**20 and params["r"] <= 32 and params["p"] <= 16):
        raise ValueError("unreasonable scrypt parameters")
    return Scrypt(salt=salt, length=32, **params).derive(passphrase.encode("utf-8"))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any) -> bytes:
    return base64.b64decode(str(text), validate=True)
