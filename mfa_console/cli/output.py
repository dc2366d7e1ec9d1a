"""Shared output of the command line: text or ``--json``, streamed, never a secret."""

from __future__ import annotations

import itertools
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
    return ["" if value is None else str(value) for value in row]
