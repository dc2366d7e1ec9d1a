"""Directory failures, each with a message that says what happened and what to do."""

from __future__ import annotations

import re

from mfa_console.core.errors import ConsoleError


class DirectoryError(ConsoleError):
    """Something about the directory failed; nothing was changed because of it."""


class DirectoryUnreachableError(DirectoryError):
    """No server in the list could be reached (name, TCP or TLS failed on each)."""


class DirectoryTlsError(DirectoryUnreachableError):
    """The server's certificate could not be verified, or the TLS handshake failed."""


class DirectoryBindError(DirectoryError):
    """The server refused the bind (credentials, locked account, TLS needed...)."""


class DirectoryReadError(DirectoryError):
    """A search failed or returned partial results: the result must not be used as complete."""


# Active Directory's "data NNN" sub-codes of invalidCredentials (49).
AD_BIND_CODES = {
    "525": ("the bind account does not exist", "Check the bind DN or user principal name."),
    "52e": (
        "the password is wrong (or the bind name is)",
        "Enter the bind account's current password and the right bind DN or UPN.",
    ),
    "530": ("the bind account may not log on at this time", "Check its logon hours in AD."),
    "531": ("the bind account may not log on from this computer", "Check its workstations."),
    "532": ("the bind account's password has expired", "Set a new password for it in AD."),
    "533": ("the bind account is disabled", "Enable it in Active Directory."),
    "701": ("the bind account has expired", "Extend its expiry date in Active Directory."),
    "773": (
        "the bind account must change its password before it can log on",
        "Set a new password for it in AD, or clear 'User must change password at next logon'.",
    ),
    "775": (
        "the bind account is locked out (too many bad passwords)",
        "Wait for the lockout to end or unlock it in AD, then enter the right password.",
    ),
}
_AD_DATA = re.compile(r"data ([0-9a-f]{3})", re.IGNORECASE)


def ad_sub_code(message: str) -> str:
    """The "data NNN" sub-code of an AD bind failure message ("" if none)."""
    match = _AD_DATA.search(message or "")
    return match.group(1).lower() if match else ""


def bind_error(result: dict[str, object], bind_dn: str) -> DirectoryBindError:
    """Turn an ldap3 bind result into an error a person can act on."""
    name = str(result.get("description", ""))
    message = str(result.get("message", ""))
    code = ad_sub_code(message)
    who = bind_dn or "anonymous"
    if code in AD_BIND_CODES:
        text, hint = AD_BIND_CODES[code]
        return DirectoryBindError(f"Bind as {who} failed: {text} (AD code {code}).", hint=hint)
    if name == "strongerAuthRequired":
        return DirectoryBindError(
            f"Bind as {who} failed: the server requires a protected connection "
            "(strongerAuthRequired).",
            hint="Choose LDAPS or StartTLS security.",
        )
    if name == "invalidCredentials":
        return DirectoryBindError(
            f"Bind as {who} failed: wrong bind DN or password (invalidCredentials).",
            hint="Check the bind DN (or UPN) and enter the password again.",
        )
    if name == "inappropriateAuthentication":
        return DirectoryBindError(
            f"Bind as {who} failed: the server does not allow this kind of bind.",
            hint="Use a simple bind with a bind DN and password.",
        )
    if name == "confidentialityRequired":
        return DirectoryBindError(
            f"Bind as {who} failed: the server requires TLS (confidentialityRequired).",
            hint="Choose LDAPS or StartTLS security.",
        )
    detail = f": {message}" if message else ""
    return DirectoryBindError(
        f"Bind as {who} failed ({name or 'unknown result'}{detail}).",
        hint="Check the bind settings and the server's log.",
    )
