"""The command line end to end, as a separate process, on a real data file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def run(data: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mfa_console", "--data", str(data), *args],
        capture_output=True, text=True, input=stdin, timeout=60,
    )  # fmt: skip


def test_add_show_edit_disable_remove(data_file: Path) -> None:
    added = run(data_file, "users", "add", "Zoe@Example.com", "--first-name", "Zoë",
                "--phone", "555-123-4567 x890", "--email", "zoe@example.com", "--json")  # fmt: skip
    assert added.returncode == 0, added.stderr
    user = json.loads(added.stdout)
    assert (user["phone"], user["extension"], user["first_name"]) == ("+15551234567", "890", "Zoë")
    for field in ("username", "first_name", "last_name", "email", "user_group", "phone",
                  "extension", "backup_phone", "method", "mode", "language", "enabled",
                  "source", "directory_id", "dn"):  # fmt: skip
        assert field in user
    edited = run(data_file, "users", "edit", "zoe@example.com", "--method", "text-message",
                 "--mode", "two-way-otp", "--json")  # fmt: skip
    assert json.loads(edited.stdout)["mode"] == "two-way-otp"
    assert run(data_file, "users", "disable", "zoe@example.com").returncode == 0
    shown = json.loads(run(data_file, "users", "show", "ZOE@example.com", "--json").stdout)
    assert shown["enabled"] is False
    assert run(data_file, "users", "remove", "zoe@example.com").returncode == 0
    missing = run(data_file, "users", "show", "zoe@example.com")
    assert missing.returncode == 1
    assert missing.stderr.strip().count("\n") == 0 and "no user named" in missing.stderr


def test_invalid_input_exits_1_with_one_line_reason(data_file: Path) -> None:
    result = run(data_file, "users", "add", "x@example.com", "--phone", "12")
    assert result.returncode == 1
    assert result.stderr.startswith("mfa-console: Phone:") and "Traceback" not in result.stderr


def test_usage_error_exits_2(data_file: Path) -> None:
    assert run(data_file, "users", "add").returncode == 2
    assert run(data_file, "users", "frobnicate").returncode == 2


def test_import_and_export(data_file: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("username,phone,enabled\na@example.com,425-555-0100,true\n"
                      "b@example.com,12,true\n", encoding="utf-8")  # fmt: skip
    refused = run(data_file, "users", "import", str(source), "--json")
    assert refused.returncode == 1  # a refused row: nothing imported
    assert json.loads(refused.stdout)["applied"] is False
    result = run(data_file, "users", "import", str(source), "--json", "--skip-invalid")
    assert result.returncode == 0
    assert json.loads(result.stdout) == {
        "applied": True, "created": 1, "updated": 0, "last_line_written": 3,
        "rejected": [{"line": 3, "reason": json.loads(result.stdout)["rejected"][0]["reason"]}],
    }  # fmt: skip
    out = tmp_path / "out.csv"
    assert run(data_file, "users", "export", str(out)).returncode == 0
    assert out.read_text(encoding="utf-8").splitlines()[1].startswith("a@example.com,")


def test_version_and_corrupt_data_file(tmp_path: Path) -> None:
    version = subprocess.run([sys.executable, "-m", "mfa_console", "--version"],
                             capture_output=True, text=True, timeout=60)  # fmt: skip
    assert version.returncode == 0 and version.stdout.startswith("mfa-console ")
    bad = tmp_path / "bad.db"
    bad.write_text("not a database")
    result = run(bad, "users", "show", "x")
    assert result.returncode == 1 and "not an MFA Console data file" in result.stderr


def test_gui_without_a_display_says_so(tmp_path: Path) -> None:
    import os

    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}  # fmt: skip
    result = subprocess.run([sys.executable, "-m", "mfa_console", "--data", str(tmp_path / "d.db")],
                            capture_output=True, text=True, timeout=60, env=env)  # fmt: skip
    assert result.returncode == 1 and "no display" in result.stderr


def _peak_rss_kib(data: Path, *args: str) -> tuple[int, str]:
    """Run the command line and return its peak resident memory (KiB) and its output."""
    code = (
        "import resource, runpy, sys; sys.argv = ['mfa-console'] + sys.argv[1:];"
        "\ntry:\n    runpy.run_module('mfa_console', run_name='__main__')"
        "\nexcept SystemExit:\n    pass"
        "\nprint(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", code, "--data", str(data), *args],
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    return int(result.stderr.strip().splitlines()[-1]), result.stdout


def test_list_streams_with_flat_memory(tmp_path: Path) -> None:
    from bench.make_users import make_users

    small, large = tmp_path / "small.db", tmp_path / "large.db"
    make_users(5_000, small)
    make_users(40_000, large)
    for mode in (["--json"], []):
        small_rss, _ = _peak_rss_kib(small, "users", "list", *mode)
        large_rss, out = _peak_rss_kib(large, "users", "list", *mode)
        count = len(json.loads(out)) if mode else len(out.splitlines()) - 1
        assert count == 40_000
        # Eight times the users, about the same memory (within 16 MiB).
        assert large_rss < small_rss + 16 * 1024, (mode, small_rss, large_rss)


def test_list_filter(data_file: Path) -> None:
    for name in ("ann@example.com", "bob@example.com"):
        assert run(data_file, "users", "add", name, "--disabled").returncode == 0
    found = json.loads(run(data_file, "users", "list", "--filter", "bob", "--json").stdout)
    assert [u["username"] for u in found] == ["bob@example.com"]
    assert json.loads(run(data_file, "users", "list", "--filter", "zzz", "--json").stdout) == []


def test_opening_the_window_loads_no_command_or_feature_modules() -> None:
    """Start-up stays fast: the window's options are parsed without importing the commands."""
    code = (
        "import sys; from mfa_console.cli import _window_options\n"
        "args = _window_options(['--data', 'x.db', '--pane', 'users'])\n"
        "loaded = [m for m in sys.modules if m.startswith(('mfa_console.cli.', "
        "'mfa_console.core.mail', 'mfa_console.core.sync', 'mfa_console.core.backup', "
        "'mfa_console.core.directory', 'mfa_console.core.activation', 'ldap3', 'jinja2'))]\n"
        "print(args.data, args.pane, loaded)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)  # fmt: skip
    assert result.stdout.strip() == "x.db users []", result.stdout + result.stderr
