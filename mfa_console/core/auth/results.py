"""Result codes of a verification, named as the original's call results (console-reference §18)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ResultCode(StrEnum):
    OATH_CODE_VERIFIED = "OATH_CODE_VERIFIED"
    SUCCESS_USER_DISABLED = "SUCCESS_USER_DISABLED"
    FAILED_OATH_CODE_INCORRECT = "FAILED_OATH_CODE_INCORRECT"
    FAILED_OATH_CODE_DUPLICATE = "FAILED_OATH_CODE_DUPLICATE"
    FAILED_OATH_CODE_OLD = "FAILED_OATH_CODE_OLD"
    AUTHENTICATION_THROTTLED = "AUTHENTICATION_THROTTLED"
    FAILED_USER_DISABLED = "FAILED_USER_DISABLED"
    FAILED_USER_NOT_FOUND = "FAILED_USER_NOT_FOUND"
    FAILED_NO_OATH_TOKEN = "FAILED_NO_OATH_TOKEN"
    FAILED_METHOD_REQUIRES_CLOUD = "FAILED_METHOD_REQUIRES_CLOUD"
    FAILED_CODE_MISSING = "FAILED_CODE_MISSING"
    FAILED_PRIMARY_AUTH = "FAILED_PRIMARY_AUTH"


TEXTS: dict[ResultCode, str] = {
    ResultCode.OATH_CODE_VERIFIED: "The OATH token code was verified.",
    ResultCode.SUCCESS_USER_DISABLED: "The user is disabled; Company Settings let disabled users "
    "succeed without a second factor.",
    ResultCode.FAILED_OATH_CODE_INCORRECT: "The OATH token code is incorrect.",
    ResultCode.FAILED_OATH_CODE_DUPLICATE: "The OATH token code was already used.",
    ResultCode.FAILED_OATH_CODE_OLD: "The OATH token code is older than one already used.",
    ResultCode.AUTHENTICATION_THROTTLED: "Too many denials: the user is locked out for now.",
    ResultCode.FAILED_USER_DISABLED: "The user is disabled.",
    ResultCode.FAILED_USER_NOT_FOUND: "No such user.",
    ResultCode.FAILED_NO_OATH_TOKEN: "The user has no OATH token.",
    ResultCode.FAILED_METHOD_REQUIRES_CLOUD: "The user's method (phone call, text message or "
    "mobile app) needed the retired cloud service; give the user an OATH token.",
    ResultCode.FAILED_CODE_MISSING: "No code was entered.",
    ResultCode.FAILED_PRIMARY_AUTH: "The primary credentials (password) were refused.",
}

SUCCESSES = frozenset({ResultCode.OATH_CODE_VERIFIED, ResultCode.SUCCESS_USER_DISABLED})
# Codes that count toward lockout (wrong, duplicate and old codes).
COUNTED = frozenset({
    ResultCode.FAILED_OATH_CODE_INCORRECT, ResultCode.FAILED_OATH_CODE_DUPLICATE,
    ResultCode.FAILED_OATH_CODE_OLD,
})  # fmt: skip


def result_text(code: str) -> str:
    try:
        return TEXTS[ResultCode(code)]
    except ValueError:
        return code


@dataclass(frozen=True)
class VerifyResult:
    code: ResultCode
    username: str
    user_id: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.code in SUCCESSES

    @property
    def text(self) -> str:
        return TEXTS[self.code]

    def to_json(self) -> dict[str, object]:
        return {"result": str(self.code), "ok": self.ok, "text": self.text,
                "username": self.username, "reason": self.reason}  # fmt: skip
