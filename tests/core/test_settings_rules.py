"""Core's rules for the settings forms and the command line: server lists, the base DN from the
domain, the other kind's defaults, keep / replace / delete of a stored password, and problems
named by labels."""

from __future__ import annotations

import dataclasses

import pytest

from mfa_console.core.directory.settings import (
    AD_FILTERS,
    LDAP_FILTERS,
    AttributeMap,
    DirectorySettings,
)
from mfa_console.core.errors import ValidationError
from mfa_console.core.mail.settings import EmailSettings
from mfa_console.core.secrets import password_change
from mfa_console.core.settings import check


def test_connection_as_typed() -> None:
    value = DirectorySettings().with_connection(
        servers="ldaps://a.example.test;ldaps://b.example.test", domain="corp.example.test"
    )
    assert value.servers == ("ldaps://a.example.test", "ldaps://b.example.test")
    assert value.base_dn == "DC=corp,DC=example,DC=test"
    typed = DirectorySettings().with_connection(domain="corp.example.test", base_dn="o=corp")
    assert typed.base_dn == "o=corp"  # a typed base DN wins


def test_kind_switch_keeps_what_was_changed() -> None:
    switched = DirectorySettings().with_kind("ldap")
    assert switched.user_filter == LDAP_FILTERS["user_filter"]
    assert switched.attributes == AttributeMap.defaults("ldap")
    edited = dataclasses.replace(DirectorySettings(), user_filter="(department=IT)")
    kept = edited.with_kind("ldap")
    assert kept.user_filter == "(department=IT)"
    assert kept.group_filter == AD_FILTERS["group_filter"]  # the filters go together
    assert kept.attributes == AttributeMap.defaults("ldap")
    assert DirectorySettings().with_kind("ad") == DirectorySettings()


@pytest.mark.parametrize(
    ("typed", "needed", "action"),
    [("", True, None), (None, True, None), ("s3cret", True, "s3cret"), ("s3cret", False, "")],
)
def test_password_keep_replace_delete(typed: str | None, needed: bool, action: str | None) -> None:
    assert password_change(typed, needed=needed) == action


def test_problems_are_named_by_labels() -> None:
    problems = check(EmailSettings(port=0, from_address="nope"))
    assert isinstance(problems, ValidationError)
    assert set(problems.labelled()) == {"Port", "From address"}
    assert str(problems).startswith("Port: the port must be between 1 and 65535")
    assert check(EmailSettings()) is None
