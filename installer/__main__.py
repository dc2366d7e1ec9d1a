"""``python -m installer``: the setup (wizard, ``--unattended``, ``--uninstall``) from source."""

import sys

from installer.cli import main

sys.exit(main())
