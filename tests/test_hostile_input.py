"""Hostile and broken input (issue 15): every case ends in a stored case with the damage
quarantined and named, or in exit 2 naming the file — never exit 1, never silent truncation,
never unbounded time or memory."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import os
import re
import signal
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import duckdb
import numpy as np
import pytest
from typer.testing import CliRunner

from inconcert.cli import app
from inconcert.ingest import Limits
from inconcert.report.bidi import isolate
from inconcert.store import Store
from inconcert.traces.near_text import MAX_HASH_CHARS, NearTextParams, signatures

from .conftest import FIXTURES
from .test_malformed import TABLE_NAMES

IO_TWEETS = FIXTURES / "io/campaign_tweets_csv_hashed.csv"
CNT = FIXTURES / "cnt/messages.csv"


def _ingest(tmp_path: Path, *args: str, db: str = "case.duckdb"):
    return CliRunner().invoke(app, ["ingest", *args, "--db", str(tmp_path / db)])


def _counts(db: Path) -> dict[str, int]:
    with Store(db) as s:
        return {t: s.count(t) for t in TABLE_NAMES}


def _rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    return path


# -- compressed streams -----------------------------------------------------------------------
@pytest.mark.parametrize("cut", [0.3, 0.6, 0.95, -4, -1])
def test_truncated_gzip_is_exit_2_naming_the_byte_and_keeping_nothing(tmp_path, cut):
    data = gzip.compress(IO_TWEETS.read_bytes() * 40, mtime=0)
    end = int(len(data) * cut) if cut > 0 else len(data) + cut  # -4/-1: inside the trailer
    bad = tmp_path / "cut.csv.gz"
    bad.write_bytes(data[:end])
    result = _ingest(tmp_path, str(bad))
    assert result.exit_code == 2, result.output
    msg = result.stderr.strip()
    assert "cut.csv.gz" in msg and "truncated compressed stream" in msg and "byte" in msg, msg
    # The byte named is where the good content ends: past the start, never past the whole.
    good = int(re.search(r"after byte ([\d,]+)", msg).group(1).replace(",", ""))
    assert 0 < good <= len(IO_TWEETS.read_bytes()) * 40, msg
    assert _counts(tmp_path / "case.duckdb") == dict.fromkeys(TABLE_NAMES, 0)


def test_gzip_with_a_wrong_crc_is_exit_2(tmp_path):
    data = bytearray(gzip.compress(IO_TWEETS.read_bytes(), mtime=0))
    data[-8] ^= 1  # the CRC-32 of the trailer
    bad = tmp_path / "crc.csv.gz"
    bad.write_bytes(bytes(data))
    result = _ingest(tmp_path, str(bad))
    assert result.exit_code == 2 and "CRC" in result.stderr, result.output


def test_sha256_is_the_digest_of_the_decompressed_content(tmp_path):
    plain = tmp_path / "t.csv"
    plain.write_bytes(IO_TWEETS.read_bytes())
    packed = tmp_path / "t2.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert _ingest(tmp_path, str(packed)).exit_code == 0
    with Store(tmp_path / "case.duckdb") as s:
        assert s.execute("SELECT sha256 FROM datasets")[0][0] == hashlib.sha256(
            plain.read_bytes()).hexdigest()
    # ...so the same content, compressed or not, is one source: the second is skipped.
    result = _ingest(tmp_path, str(plain))
    assert result.exit_code == 0 and "skipped" in result.stderr


def test_decompression_bomb_is_refused(tmp_path):
    header = IO_TWEETS.read_bytes().split(b"\n", 1)[0] + b"\n"
    bomb = tmp_path / "bomb.csv.gz"
    with gzip.open(bomb, "wb") as f:
        f.write(header)
        f.write(b"0" * (8 << 20))
    result = _ingest(tmp_path, str(bomb), "--limit", "ratio_floor_bytes=1048576")
    assert result.exit_code == 2, result.output
    assert "decompression bomb" in result.stderr and "max_ratio" in result.stderr
    ok = _ingest(tmp_path, str(bomb), "--limit", "max_ratio=100000", db="b.duckdb")
    assert "decompression bomb" not in ok.stderr


def test_a_zip_of_many_members_is_listed_once_and_limited(tmp_path):
    archive = tmp_path / "many.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for i in range(30):
            zf.writestr(f"m{i:02d}.csv", CNT.read_bytes().replace(b"\n1", f"\n{i}1".encode()))
    result = _ingest(tmp_path, str(archive), "--limit", "max_members=20")
    assert result.exit_code == 2 and "30 entries, more than 20" in result.stderr
    assert _ingest(tmp_path, str(archive), db="b.duckdb").exit_code == 0


# -- what an input is -------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["fifo", "device", "dir"])
def test_inputs_must_be_regular_files(tmp_path, kind):
    if kind == "fifo":
        path = tmp_path / "pipe"
        os.mkfifo(path)
    elif kind == "device":
        path = tmp_path / "zero.csv"
        path.symlink_to("/dev/zero")
    else:
        path = tmp_path
    result = _ingest(tmp_path, str(path))
    assert result.exit_code == 2, result.output
    assert any(m in result.stderr for m in ("not a regular file", "is a directory",
                                            "folder holds no input files"))


def test_standard_input_by_explicit_dash(tmp_path):
    exe = Path(sys.executable).with_name("inconcert")
    proc = subprocess.run([str(exe), "ingest", "-", "--db", str(tmp_path / "c.duckdb")],
                          input=IO_TWEETS.read_bytes(), capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert b"<stdin>" in proc.stderr
    assert _counts(tmp_path / "c.duckdb")["posts"] > 0


@pytest.mark.parametrize("setting", ["nope=1", "max_rows=abc", "max_rows=0", "earliest=yes"])
def test_a_bad_limit_is_exit_2(tmp_path, setting):
    result = _ingest(tmp_path, str(CNT), "--limit", setting)
    assert result.exit_code == 2 and "--limit" in result.stderr, result.output


def test_row_and_field_limits(tmp_path):
    assert "more than 3 rows" in _ingest(tmp_path, str(CNT), "--limit", "max_rows=3").stderr
    header, rows = _rows(IO_TWEETS)
    rows[0][header.index("tweet_text")] = "x" * 5000
    path = _write(tmp_path / "long.csv", header, rows)
    result = _ingest(tmp_path, str(path), "--limit", "max_field=4000", "--max-bad", "0.5",
                     db="b.duckdb")
    assert result.exit_code == 0, result.output
    with Store(tmp_path / "b.duckdb") as s:
        (reason,), = s.execute("SELECT reason FROM quarantine")
    assert "5,000 characters, more than 4,000" in reason


# -- values out of range ----------------------------------------------------------------------
@pytest.mark.parametrize(("column", "value", "reason"), [
    ("follower_count", "99999999999999999999", "outside the 64-bit integer range"),
    ("like_count", "1e300", "outside the 64-bit integer range"),
    ("tweet_time", "1e300", "is out of range"),
    ("tweet_time", "1000000000000000", "is outside 2000-01-01"),  # year 33658, in ms
    ("tweet_time", "-62135596800", "is outside 2000-01-01"),  # year 1, in seconds
    ("tweetid", "9" * 5000, "more than 256"),
])
def test_out_of_range_values_are_quarantined_with_the_reason(tmp_path, column, value, reason):
    header, rows = _rows(IO_TWEETS)
    rows = [list(r) for r in rows]
    rows[1][header.index(column)] = value
    path = _write(tmp_path / "values.csv", header, rows)
    result = _ingest(tmp_path, str(path), "--max-bad", "0.5")
    assert result.exit_code == 0, result.output
    with Store(tmp_path / "case.duckdb") as s:
        got = s.execute("SELECT line, reason FROM quarantine")
        rows_in, stored, quarantined = s.execute(
            "SELECT rows_in, rows_stored, rows_quarantined FROM datasets")[0]
    assert len(got) == 1 and reason in got[0][1], got
    assert rows_in == stored + quarantined


def test_the_time_window_is_configurable(tmp_path):
    header, rows = _rows(IO_TWEETS)
    rows[1][header.index("tweet_time")] = "1995-06-01 10:00"
    rows[1][header.index("tweetid")] = "1995"  # no Snowflake time to prefer
    path = _write(tmp_path / "old.csv", header, rows)
    assert "1 quarantined" in _ingest(tmp_path, str(path), "--max-bad", "0.5").stderr
    wide = _ingest(tmp_path, str(path), "--limit", "earliest=1990-01-01", db="b.duckdb")
    assert wide.exit_code == 0 and "0 quarantined" in wide.stderr, wide.output


@pytest.mark.parametrize("value", ["99999999999999999999", "1" + "0" * 5000])
def test_json_counts_out_of_range_are_quarantined(tmp_path, value):
    lines = (FIXTURES / "x/v11_statuses.jsonl").read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace('"followers_count":', f'"followers_count":{value},"_x":', 1)
    assert '"_x":' in lines[0]
    path = tmp_path / "v11.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = _ingest(tmp_path, str(path), "--max-bad", "0.5")
    assert result.exit_code in (0, 2), result.output
    assert "internal error" not in result.output
    if result.exit_code == 0:
        with Store(tmp_path / "case.duckdb") as s:
            (reason,), = s.execute("SELECT reason FROM quarantine WHERE line = 1")
        # json refuses a number of 4,300+ digits itself: the line is not valid JSON
        assert "64-bit" in reason or "not valid JSON" in reason


def test_deep_json_with_a_lone_surrogate_is_quarantined(tmp_path):
    lines = (FIXTURES / "x/v11_statuses.jsonl").read_text(encoding="utf-8").splitlines()
    deep = '{"a":' * 500 + '"\\ud800"' + "}" * 500
    path = tmp_path / "deep.jsonl"
    path.write_text("\n".join([deep, *lines]) + "\n", encoding="utf-8")
    result = _ingest(tmp_path, str(path), "--max-bad", "0.5")
    assert result.exit_code in (0, 2) and "internal error" not in result.output, result.output


# -- interrupts -------------------------------------------------------------------------------
def test_ctrl_c_inside_a_duckdb_statement_is_130(tmp_path, monkeypatch):
    real = Store.insert_arrow

    def interrupted(self, table, data):  # noqa: ANN001, ANN202
        real(self, table, data)
        raise duckdb.InterruptException("INTERRUPT Error: Interrupted!")

    monkeypatch.setattr(Store, "insert_arrow", interrupted)
    result = _ingest(tmp_path, str(IO_TWEETS))
    assert result.exit_code == 130, result.output
    assert "interrupted" in result.stderr


def test_ctrl_c_that_duckdb_turns_into_its_own_errors_is_130(tmp_path, monkeypatch):
    """What a real Ctrl-C inside an INSERT does: the signal's KeyboardInterrupt becomes DuckDB's
    RuntimeError("Query interrupted") with no trace of the interrupt; the command still says
    "interrupted" and exits 130, keeping nothing."""
    real = Store.insert_arrow

    def interrupted(self, table, data):  # noqa: ANN001, ANN202
        real(self, table, data)
        try:
            os.kill(os.getpid(), signal.SIGINT)  # runs the CLI's handler: KeyboardInterrupt
        except KeyboardInterrupt:
            pass  # DuckDB catches it in C: nothing of it stays attached to its own error
        else:
            raise AssertionError("the signal did not interrupt")
        raise RuntimeError("Query interrupted")

    monkeypatch.setattr(Store, "insert_arrow", interrupted)
    result = _ingest(tmp_path, str(IO_TWEETS))
    assert result.exit_code == 130, result.output
    assert "interrupted" in result.stderr
    assert _counts(tmp_path / "case.duckdb") == dict.fromkeys(TABLE_NAMES, 0)


# -- memory of near-duplicate hashing ----------------------------------------------------------
def test_near_text_hashing_memory_is_bounded_per_text():
    rng = np.random.default_rng(1)
    huge = "".join(map(chr, rng.integers(0x61, 0x7b, 3_000_000).tolist()))
    params = NearTextParams()
    tracemalloc.start()
    sig = signatures([huge, "a short text of thirty characters"], params)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 150 << 20, f"{peak / 2**20:.0f} MiB for one 3-million-character text"
    assert (sig[0] == signatures([huge[:MAX_HASH_CHARS]], params)[0]).all()


# -- bidirectional text -----------------------------------------------------------------------
@pytest.mark.parametrize(("value", "expected"), [
    ("plain name", "plain name"),
    (3, 3),
    ("\u202eN300 · amplifier", "\u2068\u202eN300 · amplifier\u2069"),
    ("مرحبا", "\u2068مرحبا\u2069"),
    ("x\u2069\u202eevil", "\u2068x\u202eevil\u2069"),  # its own PDI cannot end our isolate
    ("\u2067ok\u2069", "\u2068\u2067ok\u2069\u2069"),
])
def test_isolate(value, expected):
    assert isolate(value) == expected


def test_report_isolates_user_text(tmp_path):
    """A run on data whose display names override the direction: in report.html every such
    name sits inside an isolate, so the report's sentences read as written."""
    from inconcert.report.html import _env

    env = _env()
    out = env.from_string("<p>{{ name }} · score {{ score }} · <a href=\"#{{ a }}\">x</a></p>"
                          ).render(name="\u202eevil", score=0.876, a="a1")
    assert out == "<p>\u2068\u202eevil\u2069 · score 0.876 · <a href=\"#a1\">x</a></p>"


def test_writes_stay_whole_after_a_failed_source(tmp_path):
    """A good file, then a truncated one: the good file's rows stay, nothing of the bad one."""
    good = _ingest(tmp_path, str(CNT))
    assert good.exit_code == 0
    before = _counts(tmp_path / "case.duckdb")
    data = gzip.compress(IO_TWEETS.read_bytes() * 30)
    bad = tmp_path / "bad.csv.gz"
    bad.write_bytes(data[: len(data) // 2])
    assert _ingest(tmp_path, str(bad)).exit_code == 2
    assert _counts(tmp_path / "case.duckdb") == before


def test_zip_member_breaking_off_names_the_member(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("tweets.csv", IO_TWEETS.read_bytes() * 50)
    data = bytearray(buf.getvalue())
    data[200] ^= 0xFF
    bad = tmp_path / "a.zip"
    bad.write_bytes(bytes(data))
    result = _ingest(tmp_path, str(bad))
    assert result.exit_code == 2, result.output
    assert "a.zip!tweets.csv" in result.stderr


def test_report_html_isolates_every_override(tmp_path_factory):
    """In a full run on poisoned data (tests/test_report.py), every U+202E of the data sits
    inside an isolate that closes before the report's own text goes on."""
    from .test_report import hostile_case

    html = (hostile_case(tmp_path_factory) / "report.html").read_text(encoding="utf-8")
    assert "\u202e" in html
    depth = 0
    open_override = False
    for ch in html:
        if ch == "\u2068":
            depth += 1
        elif ch == "\u2069":
            depth -= 1
            open_override = open_override and depth > 0
        elif ch == "\u202e":
            assert depth > 0, "an override outside any isolate"
            open_override = True
    assert depth == 0 and not open_override


def test_quarantine_goes_to_the_store_as_it_grows(tmp_path, monkeypatch):
    """A file of repeated rows does not hold its quarantine in memory: it is flushed to the
    store as it grows, and the counts and the failure rule stay exact."""
    from inconcert.ingest import writer

    monkeypatch.setattr(writer, "QUARANTINE_FLUSH", 3)
    header, rows = _rows(IO_TWEETS)
    dup = _write(tmp_path / "dups.csv", header, [rows[0]] * 20 + rows[1:])
    refused = _ingest(tmp_path, str(dup))
    assert refused.exit_code == 2 and "19 of 23 rows" in refused.stderr, refused.output
    assert _counts(tmp_path / "case.duckdb") == dict.fromkeys(TABLE_NAMES, 0)
    kept = _ingest(tmp_path, str(dup), "--max-bad", "0.9", db="b.duckdb")
    assert kept.exit_code == 0, kept.output
    with Store(tmp_path / "b.duckdb") as s:
        assert s.count("quarantine") == 19
        assert s.execute("SELECT rows_in, rows_stored, rows_quarantined FROM datasets") == [
            (23, 4, 19)]


def test_a_snowflake_id_of_thousands_of_digits_has_no_time():
    from inconcert.timeutil import snowflake_ms

    assert snowflake_ms("9" * 5000) is None
    assert snowflake_ms("0" * 30 + "1196659470232772609") == snowflake_ms("1196659470232772609")


def test_reliability_doc_lists_every_limit_with_its_default():
    doc = (Path(__file__).resolve().parents[1] / "docs" / "reliability.md").read_text(
        encoding="utf-8")
    for name, value in Limits().__dict__.items():
        row = next((ln for ln in doc.splitlines() if ln.startswith(f"| `{name}` |")), None)
        assert row is not None, f"docs/reliability.md has no row for --limit {name}"
        shown = row.split("|")[2].replace(",", "").split()[0]
        assert shown == str(value).removesuffix(".0"), (name, shown, value)


def test_a_flipped_bit_in_a_header_is_a_missing_column_not_a_crash(tmp_path):
    # Found by the fuzz test (ira-nbc-users, flip): a column the reader reads was not required.
    data = (FIXTURES / "ira/nbc_users.csv").read_bytes().replace(b'"created_at"', b'"cseated_at"')
    path = tmp_path / "nbc.csv"
    path.write_bytes(data)
    result = _ingest(tmp_path, str(path), "--format", "ira-nbc-users")
    assert result.exit_code == 2 and "'created_at'" in result.stderr, result.output

