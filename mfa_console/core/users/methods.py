"""Verification methods, their modes and the languages the original offered."""

from __future__ import annotations

METHODS: dict[str, str] = {
    "phone-call": "Phone Call",
    "text-message": "Text Message",
    "mobile-app": "Mobile App",
    "oath-token": "OATH Token",
}

# Modes per method, as in the original's User defaults (Company Settings > General).
MODES: dict[str, dict[str, str]] = {
    "phone-call": {"standard": "Standard", "pin": "PIN"},
    "text-message": {
        "otp": "One-way OTP",
        "otp-pin": "One-way OTP + PIN",
        "two-way-otp": "Two-way OTP",
        "two-way-otp-pin": "Two-way OTP + PIN",
    },
    "mobile-app": {"standard": "Standard", "pin": "PIN"},
    "oath-token": {"standard": "Standard"},
}

DEFAULT_MODE = {
    "phone-call": "standard",
    "text-message": "otp",
    "mobile-app": "standard",
    "oath-token": "standard",
}

PIN_MODES = frozenset({"pin", "otp-pin", "two-way-otp-pin"})

# The language fields of a user, one per method (attribute suffixes of UserRow).
LANGUAGE_FIELDS: dict[str, str] = {
    "phone-call": "language_phone_call",
    "text-message": "language_text_message",
    "mobile-app": "language_mobile_app",
    "oath-token": "language_oath_token",
}

LANGUAGES: dict[str, str] = {
    "en": "English",
    "ar": "Arabic",
    "zh-CN": "Chinese (Simplified)",
    "zh-TW": "Chinese (Traditional)",
    "cs": "Czech",
    "da": "Danish",
    "nl": "Dutch",
    "fi": "Finnish",
    "fr": "French",
    "de": "German",
    "el": "Greek",
    "he": "Hebrew",
    "hu": "Hungarian",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "nb": "Norwegian",
    "pl": "Polish",
    "pt": "Portuguese",
    "pt-BR": "Portuguese (Brazil)",
    "ro": "Romanian",
    "ru": "Russian",
    "es": "Spanish",
    "sv": "Swedish",
    "th": "Thai",
    "tr": "Turkish",
    "uk": "Ukrainian",
}


def mode_requires_pin(mode: str) -> bool:
    return mode in PIN_MODES


def method_label(method: str) -> str:
    return METHODS.get(method, method)


def mode_label(method: str, mode: str) -> str:
    return MODES.get(method, {}).get(mode, mode)
