"""The MFA Console installer: setup wizard, unattended setup, uninstaller and their build.

``installer.core`` and the modules it uses have no Qt, so the uninstaller and the unattended setup
run without a display; ``installer.wizard`` is the Qt front end over the same functions.
"""

PRODUCT = "MFA Console"
CONSOLE_NAME = "mfa-console"
