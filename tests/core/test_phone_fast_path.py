"""The quick E.164 path of parse_phone gives exactly phonenumbers' answer, or steps aside.

Every region's example numbers of every type, written the ways directories hold them and altered
the ways people mistype them, go through both the quick path and the full parse.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import phonenumbers
import pytest
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

from mfa_console.core.users.phones import _international_e164, parse_phone

TYPES = [getattr(PhoneNumberType, name) for name in ("FIXED_LINE", "MOBILE", "TOLL_FREE", "VOIP")]


def _examples() -> Iterator[phonenumbers.PhoneNumber]:
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in TYPES:
            number = phonenumbers.example_number_for_type(region, kind)
            if number is not None:
                yield number


def _writings(number: phonenumbers.PhoneNumber, rng: random.Random) -> Iterator[str]:
    international = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    national = phonenumbers.national_significant_number(number)
    code = number.country_code
    yield international
    yield e164
    yield international.replace(" ", "-")
    yield international.replace(" ", ".")
    yield f"+{code} ({national[:3]}) {national[3:]}"
    yield f"+{code} (0){national}"  # the national prefix written after the country code
    yield f"+{code} 0{national}"
    yield f"+{code}1{national}"
    yield e164[:-1]  # a digit short
    yield e164 + str(rng.randrange(10))  # a digit too many
    yield e164[:-3]
    yield f"+{code}"
    yield f"+{code}{national[:2]}"
    yield f"+0{national}"
    yield "+" + "".join(rng.choice("0123456789") for _ in range(rng.randrange(3, 19)))


def _full(text: str) -> str | None:
    """phonenumbers' answer: E.164 when the number is possible, else None."""
    try:
        number = phonenumbers.parse(text, None)
    except NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def test_the_quick_path_agrees_with_phonenumbers_everywhere() -> None:
    rng = random.Random(20261125)
    taken = compared = 0
    for number in _examples():
        for text in _writings(number, rng):
            quick = _international_e164(text)
            compared += 1
            if quick is None:
                continue
            taken += 1
            assert quick == _full(text), text
    assert compared > 5000
    # It must actually serve the common forms, or it is dead weight.
    assert taken > compared // 5


@pytest.mark.parametrize(
    "text",
    ["+1 425 555 0100", "+44 7700 900123", "+49 30 123456", "+33 6 12 34 56 78", "+1-425-555-0100"],
)
def test_common_directory_forms_take_the_quick_path(text: str) -> None:
    quick = _international_e164(text)
    assert quick is not None
    phone = parse_phone(text)
    assert phone is not None and phone.e164 == quick == _full(text)


@pytest.mark.parametrize(
    "text",
    ["+44 (0)20 7946 0958", "+1 425 555 0100 x12", "425-555-0100", "+1 425 555 01", "+٤٤ 7700"],
)
def test_other_forms_go_to_the_full_parse(text: str) -> None:
    assert _international_e164(text) is None
