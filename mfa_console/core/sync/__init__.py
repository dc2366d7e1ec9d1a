"""Scheduled synchronization of users from Active Directory / LDAP into the data file.

The engine is a pipeline: read the directory (paged, only mapped attributes) -> plan against the
data file -> guard (nothing is disabled or removed unless the read was complete, and not more than
the approval threshold without an administrator's approval) -> apply in batches -> history.
"""
