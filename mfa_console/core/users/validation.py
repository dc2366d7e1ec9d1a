"""Turn a ``UserInput`` into the stored column values, or say why it cannot be accepted.

The Add/Edit dialog calls the same function as you type; the service calls it again on save.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from mfa_console.core import text
from mfa_console.core.addresses import AddressError, normalize_address
from mfa_console.core.company import CompanySettings
from mfa_console.core.errors import ValidationError
from mfa_console.core.users import pins
from mfa_console.core.users.methods import LANGUAGE_FIELDS, LANGUAGES, METHODS, MODES
from mfa_console.core.users.phones import PhoneError, parse_phone
from mfa_console.core.users.records import UserInput

SOURCES = ("manual", "directory")


def normalize(
    data: UserInput, company: CompanySettings, *, pin_history: str = "[]"
) -> dict[str, Any]:
    """Column values for ``data``; raises ``ValidationError`` naming every problem at once."""
    problems: dict[str, str] = {}
    values: dict[str, Any] = {}
    username = text.clean(data.username)
    if not username:
        problems["username"] = "a username is required"
    values["username"] = username
    values["username_key"] = username.lower()
    for name in ("first_name", "last_name", "user_group"):
        values[name] = text.clean(getattr(data, name))
    values["email"] = _email(data.email, problems)
    problems.update(text_problems(values))
    _phones(data, company, values, problems)
    _method(data, company, values, problems)
    _languages(data, company, values, problems)
    _pin(data, company, values, problems, pin_history)
    if data.source not in SOURCES:
        problems["source"] = f"must be one of {', '.join(SOURCES)}"
    values.update(
        enabled=bool(data.enabled),
        pin_change_required=bool(data.pin_change_required),
        source=data.source,
        directory_id=data.directory_id or None,
        dn=data.dn or None,
    )
    if problems:
        raise ValidationError(problems)
    return values


# What the text rules check, with the words used in a reason; lengths are the columns'.
TEXT_FIELDS = {
    "username": "the username",
    "first_name": "the first name",
    "last_name": "the last name",
    "user_group": "the user group",
    "email": "the email address",
}


@cache
def column_length(name: str) -> int:
    """The length of the users column ``name`` (the model is the one place it is declared)."""
    from mfa_console.core.db.models import UserRow

    length = getattr(UserRow.__table__.c[name].type, "length", None)
    return int(length or 0) or 1_000_000


def text_problems(values: dict[str, Any]) -> dict[str, str]:
    """field -> reason, for the text fields of ``values`` the text rules refuse."""
    problems: dict[str, str] = {}
    for name, label in TEXT_FIELDS.items():
        value = values.get(name) or ""
        reason = text.text_problem(value, column_length(name), username=name == "username")
        if reason:
            problems[name] = f"{label} {reason}"
    return problems


def _email(value: str, problems: dict[str, str]) -> str:
    value = text.clean(value)
    if not value or text.hidden_character(value):
        return value  # an invisible character is reported by the text rules
    try:
        return normalize_address(value)
    except AddressError as exc:
        problems["email"] = f"{text.printable(value)!r} is not a valid email address: {exc}"
        return value


def _phones(
    data: UserInput, company: CompanySettings, values: dict[str, Any], problems: dict[str, str]
) -> None:
    for prefix, cc, number, ext in (
        ("", data.country_code, data.phone, data.extension),
        ("backup_", data.backup_country_code, data.backup_phone, data.backup_extension),
    ):
        try:
            phone = parse_phone(number, cc or company.default_country_code, ext)
        except PhoneError as exc:
            problems[f"{prefix}phone"] = str(exc)
            phone = None
        values[f"{prefix}phone"] = phone.e164 if phone else None
        values[f"{prefix}extension"] = phone.extension if phone else ""


def _method(
    data: UserInput, company: CompanySettings, values: dict[str, Any], problems: dict[str, str]
) -> None:
    method = data.method or company.default_method
    if method not in METHODS:
        problems["method"] = f"unknown method {method!r}; choose one of {', '.join(METHODS)}"
        return
    if data.mode:
        mode = data.mode
    elif method == company.default_method:
        mode = company.default_mode
    else:
        mode = next(iter(MODES[method]))
    if mode not in MODES[method]:
        problems["mode"] = (
            f"{mode!r} is not a mode of {METHODS[method]}; choose one of {', '.join(MODES[method])}"
        )
    values["method"], values["mode"] = method, mode
    if data.enabled and method in ("phone-call", "text-message") and not values.get("phone"):
        problems.setdefault(
            "phone", f"{METHODS[method]} needs a phone number (or leave the user disabled)"
        )


def _languages(
    data: UserInput, company: CompanySettings, values: dict[str, Any], problems: dict[str, str]
) -> None:
    for method, column in LANGUAGE_FIELDS.items():
        language = data.languages.get(method) or company.language_for(method)
        if language not in LANGUAGES:
            problems[column] = f"unknown language {language!r}"
        values[column] = language


def _pin(
    data: UserInput,
    company: CompanySettings,
    values: dict[str, Any],
    problems: dict[str, str],
    history: str,
) -> None:
    if data.pin is None:
        return
    reason = pins.pin_problem(
        data.pin,
        min_length=company.pin_min_length,
        prevent_weak=company.prevent_weak_pins,
        phones=(values.get("phone"), values.get("backup_phone")),
        history=json.loads(history)[-company.pin_history :],
    )
    if reason:
        problems["pin"] = reason
    else:
        values["pin"] = data.pin
