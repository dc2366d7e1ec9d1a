"""The directory reader's process yields the CPUs: logins (the RADIUS server) come first."""

from __future__ import annotations

import multiprocessing
import os

from mfa_console.app import Services
from mfa_console.core.directory.settings import DirectorySettings
from mfa_console.core.priority import BACKGROUND_NICE
from mfa_console.core.sync.child_source import open_child_source
from tests.services.slapd import SlapdServer


def test_the_directory_reader_process_runs_at_the_background_nice_value(
    ldap_sync: Services, slapd: SlapdServer
) -> None:
    settings = ldap_sync.settings.load(DirectorySettings)
    with open_child_source(settings, slapd.reader_pw):
        readers = [p for p in multiprocessing.active_children() if p.name == "mfa-console-reader"]
        assert len(readers) == 1
        assert readers[0].pid is not None
        nice = os.getpriority(os.PRIO_PROCESS, readers[0].pid)
    assert nice == max(BACKGROUND_NICE, os.getpriority(os.PRIO_PROCESS, 0))
