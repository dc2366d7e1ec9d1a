"""Whether this data file has been through the configuration wizard, and the Skip choice."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class FirstRunSettings:
    """``configured`` turns True when the wizard is finished or skipped; never reset."""

    SECTION: ClassVar[str] = "firstrun"

    configured: bool = False
    skip_wizard: bool = False  # the welcome page's "Skip using the ... Wizard" checkbox
    completed_at: str = ""  # ISO 8601, UTC

    def validate(self) -> None:
        """Two booleans and a timestamp: nothing can be out of range."""
