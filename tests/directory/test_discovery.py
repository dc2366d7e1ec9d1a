"""Active Directory without a server list: domain controllers found through a real DNS server
(dnsmasq) by their SRV records, with failover, against the real Samba DC."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from mfa_console.core.directory.connection import connect
from mfa_console.core.directory.discovery import endpoints
from mfa_console.core.directory.errors import DirectoryUnreachableError
from mfa_console.core.directory.probe import FAILED, OK, probe
from mfa_console.core.directory.reader import read_users
from mfa_console.core.directory.records import ContainerScope
from mfa_console.core.directory.settings import DirectorySettings
from mfa_console.core.errors import ValidationError
from mfa_console.core.progress import NullProgress
from tests.services.fixtures import MakeDns, TestCAs
from tests.services.samba_ad import SambaDC

DC_SRV = "_ldap._tcp.dc._msdcs.example.test"


@pytest.fixture
def discovered(ad_settings: DirectorySettings) -> DirectorySettings:
    return dataclasses.replace(ad_settings, servers=(), domain="example.test", connect_timeout=2)


def test_controllers_found_in_dns_in_priority_order_with_failover(
    discovered: DirectorySettings, samba_ad: SambaDC, make_dns: MakeDns
):
    # dc1 is known only to this DNS server; "down" answers nothing; "standby" comes last
    dns = make_dns(
        srv=[
            (DC_SRV, "dc1.example.test", 389, 10, 100),
            (DC_SRV, "down.example.test", 389, 0, 100),
            (DC_SRV, "standby.example.test", 389, 10, 0),
        ],
        hosts=[
            ("dc1.example.test", "127.0.0.1"),
            ("down.example.test", "127.0.0.9"),
            ("standby.example.test", "127.0.0.1"),
        ],
    )
    settings = dataclasses.replace(discovered, dns_server=dns.address)
    found = endpoints(settings)
    assert [e.url for e in found] == [
        "ldaps://down.example.test:636",
        "ldaps://dc1.example.test:636",
        "ldaps://standby.example.test:636",
    ]
    assert found[1].address == "127.0.0.1"  # resolved by the settings' DNS server
    ou = samba_ad.create_ou("dns")
    samba_ad.create_user("found.by.dns", ou)
    with connect(settings, samba_ad.admin_pw) as connection:
        # the certificate was verified against dc1.example.test, the name DNS gave
        assert connection.server_url == "ldaps://dc1.example.test:636"
        assert connection.skipped and connection.skipped[0].startswith("ldaps://down.")
        users = list(read_users(connection, settings, ContainerScope(ou), NullProgress()))
    assert [u.username for u in users] == ["found.by.dns@example.test"]

    report = probe(settings, samba_ad.admin_pw)
    stages = {s.name: s for s in report.stages}
    assert stages["Domain controllers of example.test (DNS)"].status == OK
    assert stages["TCP (ldaps://down.example.test:636)"].status == FAILED
    assert stages["TLS (ldaps://dc1.example.test:636)"].status == OK
    assert stages["Bind"].status == OK and stages["Sample search"].status == OK


def test_starttls_uses_the_srv_port(discovered: DirectorySettings, make_dns: MakeDns):
    dns = make_dns(srv=[(DC_SRV, "localhost", 389, 0, 100)])
    settings = dataclasses.replace(discovered, dns_server=dns.address, security="starttls")
    assert [(e.url, e.address) for e in endpoints(settings)] == [("ldap://localhost:389", "")]


def test_a_domain_without_controllers_in_dns_is_a_clear_error(
    discovered: DirectorySettings, samba_ad: SambaDC, make_dns: MakeDns
):
    dns = make_dns(srv=[(DC_SRV, "dc1.example.test", 389, 0, 100)])
    settings = dataclasses.replace(discovered, domain="elsewhere.test", dns_server=dns.address)
    with pytest.raises(DirectoryUnreachableError) as info:
        connect(settings, samba_ad.admin_pw)
    assert "No domain controller of elsewhere.test was found in DNS" in info.value.message
    assert "_ldap._tcp.dc._msdcs.elsewhere.test" in info.value.message
    report = probe(settings, samba_ad.admin_pw)
    assert report.stages[0].status == FAILED and not report.ok


def test_a_dns_server_that_does_not_answer_is_named(
    discovered: DirectorySettings, samba_ad: SambaDC, make_dns: MakeDns
):
    dns = make_dns()
    address = dns.address
    dns.stop()
    settings = dataclasses.replace(discovered, dns_server=address, connect_timeout=1)
    with pytest.raises(DirectoryUnreachableError) as info:
        connect(settings, samba_ad.admin_pw)
    assert address in info.value.message


def test_settings_need_servers_or_an_active_directory_domain(ad_settings: DirectorySettings):
    no_servers = dataclasses.replace(ad_settings, servers=())
    with pytest.raises(ValidationError) as info:
        no_servers.validate()
    assert "or the domain name" in info.value.problems["servers"]
    dataclasses.replace(no_servers, domain="corp.example.com").validate()
    ldap = dataclasses.replace(no_servers, kind="ldap", domain="corp.example.com")
    with pytest.raises(ValidationError):
        ldap.validate()
    for bad, field in (("corp example", "domain"), ("10.0.0.1:99999", "dns_server")):
        broken = dataclasses.replace(no_servers, **{"domain": "x.test", field: bad})
        with pytest.raises(ValidationError) as info:
            broken.validate()
        assert field in info.value.problems


def test_cli_configures_a_domain_and_tests_it(
    data_file: Path, samba_ad: SambaDC, test_cas: TestCAs, make_dns: MakeDns
):
    dns = make_dns(
        srv=[(DC_SRV, "dc1.example.test", 389, 0, 100)], hosts=[("dc1.example.test", "127.0.0.1")]
    )

    def cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "mfa_console", "--data", str(data_file), *args]
        return subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=120)

    configure = cli(
        "directory", "configure", "--type", "ad", "--domain", "example.test",
        "--dns-server", dns.address, "--bind-dn", samba_ad.admin_upn, "--password-stdin",
        "--ca-file", str(test_cas.trusted.ca_file),
        stdin=samba_ad.admin_pw + "\n",
    )  # fmt: skip
    assert configure.returncode == 0, configure.stderr
    assert "DCs of example.test" in configure.stdout
    test = cli("directory", "test", "--json")
    assert test.returncode == 0, test.stdout + test.stderr
    stages = json.loads(test.stdout)["stages"]
    assert stages[0]["name"] == "Domain controllers of example.test (DNS)"
    assert "ldaps://dc1.example.test:636" in stages[0]["detail"]
    missing = cli("directory", "configure", "--type", "ldap", "--base-dn", "dc=x,dc=test")
    assert missing.returncode == 1  # the same validation as the form, named by its labels
    assert "Servers: enter at least one server" in missing.stderr
