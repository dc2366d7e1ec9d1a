"""Email: SMTP settings, sandboxed templates, the persistent outbox and its worker.

- ``settings``: the Email Settings group (password only in the keyring, ``PASSWORD_KEY``).
- ``templates`` / ``sandbox``: the shipped templates, edits in the data file, safe rendering.
- ``compose``: which template a user gets and the message bytes.
- ``outbox``: ``queue_for_user(session, user_id, reason, pin=...)`` for other features' write
  sessions; ``seal`` keeps initial PINs out of the data file.
- ``smtp`` / ``transcript`` / ``failures``: SmtpSender, the redacted conversation, errors in words.
- ``worker``: sends the outbox, each message once.
- ``service``: MailService, the face the GUI, command line and background service use.
"""

from mfa_console.core.mail.outbox import queue_admin_notice, queue_for_user

__all__ = ["queue_admin_notice", "queue_for_user"]
