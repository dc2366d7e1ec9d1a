"""The expected failures of activation, one class per cause so callers never match on text."""

from __future__ import annotations

from mfa_console.core.errors import ConsoleError


class ActivationError(ConsoleError):
    """Activation or deactivation failed for a reason the administrator can act on."""


class WrongCredentialsError(ActivationError):
    """No credentials match this Email and Password."""


class CredentialsExpiredError(ActivationError):
    """The credentials were right but are older than their 10-minute lifetime."""


class CredentialsUsedError(ActivationError):
    """The credentials were right but have activated a server already (they are single-use)."""


class GroupNotFoundError(ActivationError):
    """The replication group to join does not exist in this account."""


class ServiceUnreachableError(ActivationError):
    """No connection to the activation service (down, blocked by a firewall, timed out)."""


class ServiceNameNotFoundError(ServiceUnreachableError):
    """The activation service's host name does not resolve (DNS)."""


class CertificateNotTrustedError(ActivationError):
    """The activation service's TLS certificate is not trusted or does not match its name."""


class ServiceProtocolError(ActivationError):
    """The activation service answered something this console does not understand."""


class NotActivatedError(ActivationError):
    """The operation needs an activated server."""
