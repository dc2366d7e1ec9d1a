"""Files the console ships: default email templates (``email/``)."""
