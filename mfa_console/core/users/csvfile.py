"""Reading a users CSV file safely, and keeping spreadsheet formulas out of exported ones.

Encodings: UTF-8 (with or without a byte-order mark) and UTF-16 with a byte-order mark are read
as they are; anything else is refused with the line of the first byte that is not UTF-8 and a
hint to name the encoding (Excel on Windows writes cp1252). A line the CSV parser cannot read (a
field longer than the csv module's field size limit of 128 KB, an unterminated quote, a NUL byte)
is refused with its line number. A column named twice in the header is refused.

Formulas: a cell that starts with ``= + - @``, a tab or a carriage return is run as a formula by
spreadsheets. Export writes such a value with a leading apostrophe, the usual way to say "text";
a value that already starts with apostrophes followed by such a character gets one more, so that
import, which removes exactly one, gives back the same value (every E.164 phone starts with "+").
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from mfa_console.core.errors import ConsoleError

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))  # fmt: skip


class CsvFileError(ConsoleError):
    """The file cannot be read as a users CSV (encoding, header, a malformed line)."""


class CsvEncodingError(CsvFileError):
    """A byte that is not valid in the file's assumed encoding; ``line`` says where."""

    def __init__(self, message: str, *, line: int, hint: str, command_hint: str = "") -> None:
        super().__init__(message, hint=hint, command_hint=command_hint)
        self.line = line


def neutralize(value: str) -> str:
    """The value to write in an exported cell so that no spreadsheet runs it as a formula."""
    if value.lstrip("'").startswith(FORMULA_START):
        return "'" + value
    return value


def restore(value: str) -> str:
    """Undo ``neutralize`` on an imported cell."""
    if value.startswith("'") and value.lstrip("'").startswith(FORMULA_START):
        return value[1:]
    return value


def detect_encoding(path: Path, encoding: str | None) -> str:
    """The codec for ``path``: a byte-order mark wins, then ``encoding``, then UTF-8."""
    with path.open("rb") as handle:
        start = handle.read(4)
    for bom, codec in _BOMS:
        if start.startswith(bom):
            return codec
    if encoding:
        try:
            return codecs.lookup(encoding).name
        except LookupError:
            raise CsvFileError(
                f"Unknown encoding {encoding!r}.", hint="For example: utf-8, cp1252, latin-1."
            ) from None
    return "utf-8"


@dataclass
class CsvRows:
    """The rows of an open users CSV file, numbered by the line where each starts."""

    path: Path
    columns: tuple[str, ...]
    _handle: IO[str]
    _reader: Iterator[list[str]]
    _raw: IO[bytes]
    encoding: str

    def __iter__(self) -> Iterator[tuple[int, dict[str, str] | str]]:
        """``(line, row)`` for each row, or ``(line, reason)`` for a row with a wrong shape."""
        line = 1
        while True:
            try:
                values = next(self._reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise _malformed(self.path, line + 1, exc) from None
            except UnicodeDecodeError as exc:
                raise _not_encoded(self.path, self._raw, exc, self.encoding) from None
            start, line = line + 1, self._line_num()
            if not any(v.strip() for v in values):
                continue  # blank lines are allowed
            if len(values) != len(self.columns):
                yield (
                    start,
                    (f"{len(values)} values, but the first line names {len(self.columns)} columns"),
                )
                continue
            yield (
                start,
                {name: restore(value) for name, value in zip(self.columns, values, strict=True)},
            )

    def _line_num(self) -> int:
        return int(getattr(self._reader, "line_num", 0))

    def position(self) -> int:
        return self._raw.tell()

    def close(self) -> None:
        self._handle.close()


def open_rows(path: Path, encoding: str | None = None) -> CsvRows:
    """Open ``path`` and read its header; raise ``CsvFileError`` for what cannot be read."""
    codec = detect_encoding(path, encoding)
    raw = path.open("rb")
    handle = io.TextIOWrapper(raw, encoding=codec, newline="")
    reader = csv.reader(handle, strict=True)
    try:
        header = next(reader, [])
    except csv.Error as exc:
        handle.close()
        raise _malformed(path, 1, exc) from None
    except UnicodeDecodeError as exc:
        handle.close()
        raise _not_encoded(path, path.open("rb"), exc, codec) from None
    columns = tuple(name.strip() for name in header)
    repeated = sorted({name for name in columns if columns.count(name) > 1})
    if repeated:
        handle.close()
        raise CsvFileError(
            f"{path.name}: the first line names the column {', '.join(repeated)} more than once.",
            hint="Keep one column of each name, then import again.",
        )
    return CsvRows(path, columns, handle, reader, raw, codec)


def _malformed(path: Path, line: int, exc: csv.Error) -> CsvFileError:
    return CsvFileError(
        f"{path.name} line {line} cannot be read as CSV ({exc}). Nothing was imported.",
        hint="Check the quotes on that line; a value may have at most "
        f"{csv.field_size_limit():,} characters.",
    )


def _not_encoded(path: Path, raw: IO[bytes], exc: UnicodeDecodeError, codec: str) -> CsvFileError:
    """Which line holds the byte that could not be decoded (found by re-reading the bytes)."""
    line = _line_of_bad_byte(raw, codec)
    bad = exc.object[exc.start : exc.start + 1].hex().upper() if exc.object else "?"
    raw.close()
    name = "UTF-8" if codec in ("utf-8", "utf-8-sig") else codec
    return CsvEncodingError(
        f"{path.name} line {line} is not {name} (byte 0x{bad}). Nothing was imported.",
        line=line,
        hint="Save the file as UTF-8 (in Excel: Save As, CSV UTF-8) and import it again.",
        command_hint="Save the file as UTF-8, or name its encoding: --encoding cp1252 for a file "
        "saved by Excel on Windows (or latin-1).",
    )


def _line_of_bad_byte(raw: IO[bytes], codec: str) -> int:
    raw.seek(0)
    decoder = codecs.getincrementaldecoder(codec)()
    line = 1
    for chunk in iter(lambda: raw.read(1 << 16), b""):
        try:
            line += decoder.decode(chunk).count("\n")
        except UnicodeDecodeError as exc:
            good = exc.object[: exc.start]
            return line + codecs.decode(good, codec, errors="replace").count("\n")
    return line
