"""The data key: keyring entries move into the data file, values bound to their purpose, the
service's systemd credential, a foreign key refused with what to do."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import update

from mfa_console.app import open_services
from mfa_console.core.db import open_database
from mfa_console.core.errors import ConsoleError
from mfa_console.core.keys import (
    KEY_ENTRY,
    DataKey,
    KeyMissingError,
    data_key,
    forget_cached_keys,
    install_key,
)
from mfa_console.core.sealed_secrets import SealedSecretRow
from mfa_console.core.secrets import SecretStore


def test_old_keyring_entries_move_into_the_data_file(data_file: Path) -> None:
    db = open_database(data_file)
    namespace = db.install_id()
    db.dispose()
    old = SecretStore(namespace)
    old.set("email.smtp-password", "moved-needle-4b1")
    old.set("activation.token", "stays-in-the-keyring")
    services = open_services(data_file)
    try:
        assert services.secrets.get("email.smtp-password") == "moved-needle-4b1"
        assert old.get("email.smtp-password") is None
        assert services.secrets.get("activation.token") == "stays-in-the-keyring"
    finally:
        old.delete("activation.token")
        services.close()
    for path in data_file.parent.glob(data_file.name + "*"):
        assert b"moved-needle-4b1" not in path.read_bytes()


def test_a_sealed_value_opens_only_for_its_purpose(data_file: Path) -> None:
    services = open_services(data_file)
    services.secrets.set("email.smtp-password", "smtp-pw")
    services.secrets.set("directory.bind-password", "bind-pw")
    with services.db.write() as session:
        blob = session.get(SealedSecretRow, "directory.bind-password").sealed  # type: ignore[union-attr]
        session.execute(
            update(SealedSecretRow)
            .where(SealedSecretRow.name == "email.smtp-password")
            .values(sealed=blob)
        )
    with pytest.raises(ConsoleError, match="cannot be opened"):
        services.secrets.get("email.smtp-password")
    services.close()


def test_another_key_is_refused_and_says_what_to_do(data_file: Path) -> None:
    services = open_services(data_file)
    services.secrets.set("email.smtp-password", "x")
    namespace = services.db.install_id()
    right = data_key(services.db)
    SecretStore(namespace).set(KEY_ENTRY, DataKey.generate().encoded())
    forget_cached_keys()
    with pytest.raises(KeyMissingError, match=r"docs/keys-and-tokens\.md") as info:
        services.secrets.get("email.smtp-password")
    assert "mfa-console key import FILE" in info.value.for_command_line()
    with pytest.raises(ConsoleError, match="not the key of this data file"):
        install_key(services.db, DataKey.generate())
    install_key(services.db, right)
    assert services.secrets.get("email.smtp-password") == "x"
    services.close()


def test_the_service_reads_the_key_from_its_systemd_credential(
    data_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = open_services(data_file)
    services.secrets.set("directory.bind-password", "from-credential")
    key = data_key(services.db)
    SecretStore(services.db.install_id()).delete(KEY_ENTRY)  # a server without a keyring entry
    credentials = tmp_path / "credentials"
    credentials.mkdir(mode=0o700)
    (credentials / KEY_ENTRY).write_text(key.encoded())
    os.chmod(credentials / KEY_ENTRY, 0o600)
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(credentials))
    forget_cached_keys()
    assert services.secrets.get("directory.bind-password") == "from-credential"
    services.close()
