"""The RADIUS server inside ``mfa-console service``: PAP plus the one-time code.

pyrad encodes and decodes packets with the project's own dictionary (``dictionary``, package
data); the socket loop, client lookup (addresses and subnets), Message-Authenticator policy,
retransmission cache, challenges and the primary targets (LDAP bind, upstream RADIUS, none) are
ours. Nothing here imports Qt.
"""
