"""YouTube readers: Data API v3 responses (comment threads with replies, videos, channels) and
YouTube Data Tools' comments table; channel = account, comment = post acting on its video,
reply = post acting on its parent. Fixtures written from the API resource docs and the tool's
source (mod_video_comments.php)."""

import json

import duckdb

from inconcert.ingest import ingest_paths
from inconcert.store import Store

from .conftest import FIXTURES

YT = FIXTURES / "youtube"
YTDT = YT / "videoinfo_dQw4w9WgXcQ_2024_05_01-12_00_00_comments.csv"
VIDEO = "dQw4w9WgXcQ"


def _ingest(tmp_path, *paths):
    db = tmp_path / "case.duckdb"
    with Store(db) as s:
        res = ingest_paths(s, list(paths), max_bad_fraction=0.7)
    return duckdb.connect(str(db), read_only=True), res


def test_api_threads_videos_and_channels(tmp_path):
    con, res = _ingest(tmp_path, YT / "commentThreads.json", YT / "videos_channels.jsonl")
    assert [(r.format, r.rows_in, r.rows_stored, r.rows_quarantined) for r in res] == [
        ("youtube-api", 4, 2, 2), ("youtube-api", 4, 4, 0)]
    posts = {p[0]: p[1:] for p in con.execute("""
        SELECT post_id, platform, author_id, kind, ref_post_id, ref_author_id, root_post_id,
               created_ms, time_precision, text, like_count, reply_count FROM posts""").fetchall()}
    top = posts["UgzAAA"]
    # a comment acts on its video (the shared item), owned by the video's channel
    assert top[:6] == ("youtube", "UCaaaaaaaaaaaaaaaaaaaaa1", "comment", VIDEO,
                       "UCvideoOwner000000000001", VIDEO)
    assert top[6:] == (1714564800000, "s", "Rigged! See https://ex.org/p #stopthesteal", 12, 2)
    reply = posts["UgzAAA.9xReply1"]
    assert reply[1:5] == ("UCbbbbbbbbbbbbbbbbbbbbb2", "reply", "UgzAAA",
                          "UCaaaaaaaaaaaaaaaaaaaaa1")
    assert posts[VIDEO][1:3] == ("UCvideoOwner000000000001", "original")
    assert posts[VIDEO][9:] == (50, 4)
    assert con.execute("SELECT count(*) FROM actions WHERE target_post_id = ?",
                       [VIDEO]).fetchone() == (1,)
    ents = con.execute("SELECT post_id, entity, value FROM post_entities").fetchall()
    assert ("UgzAAA", "hashtag", "stopthesteal") in ents and ("UgzAAA", "url",
                                                             "https://ex.org/p") in ents
    acc = {a[0]: a[1:] for a in con.execute(
        "SELECT account_id, handle, display_name, created_ms, followers FROM accounts"
    ).fetchall()}
    # the channel resource fills what the comment left out; a hidden count is not zero
    assert acc["UCaaaaaaaaaaaaaaaaaaaaa1"] == ("@patriot1", "@patriot1", 1714295700123, 3)
    assert acc["UCbbbbbbbbbbbbbbbbbbbbb2"][3] is None
    q = [r[0] for r in con.execute("SELECT reason FROM quarantine ORDER BY reason").fetchall()]
    assert "no authorChannelId" in q[0] and "unparseable publishedAt 'last tuesday'" in q[1]
    notes = con.execute("SELECT notes FROM datasets WHERE notes IS NOT NULL").fetchall()
    assert notes == [("read but not stored: 1 youtube#searchResult",)]


def test_youtube_data_tools_table(tmp_path):
    con, res = _ingest(tmp_path, YTDT)
    r = res[0]
    assert (r.format, r.rows_in, r.rows_stored, r.rows_quarantined) == (
        "youtube-data-tools", 5, 2, 3)
    posts = {p[0]: p[1:] for p in con.execute(
        "SELECT post_id, kind, ref_post_id, text, created_ms FROM posts").fetchall()}
    # the video id comes from the file name, with its case
    assert posts["UgzAAA"] == ("comment", VIDEO, "Rigged! See https://ex.org/p #stopthesteal",
                               1714564800000)
    assert posts["UgzAAA.9xReply1"][:2] == ("reply", "UgzAAA")
    urls = [v for (v,) in con.execute(
        "SELECT value FROM post_entities WHERE entity = 'url'").fetchall()]
    assert urls == ["https://ex.org/p"]  # not the youtube.com/redirect anchor
    q = con.execute("SELECT line, reason FROM quarantine ORDER BY line").fetchall()
    assert [x[0] for x in q] == [4, 5, 6]
    assert "unparseable publishedAt 'not a date'" in q[0][1]
    assert "no authorChannelId" in q[1][1] and "expected 11 columns, found 5" in q[2][1]


def test_a_renamed_tool_export_names_no_video(tmp_path):
    renamed = tmp_path / "comments.csv"
    renamed.write_bytes(YTDT.read_bytes())
    con, res = _ingest(tmp_path, renamed)
    assert "not in the file name" in res[0].notes[0]
    assert con.execute("SELECT ref_post_id FROM posts WHERE post_id = 'UgzAAA'"
                       ).fetchone() == (None,)


def test_a_response_larger_than_the_head_is_recognised(tmp_path):
    page = json.loads((YT / "commentThreads.json").read_text(encoding="utf-8"))
    thread = page["items"][0]
    page["items"] = []
    for i in range(400):
        t = json.loads(json.dumps(thread))
        t["snippet"]["topLevelComment"]["id"] = f"Ugz{i}"
        t["replies"]["comments"] = t["replies"]["comments"][:1]
        t["replies"]["comments"][0]["id"] = f"Ugz{i}.r"
        page["items"].append(t)
    big = tmp_path / "threads.json"
    big.write_text(json.dumps(page, indent=2), encoding="utf-8")
    assert big.stat().st_size > 256 * 1024  # beyond what recognition reads
    _, res = _ingest(tmp_path, big)
    assert (res[0].format, res[0].rows_in, res[0].rows_stored) == ("youtube-api", 800, 800)
