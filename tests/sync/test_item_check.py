"""Sync items whose container or group does not exist: refused when added (directory reachable),
accepted with a warning otherwise, and named in the error of the run that reads them. Against
the real slapd and the Samba AD DC."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from mfa_console.app import Services
from mfa_console.cli import run
from mfa_console.core.directory.settings import DirectorySettings
from mfa_console.core.errors import ValidationError
from mfa_console.core.sync.items import SyncItem
from tests.services.fixtures import TestCAs
from tests.services.samba_ad import SambaDC
from tests.services.slapd import SlapdServer
from tests.sync.conftest import AddItem, configure_ad


def test_missing_container_or_group_is_refused_when_added(
    ldap_sync: Services, slapd: SlapdServer, ou: str
) -> None:
    group = slapd.add_group(f"g-{ou[3:11]}", [slapd.add_user("mia", ou)], parent=ou)

    with pytest.raises(ValidationError) as refused:
        ldap_sync.sync.add_item(SyncItem(scope="container", dn=f"ou=nowhere,{ou}"))
    assert f"ou=nowhere,{ou} does not exist" in refused.value.problems["dn"]
    with pytest.raises(ValidationError) as not_group:
        ldap_sync.sync.add_item(SyncItem(scope="group", dn=ou))
    assert "group filter" in not_group.value.problems["dn"]
    assert ldap_sync.sync.items.list() == []

    added, warning = ldap_sync.sync.add_item(SyncItem(scope="group", dn=group))
    assert warning == "" and added.id is not None


def test_unreachable_directory_accepts_with_a_warning_and_the_run_names_the_item(
    ldap_sync: Services, slapd: SlapdServer, ou: str, add_item: AddItem
) -> None:
    slapd.add_user("ned", ou)
    add_item("container", ou)
    settings = ldap_sync.settings.load(DirectorySettings)
    ldap_sync.settings.save(replace(settings, servers=("ldap://127.0.0.1:1",)))

    _, warning = ldap_sync.sync.add_item(SyncItem(scope="container", dn=f"ou=gone,{ou}"))

    assert "could not be asked" in warning and f"ou=gone,{ou} was not checked" in warning
    ldap_sync.settings.save(settings)
    result = ldap_sync.sync.run(full=True)
    assert result.status == "failed"
    assert result.message.startswith(f"Sync item 2 (Container: ou=gone,{ou}): ")
    assert "does not exist" in result.message and "Nobody was disabled" in result.message


def test_cli_refuses_a_missing_item(
    ldap_sync: Services,
    data_file: Path,
    ou: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = run(["--data", str(data_file), "sync", "item", "add", "--container", f"ou=absent,{ou}"])
    assert code != 0 and "does not exist" in capsys.readouterr().err
    code = run(["--data", str(data_file), "sync", "item", "add", "--container", ou, "--json"])
    assert code == 0 and json.loads(capsys.readouterr().out)["warning"] == ""


def test_samba_missing_ou_refused_existing_group_accepted(
    services: Services, samba_ad: SambaDC, test_cas: TestCAs
) -> None:
    configure_ad(services, samba_ad, test_cas)
    ou = samba_ad.create_ou("chk")
    group = samba_ad.create_group(f"grp-{uuid.uuid4().hex[:6]}", ou)

    with pytest.raises(ValidationError) as refused:
        services.sync.add_item(SyncItem(scope="container", dn=f"OU=Missing,{ou}"))
    assert "does not exist in the directory" in refused.value.problems["dn"]
    with pytest.raises(ValidationError):
        services.sync.add_item(SyncItem(scope="group", dn=f"CN=NoSuchGroup,{ou}"))

    assert services.sync.add_item(SyncItem(scope="group", dn=group))[1] == ""
    assert services.sync.add_item(SyncItem(scope="container", dn=ou))[1] == ""
