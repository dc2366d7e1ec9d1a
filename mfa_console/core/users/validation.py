"""Turn a ``UserInput`` into the stored column values, or say why it cannot be accepted.

The Add/Edit dialog calls the same function as you type; the service calls it again on save.
"""

from __future__ import annotations

import json
from typing import Any

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
    username = data.username.strip()
    if not username:
        problems["username"] = "a username is required"
    elif len(username) > 256 or any(ord(ch) < 32 for ch in username):
        problems["username"] = "the username is too long or has control characters"
    values["username"] = username
    values["username_key"] = username.lower()
    for name in ("first_name", "last_name", "user_group"):
        values[name] = getattr(data, name).strip()
    values["email"] = _email(data.email, problems)
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


def _email(text: str, problems: dict[str, str]) -> str:
    text = text.strip()
    if not text:
        return ""
    try:
        return normalize_address(text)
    except AddressError as exc:
        problems["email"] = f"{text!r} is not a valid email address: {exc}"
        return text


def _phones(
    data: UserInput, company: CompanySettings, values: dict[str, Any], problems: dict[str, str]
) -> None:
    for prefix, cc, text, ext in (
        ("", data.country_code, data.phone, data.extension),
        ("backup_", data.backup_country_code, data.backup_phone, data.backup_extension),
    ):
        try:
            phone = parse_phone(text, cc or company.default_country_code, ext)
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
