"""Expected failures of backup, verify and restore, each saying what to do next."""

from __future__ import annotations

from mfa_console.core.errors import ConsoleError


class BackupError(ConsoleError):
    """A backup cannot be made, read or restored."""


class BackupCorruptError(BackupError):
    """The file is not a backup, is incomplete, or its contents do not match its manifest."""


class BackupTooNewError(BackupError):
    """The backup was made by a newer MFA Console (unknown schema or format)."""


class RestoreInProgressError(ConsoleError):
    """Another process is restoring the data file: writes must wait until it has finished."""
