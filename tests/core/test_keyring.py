"""The real OS keyring (Secret Service under D-Bus) stores secrets per data file."""

from __future__ import annotations

from mfa_console.app import Services
from mfa_console.core.secrets import SecretStore


def test_round_trip_in_real_keyring(services: Services) -> None:
    store = services.secrets
    assert "fail" not in store.backend_name().lower()
    store.set("smtp.password", "s3cret!")
    assert store.get("smtp.password") == "s3cret!"
    store.delete("smtp.password")
    assert store.get("smtp.password") is None


def test_namespaces_are_per_data_file(services: Services) -> None:
    services.secrets.set("directory.bind-password", "one")
    other = SecretStore("another-install")
    assert other.get("directory.bind-password") is None
    services.secrets.delete("directory.bind-password")


def test_data_file_never_holds_a_secret(services: Services, data_file) -> None:  # type: ignore[no-untyped-def]
    services.secrets.set("smtp.password", "needle-8c1f")
    services.close()
    assert b"needle-8c1f" not in data_file.read_bytes()
