"""Mastodon statuses reader: uri keys, user@domain accounts, boosts, replies resolved through
server-local ids (even when the parent comes later in the file), quotes, HTML content read as
text, day-precision account creation; fixture written from the Mastodon API entity docs."""

import duckdb
from typer.testing import CliRunner

from inconcert.cli import app
from inconcert.ingest import ingest_paths
from inconcert.ingest.readers.html_text import html_text
from inconcert.store import Store

from .conftest import FIXTURES

ST = FIXTURES / "mastodon" / "statuses.json"
ALICE = "https://mastodon.social/users/alice/statuses/1001"


def _ingest(tmp_path):
    db = tmp_path / "case.duckdb"
    with Store(db) as s:
        res = ingest_paths(s, [ST], max_bad_fraction=0.5)
    return duckdb.connect(str(db), read_only=True), res[0]


def test_html_is_read_as_text_never_as_markup():
    text, links = html_text('<p>a &amp; b<br>c <a href="https://x.org/1">link</a>'
                            '<a href="https://m.s/tags/t" class="mention hashtag" rel="tag">#t</a>'
                            '<script>alert(1)</script></p><p>d</p>')
    assert text == "a & b\nc link#t\n\nd"
    assert links == ["https://x.org/1"]  # the hashtag anchor is not a shared link


def test_statuses_map_to_posts_boosts_replies_and_quotes(tmp_path):
    con, r = _ingest(tmp_path)
    assert (r.format, r.rows_in, r.rows_stored, r.rows_quarantined) == ("mastodon", 8, 5, 3)
    posts = {p[0]: p[1:] for p in con.execute("""
        SELECT post_id, platform, author_id, kind, ref_post_id, ref_author_id, ref_created_ms,
               reply_to_post_id, quoted_post_id, created_ms, time_precision, text, client
        FROM posts""").fetchall()}
    orig = posts[ALICE]
    assert orig[:3] == ("mastodon", "alice@mastodon.social", "original")
    assert orig[8:] == (1714564800123, "ms", "Vote & share #vote\nsee https://news.example.org/story/1",
                        "Tusky")
    boost = posts["https://example.com/users/bob/statuses/555/activity"]
    assert boost[1:6] == ("bob@example.com", "reshare", ALICE, "alice@mastodon.social",
                          1714564800123)
    # the reply comes before its parent in the file (newest first): resolved all the same
    reply = posts["https://mastodon.social/users/carol/statuses/1003"]
    assert reply[2:4] == ("reply", ALICE) and reply[6] == ALICE
    lost = posts["https://mastodon.social/users/carol/statuses/1004"]
    assert lost[2:4] == ("reply", None)
    quote = posts["https://example.net/users/dave/statuses/42"]
    eve = "https://example.org/users/eve/statuses/7"
    assert quote[2:5] == ("quote", eve, "eve@example.org") and quote[7] == eve
    assert eve in posts  # the quoted status is stored as well
    ents = con.execute("SELECT post_id, entity, value, normalized, alt_text FROM post_entities "
                       "ORDER BY post_id, entity").fetchall()
    assert (ALICE, "hashtag", "vote", "vote", None) in ents
    assert (ALICE, "url", "https://news.example.org/story/1", "news.example.org/story/1",
            None) in ents  # content link and card URL: one entity
    assert sum(e[0] == ALICE and e[1] == "url" for e in ents) == 1
    assert (ALICE, "media", "https://files.mastodon.social/media/1.png",
            "https://files.mastodon.social/media/1.png", "a ballot box") in ents
    assert ("https://mastodon.social/users/carol/statuses/1003", "mention", "alice",
            "alice@mastodon.social", None) in ents
    acc = {a[0]: a[1:] for a in con.execute(
        "SELECT account_id, handle, created_ms, created_precision, default_profile_image "
        "FROM accounts").fetchall()}
    assert acc["alice@mastodon.social"] == ("alice@mastodon.social", 1552348800000, "day", False)
    assert acc["carol@mastodon.social"][3] is True  # missing.png: the default avatar
    q = con.execute("SELECT line, reason FROM quarantine ORDER BY line").fetchall()
    assert [x[0] for x in q] == [107, 113, 120]
    assert "no uri" in q[0][1] and "unparseable created_at 'yesterday'" in q[1][1]
    assert "no account" in q[2][1]


def test_truncated_array_exits_2_with_file_and_line(tmp_path):
    text = ST.read_text(encoding="utf-8")
    cut = tmp_path / "statuses.json"
    cut.write_text(text[: text.index('"id": "1005"')], encoding="utf-8")
    r = CliRunner().invoke(app, ["ingest", str(cut), "--db", str(tmp_path / "c.duckdb")])
    assert r.exit_code == 2 and "statuses.json" in r.stderr and "line " in r.stderr
    assert "Traceback" not in r.output
