"""Email addresses: one check for users, templates, settings and administrators.

Directories of organisations use internal mail domains (corp.local, example.test). We accept them,
as the email_validator documentation suggests, by not treating those names as special-use.
"""

from __future__ import annotations

import email_validator
from email_validator import EmailNotValidError, validate_email

INTERNAL_DOMAINS = ("local", "test")
email_validator.SPECIAL_USE_DOMAIN_NAMES[:] = [
    name for name in email_validator.SPECIAL_USE_DOMAIN_NAMES if name not in INTERNAL_DOMAINS
]


class AddressError(ValueError):
    """Not a usable email address; the text says why."""


def normalize_address(text: str) -> str:
    """The normalized form of ``text``; raises AddressError with the reason."""
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise AddressError(str(exc)) from None


def address_problem(address: str) -> str | None:
    """Why ``address`` is not a usable email address, or None."""
    try:
        normalize_address(address)
    except AddressError as exc:
        return str(exc)
    return None
