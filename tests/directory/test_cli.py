"""The directory command line end to end, against the real Samba AD DC and slapd."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from mfa_console.app import open_services
from tests.services.fixtures import TestCAs
from tests.services.samba_ad import SambaDC
from tests.services.slapd import SlapdServer


def _cli(data: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mfa_console", "--data", str(data), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_configure_test_import_on_ad(data_file: Path, samba_ad: SambaDC, test_cas: TestCAs):
    ou = samba_ad.create_ou("cli")
    inner_ou = samba_ad.create_ou("cli-sub", ou, unique=False)
    a = samba_ad.create_user("cli.a", ou, telephoneNumber="425-555-0101")
    b = samba_ad.create_user("cli.b", inner_ou, mobile="425-555-0102")
    samba_ad.create_user("cli.c", ou, upn=None, sAMAccountName="cli.c")
    inner = samba_ad.create_group("cli-inner", ou, [b])
    group = samba_ad.create_group("cli-outer", ou, [a, inner])

    configure = _cli(
        data_file,
        "directory", "configure", "--type", "ad", "--server", "ldaps://localhost:636",
        "--base-dn", samba_ad.base_dn, "--bind-dn", samba_ad.admin_upn, "--password-stdin",
        "--ca-file", str(test_cas.trusted.ca_file), "--page-size", "2", "--size-limit", "2",
        "--no-attribute-scope-queries",
        stdin=samba_ad.admin_pw + "\n",
    )  # fmt: skip
    assert configure.returncode == 0, configure.stderr
    # a size limit of 2 caps only the Import dialog's lists: the imports below read all 3 users
    services = open_services(data_file)
    stored = services.directory.load()
    services.close()
    assert (stored.page_size, stored.size_limit, stored.attribute_scope_queries) == (2, 2, False)
    assert samba_ad.admin_pw not in data_file.read_bytes().decode("latin-1")

    test = _cli(data_file, "directory", "test")
    assert test.returncode == 0, test.stdout + test.stderr
    assert [line.split("]")[0] for line in test.stdout.splitlines()] == ["[OK  "] * 5

    direct = _cli(data_file, "directory", "import", "--group", group, "--json")
    assert direct.returncode == 0, direct.stderr
    assert json.loads(direct.stdout)["created"] == 1
    nested = _cli(data_file, "directory", "import", "--group", group, "--nested", "--json")
    counts = json.loads(nested.stdout)
    assert (counts["created"], counts["unchanged"]) == (1, 1)
    container = _cli(data_file, "directory", "import", "--container", ou)
    assert container.returncode == 0, container.stderr
    assert "1 created, 0 updated, 2 unchanged, 0 skipped" in container.stdout

    missing = _cli(data_file, "directory", "import", "--container", f"OU=gone,{samba_ad.base_dn}")
    assert missing.returncode == 1 and "does not exist" in missing.stderr


def test_test_fails_with_untrusted_ca_and_json(
    data_file: Path, slapd: SlapdServer, test_cas: TestCAs
):
    configure = _cli(
        data_file,
        "directory", "configure", "--type", "ldap", "--server", slapd.url, "--starttls",
        "--base-dn", slapd.suffix, "--bind-dn", slapd.reader_dn, "--password-stdin",
        "--ca-file", str(test_cas.untrusted.ca_file),
        stdin=slapd.reader_pw + "\n",
    )  # fmt: skip
    assert configure.returncode == 0, configure.stderr
    test = _cli(data_file, "directory", "test", "--json")
    assert test.returncode == 1
    report = json.loads(test.stdout)
    assert not report["ok"]
    tls = next(s for s in report["stages"] if s["name"].startswith("TLS"))
    assert tls["status"] == "failed" and "not trusted" in tls["detail"]


def test_configure_refuses_plain_url_with_ldaps(data_file: Path):
    result = _cli(
        data_file,
        "directory", "configure", "--server", "ldap://dc1.example.test", "--base-dn", "DC=x",
    )  # fmt: skip
    assert result.returncode == 1 and "ldaps://" in result.stderr
