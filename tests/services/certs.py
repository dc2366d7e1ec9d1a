"""Private certificate authorities for the directory servers the tests start.

``trusted_ca`` signs the servers' certificates (SAN localhost, 127.0.0.1, dc1.example.test); a
client that is given its PEM file verifies them. ``untrusted_ca`` signs nothing the servers use:
handing its PEM file to a client must make TLS fail with "certificate verify failed".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import trustme

SERVER_NAMES = ("localhost", "127.0.0.1", "dc1.example.test")


@dataclass(frozen=True)
class CertFiles:
    """PEM files on disk: the CA certificate, and a server certificate + key it signed."""

    ca_file: Path
    cert_file: Path
    key_file: Path


def write_ca(
    directory: Path, name: str, *, server_names: tuple[str, ...] = SERVER_NAMES
) -> CertFiles:
    """Create a CA and one server certificate for ``server_names`` under ``directory/name``."""
    files = ca_files(directory, name)
    files.ca_file.parent.mkdir(parents=True, exist_ok=True)
    # RSA: every TLS library (OpenSSL in slapd, GnuTLS in Samba) loads it.
    ca = trustme.CA(organization_name=f"MFA Console test {name}", key_type=trustme.KeyType.RSA)
    server = ca.issue_cert(*server_names, common_name=server_names[0], key_type=trustme.KeyType.RSA)
    ca.cert_pem.write_to_path(str(files.ca_file))
    server.cert_chain_pems[0].write_to_path(str(files.cert_file))
    server.private_key_pem.write_to_path(str(files.key_file))
    files.key_file.chmod(0o600)
    return files


def ca_files(directory: Path, name: str) -> CertFiles:
    """Where ``write_ca(directory, name)`` writes its files."""
    folder = directory / name
    return CertFiles(folder / "ca.pem", folder / "cert.pem", folder / "key.pem")
