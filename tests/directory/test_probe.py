"""The staged Test against real servers: each stage on its own line, failures explained."""

from __future__ import annotations

import dataclasses

from mfa_console.core.directory.probe import FAILED, OK, SKIPPED, WARNING, probe
from mfa_console.core.directory.settings import DirectorySettings
from tests.services.fixtures import TestCAs
from tests.services.samba_ad import SambaDC
from tests.services.slapd import SlapdServer, free_port


def _status(report) -> dict[str, str]:
    return {stage.name.split(" (")[0]: stage.status for stage in report.stages}


def test_all_stages_pass_on_ldap(ldap_settings: DirectorySettings, slapd: SlapdServer):
    slapd.add_user("probed", mail="probed@example.test", telephoneNumber="425-555-0100")
    report = probe(ldap_settings, slapd.reader_pw)
    assert report.ok, report.lines()
    names = [stage.name.split(" (")[0] for stage in report.stages]
    assert names == ["Name resolution", "TCP", "TLS", "Bind", "Sample search"]
    tls = report.stages[2]
    assert "trusted" in tls.detail and "MFA Console test trusted" in tls.detail
    assert "expires" in tls.detail
    search = report.stages[-1].detail
    assert "the user filter finds" in search and "a phone" in search


def test_untrusted_ca_fails_tls_with_reason(
    ad_settings: DirectorySettings, samba_ad: SambaDC, test_cas: TestCAs
):
    settings = dataclasses.replace(ad_settings, ca_file=str(test_cas.untrusted.ca_file))
    report = probe(settings, samba_ad.admin_pw)
    assert not report.ok
    tls = next(s for s in report.stages if s.name.startswith("TLS"))
    assert tls.status == FAILED
    assert "not trusted" in tls.detail and "MFA Console test trusted" in tls.detail
    assert "CA file" in tls.detail
    assert _status(report)["Bind"] == SKIPPED


def test_wrong_password_fails_bind_with_sub_code(ad_settings: DirectorySettings):
    report = probe(ad_settings, "Wrong-password-1")
    status = _status(report)
    assert status["TLS"] == OK and status["Bind"] == FAILED
    bind = next(s for s in report.stages if s.name == "Bind")
    assert "52e" in bind.detail


def test_plain_ad_warns_and_suggests_tls(ad_settings: DirectorySettings, samba_ad: SambaDC):
    settings = dataclasses.replace(ad_settings, servers=(samba_ad.url,), security="none")
    report = probe(settings, samba_ad.admin_pw)
    status = _status(report)
    assert status["Security"] == WARNING and status["Bind"] == FAILED
    assert "LDAPS or StartTLS" in next(s for s in report.stages if s.name == "Bind").detail


def test_down_primary_reported_and_backup_used(
    ldap_settings: DirectorySettings, slapd: SlapdServer
):
    dead = f"ldap://localhost:{free_port()}"
    settings = dataclasses.replace(ldap_settings, servers=(dead, slapd.url))
    report = probe(settings, slapd.reader_pw)
    assert not report.ok  # the primary is down: the Test says so
    tcp = [s for s in report.stages if s.name.startswith("TCP")]
    assert [s.status for s in tcp] == [FAILED, OK]
    bind = next(s for s in report.stages if s.name == "Bind")
    assert bind.status == OK and str(slapd.port) in bind.detail and "refused" in bind.detail


def test_unresolvable_name(ldap_settings: DirectorySettings):
    settings = dataclasses.replace(ldap_settings, servers=("ldap://no-such-host.invalid:389",))
    report = probe(settings, "x")
    assert report.stages[0].status == FAILED and "does not resolve" in report.stages[0].detail


def test_ad_sample_search_counts(ad_settings: DirectorySettings, samba_ad: SambaDC):
    report = probe(ad_settings, samba_ad.admin_pw)
    assert report.ok, report.lines()
    assert "have the unique id (objectGUID)" in report.stages[-1].detail
