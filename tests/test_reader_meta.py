"""Meta Content Library (CSV and API JSON) and CrowdTangle historical CSV readers: Facebook and
Instagram posts, reshares, comments, OCR text, zone-abbreviated times; fixtures written from
Meta's MCL data dictionary and CrowdTangle's export header."""

import duckdb
import pytest
from typer.testing import CliRunner

from inconcert.cli import app
from inconcert.ingest import ingest_paths
from inconcert.ingest.readers.crowdtangle import zoned_time
from inconcert.store import Store

from .conftest import FIXTURES

META = FIXTURES / "meta"


def _ingest(tmp_path, *names):
    db = tmp_path / "case.duckdb"
    with Store(db) as s:
        res = ingest_paths(s, [META / n for n in names], max_bad_fraction=0.7)
    return duckdb.connect(str(db), read_only=True), res


def _posts(con):
    return {p[1]: p for p in con.execute("""
        SELECT platform, post_id, author_id, created_ms, kind, ref_post_id, reply_to_post_id,
               text, like_count, reshare_count, reply_count, extra FROM posts""").fetchall()}


def test_mcl_csv_posts_reshares_and_platforms(tmp_path):
    con, res = _ingest(tmp_path, "mcl_facebook_posts.csv")
    assert [(r.format, r.rows_in, r.rows_stored, r.rows_quarantined) for r in res] == [
        ("meta-content-library", 5, 3, 2)]
    posts = _posts(con)
    first = posts["1208000000000000001"]
    assert first[0] == "facebook" and first[2:5] == ("9100000000000000001", 1714564800000,
                                                      "original")
    assert first[8:11] == (120, 30, 12)
    assert '"image_text": "STOP THE COUNT"' in first[11]  # OCR text kept
    assert '"surface_type": "page"' in first[11]
    share = posts["1208000000000000002"]
    assert share[4:6] == ("reshare", "1208000000000000001")
    # the row's URL says Instagram: the same file may hold both platforms
    assert posts["1208000000000000003"][0] == "instagram"
    ents = con.execute("SELECT post_id, entity, value FROM post_entities").fetchall()
    assert ("1208000000000000001", "hashtag", "rigged") in ents
    assert ("1208000000000000001", "url", "https://news.example.org/a") in ents
    q = [r[0] for r in con.execute("SELECT reason FROM quarantine ORDER BY line").fetchall()]
    assert "unparseable creation_time 'yesterday'" in q[0] and "no post_owner.id" in q[1]


def test_mcl_json_comments_and_replies(tmp_path):
    con, res = _ingest(tmp_path, "mcl_comments.jsonl")
    assert (res[0].format, res[0].rows_in, res[0].rows_stored) == (
        "meta-content-library-json", 4, 3)
    posts = _posts(con)
    assert posts["1300000000000000001"][4:7] == ("comment", "1208000000000000001",
                                                 "1208000000000000001")
    assert posts["1300000000000000002"][4:6] == ("reply", "1300000000000000001")
    assert posts["1300000000000000003"][3] == 1714565520000  # Unix seconds accepted
    assert con.execute("SELECT reason FROM quarantine").fetchone()[0].endswith(
        "has no creation_time")


@pytest.mark.parametrize(("value", "ms"), [
    ("2020-11-03 18:34:01 EST", 1604446441000), ("2020-07-03 18:34:01 EDT", 1593815641000),
    ("2020-11-03 18:34:01 UTC", 1604428441000), ("2020-11-03 18:34:01", 1604428441000)])
def test_crowdtangle_zone_abbreviations_become_utc(value, ms):
    assert zoned_time(value) == (ms, "s")


def test_ambiguous_zone_is_refused():
    with pytest.raises(ValueError, match="unknown time zone 'IST'"):
        zoned_time("2020-11-03 18:36:00 IST")


def test_crowdtangle_pages_and_instagram(tmp_path):
    con, res = _ingest(tmp_path, "crowdtangle_pages.csv", "crowdtangle_instagram.csv")
    assert [(r.format, r.rows_in, r.rows_stored, r.rows_quarantined) for r in res] == [
        ("crowdtangle", 3, 2, 1), ("crowdtangle-instagram", 2, 1, 1)]
    posts = _posts(con)
    page = posts["https://www.facebook.com/100012345678901/posts/2001"]
    assert page[0] == "facebook" and page[2:5] == ("100012345678901", 1604446441000, "original")
    assert page[8:11] == (900, 200, 100) and '"total_interactions": 1234' in page[11]
    ig = posts["https://www.instagram.com/p/CHAAAA/"]
    assert ig[0] == "instagram" and ig[2] == "patriot_ig"
    # Link and Final Link, and links in the message: co-link works across pages
    shared = con.execute("""SELECT count(DISTINCT post_id) FROM post_entities
                            WHERE entity = 'url' AND normalized = 'bit.ly/x1'""").fetchone()
    assert shared == (2,)
    acc = dict(con.execute("SELECT account_id, created_ms FROM accounts "
                           "WHERE platform = 'facebook'").fetchall())
    assert acc["100012345678901"] == 1425309072000  # Page Created, EST
    q = [r[0] for r in con.execute("SELECT reason FROM quarantine ORDER BY path").fetchall()]
    assert any("unknown time zone 'IST'" in r for r in q) and "empty User Name" in q


def test_crowdtangle_missing_required_column_exits_2(tmp_path):
    src = (META / "crowdtangle_pages.csv").read_text(encoding="utf-8")
    bad = tmp_path / "ct.csv"
    bad.write_text(src.replace(",Facebook Id,", ",Facebook Page,", 1), encoding="utf-8")
    r = CliRunner().invoke(app, ["ingest", str(bad), "--db", str(tmp_path / "c.duckdb")])
    assert r.exit_code == 2 and "ct.csv" in r.stderr and "line 1" in r.stderr
    assert "'facebook id'" in r.stderr
