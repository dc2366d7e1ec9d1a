"""The activation service: one-time credentials, replication groups and issued tokens.

It runs on the activation host (``mfa-console activation-service serve``), keeps its own SQLite
store, never the console's data file, and stores no password or token in clear.
"""
