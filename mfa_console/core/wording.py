"""The words a person reads, in one place: plurals, field labels, audit actions, setting labels.

Messages, the Logs pane, the Status pane and the command line's text output take their words from
here, so no internal name (a field key, an audit action, a setting key) reaches a person.
"""

from __future__ import annotations

_IRREGULAR = {"entry": "entries", "is": "are", "was": "were", "has": "have", "match": "matches"}


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``plural(1, "user")`` -> "1 user", ``plural(2_000, "user")`` -> "2,000 users"."""
    if count == 1:
        return f"1 {noun}"
    return f"{count:,} {many or _IRREGULAR.get(noun) or noun + 's'}"


def duration(minutes: int) -> str:
    """``duration(60)`` -> "1 hour", ``duration(90)`` -> "1 hour 30 minutes"."""
    if minutes % (24 * 60) == 0 and minutes:
        return plural(minutes // (24 * 60), "day")
    hours, rest = divmod(minutes, 60)
    parts = ([plural(hours, "hour")] if hours else []) + ([plural(rest, "minute")] if rest else [])
    return " ".join(parts) or "0 minutes"


# The label of each field, as the forms show it (without the mnemonic's "&" or the colon).
FIELD_LABELS = {
    # users
    "username": "Username",
    "first_name": "First name",
    "last_name": "Last name",
    "email": "Email",
    "user_group": "User group",
    "country_code": "Country code",
    "phone": "Phone",
    "extension": "Extension",
    "backup_country_code": "Backup country code",
    "backup_phone": "Backup phone",
    "backup_extension": "Backup extension",
    "method": "Method",
    "mode": "Mode",
    "languages": "Languages",
    "enabled": "Enabled",
    "pin": "PIN",
    "confirm_pin": "Confirm PIN",
    "pin_change_required": "PIN change required",
    "source": "Source",
    "directory_id": "Directory identifier",
    "dn": "Container or group",
    # email server
    "server": "SMTP server",
    "port": "Port",
    "security": "Security",
    "verify": "Certificate",
    "ca_file": "CA file",
    "from_address": "From address",
    "from_name": "From display name",
    "timeout": "Timeout",
    "send_to_users": "Send emails to users",
    "portal_url": "User Portal URL",
    "admin_addresses": "Administrators",
    "recipient": "Test recipient",
    # directory
    "kind": "Kind",
    "servers": "Servers",
    "domain": "Domain",
    "dns_server": "DNS server",
    "bind": "Bind type",
    "bind_dn": "Bind DN or UPN",
    "base_dn": "Base DN",
    "page_size": "Page size",
    "attribute_scope_queries": "Attribute scoped queries",
    "size_limit": "Query size limit",
    "connect_timeout": "Connect timeout",
    "search_timeout": "Search timeout",
    "container_filter": "Container filter",
    "group_filter": "Security group filter",
    "user_filter": "User filter",
    "attributes": "Attributes",
    # synchronization
    "interval_minutes": "Synchronize every",
    "interval": "Synchronize every",
    "remove_missing": "Remove users no longer in the directory",
    "always_full": "Always a full synchronization",
    "approval_threshold": "Approval threshold",
    "nested": "Nested groups",
    "scope": "Import",
    "add_new": "Add new users",
    "update_existing": "Update existing users",
    "on_removed": "When removed from the directory",
    "phone_attribute": "Import phone",
    "backup_phone_attribute": "Backup phone",
    "enable_policy": "Enabled",
    "email_policy": "Send email",
    # backup schedule
    "interval_hours": "Back up every",
    "folder": "Folder",
    "keep": "Keep the newest",
    # company settings
    "company_name": "Company name",
    "when_internet_not_accessible": "When the internet is not accessible",
    "default_method": "Default method",
    "default_mode": "Mode",
    "enable_global_services": "Enable global services",
    "user_can_change_phone": "Users may change their phone",
    "when_user_disabled": "When a user is disabled",
    "default_country_code": "Country code",
    "language_phone_call": "Phone call language",
    "language_text_message": "Text message language",
    "language_mobile_app": "Mobile app language",
    "language_oath_token": "OATH token language",
    "user_can_change_pin": "Users may change their PIN",
    "pin_min_length": "Minimum PIN length",
    "prevent_weak_pins": "Prevent weak PINs",
    "pin_expiration_enabled": "PIN expiration",
    "pin_expiration_days": "PIN expires after (days)",
    "pin_history": "PIN history",
    # activation
    "url": "Activation service URL",
    "password": "Password",
    "role": "Role",
    "server_name": "Server name",
    "group_name": "Replication group",
    "account": "Account",
    # email templates
    "subject": "Subject",
    "text": "Text",
    "html": "HTML",
}

SECTION_LABELS = {
    "activation_service": "Activation service",
    "activation": "Activation",
    "email": "Email settings",
    "firstrun": "Guided setup",
    "sync": "Synchronization settings",
    "directory": "Directory settings",
    "backup": "Scheduled backups",
    "company": "Company settings",
}

ACTION_LABELS = {
    "user.add": "User added",
    "user.edit": "User edited",
    "user.update": "User updated from the directory",
    "user.remove": "User removed",
    "user.enable": "User enabled",
    "user.disable": "User disabled",
    "settings.change": "Settings changed",
    "sync.approve": "Synchronization approved",
    "sync.run": "Synchronization run",
    "sync.item.add": "Synchronization item added",
    "sync.item.edit": "Synchronization item edited",
    "sync.item.remove": "Synchronization item removed",
    "sync.item.move": "Synchronization item moved",
    "email.template.change": "Email template changed",
    "email.template.reset": "Email template reset",
    "email.outbox.discard": "Outbox messages discarded",
    "email.outbox.queue": "Email queued",
    "email.outbox.retry": "Outbox messages retried",
    "email.template.restore": "Email template restored",
    "user.import": "Users imported",
    "backup.create": "Backup made",
    "backup.scheduled": "Scheduled backup made",
    "backup.restore": "Data file restored",
    "activation.activate": "Server activated",
    "activation.deactivate": "Server deactivated",
    "user.unblock": "User unblocked",
    "radius.client.add": "RADIUS client added",
    "radius.client.edit": "RADIUS client edited",
    "radius.client.remove": "RADIUS client removed",
    "radius.target.add": "RADIUS server added",
    "radius.target.edit": "RADIUS server edited",
    "radius.target.move": "RADIUS server moved",
    "radius.target.remove": "RADIUS server removed",
    "token.software": "Authenticator app token created",
    "token.assign": "OATH token assigned",
    "token.unassign": "OATH token unassigned",
    "token.import": "OATH tokens imported",
    "token.resync": "OATH token resynchronized",
}


def field_label(key: str) -> str:
    """The form's label for a field key; an unknown key reads as words, never as a key."""
    return FIELD_LABELS.get(key) or key.replace("_", " ").capitalize()


def section_label(section: str) -> str:
    return SECTION_LABELS.get(section) or section.replace("_", " ").capitalize()


def action_label(action: str) -> str:
    """``settings.change`` -> "Settings changed"; an unknown action reads as words."""
    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    return action.replace(".", " ").replace("_", " ").capitalize()


def setting_value(key: str, value: object) -> str:
    """A stored setting value as a person reads it (minutes as a duration, yes/no...)."""
    if key == "interval_minutes" and isinstance(value, int):
        return duration(value)
    if key == "interval_hours" and isinstance(value, int):
        return plural(value, "hour")
    if isinstance(value, bool):
        return "on" if value else "off"
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "(none)"
    if isinstance(value, dict):  # e.g. attribute names: each by its label
        return ", ".join(f"{field_label(k)}: {setting_value(k, v)}" for k, v in value.items())
    if key == "method" and isinstance(value, str):
        from mfa_console.core.users.methods import method_label

        return method_label(value)
    return str(value)


def problems_text(problems: dict[str, str]) -> str:
    """Each problem named by its field's label: "From address: enter an address"."""
    return "; ".join(f"{field_label(k)}: {reason}" for k, reason in problems.items())


def describe_change(before: dict[str, object] | None, after: dict[str, object] | None) -> str:
    """Each changed field by its label, short enough for a table cell:
    "Synchronize every: 1 hour → 9 hours"."""
    old_values, new_values = before or {}, after or {}
    parts = []
    for key in sorted(set(old_values) | set(new_values), key=field_label):
        old, new = old_values.get(key), new_values.get(key)
        label = field_label(key)
        if before is None:
            if new not in (None, "", [], (), {}):  # a new record: only what was filled in
                parts.append(f"{label}: {_short(key, new)}")
        elif after is None:
            if old not in (None, "", [], (), {}):
                parts.append(f"{label} was {_short(key, old)}")
        elif old != new:
            parts.append(f"{label}: {_short(key, old)} \u2192 {_short(key, new)}")
    return "; ".join(parts)


def _short(key: str, value: object) -> str:
    text = setting_value(key, value)
    return text if len(text) <= 40 else text[:39] + "\u2026"


def audit_target(action: str, target: str) -> str:
    """A settings change names its section ("Email settings"), not its storage key."""
    return section_label(target) if action == "settings.change" else target
