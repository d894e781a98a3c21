"""Reddit dump reader: submissions and comments keyed by fullname, t1_/t3_ parents, crossposts,
deleted authors, whole-second float times, and zstd dumps with the Pushshift long window;
fixture written from the Reddit API object layout the dumps keep."""

import duckdb
import zstandard
from typer.testing import CliRunner

from inconcert.cli import app
from inconcert.ingest import ingest_paths
from inconcert.store import Store

from .conftest import FIXTURES

DUMP = FIXTURES / "reddit" / "dump.ndjson"


def _ingest(tmp_path, path):
    db = tmp_path / "case.duckdb"
    with Store(db) as s:
        res = ingest_paths(s, [path], max_bad_fraction=0.5)
    return duckdb.connect(str(db), read_only=True), res[0]


def test_submissions_and_comments_map_to_posts_and_replies(tmp_path):
    con, r = _ingest(tmp_path, DUMP)
    assert (r.format, r.rows_in, r.rows_stored, r.rows_quarantined) == ("reddit", 10, 6, 4)
    posts = {p[0]: p[1:] for p in con.execute("""
        SELECT post_id, platform, author_id, created_ms, time_precision, kind, ref_post_id,
               ref_author_id, reply_to_post_id, root_post_id, text FROM posts""").fetchall()}
    assert posts["t3_abc1"][:5] == ("reddit", "alice", 1700000000000, "s", "original")
    # a float of whole seconds is seconds, not milliseconds
    assert posts["t1_c1"][2:8] == (1700000200000, "s", "comment", "t3_abc1", None, "t3_abc1")
    assert posts["t1_c2"][4:9] == ("reply", "t1_c1", None, "t1_c1", "t3_abc1")
    assert posts["t3_abc3"][4:7] == ("reshare", "t3_abc1", "alice")  # a crosspost
    assert posts["t1_c3"][9] is None  # "[removed]" is not text
    assert posts["t3_abc2"][9] == "Read this\n\nSource: https://blog.example.com/post. Share it!"
    urls = con.execute("SELECT post_id, value FROM post_entities WHERE entity = 'url' "
                       "ORDER BY post_id").fetchall()
    # the link of a link post and links in a self post's text; a self post's own URL is not one
    assert urls == [("t3_abc1", "https://news.example.org/polls?id=9"),
                    ("t3_abc2", "https://blog.example.com/post")]
    q = con.execute("SELECT line, reason FROM quarantine ORDER BY line").fetchall()
    assert [x[0] for x in q] == [7, 8, 9, 10]
    assert "author [deleted]" in q[0][1] and "unparseable created_utc 'soon'" in q[1][1]
    assert q[2][1] == "no id" and "not valid JSON" in q[3][1]
    assert con.execute("SELECT created_ms FROM accounts WHERE account_id = 'alice'"
                       ).fetchone() == (1500000000000,)


def test_zstd_dump_with_a_long_window_reads_like_plain(tmp_path):
    params = zstandard.ZstdCompressionParameters.from_level(3, window_log=27, enable_ldm=True)
    z = tmp_path / "RC_2023-11.zst"
    z.write_bytes(zstandard.ZstdCompressor(compression_params=params).compress(
        DUMP.read_bytes()))
    _, r = _ingest(tmp_path, z)
    assert (r.format, r.rows_in, r.rows_stored, r.rows_quarantined) == ("reddit", 10, 6, 4)


def test_truncated_zstd_dump_exits_2_naming_file_and_line(tmp_path):
    data = zstandard.ZstdCompressor().compress(DUMP.read_bytes() * 50)
    z = tmp_path / "RS_cut.zst"
    z.write_bytes(data[: len(data) // 2])
    r = CliRunner().invoke(app, ["ingest", str(z), "--db", str(tmp_path / "c.duckdb")])
    assert r.exit_code == 2, r.output
    assert "RS_cut.zst" in r.stderr and "truncated compressed stream" in r.stderr
    assert "line " in r.stderr and "Traceback" not in r.output
