"""``triage --out`` and ``--report`` write through links and devices, never replace them.

Found by an attack (issue 11, High 5): the atomic write's ``os.replace`` put a regular file
where ``/dev/full`` was when run as root, and ``--out /dev/stdout`` replaced the symlink.
These tests make their own device nodes and links inside a temporary folder, so a
regression can never replace a real device of the machine running them.
"""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from drafter.cli import app
from drafter.triage.outputs import atomic_write

DATA = Path(__file__).parent / "data" / "triage"
INBOX = DATA / "inbox.mbox"


def triage(tmp: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        app, ["triage", str(INBOX), "--engine", "offline", "--store", str(tmp / "l.sqlite"),
              "--quiet", *args],
        env={"DRAFTER_TODAY": "2026-11-23", "OPENAI_API_KEY": None, "OPENAI_BASE_URL": None})
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def _device(tmp: Path, name: str, minor: int) -> Path:
    """A character device node of our own (1,3 is null, 1,7 is full); root only."""
    path = tmp / name
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot make a device node here: {exc}")
    return path


def test_a_symlinked_output_stays_a_link_and_its_target_gets_the_rows(tmp_path):
    real = tmp_path / "elsewhere" / "rows.jsonl"
    real.parent.mkdir()
    real.write_text("old\n")
    link = tmp_path / "rows.jsonl"
    link.symlink_to(real)
    code, _, err = triage(tmp_path, "--out", str(link))
    assert code in (0, 1), err
    assert link.is_symlink() and os.readlink(link) == str(real)
    rows = [json.loads(line) for line in real.read_text().splitlines()]
    assert rows and all("rank" in r for r in rows)


def test_a_fifo_is_written_through(tmp_path):
    fifo = tmp_path / "rows.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    code, _, err = triage(tmp_path, "--out", str(fifo))
    reader.join(10)
    assert code in (0, 1), err
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert b'"rank"' in got[0]


def test_a_null_device_stays_a_device(tmp_path):
    null = _device(tmp_path, "null", 3)
    code, _, err = triage(tmp_path, "--out", str(null), "--report", str(null))
    assert code in (0, 1), err
    assert stat.S_ISCHR(null.lstat().st_mode)


def test_a_full_device_is_a_one_line_error_and_stays_a_device(tmp_path):
    full = _device(tmp_path, "full", 7)
    code, _, err = triage(tmp_path, "--out", str(full))
    assert code == 2
    assert stat.S_ISCHR(full.lstat().st_mode)
    assert err.count("\n") == 1 and "cannot write output" in err and "Traceback" not in err


def test_dash_writes_rows_and_the_report_to_stdout(tmp_path):
    code, out, _ = triage(tmp_path, "--out", "-")
    assert code in (0, 1)
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows and [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    assert not (tmp_path / "-").exists()
    code, out, _ = triage(tmp_path, "--report", "-", "--out", str(tmp_path / "r.jsonl"))
    assert code in (0, 1) and out.lstrip().lower().startswith("<!doctype html")


def test_a_folder_is_refused(tmp_path):
    (tmp_path / "dir").mkdir()
    code, _, err = triage(tmp_path, "--out", str(tmp_path / "dir"))
    assert code == 2 and "folder" in err
    with pytest.raises(IsADirectoryError):
        atomic_write(tmp_path / "dir", "x")


def test_a_regular_file_is_still_replaced_atomically(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text("old")
    inode = path.stat().st_ino
    atomic_write(path, "new")
    assert path.read_text() == "new" and path.stat().st_ino != inode  # renamed into place
    assert [p.name for p in tmp_path.iterdir()] == ["rows.jsonl"]  # no temporary file left


# --- what an email's text can do to a terminal or a spreadsheet (issue 11, items 9 and 11) ---


def _row(**fields):
    base = {"rank": 1, "priority": 90, "status": "drafted", "anger": 4, "category": "billing",
            "sender": "dana@example.com", "subject": "late", "check": {"passed": True}}
    return {**base, **fields}


@pytest.mark.parametrize("subject", ["[/urgent] still broken", "[b]bold[/b] and [red]red[/]",
                                     "[link=https://evil.example]click[/link]"])
def test_the_ranked_table_prints_a_subject_as_text_never_as_markup(subject):
    from drafter.triage.outputs import ranked_table

    text = ranked_table([_row(subject=subject)], width=200)
    assert subject[:30] in text  # the column is 36 wide


def test_terminal_control_sequences_never_reach_the_table_or_a_csv():
    from drafter.triage.outputs import ranked_table, to_csv

    subject = "a\x1b]0;pwned\x07b\x9b31mc"
    assert "\x1b" not in ranked_table([_row(subject=subject)], width=200)
    out = to_csv([_row(subject=subject)])
    assert "\x1b" not in out and "\x9b" not in out and "a]0;pwnedb31mc" in out


@pytest.mark.parametrize("cell", ["=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3", "@SUM(A1)",
                                  "\t=1", "\x1b=HYPERLINK(\"http://x\")"])
def test_a_csv_cell_from_an_email_never_opens_as_a_formula(cell):
    import csv
    import io

    from drafter.triage.outputs import to_csv

    rows = list(csv.DictReader(io.StringIO(to_csv([_row(subject=cell)]))))
    assert rows[0]["subject"].startswith("'")


def test_jsonl_escapes_c1_controls_and_reads_back_the_same():
    import json

    from drafter.triage.outputs import to_jsonl

    line = to_jsonl([_row(subject="x\x9b31my")])
    assert "\x9b" not in line and "\\u009b" in line
    assert json.loads(line)["subject"] == "x\x9b31my"
