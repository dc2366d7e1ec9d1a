"""Every pane, guided-setup page and main dialog fits 1024x700 logical pixels at 100%, 125% and
150% scaling. ``QT_SCALE_FACTOR`` is read when the QApplication is made, so each factor runs
``scaling_probe.py`` in a process of its own and the test reads its JSON report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mfa_console.app import Services
from tests.ui import demo

ROOT = Path(__file__).resolve().parents[2]


def _probe(data_file: Path, scale: str) -> dict:  # type: ignore[type-arg]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_SCALE_FACTOR": scale}
    result = subprocess.run(
        [sys.executable, "-m", "tests.ui.scaling_probe", str(data_file)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)  # type: ignore[no-any-return]


@pytest.mark.slow
@pytest.mark.parametrize("scale", ["1", "1.25", "1.5"])
def test_everything_fits_1024x700_when_scaled(
    services: Services, data_file: Path, scale: str
) -> None:
    demo.fill(services)
    report = _probe(data_file, scale)
    assert report["scale"] == float(scale)
    assert len(report["panes"]) >= 20  # every pane, and each tab of it
    assert report["wizard_pages"] == [
        "Welcome to MFA Console",
        "Directory Connection",
        "Email Server",
        "User Defaults",
        "Configuration Complete",
    ]
    assert len(report["dialogs"]) >= 14
    assert report["problems"] == []
