"""Company Settings, General tab: user defaults, languages, PIN rules, disabled-user behaviour."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from mfa_console.core.errors import ValidationError
from mfa_console.core.users.methods import LANGUAGES, METHODS, MODES

AUTH_FALLBACKS = {"fail": "Fail Authentication", "succeed": "Succeed Authentication"}

PIN_MIN_LENGTH_RANGE = (4, 10)
PIN_HISTORY_RANGE = (1, 10)
PIN_EXPIRY_RANGE = (1, 3650)


@dataclass(frozen=True)
class CompanySettings:
    SECTION: ClassVar[str] = "company"
    LABELS: ClassVar[dict[str, str]] = {
        "company_name": "Company name",
        "when_internet_not_accessible": "When internet is not accessible",
        "default_method": "Method",
        "default_mode": "Mode",
        "enable_global_services": "Enable Global Services",
        "user_can_change_phone": "User can change phone",
        "when_user_disabled": "When user is disabled",
        "default_country_code": "Default country code",
        "language_phone_call": "Phone call language",
        "language_text_message": "Text message language",
        "language_mobile_app": "Mobile app language",
        "language_oath_token": "OATH token language",
        "user_can_change_pin": "User can change PIN",
        "pin_min_length": "Minimum length",
        "prevent_weak_pins": "Prevent weak PINs",
        "pin_expiration_enabled": "Expiration days",
        "pin_expiration_days": "Expiration days",
        "pin_history": "PIN history",
    }

    company_name: str = ""
    when_internet_not_accessible: str = "fail"
    default_method: str = "phone-call"
    default_mode: str = "standard"
    enable_global_services: bool = False
    user_can_change_phone: bool = True
    when_user_disabled: str = "fail"
    default_country_code: int = 1
    language_phone_call: str = "en"
    language_text_message: str = "en"
    language_mobile_app: str = "en"
    language_oath_token: str = "en"
    user_can_change_pin: bool = True
    pin_min_length: int = 4
    prevent_weak_pins: bool = True
    pin_expiration_enabled: bool = False
    pin_expiration_days: int = 90
    pin_history: int = 5

    def validate(self) -> None:
        from mfa_console.core.users.phones import country_codes  # phonenumbers: not at start

        problems: dict[str, str] = {}
        if self.default_method not in METHODS:
            problems["default_method"] = f"unknown method {self.default_method!r}"
        elif self.default_mode not in MODES[self.default_method]:
            problems["default_mode"] = (
                f"{self.default_mode!r} is not a mode of {METHODS[self.default_method]}"
            )
        for name in ("when_internet_not_accessible", "when_user_disabled"):
            if getattr(self, name) not in AUTH_FALLBACKS:
                problems[name] = "choose Fail Authentication or Succeed Authentication"
        for name in (
            "language_phone_call",
            "language_text_message",
            "language_mobile_app",
            "language_oath_token",
        ):
            if getattr(self, name) not in LANGUAGES:
                problems[name] = f"unknown language {getattr(self, name)!r}"
        if self.default_country_code not in {code for code, _ in country_codes()}:
            problems["default_country_code"] = f"+{self.default_country_code} is not a country code"
        _check_range(problems, "pin_min_length", self.pin_min_length, PIN_MIN_LENGTH_RANGE)
        _check_range(problems, "pin_history", self.pin_history, PIN_HISTORY_RANGE)
        _check_range(problems, "pin_expiration_days", self.pin_expiration_days, PIN_EXPIRY_RANGE)
        if problems:
            raise ValidationError(problems)

    def language_for(self, method: str) -> str:
        return str(getattr(self, f"language_{method.replace('-', '_')}"))


def _check_range(problems: dict[str, str], name: str, value: int, bounds: tuple[int, int]) -> None:
    low, high = bounds
    if not low <= value <= high:
        problems[name] = f"must be between {low} and {high}"
