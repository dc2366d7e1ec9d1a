"""Usernames seen so far in an imported file, kept in a temporary SQLite file (not in memory).

Two rows naming the same user (in any case: ``Ann`` and ``ann`` are one user) would make the
second silently overwrite the first; the import reports the second instead. The names are kept
in a private temporary database so that checking 200,000 rows needs no more memory than 200.
"""

from __future__ import annotations

import sqlite3


class Duplicates:
    """``check(batch)`` returns a problem for each row whose username an earlier row had."""

    def __init__(self) -> None:
        self._conn = sqlite3.connect("", isolation_level=None)  # "": a private temporary file
        self._conn.execute("CREATE TABLE seen (key TEXT PRIMARY KEY, line INTEGER) WITHOUT ROWID")

    def check(self, batch: list[tuple[int, dict[str, str]]]) -> list[tuple[int, str]]:
        problems = []
        self._conn.execute("BEGIN")
        for line, row in batch:
            name = (row.get("username") or "").strip()
            if not name:
                continue
            first = self._conn.execute(
                "SELECT line FROM seen WHERE key = ?", (name.lower(),)
            ).fetchone()
            if first:
                problems.append((line, f"username: {name} is also on line {first[0]}"))
            else:
                self._conn.execute("INSERT INTO seen VALUES (?, ?)", (name.lower(), line))
        self._conn.execute("COMMIT")
        return problems

    def __enter__(self) -> Duplicates:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._conn.close()
