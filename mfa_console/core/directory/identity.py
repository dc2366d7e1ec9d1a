"""The immutable directory id in one canonical text form, whatever the directory hands us.

objectGUID arrives as 16 raw bytes in Microsoft's mixed-endian layout (``uuid.UUID(bytes_le=...)``)
or as ldap3's "{...}" text; entryUUID arrives as UUID text. Both become lower-case UUID text, so
a user renamed or moved (same GUID) is recognised as the same user.
"""

from __future__ import annotations

import uuid


def identity(raw: bytes | str, id_type: str) -> str:
    """Canonical form of ``raw`` for the unique identifier type ``id_type``.

    ``guid``: 16 bytes (bytes_le) or GUID text -> lower-case UUID text.
    ``string`` / ``ascii-bytes``: text (bytes decoded); UUID-shaped text is canonicalised too.
    Raises ValueError when the value cannot be an id of that type.
    """
    if isinstance(raw, bytes | bytearray | memoryview):
        data = bytes(raw)
        if id_type == "guid" and len(data) == 16:
            return str(uuid.UUID(bytes_le=data))
        try:
            text = data.decode("ascii" if id_type == "ascii-bytes" else "utf-8")
        except UnicodeDecodeError:
            raise ValueError(f"{len(data)} bytes are not a {id_type} identifier") from None
    else:
        text = raw
    text = text.strip()
    if not text:
        raise ValueError("empty identifier")
    try:
        return str(uuid.UUID(text))
    except ValueError:
        if id_type == "guid":
            raise ValueError(f"{text!r} is not a GUID") from None
        return text
