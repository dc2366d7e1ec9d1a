"""Users core: validation of phones, emails and PINs, defaults, concurrency, audit."""

from __future__ import annotations

import dataclasses

import pytest

from mfa_console.app import Services
from mfa_console.core import audit
from mfa_console.core.company import CompanySettings
from mfa_console.core.errors import (
    AlreadyExistsError,
    ConcurrentEditError,
    NotFoundError,
    ValidationError,
)
from mfa_console.core.users import pins
from mfa_console.core.users.phones import PhoneError, parse_phone
from mfa_console.core.users.records import UserInput

pytestmark = pytest.mark.both_databases


@pytest.mark.parametrize(
    ("text", "country", "expected"),
    [
        ("555-123-4567 x890", 1, ("+15551234567", "890")),
        ("(425) 555-0100", 1, ("+14255550100", "")),
        ("425-555-0100 ext. 12", 1, ("+14255550100", "12")),
        ("020 7946 0958", 44, ("+442079460958", "")),
        ("+49 30 901820", 1, ("+4930901820", "")),
    ],
)
def test_phone_forms_of_the_original(text: str, country: int, expected: tuple[str, str]) -> None:
    phone = parse_phone(text, country)
    assert phone is not None and (phone.e164, phone.extension) == expected


def test_extension_with_pauses() -> None:
    phone = parse_phone("425-555-0100", 1, "12,,3#")
    assert phone is not None and phone.extension == "12,,3#"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("12345", "too few digits"),
        ("555-123-45678901", "too many digits"),
        ("call me", "does not look like a number"),
        ("+999 123456", "unknown country code"),
    ],
)
def test_invalid_phones_are_refused_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(PhoneError, match=reason):
        parse_phone(text, 1)


def test_invalid_extension_is_refused() -> None:
    with pytest.raises(PhoneError, match="only digits"):
        parse_phone("425-555-0100", 1, "12a")


def test_add_uses_company_defaults(services: Services) -> None:
    services.settings.save(
        dataclasses.replace(
            CompanySettings(), default_method="text-message", default_mode="two-way-otp",
            language_text_message="fr",
        )
    )  # fmt: skip
    user = services.users.add(UserInput("Ann@Example.com", phone="425-555-0100"))
    assert (user.method, user.mode, user.languages["text-message"]) == (
        "text-message",
        "two-way-otp",
        "fr",
    )


def test_every_problem_is_reported_at_once(services: Services) -> None:
    with pytest.raises(ValidationError) as info:
        services.users.add(
            UserInput(" ", email="not-an-email", phone="12", method="mobile-app", mode="otp")
        )
    assert set(info.value.problems) == {"username", "email", "phone", "mode"}


def test_phone_call_needs_a_phone_unless_disabled(services: Services) -> None:
    with pytest.raises(ValidationError, match="needs a phone number"):
        services.users.add(UserInput("nophone@example.com", method="phone-call"))
    assert not services.users.add(UserInput("nophone@example.com", enabled=False)).enabled


def test_username_is_unique_ignoring_case(services: Services) -> None:
    services.users.add(UserInput("Dup@Example.com", enabled=False))
    with pytest.raises(AlreadyExistsError):
        services.users.add(UserInput("dup@example.COM", enabled=False))


@pytest.mark.parametrize(
    ("pin", "reason"),
    [
        ("12a4", "only digits"),
        ("482", "at least 4"),
        ("1234", "sequential"),
        ("9870", "sequential"),
        ("5111", "repeats"),
        ("5550", "repeats"),
        ("0100", "four digits of the user's phone"),
    ],
)
def test_weak_pins_are_refused(services: Services, pin: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        services.users.add(UserInput("p@example.com", phone="425-555-0100", mode="pin", pin=pin))


def test_pin_is_stored_only_as_a_salted_hash(services: Services, data_file) -> None:  # type: ignore[no-untyped-def]
    services.users.add(UserInput("p@example.com", phone="425-555-0100", mode="pin", pin="48271"))
    services.close()
    wal = data_file.with_name(data_file.name + "-wal")
    raw = data_file.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    assert b"48271" not in raw
    assert b"scrypt$" in raw


def test_pin_history_refuses_a_recent_pin(services: Services) -> None:
    user = services.users.add(
        UserInput("p@example.com", phone="425-555-0100", mode="pin", pin="48271")
    )
    again = dataclasses.replace(user.to_input(), pin="48271")
    with pytest.raises(ValidationError, match="used recently"):
        services.users.update(user.id, user.version, again)


def test_generated_pin_follows_the_rules(services: Services) -> None:
    for _ in range(50):
        pin = services.users.generate_pin(["+14255550100"])
        assert len(pin) == 4 and pins.weakness(pin, ["+14255550100"]) is None


def test_concurrent_edit_is_refused_not_lost(services: Services, data_file) -> None:  # type: ignore[no-untyped-def]
    from mfa_console.app import open_services

    first = services.users.add(UserInput("c@example.com", enabled=False))
    other = open_services(data_file)
    try:
        other.users.update(
            first.id, first.version, dataclasses.replace(first.to_input(), first_name="Theirs")
        )
        with pytest.raises(ConcurrentEditError, match="was changed by"):
            services.users.update(
                first.id, first.version, dataclasses.replace(first.to_input(), first_name="Mine")
            )
    finally:
        other.close()
    assert services.users.get(first.id).first_name == "Theirs"


def test_removed_user_is_reported(services: Services) -> None:
    user = services.users.add(UserInput("gone@example.com", enabled=False))
    services.users.remove([user.id])
    with pytest.raises(NotFoundError):
        services.users.get(user.id)


def test_audit_trail_records_changes_without_secrets(services: Services) -> None:
    user = services.users.add(
        UserInput("a@example.com", phone="425-555-0100", mode="pin", pin="48271")
    )
    services.users.update(
        user.id, user.version, dataclasses.replace(user.to_input(), first_name="Al")
    )
    services.users.set_enabled([user.id], False)
    services.users.remove([user.id])
    with services.db.read() as session:
        trail = audit.entries(session)
    assert [e.action for e in trail] == ["user.remove", "user.disable", "user.edit", "user.add"]
    edit = trail[2]
    assert (edit.before, edit.after) == ({"first_name": ""}, {"first_name": "Al"})
    assert trail[3].after is not None and trail[3].after["pin"] == audit.REDACTED
    assert all("48271" not in str(e) for e in trail)
    assert all(e.actor == audit.current_actor() for e in trail)


def test_company_settings_ranges(services: Services) -> None:
    with pytest.raises(ValidationError) as info:
        services.settings.save(
            dataclasses.replace(CompanySettings(), pin_history=11, pin_min_length=3)
        )
    assert set(info.value.problems) == {"pin_history", "pin_min_length"}
    assert CompanySettings().pin_history == 5


def test_internal_mail_domains_of_directories_are_accepted(services: Services) -> None:
    for address in ("bob@corp.local", "ann@example.test"):
        user = services.users.add(UserInput(address, email=address, enabled=False))
        assert user.email == address
    with pytest.raises(ValidationError, match="email"):
        services.users.add(UserInput("x@example.com", email="x@localhost", enabled=False))
