"""Entry point of the frozen console (the same as ``mfa-console``)."""

import sys

from mfa_console.__main__ import main

sys.exit(main())
