r"""Shared output of the command line: text or ``--json``, streamed, never a secret.

Values are printed with control and invisible characters escaped (``\x1b``, ``\u202e``), so a
name cannot move the cursor, recolour the terminal or reorder what follows it; JSON writes the
same characters as ``\uXXXX`` escapes, which decode to the same value.
"""

from __future__ import annotations

import itertools
import json
import re
import sys
from collections.abc import Iterable
from typing import Any

from mfa_console.core.text import HIDDEN_PATTERN, printable

# json.dumps escapes C0 controls itself; a raw newline in its text is layout (indent).
_HIDDEN = re.compile(HIDDEN_PATTERN.pattern.replace("\\x00-\\x1f", "", 1))


def add_json_flag(parser: Any) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")


def print_json(value: Any) -> None:
    sys.stdout.write(json_text(value, indent=2))
    sys.stdout.write("\n")


def json_text(value: Any, indent: int | None = None) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str, indent=indent)
    return _HIDDEN.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def stream_json_array(items: Iterable[dict[str, Any]]) -> int:
    """Print one JSON array item by item, so memory stays flat for any number of items."""
    out = sys.stdout
    count = 0
    out.write("[")
    for item in items:
        out.write(",\n" if count else "\n")
        out.write(json_text(item))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def print_table(rows: Iterable[Iterable[Any]], headers: list[str], *, sample: int = 200) -> None:
    """Print aligned columns, streaming: widths come from the first ``sample`` rows only, so the
    memory needed stays flat for any number of rows (a longer value later just overflows)."""
    iterator = iter(rows)
    head = [_cells(row) for row in itertools.islice(iterator, sample)]
    widths = [len(h) for h in headers]
    for cells in head:
        widths = [max(w, len(v)) for w, v in zip(widths, cells, strict=False)]

    def emit(cells: list[str]) -> None:
        print("  ".join(v.ljust(w) for v, w in zip(cells, widths, strict=False)).rstrip())

    emit(headers)
    for cells in head:
        emit(cells)
    for row in iterator:
        emit(_cells(row))


def _cells(row: Iterable[Any]) -> list[str]:
    return ["" if value is None else printable(str(value)) for value in row]
