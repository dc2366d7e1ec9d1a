"""The family of expected errors: things that go wrong in the environment, not bugs.

Every expected error carries a message a person can act on. The UI shows it in a message box, the
command line prints it on one line, the service logs it. Anything that is not a ``ConsoleError`` is
a bug and reaches the crash dialog with its traceback.
"""

from __future__ import annotations


class ConsoleError(Exception):
    """An expected failure with a message that says what happened and what to do.

    ``hint`` is worded for a person in the window (menus and buttons, no command lines);
    ``command_hint``, when the command line has its own way (an option, a command), replaces it
    there (``for_command_line``)."""

    def __init__(self, message: str, *, hint: str = "", command_hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.command_hint = command_hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()

    def for_command_line(self) -> str:
        return f"{self.message} {self.command_hint or self.hint}".strip()


class ValidationError(ConsoleError):
    """Input that cannot be accepted; ``problems`` maps a field name to its reason.

    ``labels`` maps a field name to the label a person sees next to it (a settings group's
    ``LABELS``): the message then names fields as the window and the command line show them.
    """

    def __init__(self, problems: dict[str, str], labels: dict[str, str] | None = None) -> None:
        self.problems = dict(problems)
        self.labels = dict(labels or {})
        super().__init__("; ".join(self.lines()))

    def label(self, field: str) -> str:
        from mfa_console.core.wording import field_label

        return self.labels.get(field) or field_label(field)

    def lines(self) -> list[str]:
        """One "Label: reason" line per problem."""
        return [f"{self.label(field)}: {reason}" for field, reason in self.problems.items()]

    def labelled(self) -> dict[str, str]:
        """The problems keyed by the labels a person sees."""
        return {self.label(field): reason for field, reason in self.problems.items()}

    def with_labels(self, labels: dict[str, str]) -> ValidationError:
        return ValidationError(self.problems, {**labels, **self.labels})


class NotFoundError(ConsoleError):
    """The record asked for does not exist (or no longer exists)."""


class AlreadyExistsError(ConsoleError):
    """A record with the same unique key exists already."""


class ConcurrentEditError(ConsoleError):
    """The record changed since it was read; saving would overwrite someone else's change."""


class DataFileError(ConsoleError):
    """The data file cannot be opened: unreadable, corrupt or not a data file. Left untouched."""


class SchemaTooNewError(DataFileError):
    """The data file was written by a newer MFA Console than this one."""


class DataFileLockedError(DataFileError):
    """Another process holds a lock on the data file for longer than we are willing to wait."""


class SecretsUnavailableError(ConsoleError):
    """No usable OS keyring: secrets cannot be stored or read."""


class CancelledError(ConsoleError):
    """The administrator cancelled a long operation; nothing half-written was left behind."""

    def __init__(self, message: str = "Cancelled.") -> None:
        super().__init__(message)


class FileAccessError(ConsoleError):
    """A file chosen by the administrator cannot be read or written."""

    @classmethod
    def reading(cls, path: object, exc: OSError) -> FileAccessError:
        return cls(
            f"Cannot read {path}: {exc.strerror or exc}.",
            hint="Check that the file exists and that you may read it.",
        )

    @classmethod
    def writing(cls, path: object, exc: OSError) -> FileAccessError:
        return cls(
            f"Cannot write {path}: {exc.strerror or exc}.",
            hint="Choose a folder you may write to.",
        )


class DiskFullError(ConsoleError):
    """A write failed because the disk (or the user's quota) is full; ``where`` says which."""

    def __init__(self, message: str, *, where: str = "", hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.where = where
