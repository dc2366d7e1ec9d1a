"""Two processes verify the same code at the same moment: exactly one succeeds."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pyotp

from mfa_console.app import Services

WORKER = """
import json, sys, time
from mfa_console.core.db import open_database
from mfa_console.core.auth.verify import AuthRequest, verify
db = open_database(sys.argv[1])
start = float(sys.argv[4])
while time.time() < start:
    time.sleep(0.001)
result = verify(db, AuthRequest(sys.argv[2], sys.argv[3], application="race"))
print(json.dumps(result.code))
"""


def test_same_code_in_two_processes_succeeds_once(
    services: Services, alice: str, enrolled: pyotp.TOTP, data_file: Path
) -> None:
    code = enrolled.now()
    start = time.time() + 3  # both workers are loaded and waiting by then
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(data_file), alice, code, str(start)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=60)
        assert worker.returncode == 0, err
        results.append(json.loads(out))
    assert sorted(results) == ["FAILED_OATH_CODE_DUPLICATE", "OATH_CODE_VERIFIED"]
