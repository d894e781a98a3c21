"""Bluesky Jetstream reader: posts, reposts, likes and follows with their own times, facets
sliced by UTF-8 bytes, identity and profile events, and malformed events; fixture written from
the Jetstream event shape and the app.bsky lexicons."""

import json

import duckdb

from inconcert import config
from inconcert.ingest import ingest_paths
from inconcert.ingest.readers.bluesky import tid_us, uri_did
from inconcert.store import Store
from inconcert.traces import compute_traces

from .conftest import FIXTURES

JS = FIXTURES / "bluesky" / "jetstream.jsonl"
ALICE_POST = "at://did:plc:alice111/app.bsky.feed.post/3l3qo2vr4ww27"


def _ingest(tmp_path, path=JS):
    db = tmp_path / "case.duckdb"
    with Store(db) as s:
        res = ingest_paths(s, [path], max_bad_fraction=0.5)
    con = duckdb.connect(str(db), read_only=True)
    return con, res[0]


def test_tid_decodes_to_microseconds_and_rejects_non_tids():
    assert tid_us("2222222222222") == 0  # atproto TID spec: integer zero
    assert tid_us("3l3qo2vr4ww27") == 1725911162129308
    assert tid_us("self") is None and tid_us("3l3qo2vr4ww2!") is None
    assert tid_us("zzzzzzzzzzzzz") is None  # top bit set: not a TID
    assert uri_did(ALICE_POST) == "did:plc:alice111"


def test_events_map_to_posts_likes_and_accounts(tmp_path):
    con, r = _ingest(tmp_path)
    assert (r.format, r.rows_in, r.rows_stored, r.rows_quarantined) == (
        "bluesky-jetstream", 16, 11, 5)
    posts = {p[0]: p[1:] for p in con.execute("""
        SELECT post_id, platform, author_id, kind, ref_post_id, ref_author_id, created_ms,
               time_precision, time_source, declared_ms, text, lang FROM posts""").fetchall()}
    first = posts[ALICE_POST]
    # time_us (the observer's clock) wins over the backdatable createdAt, which is kept
    assert first[:3] == ("bluesky", "did:plc:alice111", "original")
    assert first[5:9] == (1725911162329, "us", "received", 1725148800000)
    assert first[9:] == ("Wählt früh! #vote @bob.bsky.social https://ex.org/a", "de")
    repost = posts["at://did:plc:bob222/app.bsky.feed.repost/3l3qo2wlpa227"]
    assert repost[2:5] == ("reshare", ALICE_POST, "did:plc:alice111")
    assert posts["at://did:plc:carol333/app.bsky.feed.post/3l3qo2yiqe227"][2:4] == (
        "reply", ALICE_POST)
    assert posts["at://did:plc:dave444/app.bsky.feed.post/3l3qo2zhaw227"][2:4] == (
        "quote", ALICE_POST)
    likes = con.execute("""SELECT actor_id, kind, target_post_id, target_author_id, created_ms
                           FROM interactions ORDER BY created_ms""").fetchall()
    assert likes == [
        ("did:plc:carol333", "like", ALICE_POST, "did:plc:alice111", 1725911163600),
        # no time_us: the TID record key gives the time, not the 2020 createdAt
        ("did:plc:dave444", "like", ALICE_POST, "did:plc:alice111", 1725911164000),
        ("did:plc:carol333", "follow", None, "did:plc:alice111", 1725911166700)]
    # likes are actions with their own times, so co-like sees them
    assert con.execute("SELECT count(*) FROM actions WHERE kind = 'like'").fetchone() == (2,)
    ents = con.execute("SELECT entity, value, normalized, alt_text FROM post_entities "
                       "ORDER BY post_id, entity, position").fetchall()
    # facet offsets are UTF-8 bytes: the umlauts before them must not shift the slices
    assert ("mention", "bob.bsky.social", "did:plc:bob222", None) in ents
    assert ("hashtag", "vote", "vote", None) in ents and ("hashtag", "wahl2024", "wahl2024",
                                                          None) in ents
    assert ("url", "https://ex.org/a", "ex.org/a", None) in ents
    assert ("media", "bafkreiimg1", "bafkreiimg1", "a ballot") in ents
    accounts = {a[0]: a[1:] for a in con.execute(
        "SELECT account_id, handle, display_name, description, created_ms "
        "FROM accounts").fetchall()}
    assert accounts["did:plc:alice111"][0] == "alice.bsky.social"
    assert accounts["did:plc:bob222"][1:] == ("Bob B", "just a guy", 1725184800000)


def test_malformed_events_are_quarantined_with_line_and_reason(tmp_path):
    con, r = _ingest(tmp_path)
    q = con.execute("SELECT line, reason FROM quarantine ORDER BY line").fetchall()
    assert [line for line, _ in q] == [12, 13, 14, 15, 16]
    reasons = " | ".join(reason for _, reason in q)
    for frag in ("unparseable time_us 'yesterday'", "event without a did", "duplicate event",
                 "without a subject", "not valid JSON"):
        assert frag in reasons
    ds = con.execute("SELECT rows_in, rows_stored, rows_quarantined, notes "
                     "FROM datasets").fetchone()
    assert ds[0] == ds[1] + ds[2] and "1 deletes" in ds[3]


def test_a_like_swarm_reaches_co_like_with_real_like_times(tmp_path):
    """Likes are interactions with their own times, so co-like pairs accounts that never
    repost: five accounts liking the same posts within seconds of each other."""
    posts, lines = [], []
    t0 = 1725911162000000
    for k in range(8):
        author = f"did:plc:seed{k}"
        rkey = f"3l3qo2vr4w{k:02d}7"
        posts.append(f"at://{author}/app.bsky.feed.post/{rkey}")
        lines.append({"did": author, "time_us": t0 + k * 600_000_000, "kind": "commit",
                      "commit": {"operation": "create", "collection": "app.bsky.feed.post",
                                 "rkey": rkey, "record": {"text": f"post {k}",
                                                          "createdAt": "2024-09-09T00:00:00Z"}}})
    for k, uri in enumerate(posts):
        for j in range(5):  # the swarm: within 10 s of each other, minutes after the post
            lines.append({"did": f"did:plc:swarm{j}", "time_us": t0 + k * 600_000_000
                          + 120_000_000 + j * 2_000_000, "kind": "commit", "commit": {
                              "operation": "create", "collection": "app.bsky.feed.like",
                              "rkey": f"lk{k}x{j}", "record": {"subject": {"uri": uri}}}})
    path = tmp_path / "swarm.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    with Store(tmp_path / "c.duckdb") as s:
        (res,) = ingest_paths(s, [path])
        assert (res.rows_in, res.rows_stored) == (48, 48)
        compute_traces(s.con, config.load(), s.capabilities())
        pairs = s.execute("SELECT source, target, count FROM trace_candidates "
                          "WHERE trace = 'co_like'")
    swarm = {f"did:plc:swarm{j}" for j in range(5)}
    assert {(a, b) for a, b, _ in pairs} == {(a, b) for a in swarm for b in swarm if a < b}
    assert all(count == 8 for _, _, count in pairs)
