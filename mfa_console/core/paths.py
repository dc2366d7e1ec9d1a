"""Where the console keeps its files (platformdirs), each overridable for tests and scripts."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "MFA Console"
APP_AUTHOR = "MFA Console"
DATA_ENV = "MFA_CONSOLE_DATA"
DATA_FILE_NAME = "mfa-console.db"


def _dirs():  # type: ignore[no-untyped-def]
    import platformdirs

    return platformdirs.PlatformDirs(APP_NAME, APP_AUTHOR)


def user_data_dir() -> Path:
    return Path(_dirs().user_data_dir)


def default_data_file() -> Path:
    """The data file used when neither ``--data`` nor ``MFA_CONSOLE_DATA`` names one."""
    return user_data_dir() / DATA_FILE_NAME


def log_dir() -> Path:
    return Path(os.environ.get("MFA_CONSOLE_LOG_DIR") or _dirs().user_log_dir)


def config_dir() -> Path:
    """Per-user UI state (window geometry, last pane): kept apart from the data file's settings."""
    return Path(os.environ.get("MFA_CONSOLE_CONFIG_DIR") or _dirs().user_config_dir)
