"""TikTok Research API reader: video query pages and comment lists; accounts by username,
comments without an author quarantined; fixtures written from the Research API specs."""

import json

import duckdb
from typer.testing import CliRunner

from inconcert.cli import app
from inconcert.ingest import ingest_paths
from inconcert.store import Store

from .conftest import FIXTURES

TT = FIXTURES / "tiktok"


def _ingest(tmp_path, *names):
    db = tmp_path / "case.duckdb"
    with Store(db) as s:
        res = ingest_paths(s, [TT / n for n in names], max_bad_fraction=0.7)
    return duckdb.connect(str(db), read_only=True), res


def test_video_pages_and_comments(tmp_path):
    con, res = _ingest(tmp_path, "videos.jsonl", "comments.json")
    assert [(r.format, r.rows_in, r.rows_stored, r.rows_quarantined) for r in res] == [
        ("tiktok-research", 4, 2, 2), ("tiktok-research", 3, 2, 1)]
    posts = {p[1]: p for p in con.execute("""
        SELECT platform, post_id, author_id, created_ms, kind, ref_post_id, like_count,
               reshare_count, reply_count, extra FROM posts""").fetchall()}
    v = posts["7250000000000000001"]  # an int64 id beyond 2^53 stays exact
    assert v[0] == "tiktok" and v[2:5] == ("patriot_tt", 1714564800000, "original")
    assert v[6:9] == (1200, 300, 40) and '"music_id": "7100000000000000009"' in v[9]
    assert posts["7260000000000000002"][4:6] == ("reply", "7260000000000000001")
    # a top-level comment names its video as parent: it acts on the video
    assert posts["7260000000000000003"][4:6] == ("comment", "7250000000000000001")
    ents = con.execute("SELECT post_id, entity, value FROM post_entities").fetchall()
    assert ("7250000000000000001", "mention", "newsdesk") in ents
    assert ("7250000000000000002", "hashtag", "rigged") in ents
    q = [r[0] for r in con.execute("SELECT reason FROM quarantine ORDER BY reason").fetchall()]
    assert any("does not give comment authors" in r for r in q)
    assert any("unparseable create_time 'soon'" in r for r in q)
    assert any("has no username" in r for r in q)


def test_truncated_comment_document_exits_2(tmp_path):
    text = (TT / "comments.json").read_text(encoding="utf-8")
    cut = tmp_path / "comments.json"
    cut.write_text(text[: text.index('"has_more"')], encoding="utf-8")
    r = CliRunner().invoke(app, ["ingest", str(cut), "--db", str(tmp_path / "c.duckdb")])
    assert r.exit_code == 2 and "comments.json" in r.stderr and "line " in r.stderr


def test_a_response_larger_than_the_head_is_recognised(tmp_path):
    page = json.loads((TT / "videos.jsonl").read_text(encoding="utf-8").splitlines()[0])
    video = page["data"]["videos"][0]
    page["data"]["videos"] = [dict(video, id=7250000000000000001 + i) for i in range(1500)]
    big = tmp_path / "query.json"
    big.write_text(json.dumps(page, indent=2), encoding="utf-8")
    assert big.stat().st_size > 256 * 1024  # beyond what recognition reads
    _, res = _ingest(tmp_path, big)
    assert (res[0].format, res[0].rows_in, res[0].rows_stored) == ("tiktok-research", 1500, 1500)
