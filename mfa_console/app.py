"""Composition root: open the data file and build the services the GUI, CLI and service share.

Nothing else creates services or holds globals. The ``Services`` type itself lives in core
(``core/services.py``) so that core never imports this module.
"""

from __future__ import annotations

import os

from mfa_console.core.db import open_database
from mfa_console.core.services import Services

__all__ = ["Services", "open_services"]


def open_services(
    data: str | os.PathLike[str] | None = None, *, password: str | None = None
) -> Services:
    """Open ``data`` (path or URL, else MFA_CONSOLE_DATA, else the default) and build services.

    ``password``: a PostgreSQL server's, given by the person (kept in the keyring once it works).
    """
    return Services(open_database(data, password=password))
