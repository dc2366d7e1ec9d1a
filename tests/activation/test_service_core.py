"""Activation against the real activation service over HTTPS: success and every failure."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from mfa_console.app import Services
from mfa_console.core.activation import errors as e
from mfa_console.core.activation.client import ActivationClient
from mfa_console.core.activation.settings import TOKEN_KEY, ActivationServiceSettings
from mfa_console.core.errors import ValidationError
from tests.activation.conftest import RunningService


def test_new_group_makes_this_server_master(
    configured: Services, activation_service: RunningService, data_file
) -> None:  # type: ignore[no-untyped-def]
    creds = activation_service.credentials("first@new.test")
    check = configured.activation.check_credentials(creds.email, creds.password)
    assert check.account == "new.test" and check.groups == ()

    status = configured.activation.activate(creds.email, creds.password, server_name="mfa1")

    assert status.activated and status.role == "master" and status.server_name == "mfa1"
    assert status.account == "new.test" and status.group_id.startswith("grp-")
    assert status.activated_at is not None
    token = configured.secrets.get(TOKEN_KEY)
    assert token and len(token) >= 40
    configured.close()
    assert token.encode() not in data_file.read_bytes()
    assert creds.password.encode() not in data_file.read_bytes()
    store_bytes = activation_service.state.read_bytes()
    assert token.encode() not in store_bytes and creds.password.encode() not in store_bytes


def test_second_server_joins_the_group_as_subordinate(
    configured: Services, activation_service: RunningService
) -> None:
    store = activation_service.store()
    first = store.generate("ops@join.test")
    master = store.activate(first.email, first.password, "mfa1", None)

    second = activation_service.credentials("ops@join.test")
    groups = configured.activation.check_credentials(second.email, second.password).groups
    assert [(g.id, g.master) for g in groups] == [(master["group_id"], "mfa1")]
    status = configured.activation.activate(
        second.email, second.password, join_group=groups[0].id, server_name="mfa2"
    )
    assert status.role == "subordinate" and status.group_id == master["group_id"]
    assert store.servers(str(master["group_id"])) == [("mfa1", "master"), ("mfa2", "subordinate")]


def test_wrong_password_is_refused(
    configured: Services, activation_service: RunningService
) -> None:
    creds = activation_service.credentials("wrong@example.test")
    with pytest.raises(e.WrongCredentialsError):
        configured.activation.activate(creds.email, creds.password[:-1] + "#")
    with pytest.raises(e.WrongCredentialsError):
        configured.activation.check_credentials("nobody@example.test", creds.password)
    assert not configured.activation.status().activated
    assert configured.secrets.get(TOKEN_KEY) is None


def test_expired_credentials_are_refused(
    configured: Services, activation_service: RunningService
) -> None:
    creds = activation_service.credentials("late@example.test", expired=True)
    with pytest.raises(e.CredentialsExpiredError) as caught:
        configured.activation.activate(creds.email, creds.password)
    assert "10 minutes" in caught.value.hint


def test_credentials_work_once(
    configured: Services, activation_service: RunningService, services_factory
) -> None:  # type: ignore[no-untyped-def]
    creds = activation_service.credentials("once@example.test")
    configured.activation.activate(creds.email, creds.password)
    other = services_factory(activation_service)
    with pytest.raises(e.CredentialsUsedError):
        other.activation.activate(creds.email, creds.password)
    assert not other.activation.status().activated


def test_untrusted_certificate_is_refused(
    services: Services, activation_service: RunningService, tls_files
) -> None:  # type: ignore[no-untyped-def]
    creds = activation_service.credentials("tls@example.test")
    for ca_file in ("", str(tls_files["other_ca"])):  # the system store, then a wrong CA
        services.activation.save_service_settings(
            ActivationServiceSettings(activation_service.url, ca_file)
        )
        with pytest.raises(e.CertificateNotTrustedError):
            services.activation.activate(creds.email, creds.password)
    # Nothing was used up: with the right CA file the same credentials still work.
    services.activation.save_service_settings(
        ActivationServiceSettings(activation_service.url, str(activation_service.ca_file))
    )
    assert services.activation.activate(creds.email, creds.password).activated


def test_certificate_for_another_name_is_refused(tmp_path: Path) -> None:
    """A trusted CA but a certificate for another name: refused as not trusted, naming the
    certificate problem (not as an unreachable service)."""
    import socket
    import ssl
    import threading

    import trustme

    ca = trustme.CA()
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost").configure_cert(context)  # names localhost only, not 127.0.0.1
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        connection, _ = listener.accept()
        with connection, contextlib.suppress(ssl.SSLError, OSError):
            context.wrap_socket(connection, server_side=True).close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    client = ActivationClient(f"https://127.0.0.1:{port}", str(tmp_path / "ca.pem"), 5)
    try:
        with pytest.raises(e.CertificateNotTrustedError):
            client.check("x@example.test", "x")
    finally:
        thread.join(5)
        listener.close()


def test_service_down_names_host_and_port(services: Services, free_port: int) -> None:
    services.activation.save_service_settings(
        ActivationServiceSettings(f"https://localhost:{free_port}")
    )
    with pytest.raises(e.ServiceUnreachableError) as caught:
        services.activation.check_credentials("a@example.test", "pw")
    assert f"localhost port {free_port}" in caught.value.hint
    assert "firewall" in caught.value.hint


def test_unknown_host_name(services: Services) -> None:
    services.activation.save_service_settings(
        ActivationServiceSettings("https://activation.invalid:8443")
    )
    with pytest.raises(e.ServiceNameNotFoundError):
        services.activation.check_credentials("a@example.test", "pw")


def test_join_unknown_group(configured: Services, activation_service: RunningService) -> None:
    creds = activation_service.credentials("grp@example.test")
    with pytest.raises(e.GroupNotFoundError):
        configured.activation.activate(creds.email, creds.password, join_group="grp-nope")


def test_deactivate_forgets_token_and_frees_the_master_role(
    configured: Services, activation_service: RunningService, services_factory
) -> None:  # type: ignore[no-untyped-def]
    creds = activation_service.credentials("leave@example.test")
    first = configured.activation.activate(creds.email, creds.password, server_name="m1")
    other = services_factory(activation_service)
    creds2 = activation_service.credentials("leave@example.test")
    other.activation.activate(
        creds2.email, creds2.password, join_group=first.group_id, server_name="s1"
    )

    configured.activation.deactivate()

    assert not configured.activation.status().activated
    assert configured.secrets.get(TOKEN_KEY) is None
    assert activation_service.store().servers(first.group_id) == [("s1", "master")]
    with pytest.raises(e.NotActivatedError):
        configured.activation.deactivate()


def test_input_and_settings_are_validated(services: Services) -> None:
    with pytest.raises(ValidationError):
        services.activation.save_service_settings(ActivationServiceSettings("http://plain:80"))
    with pytest.raises(ValidationError):
        services.activation.check_credentials("not-an-email", "")
    with pytest.raises(e.ActivationError):  # no URL configured yet
        services.activation.check_credentials("a@example.test", "pw")


def test_server_activated_again_under_its_name_replaces_itself(
    configured: Services, activation_service: RunningService
) -> None:
    store = activation_service.store()
    first = store.generate("restore@example-restore.test")
    old = store.activate(first.email, first.password, "mfa1", None)  # then reinstalled
    again = activation_service.credentials("restore@example-restore.test")
    status = configured.activation.activate(
        again.email, again.password, join_group=str(old["group_id"]), server_name="mfa1"
    )
    assert status.role == "master"
    assert store.servers(status.group_id) == [("mfa1", "master")]


def test_service_speaks_tls_only(activation_service: RunningService) -> None:
    import http.client
    import ssl
    import urllib.request

    context = ssl.create_default_context(cafile=str(activation_service.ca_file))
    with urllib.request.urlopen(f"{activation_service.url}/v1/health", context=context) as r:
        assert r.status == 200
    plain = f"http://localhost:{activation_service.port}/v1/health"
    # The TLS server answers plain HTTP by closing the connection: no HTTP reply at all.
    with pytest.raises(http.client.RemoteDisconnected):
        urllib.request.urlopen(plain, timeout=5).read()
