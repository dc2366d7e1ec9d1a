"""Phone numbers: parse the original's forms with phonenumbers, store E.164 plus an extension.

Accepted: "555-123-4567 x890" with a country code picked from the list, "+44 20 7946 0958",
"(425) 555-0100 ext. 12", and an extension of digits, ``*``, ``#`` and commas (a comma is a one
second pause), optionally after "@". A number must have a possible length for its country; the
original accepted any ten digits for +1, so numbers that are possible but unassigned (the 555
examples of its own documentation) are accepted too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import phonenumbers
from phonenumbers import NumberParseException, ValidationResult

DEFAULT_COUNTRY_CODE = 1
_EXTENSION = re.compile(r"^@?[0-9*#,]*$")
_EXTENSION_SPLIT = re.compile(r"\s*(?:x|ext\.?|extension|#)\s*([0-9*#,@]+)\s*$", re.IGNORECASE)

_REASONS = {
    ValidationResult.INVALID_COUNTRY_CODE: "the country code is not valid",
    ValidationResult.TOO_SHORT: "it has too few digits for the country",
    ValidationResult.TOO_LONG: "it has too many digits for the country",
    ValidationResult.INVALID_LENGTH: "it has the wrong number of digits for the country",
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "it is a local number: add the area code",
}


class PhoneError(ValueError):
    """A phone number or extension that cannot be accepted; the text is the reason."""


@dataclass(frozen=True)
class Phone:
    e164: str
    extension: str = ""


def parse_phone(
    text: str, country_code: int = DEFAULT_COUNTRY_CODE, extension: str = ""
) -> Phone | None:
    """Parse ``text`` (None if blank); an extension in the text counts if ``extension`` is empty."""
    text = text.strip()
    extension = extension.strip()
    if not text:
        if extension:
            raise PhoneError("an extension needs a phone number")
        return None
    match = _EXTENSION_SPLIT.search(text)
    if match and not extension:
        extension, text = match.group(1), text[: match.start()]
    if extension and not _EXTENSION.match(extension):
        raise PhoneError(
            f"the extension {extension!r} may hold only digits, * # and commas (pauses)"
        )
    quick = _international_e164(text)
    if quick is not None:
        return Phone(quick, extension)
    region = phonenumbers.region_code_for_country_code(country_code)
    if region == "ZZ" and not text.startswith("+"):
        raise PhoneError(f"+{country_code} is not a country code")
    try:
        number = phonenumbers.parse(text, None if text.startswith("+") else region)
    except NumberParseException as exc:
        raise PhoneError(f"{text!r} is not a phone number ({_parse_reason(exc)})") from None
    result = phonenumbers.is_possible_number_with_reason(number)
    if result != ValidationResult.IS_POSSIBLE:
        raise PhoneError(f"{text!r} is not a valid number: {_REASONS.get(result, 'unknown')}")
    if not extension and number.extension:
        extension = number.extension
    return Phone(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), extension)


def _international_e164(text: str) -> str | None:
    """E.164 of a plain international number ("+44 7700 900123"), without phonenumbers' parse.

    The same result as ``parse`` for the common case only: "+" then digits with spaces, hyphens,
    dots or parentheses, a country code, no national prefix (nothing its pattern matches) and a
    possible length. Anything else, valid or not, returns None for the full parse (which also
    gives the reasons). A directory sync parses hundreds of thousands of these: this is ~5x
    faster. tests/core/test_phone_fast_path.py checks it against ``parse`` on every region's
    examples.
    """
    if not text.startswith("+"):
        return None
    digits = text[1:].translate(_SEPARATORS)
    if not (digits.isascii() and digits.isdigit()) or not 3 <= len(digits) <= 20:
        return None
    for size in (1, 2, 3):
        country = _country(digits[:size])
        if country is not None:
            break
    else:
        return None
    national = digits[size:]
    prefix = country.prefix
    if (
        not 2 <= len(national) <= 17
        or national[0] == "0"
        or (prefix is not None and prefix.match(national) is not None)
    ):
        return None
    number = phonenumbers.PhoneNumber(country_code=country.code, national_number=int(national))
    if phonenumbers.is_possible_number_with_reason(number) != ValidationResult.IS_POSSIBLE:
        return None
    return f"+{country.code}{national}"


@dataclass(frozen=True)
class _Country:
    code: int
    prefix: re.Pattern[str] | None  # the national prefix for parsing, if the country has one


@cache
def _country(code: str) -> _Country | None:
    """The country of a calling code ("44"), or None; loads only that country's metadata."""
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(int(code))
    if not regions or code.startswith("0"):
        return None
    metadata = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(int(code), regions[0])
    if metadata is None:
        return None
    pattern = metadata.national_prefix_for_parsing
    return _Country(int(code), re.compile(pattern) if pattern else None)


_SEPARATORS = str.maketrans("", "", " -.()")


def _parse_reason(exc: NumberParseException) -> str:
    return {
        NumberParseException.INVALID_COUNTRY_CODE: "unknown country code",
        NumberParseException.NOT_A_NUMBER: "it does not look like a number",
        NumberParseException.TOO_SHORT_NSN: "too short",
        NumberParseException.TOO_SHORT_AFTER_IDD: "too short",
        NumberParseException.TOO_LONG: "too long",
    }.get(exc.error_type, "cannot be read")


def format_phone(e164: str | None, extension: str = "") -> str:
    """For display: international format, with " x" and the extension."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
        shown = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except NumberParseException:
        shown = e164
    return f"{shown} x{extension}" if extension else shown


def country_code_of(e164: str | None) -> int:
    if not e164:
        return DEFAULT_COUNTRY_CODE
    try:
        return phonenumbers.parse(e164, None).country_code or DEFAULT_COUNTRY_CODE
    except NumberParseException:
        return DEFAULT_COUNTRY_CODE


def national_number(e164: str | None) -> str:
    """The national part, formatted for the user's country, for editing."""
    if not e164:
        return ""
    number = phonenumbers.parse(e164, None)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


@cache
def country_codes() -> list[tuple[int, str]]:
    """(calling code, label) for the Country Code lists, "United States & Canada +1" first."""
    from phonenumbers import geocoder

    entries: list[tuple[int, str]] = []
    for code, regions in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.items():
        if code == 1:
            label = "United States & Canada"
        else:
            names = [geocoder._region_display_name(r, "en") or r for r in regions if r != "001"]
            label = " / ".join(dict.fromkeys(names)) or "International"
        entries.append((code, f"{label} +{code}"))
    entries.sort(key=lambda e: (e[0] != 1, e[1].lower()))
    return entries
