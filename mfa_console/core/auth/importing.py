"""Import hardware tokens: the CSV of MFA Server and Entra, and PSKC (RFC 6030) files.

CSV header: ``upn,serial number,secret key,time interval,manufacturer,model`` (Base32 secret; a
row with a upn assigns the token). PSKC through python-pskc, which parses with defusedxml (its
``defuse`` extra): entity expansion and external references are refused. Each rejected row or
key is reported with its line and reason; a seed shorter than 80 bits is refused. Only TOTP is
accepted (HOTP counters are not verified by this server).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from mfa_console.core.auth.store import TokenSpec
from mfa_console.core.auth.totp import ALGORITHMS, MIN_SEED_BYTES, b32decode
from mfa_console.core.errors import ConsoleError

CSV_HEADER = ["upn", "serial number", "secret key", "time interval", "manufacturer", "model"]
TOTP_URI = "urn:ietf:params:xml:ns:keyprov:pskc:totp"
PERIODS = range(10, 301)


class PasswordRequiredError(ConsoleError):
    """The PSKC file is encrypted and no password was given."""


@dataclass(frozen=True)
class Parsed:
    line: int
    spec: TokenSpec
    username: str = ""


@dataclass
class ParseReport:
    tokens: list[Parsed] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)


def parse_file(path: Path, password: str | None = None) -> ParseReport:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConsoleError(f"Cannot read {path}: {exc.strerror}.", hint="Check the path.") from None
    if raw.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return parse_pskc(raw, password)
    return parse_csv(raw.decode("utf-8-sig", errors="replace"))


def parse_csv(text: str) -> ParseReport:
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    if header[:4] != CSV_HEADER[:4]:
        raise ConsoleError(
            f"This is not a token CSV file: its first line must be '{','.join(CSV_HEADER)}'.",
            hint="Export the tokens from your vendor in the MFA Server / Entra CSV format.",
        )
    report, seen = ParseReport(), set[str]()
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        cells = dict(zip(CSV_HEADER, [c.strip() for c in row] + [""] * 6, strict=False))
        try:
            spec = _csv_spec(cells, seen)
        except ValueError as exc:
            report.rejected.append((line, str(exc)))
            continue
        seen.add(spec.serial)
        report.tokens.append(Parsed(line, spec, cells["upn"]))
    return report


def _csv_spec(cells: dict[str, str], seen: set[str]) -> TokenSpec:
    serial = cells["serial number"]
    if not serial:
        raise ValueError("no serial number")
    if serial in seen:
        raise ValueError(f"serial number {serial} appears twice in the file")
    try:
        seed = b32decode(cells["secret key"])
    except ValueError:
        raise ValueError("the secret key is not Base32") from None
    period_text = cells["time interval"] or "30"
    if not period_text.isdigit() or int(period_text) not in PERIODS:
        raise ValueError(f"time interval {period_text!r} is not a number of seconds (10-300)")
    return _checked(TokenSpec(
        serial=serial, seed=seed, period=int(period_text), manufacturer=cells["manufacturer"],
        model=cells["model"],
    ))  # fmt: skip


def _checked(spec: TokenSpec) -> TokenSpec:
    if len(spec.seed) < MIN_SEED_BYTES:
        raise ValueError(f"the secret has {len(spec.seed) * 8} bits; at least 80 are needed")
    if len(spec.serial) > 64:
        raise ValueError("the serial number is longer than 64 characters")
    return spec


def parse_pskc(raw: bytes, password: str | None) -> ParseReport:
    import pskc
    from pskc.exceptions import PSKCError

    try:
        document = pskc.PSKC(io.BytesIO(raw))
    except Exception as exc:  # defusedxml's and the XML parser's errors have no common base
        raise ConsoleError(
            f"The PSKC file was refused: {type(exc).__name__}"
            + (f" ({exc})" if isinstance(exc, PSKCError) else "")
            + ".",
            hint="Ask the vendor for a plain PSKC file (no DTD, no entities).",
        ) from None
    if document.encryption.is_encrypted:
        if not password:
            raise PasswordRequiredError("The PSKC file is protected by a password.",
                               hint="Enter the file's password.",
                               command_hint="Give the password with --password-stdin.")  # fmt: skip
        document.encryption.derive_key(password)
    lines = _key_lines(raw)
    report, seen, undecryptable = ParseReport(), set[str](), 0
    for index, key in enumerate(document.keys):
        line = lines[index] if index < len(lines) else 0
        try:
            spec = _pskc_spec(key, index, seen)
        except PSKCError as exc:
            report.rejected.append((line, f"cannot decrypt the key ({exc})"))
            undecryptable += 1
            continue
        except ValueError as exc:
            report.rejected.append((line, str(exc)))
            continue
        seen.add(spec.serial)
        report.tokens.append(Parsed(line, spec, key.userid or ""))
    if undecryptable and not report.tokens:
        raise ConsoleError("The password does not open the PSKC file (no key could be decrypted).",
                           hint="Type the password the vendor gave with the file.")  # fmt: skip
    return report


def _pskc_spec(key: object, index: int, seen: set[str]) -> TokenSpec:
    algorithm = str(getattr(key, "algorithm", "") or "")
    if not algorithm.lower().endswith("totp"):
        raise ValueError(f"algorithm {algorithm or 'unknown'} is not TOTP")
    serial = str(getattr(key, "serial", None) or getattr(key, "id", None) or "")
    if not serial:
        raise ValueError(f"key {index + 1} has no serial number or id")
    if serial in seen:
        raise ValueError(f"serial number {serial} appears twice in the file")
    seed = getattr(key, "secret", None)
    if not seed:
        raise ValueError("the key has no secret")
    suite = str(getattr(key, "algorithm_suite", None) or "SHA1").upper().replace("-", "")
    if suite not in ALGORITHMS:
        raise ValueError(f"hash {suite} is not supported")
    digits = int(getattr(key, "response_length", None) or 6)
    if not 6 <= digits <= 8:
        raise ValueError(f"{digits} digits: only 6 to 8 are supported")
    period = int(getattr(key, "time_interval", None) or 30)
    if period not in PERIODS:
        raise ValueError(f"time interval {period} s is not supported (10-300)")
    return _checked(TokenSpec(
        serial=serial, seed=bytes(seed), algorithm=suite, digits=digits, period=period,
        manufacturer=str(getattr(key, "manufacturer", None) or ""),
        model=str(getattr(key, "model", None) or ""),
    ))  # fmt: skip


def _key_lines(raw: bytes) -> list[int]:
    """Line numbers of the KeyPackage elements, in order (the parser does not keep them)."""
    text = raw.decode("utf-8", errors="replace")
    return [text.count("\n", 0, m.start()) + 1 for m in re.finditer(r"<(\w+:)?KeyPackage\b", text)]
