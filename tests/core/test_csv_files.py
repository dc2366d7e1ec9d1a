"""Users CSV files as they come: encodings, repeated names and columns, malformed lines,
spreadsheet formulas; real files written in each encoding."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from mfa_console.app import Services, open_services
from mfa_console.core.users.csvfile import CsvEncodingError, CsvFileError, neutralize, restore
from mfa_console.core.users.csvio import export_users, import_users
from mfa_console.core.users.records import UserInput

HEADER = "username,first_name,last_name,enabled\r\n"


def _rows(count: int, first: str = "Zoë") -> str:
    return "".join(f"u{i}@example.com,{first},Müller,false\r\n" for i in range(count))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"])
def test_utf8_and_utf16_with_a_byte_order_mark_are_read(
    services: Services, tmp_path: Path, encoding: str
) -> None:
    text = HEADER + _rows(3)
    data = text.encode(encoding)
    if encoding == "utf-16-le":
        data = b"\xff\xfe" + data
    elif encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    path = tmp_path / "in.csv"
    path.write_bytes(data)
    report = import_users(services.users, path)
    assert (report.created, report.rejected) == (3, [])
    user = services.users.find("u1@example.com")
    assert (user.first_name, user.last_name) == ("Zoë", "Müller")


def test_a_byte_that_is_not_utf8_is_refused_with_its_line_and_nothing_is_written(
    services: Services, tmp_path: Path
) -> None:
    path = tmp_path / "in.csv"
    # Row 1,201 (line 1,202) says "Zoë" in cp1252, as Excel on Windows saves it.
    path.write_bytes(
        (HEADER + _rows(1200, "Ann")).encode()
        + "zoe@example.com,Zoë,Müller,false\r\n".encode("cp1252")
        + b"last@example.com,Last,One,false\r\n"
    )
    with pytest.raises(CsvEncodingError, match=r"line 1202 is not UTF-8 \(byte 0xEB\)") as error:
        import_users(services.users, path)
    assert "--encoding cp1252" in error.value.for_command_line()
    assert "--" not in str(error.value) and "CSV UTF-8" in error.value.hint  # the window's words
    assert services.users.count()[0] == 0
    report = import_users(services.users, path, encoding="cp1252")
    assert (report.created, report.rejected) == (1202, [])
    assert services.users.find("zoe@example.com").last_name == "Müller"


def test_latin1_and_cp1252_files_import_with_their_encoding(
    services: Services, tmp_path: Path
) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes((HEADER + "é@example.com,Zoë,Müller,false\r\n").encode("latin-1"))
    with pytest.raises(CsvEncodingError, match="line 2"):
        import_users(services.users, path)
    assert import_users(services.users, path, encoding="latin-1").created == 1
    assert services.users.find("é@example.com").first_name == "Zoë"
    with pytest.raises(CsvFileError, match="Unknown encoding"):
        import_users(services.users, path, encoding="klingon")


def test_the_same_username_twice_in_any_case_is_a_problem(
    services: Services, tmp_path: Path
) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        HEADER + "ann@example.com,Ann,A,false\r\nbob@example.com,Bob,B,false\r\n"
        "ANN@Example.com,Other,A,false\r\n",
        encoding="utf-8",
    )
    report = import_users(services.users, path)
    assert not report.applied
    assert report.rejected == [(4, "username: ANN@Example.com is also on line 2")]
    assert services.users.count()[0] == 0
    skipped = import_users(services.users, path, skip_invalid=True)
    assert skipped.created == 2
    assert services.users.find("ann@example.com").first_name == "Ann"


def test_a_column_named_twice_is_refused(services: Services, tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("username,phone,first_name,phone\r\na@example.com,1,A,2\r\n")
    with pytest.raises(CsvFileError, match="names the column phone more than once"):
        import_users(services.users, path)
    assert services.users.count()[0] == 0


def test_a_malformed_very_long_line_is_refused_with_its_line_number(
    services: Services, tmp_path: Path
) -> None:
    path = tmp_path / "in.csv"
    # An opening quote that never closes swallows the rest of the file into one field.
    huge = "x" * 300_000
    path.write_text(HEADER + _rows(5) + f'"bad@example.com,{huge}\r\n' + _rows(5), "utf-8")
    with pytest.raises(CsvFileError, match="line 7 cannot be read as CSV"):
        import_users(services.users, path)
    assert services.users.count()[0] == 0
    open_quote = tmp_path / "quote.csv"
    open_quote.write_text(HEADER + _rows(2) + 'n@example.com,"A,B,false\r\n', "utf-8")
    with pytest.raises(CsvFileError, match="line 4 cannot be read"):
        import_users(services.users, open_quote)


def test_a_row_with_too_many_or_too_few_values_is_a_problem(
    services: Services, tmp_path: Path
) -> None:
    path = tmp_path / "in.csv"
    path.write_text(HEADER + "a@example.com,A,B,false,extra\r\nb@example.com,B\r\n", "utf-8")
    report = import_users(services.users, path)
    assert [line for line, _ in report.rejected] == [2, 3]
    assert "5 values, but the first line names 4 columns" in report.rejected[0][1]


def test_the_command_line_refuses_skips_and_reads_other_encodings(
    services: Services, data_file: Path, tmp_path: Path
) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(
        (HEADER + "good@example.com,Zoë,A,false\r\nbad@example.com,B,C,maybe\r\n").encode("cp1252")
    )

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "mfa_console", "--data", str(data_file), *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=120)

    done = cli("users", "import", str(path))
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "line 2 is not UTF-8" in done.stderr
    assert "--encoding" in done.stderr and "Traceback" not in done.stderr
    done = cli("users", "import", str(path), "--encoding", "cp1252")
    assert done.returncode == 1 and "Nothing was imported" in done.stdout
    assert "line 3: enabled" in done.stderr
    done = cli("users", "import", str(path), "--encoding", "cp1252", "--skip-invalid")
    assert done.returncode == 0, done.stderr
    assert services.users.find("good@example.com").first_name == "Zoë"


@pytest.mark.parametrize(
    "value",
    ["=1+1", "+14255550100", "-2", "@SUM(A1)", "\tx", "\rx", "'=x", "''+x", "'plain", "a=b", ""],
)
def test_neutralize_is_undone_by_restore(value: str) -> None:
    written = neutralize(value)
    assert not written.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert restore(written) == value


def test_export_neutralises_formulas_and_imports_back_to_the_same_data(
    services: Services, tmp_path: Path
) -> None:
    services.users.add(
        UserInput("=cmd|' /C calc'!A0", first_name="+SUM(1)", last_name="'-quoted",
                  user_group="@group", phone="+44 20 7946 0958", backup_phone="+1 425 555 0100",
                  enabled=False)
    )  # fmt: skip
    services.users.add(UserInput("plain@example.com", first_name="Ann", phone="425-555-0101"))
    out = tmp_path / "out.csv"
    export_users(services.users, out)
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    cells = [value for row in rows for value in row.values()]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert rows[0]["phone"] == "'+442079460958"
    other = open_services(tmp_path / "other.db")
    try:
        importable = tmp_path / "importable.csv"
        with importable.open("w", encoding="utf-8", newline="") as handle:
            fields = [f for f in rows[0] if f not in ("source", "directory_id", "dn")]
            writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
        report = import_users(other.users, importable)
        assert (report.created, report.rejected) == (2, [])
        for user in services.users.iter_all():
            copy = other.users.find(user.username)
            for name in ("username", "first_name", "last_name", "user_group", "phone",
                         "backup_phone", "method", "mode", "languages", "enabled"):  # fmt: skip
                assert getattr(copy, name) == getattr(user, name), name
    finally:
        other.close()
