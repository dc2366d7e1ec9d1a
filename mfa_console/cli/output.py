"""Shared output of the command line: text or ``--json``, streamed, never a secret."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import Any


def add_json_flag(parser: Any) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, default=str, indent=2)
    sys.stdout.write("\n")


def stream_json_array(items: Iterable[dict[str, Any]]) -> int:
    """Print one JSON array item by item, so memory stays flat for any number of items."""
    out = sys.stdout
    count = 0
    out.write("[")
    for item in items:
        out.write(",\n" if count else "\n")
        out.write(json.dumps(item, ensure_ascii=False, default=str))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def print_table(rows: Iterable[Iterable[Any]], headers: list[str]) -> None:
    materialised = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in materialised:
        widths = [max(w, len(v)) for w, v in zip(widths, row, strict=False)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=False))
    print(line.rstrip())
    for row in materialised:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=False)).rstrip())
