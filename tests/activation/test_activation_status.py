"""The Status pane's Activation section reads the real activation state."""

from __future__ import annotations

from mfa_console.app import Services
from mfa_console.core import status


def test_unactivated_console_says_it_works_unactivated(services: Services) -> None:
    sections = {s.key: s for s in status.snapshot(services)}
    activation = sections["activation"]
    assert activation.state == status.WARNING
    assert "works unactivated" in activation.lines[0]
    assert activation.pane == "activation" and activation.facts == {"activated": False}
