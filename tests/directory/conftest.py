"""Directory tests run against the real slapd and Samba AD DC of tests/services."""

from __future__ import annotations

from tests.services.fixtures import make_slapd, samba_ad, slapd, test_cas  # noqa: F401
