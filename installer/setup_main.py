"""Entry point of the frozen setup."""

import sys

from installer.cli import main

sys.exit(main())
