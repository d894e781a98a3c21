"""Malformed input, for every reader: one clear line naming the file, the line and the problem,
exit status 2, no traceback, and nothing of the failed file left in the case database. A file
with a few bad rows among good ones is ingested, the bad rows quarantined and counted."""

import csv
import gzip
import io
import random
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from inconcert.cli import app
from inconcert.ingest.registry import readers
from inconcert.store import Store

from .conftest import FIXTURES

# A valid sample of every reader's format (some hold deliberate bad rows of their own).
SAMPLES = {
    "io-tweets": "io/campaign_tweets_csv_hashed.csv",
    "io-users": "io/campaign_users_csv_hashed.csv",
    "cnt-csv": "cnt/messages.csv",
    "ira538": "ira/IRAhandle_tweets_fixture.csv",
    "ira538-split": "ira/ira_tweets_fixture.csv",
    "ira538-authors": "ira/authors.csv",
    "ira-nbc-users": "ira/nbc_users.csv",
    "coortweet": "coortweet/generic.csv",
    "coortweet-objects": "coortweet/objects.csv",
    "twarc-csv": "x/twarc_csv_0.7.2.csv",
    "twarc2-flat": "x/twarc2_flat.jsonl",
    "x-v1.1": "x/v11_statuses.jsonl",
    "x-v2": "x/v2_page.json",
    "media-manifest": "media/manifest.csv",
    "mib-users": "signals/mib_users.csv",
    "handle-counts": "signals/handle_counts.csv",
    "telegram": "telegram/all_chats.json",
    "bluesky-jetstream": "bluesky/jetstream.jsonl",
    "mastodon": "mastodon/statuses.json",
    "reddit": "reddit/dump.ndjson",
    "youtube-api": "youtube/videos_channels.jsonl",
    "youtube-data-tools": "youtube/videoinfo_dQw4w9WgXcQ_2024_05_01-12_00_00_comments.csv",
    "meta-content-library": "meta/mcl_facebook_posts.csv",
    "meta-content-library-json": "meta/mcl_comments.jsonl",
    "crowdtangle": "meta/crowdtangle_pages.csv",
    "crowdtangle-instagram": "meta/crowdtangle_instagram.csv",
    "tiktok-research": "tiktok/videos.jsonl",
}
# Row-level cases for the tabular readers: (a required column, the id column, the time column).
TABLES = {
    "io-tweets": ("tweetid", "tweetid", "tweet_time"),
    "io-users": ("userid", "userid", "account_creation_date"),
    "cnt-csv": ("timestamp", "message_id", "timestamp"),
    "ira538": ("alt_external_id", "tweet_id", "publish_date"),
    "ira538-split": ("publish_date", None, "publish_date"),
    "ira538-authors": ("author_id", "author_id", None),
    "ira-nbc-users": ("screen_name", "screen_name", "created_at"),
    "coortweet": ("timestamp_share", "content_id", "timestamp_share"),
    "coortweet-objects": ("post_id", None, "timestamp"),
    "youtube-data-tools": ("authorChannelId", "id", "publishedAt"),
    "meta-content-library": ("creation_time", "id", "creation_time"),
}
GOOD = FIXTURES / "ira/nbc_users.csv"  # ingested first: a failure must leave it untouched
TABLE_NAMES = ("datasets", "accounts", "posts", "post_entities", "interactions", "quarantine")


def _readers(names, flag_missing=False):
    known = readers()
    params = [pytest.param(n, marks=pytest.mark.skipif(n not in known, reason="not registered"))
              for n in names]
    if flag_missing:  # a reader nobody gave a sample for shows up as a skip, with its name
        params += [pytest.param(n, marks=pytest.mark.skip(
            reason=f"no malformed-input sample for {n}: add one to SAMPLES in "
                   "tests/test_malformed.py")) for n in sorted(set(known) - set(SAMPLES))]
    return params


ALL = _readers(SAMPLES, flag_missing=True)
OWN = _readers(TABLES)


def _sample(tmp_path: Path, reader: str) -> Path:
    """The reader's sample, copied with its folder (media paths are relative to it)."""
    src = FIXTURES / SAMPLES[reader]
    dest = tmp_path / "in"
    shutil.copytree(src.parent, dest)
    return dest / src.name


def _table(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    return path


def _snapshot(db: Path) -> dict[str, int]:
    with Store(db) as s:
        return {t: s.count(t) for t in TABLE_NAMES}


def _ingest(tmp_path: Path, path: Path, reader: str | None = None, *extra: str):
    db = tmp_path / "case.duckdb"
    runner = CliRunner()
    first = runner.invoke(app, ["ingest", str(GOOD), "--db", str(db)])
    assert first.exit_code == 0, first.output
    before = _snapshot(db)
    args = ["ingest", str(path), "--db", str(db), *extra]
    if reader:
        args += ["--format", reader]
    result = runner.invoke(app, args)
    return result, before, _snapshot(db), db


def _fails(tmp_path, path, reader, *fragments, line=None):
    result, before, after, _ = _ingest(tmp_path, path, reader)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    msg = lines[0]
    assert msg.startswith("inconcert: error: ") and path.name in msg, msg
    assert (f"line {line}" if line else "line ") in msg, msg
    for frag in fragments:
        assert frag in msg, msg
    assert after == before  # nothing of the failed file stays behind
    return msg


# -- every reader -----------------------------------------------------------------------------
@pytest.mark.parametrize("reader", ALL)
def test_truncated_gzip(tmp_path, reader):
    data = gzip.compress(_sample(tmp_path, reader).read_bytes())
    bad = tmp_path / "truncated.csv.gz"
    bad.write_bytes(data[: len(data) // 2])
    _fails(tmp_path, bad, reader, "truncated compressed stream")


@pytest.mark.parametrize("reader", ALL)
def test_binary_garbage(tmp_path, reader):
    bad = tmp_path / "garbage.bin"
    bad.write_bytes(random.Random(7).randbytes(20_000))
    msg = _fails(tmp_path, bad, reader, line=1)
    assert "binary data" in msg or "not UTF-8" in msg


@pytest.mark.parametrize("reader", ALL)
@pytest.mark.parametrize("content", [b"", b"\n\n  \n"])
def test_empty_file(tmp_path, reader, content):
    bad = tmp_path / "empty.csv"
    bad.write_bytes(content)
    _fails(tmp_path, bad, reader, "empty file", line=1)


@pytest.mark.parametrize("reader", ALL)
def test_wrong_encoding(tmp_path, reader):
    raw = _sample(tmp_path, reader).read_bytes()
    head, rest = raw.split(b"\n", 1)
    bad = tmp_path / "latin1.csv"
    # cp1252/latin-1 accents, as a spreadsheet on Windows writes them
    bad.write_bytes(head + b"\n" + "Café crème, déjà vu à Genève".encode("cp1252") * 5
                    + b"\n" + rest)
    _fails(tmp_path, bad, reader, "not UTF-8", line=2)


@pytest.mark.parametrize("reader", ALL)
def test_utf16_with_bom_reads_like_utf8(tmp_path, reader):
    sample = _sample(tmp_path, reader)
    utf16 = sample.with_name("utf16_" + sample.name)
    utf16.write_bytes(sample.read_text(encoding="utf-8").encode("utf-16"))
    db8, db16 = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    runner = CliRunner()
    r8 = runner.invoke(app, ["ingest", str(sample), "--db", str(db8), "--format", reader])
    r16 = runner.invoke(app, ["ingest", str(utf16), "--db", str(db16), "--format", reader])
    assert r8.exit_code == r16.exit_code, (r8.output, r16.output)
    if r8.exit_code == 0:
        assert _snapshot(db8) == _snapshot(db16)
        with Store(db8) as a, Store(db16) as b:
            q = "SELECT post_id, text FROM posts ORDER BY post_id"
            assert a.execute(q) == b.execute(q)


@pytest.mark.parametrize("reader", ALL)
def test_zip_with_a_damaged_member(tmp_path, reader):
    sample = _sample(tmp_path, reader)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr(sample.name, sample.read_bytes())
    data = bytearray(buf.getvalue())
    start = data.find(sample.read_bytes()[:40])
    data[start + 30] ^= 0x20  # one flipped bit inside the member: its CRC no longer matches
    bad = tmp_path / "archive.zip"
    bad.write_bytes(bytes(data))
    msg = _fails(tmp_path, bad, reader, "damaged zip archive member")
    assert f"archive.zip!{sample.name}" in msg


def test_unknown_layout(tmp_path):
    bad = tmp_path / "mystery.csv"
    bad.write_text("colour,shape\nred,round\n", encoding="utf-8")
    _fails(tmp_path, bad, None, "unknown layout", "pass --format", line=1)


def test_unknown_format_option(tmp_path):
    result, before, after, _ = _ingest(tmp_path, FIXTURES / "coortweet/generic.csv", "no-such")
    assert result.exit_code == 2 and "unknown format 'no-such'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# -- the tabular readers, row by row ----------------------------------------------------------
def _line_of(rows, i):
    """The line record i starts on, after a one-line header."""
    return 2 + sum(1 + sum(c.count("\n") for c in r) for r in rows[:i])


def _good_rows(tmp_path, reader, n=10):
    """n rows made from the sample's first row, each with its own id."""
    header, rows = _table(_sample(tmp_path, reader))
    idcol = TABLES[reader][1]
    out = []
    for i in range(n):
        row = list(rows[0])
        if idcol:
            row[header.index(idcol)] += str(i)
        out.append(row)
    return header, out


@pytest.mark.parametrize("reader", OWN)
def test_header_only(tmp_path, reader):
    header, _ = _table(_sample(tmp_path, reader))
    bad = _write(tmp_path / "header_only.csv", header, [])
    _fails(tmp_path, bad, reader, "no rows after the header", line=1)


@pytest.mark.parametrize("reader", OWN)
def test_missing_required_column(tmp_path, reader):
    header, rows = _table(_sample(tmp_path, reader))
    col = TABLES[reader][0]
    k = header.index(col)
    if reader == "cnt-csv":  # positional: a missing column is a short first row
        header, rows = header[:k], [r[:k] for r in rows]
    else:
        header, rows = header[:k] + header[k + 1:], [r[:k] + r[k + 1:] for r in rows]
    bad = _write(tmp_path / "missing.csv", header, rows)
    _fails(tmp_path, bad, reader, repr(col), "missing", line=1)


@pytest.mark.parametrize("reader", OWN)
def test_unparseable_time(tmp_path, reader):
    col = TABLES[reader][2]
    if col is None:
        pytest.skip(f"{reader} has no time column")
    header, rows = _good_rows(tmp_path, reader)
    for r in rows:
        r[header.index(col)] = "the day after tomorrow"
    bad = _write(tmp_path / "times.csv", header, rows)
    _fails(tmp_path, bad, reader, "no row could be stored", f"unparseable {col}", line=2)


@pytest.mark.parametrize("reader", OWN)
def test_a_file_of_duplicates_is_refused(tmp_path, reader):
    if TABLES[reader][1] is None:
        pytest.skip(f"{reader}: ids are synthetic or repeat by design (see docs/readers)")
    header, rows = _table(_sample(tmp_path, reader))
    rows = [rows[0]] * 10
    bad = _write(tmp_path / "dups.csv", header, rows)
    _fails(tmp_path, bad, reader, "9 of 10 rows are malformed or duplicated", "duplicate",
           line=_line_of(rows, 1))


@pytest.mark.parametrize("reader", OWN)
def test_one_duplicate_is_quarantined_and_counted(tmp_path, reader):
    if TABLES[reader][1] is None:
        pytest.skip(f"{reader}: ids are synthetic or repeat by design (see docs/readers)")
    header, rows = _good_rows(tmp_path, reader)
    rows = [*rows, rows[3]]
    path = _write(tmp_path / "one_dup.csv", header, rows)
    result, before, after, db = _ingest(tmp_path, path, reader)
    assert result.exit_code == 0, result.output
    assert "11 " in result.stderr and "10 stored, 1 quarantined" in result.stderr
    with Store(db) as s:
        q = s.execute("SELECT line, reason FROM quarantine WHERE path = ?", [str(path)])
        assert len(q) == 1 and q[0][0] == _line_of(rows, 10) and "duplicate" in q[0][1]
        assert f"first at line {_line_of(rows, 3)}" in q[0][1]


@pytest.mark.parametrize("reader", OWN)
def test_a_few_bad_rows_are_quarantined_and_neutralised(tmp_path, reader):
    header, rows = _good_rows(tmp_path, reader)
    bad_row = list(rows[0])
    bad_row[0] = "=2+5*cmd|' /C calc'!A0"  # a formula in the first cell
    if TABLES[reader][2]:
        bad_row[header.index(TABLES[reader][2])] = "not a time"
        bad = [bad_row]
    else:  # no time to break: the formula is an id given twice
        bad = [bad_row, bad_row]
    path = _write(tmp_path / "few_bad.csv", header, [*rows, *bad])
    result, _, _, db = _ingest(tmp_path, path, reader)
    assert result.exit_code == 0, result.output
    with Store(db) as s:
        ds = s.execute("SELECT rows_in, rows_stored, rows_quarantined FROM datasets "
                       "WHERE path = ?", [str(path)])[0]
        assert ds[0] == ds[1] + ds[2] and ds[2] >= 1
        assert s.count("quarantine", "path = ?", [str(path)]) == ds[2]
    qfile = db.with_suffix(".quarantine.csv")
    with open(qfile, newline="", encoding="utf-8") as f:
        quarantined = [r for r in csv.DictReader(f) if r["path"] == str(path)]
    assert any(r["raw"].startswith("'=2+5*cmd") for r in quarantined), quarantined
    assert all(not r["raw"].startswith("=") for r in quarantined)


def test_cli_in_a_real_process_prints_no_traceback(tmp_path):
    bad = tmp_path / "garbage.csv.gz"
    bad.write_bytes(gzip.compress(b"tweetid,userid,user_display_name\n" * 5)[:30])
    exe = Path(sys.executable).with_name("inconcert")
    proc = subprocess.run([str(exe), "ingest", str(bad), "--db", str(tmp_path / "c.duckdb")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "garbage.csv.gz" in lines[0] and "line" in lines[0], lines


@pytest.mark.parametrize("reader", ["io-tweets", "cnt-csv"])
def test_hostile_ids_are_text_not_numbers(tmp_path, reader):
    header, rows = _good_rows(tmp_path, reader, n=3)
    idcol = TABLES[reader][1]
    # superscript and Arabic-Indic digits pass str.isdigit() but are not ids int() can read
    for row, hostile in zip(rows, ["²³", "١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦٧٨٩", "=1+1"], strict=True):
        row[header.index(idcol)] = hostile
        if reader == "io-tweets":
            row[header.index("retweet_tweetid")] = hostile
    path = _write(tmp_path / "hostile.csv", header, rows)
    result, _, _, db = _ingest(tmp_path, path, reader)
    assert result.exit_code == 0, result.output
    with Store(db) as s:
        ids = {r[0] for r in s.execute("SELECT post_id FROM posts WHERE time_source = "
                                       "'declared'")}
    assert ids == {"²³", "١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦٧٨٩", "=1+1"}
