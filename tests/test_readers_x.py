"""The X/Twitter API readers: v2 pages, twarc2 raw and flattened JSONL, twarc-csv, v1.1 statuses.

Fixtures (tests/fixtures/x/) tell one small story written from the documented schemas: a seeder
posts, two amplifiers retweet and quote within seconds, one replies to a critic. The flattened
file was made from the raw pages by twarc 2.14's own `flatten`, the CSV by twarc-csv 0.7.2 (then
given one real newline in a quoted cell and one spreadsheet-rounded id). Expected times are the
ones the fixture ids were built from: Snowflake ids carry milliseconds that `created_at` lacks.
"""

import csv
import gzip
import io
import json
import zipfile

import pytest
from typer.testing import CliRunner

from inconcert.cli import app
from inconcert.errors import InputError
from inconcert.ingest import ingest_paths, writer
from inconcert.ingest.registry import choose
from inconcert.ingest.source import read_head, sources_for
from inconcert.store import Store
from inconcert.timeutil import iso_utc

from .conftest import FIXTURES

X = FIXTURES / "x"
# Tweets of the v2 story.
T1, T2, T3 = "1498629120316319171", "1498629138674787779", "1498629140813882819"
T4, T5, T6 = "1498629371458659779", "1498629752204993987", "1498591372112995779"
T7, T8, T0 = "1498630379437991363", "1498630675883009475", "1498387527890019779"
SEEDER, AMP2, AMP3, CRITIC = "1000000001", "1000000002", "1490000000000000001", "2000000004"
# Statuses of the v1.1 story.
S1, S2, S4 = "1050118622225191330", "1050118652982022562", "1050120038071226786"
S6, S9, S10 = "1050123973938991522", "1050128838056563106", "1050130119017976226"
S11, S13 = "1050131396204515746", "1050133955610759586"
PAT, EAGLE, NEWS = "1100000001", "1490000000000000002", "2200000003"
POST_COLS = ("post_id", "author_id", "kind", "ref_post_id", "ref_author_id",
             "ref_author_handle", "ref_created_ms", "reply_to_post_id", "reply_to_author_id",
             "quoted_post_id", "root_post_id", "created_ms", "time_precision", "time_source",
             "declared_ms", "text", "lang", "client", "like_count", "reshare_count",
             "reply_count", "quote_count", "source_line", "extra")


def _ingest(tmp_path, *paths, name="case.duckdb", fmt=None):
    db = tmp_path / name
    with Store(db) as s:
        res = ingest_paths(s, list(paths), fmt=fmt)
    return db, res


def _posts(db):
    with Store(db) as s:
        rows = s.execute(f"SELECT {', '.join(POST_COLS)} FROM posts ORDER BY post_id")
    return {r[0]: dict(zip(POST_COLS, r, strict=True)) for r in rows}


def _entities(db, post_id=None):
    with Store(db) as s:
        rows = s.execute("SELECT post_id, entity, value, normalized, media_type, alt_text "
                         "FROM post_entities ORDER BY post_id, entity, position")
    return [r[1:] for r in rows if post_id is None or r[0] == post_id]


def _accounts(db):
    with Store(db) as s:
        cur = s.con.execute("SELECT * FROM accounts ORDER BY account_id")
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    return {a["account_id"]: a for a in rows}


def _one(db, sql):
    with Store(db) as s:
        return s.execute(sql)


def _comparable(posts):
    """Posts without where they came from (line numbers differ between layouts)."""
    return {k: {c: v for c, v in p.items() if c != "source_line"} for k, p in posts.items()}


# -- X API v2 pages ----------------------------------------------------------------------------

def test_v2_page_maps_kinds_references_times_and_counts(tmp_path):
    db, res = _ingest(tmp_path, X / "v2_page.json")
    assert [(r.format, r.rows_in, r.rows_stored, r.rows_quarantined) for r in res] == [
        ("x-v2", 5, 5, 0)]
    p = _posts(db)
    assert set(p) == {T1, T2, T3, T4, T5, T6}  # T6: the replied-to tweet, from includes
    seed = p[T1]
    assert (seed["kind"], seed["author_id"], seed["client"], seed["lang"]) == (
        "original", SEEDER, "Twitter Web App", "en")
    # created_at says 12:00:00.000Z (seconds); the Snowflake id gives the milliseconds.
    assert iso_utc(seed["created_ms"]) == "2022-03-01T12:00:00.123Z"
    assert (seed["time_precision"], seed["time_source"]) == ("ms", "snowflake")
    assert iso_utc(seed["declared_ms"]) == "2022-03-01T12:00:00.000Z"
    assert (seed["like_count"], seed["reshare_count"], seed["reply_count"],
            seed["quote_count"]) == (5, 2, 0, 2)
    assert seed["root_post_id"] == T1 and seed["text"].startswith("Vote NO on the dam!\n")
    assert json.loads(seed["extra"])["impression_count"] == 900

    for rt, author in ((T2, AMP2), (T3, AMP3)):
        assert (p[rt]["kind"], p[rt]["author_id"], p[rt]["ref_post_id"], p[rt]["ref_author_id"],
                p[rt]["ref_author_handle"]) == ("reshare", author, T1, SEEDER, "seeder_one")
        assert iso_utc(p[rt]["ref_created_ms"]) == "2022-03-01T12:00:00.123Z"
        # A retweet's public_metrics are the original's: not stored as the retweet's own.
        assert p[rt]["like_count"] is None and p[rt]["reshare_count"] is None
        assert p[rt]["text"].startswith("RT @seeder_one: ")
    assert iso_utc(p[T2]["created_ms"]) == "2022-03-01T12:00:04.500Z"
    assert iso_utc(p[T3]["created_ms"]) == "2022-03-01T12:00:05.010Z"

    quote = p[T4]
    assert (quote["kind"], quote["ref_post_id"], quote["quoted_post_id"],
            quote["ref_author_id"]) == ("quote", T1, T1, SEEDER)
    reply = p[T5]
    assert (reply["kind"], reply["ref_post_id"], reply["reply_to_post_id"],
            reply["reply_to_author_id"], reply["ref_author_id"], reply["ref_author_handle"],
            reply["root_post_id"]) == ("reply", T6, T6, CRITIC, CRITIC, "critic_four", T6)
    assert iso_utc(reply["ref_created_ms"]) == "2022-03-01T09:30:00.250Z"
    aux = p[T6]
    assert (aux["kind"], aux["author_id"], aux["like_count"]) == ("original", CRITIC, 40)


def test_v2_ids_stay_exact_strings_beyond_float_precision(tmp_path):
    db, _ = _ingest(tmp_path, X / "v2_page.json")
    p = _posts(db)
    assert p[T3]["author_id"] == AMP3 == "1490000000000000001"
    # The id is above 2^53: a float could not have carried it.
    assert int(float(AMP3)) != int(AMP3) and int(AMP3) > 2**53
    assert AMP3 in _accounts(db)


def test_v2_entities_are_normalised_and_retweets_get_the_originals(tmp_path):
    db, _ = _ingest(tmp_path, X / "v2_page.json")
    seed = _entities(db, T1)
    tags = [(e[1], e[2]) for e in seed if e[0] == "hashtag"]
    assert tags == [("SaveTheRiver", "savetheriver"), ("NoDam", "nodam")]
    # unwound_url (after the shortener) wins; tracking parameters leave the normalised form;
    # the link to the attached photo is the media entity, not a shared URL.
    assert [(e[1], e[2]) for e in seed if e[0] == "url"] == [
        ("https://news.example.org/story/7?utm_source=tw", "news.example.org/story/7")]
    assert [(e[1], e[3], e[4]) for e in seed if e[0] == "media"] == [
        ("https://pbs.twimg.com/media/FMx1AbC.jpg", "photo", "A cartoon mocking the critic")]
    assert [(e[1], e[2]) for e in seed if e[0] == "mention"] == [("critic_four", CRITIC)]
    # T2 carries only the RT mention; T3's text is cut with a partial hashtag list.
    for rt in (T2, T3):
        ents = _entities(db, rt)
        assert [e[2] for e in ents if e[0] == "hashtag"] == ["savetheriver", "nodam"]
        assert [e[2] for e in ents if e[0] == "url"] == ["news.example.org/story/7"]
        assert sorted(e[2] for e in ents if e[0] == "mention") == sorted([SEEDER, CRITIC])
    # A mention without an id is resolved through includes.users.
    assert [(e[1], e[2]) for e in _entities(db, T5) if e[0] == "mention"] == [
        ("critic_four", CRITIC)]


def test_v2_accounts_come_from_includes_users(tmp_path):
    db, _ = _ingest(tmp_path, X / "v2_page.json")
    acc = _accounts(db)
    assert set(acc) == {SEEDER, AMP2, AMP3, CRITIC}
    s = acc[SEEDER]
    assert (s["handle"], s["display_name"], s["location"], s["url"]) == (
        "seeder_one", "Seeder One", "Boston, MA", "https://seeder.example.com/about")
    assert s["description"] == "Patriot. Truth teller.\nRT \u2260 endorsement"
    assert iso_utc(s["created_ms"]) == "2019-03-01T10:00:00.000Z"
    assert s["created_precision"] == "s"  # v2's `.000Z` milliseconds are always zero
    assert (s["followers"], s["following"], s["posts_count"], s["listed_count"],
            s["likes_count"], s["verified"]) == (1200, 300, 5400, 3, 77, False)
    assert s["avatar_url"] == "https://pbs.twimg.com/profile_images/1111/a1_normal.jpg"
    assert s["default_profile_image"] is False
    assert acc[AMP2]["default_profile_image"] is True  # served from default_profile_images/
    assert json.loads(acc[CRITIC]["extra"])["verified_type"] == "blue"
    caps = _one(db, "SELECT capabilities FROM datasets")[0][0]
    caps = json.loads(caps)
    assert "like_edges" not in caps and "like_times" not in caps
    assert caps["post_time_ms"] == caps["reshare_author"] == caps["media"] == "full"


def test_twarc2_raw_counts_reconcile_and_say_why(tmp_path):
    db, res = _ingest(tmp_path, X / "twarc2_raw.jsonl")
    r = res[0]
    assert (r.format, r.rows_in, r.rows_stored, r.rows_quarantined) == ("x-v2", 11, 9, 2)
    assert r.rows_in == r.rows_stored + r.rows_quarantined
    q = _one(db, "SELECT line, reason FROM quarantine ORDER BY line")
    assert q[0][0] == 2 and q[0][1].startswith("not valid JSON")
    assert q[1][0] == 3 and q[1][1].startswith("data[3]: ") and "no author_id" in q[1][1]
    p = _posts(db)
    assert len(p) == 9 == _one(db, "SELECT count(*) FROM posts")[0][0]
    # T6 came first as an expansion on line 1, then as a tweet of the page on line 3: one row.
    assert p[T6]["source_line"] == 3
    ghost = p[T8]  # retweet of a deleted tweet: no expansion, the handle from "RT @x:"
    assert (ghost["kind"], ghost["ref_post_id"], ghost["ref_author_id"],
            ghost["ref_author_handle"]) == ("reshare", T0, None, "ghost_acct")
    old = p["20"]  # not a Snowflake id: the declared time, to the second
    assert (iso_utc(old["created_ms"]), old["time_precision"], old["time_source"]) == (
        "2006-03-21T20:50:14.000Z", "s", "declared")
    both = p[T7]  # a reply that also quotes
    assert (both["kind"], both["ref_post_id"], both["quoted_post_id"]) == ("reply", T6, T1)
    assert any("API error" in n for n in r.notes)
    caps = json.loads(_one(db, "SELECT capabilities FROM datasets")[0][0])
    assert caps["post_time_ms"] == "partial" and caps["reshare_author"] == "partial"
    assert caps["account_profile"] == "partial"  # tweet 20's author is not in includes
    observed = {a["observed_ms"] for a in _accounts(db).values()}
    assert [iso_utc(o) for o in observed] == ["2022-03-02T08:15:00.000Z"]  # __twarc


def test_an_expansion_seen_before_its_tweet_is_stored_once_even_across_flushes(
        tmp_path, monkeypatch):
    monkeypatch.setattr(writer, "FLUSH_ROWS", 1)
    db, res = _ingest(tmp_path, X / "twarc2_raw.jsonl")
    assert res[0].rows_stored == 9
    assert _one(db, "SELECT count(*), count(DISTINCT post_id) FROM posts")[0] == (9, 9)
    assert _one(db, f"SELECT count(*) FROM post_entities WHERE post_id = '{T6}'")[0][0] == 1


def test_twarc2_flattened_gives_the_same_rows_as_raw_pages(tmp_path):
    raw_db, _ = _ingest(tmp_path, X / "twarc2_raw.jsonl", name="raw.duckdb")
    flat_db, res = _ingest(tmp_path, X / "twarc2_flat.jsonl", name="flat.duckdb")
    assert [(r.format, r.rows_in, r.rows_stored, r.rows_quarantined) for r in res] == [
        ("twarc2-flat", 11, 9, 2)]
    assert _comparable(_posts(flat_db)) == _comparable(_posts(raw_db))
    assert _entities(flat_db) == _entities(raw_db)
    strip = {"dataset_id"}
    assert ({k: {c: v for c, v in a.items() if c not in strip}
             for k, a in _accounts(flat_db).items()}
            == {k: {c: v for c, v in a.items() if c not in strip}
                for k, a in _accounts(raw_db).items()})


def test_a_file_mixing_flattened_tweets_and_raw_pages_reads_each_line(tmp_path):
    flat = (X / "twarc2_flat.jsonl").read_text().splitlines()
    raw = (X / "twarc2_raw.jsonl").read_text().splitlines()
    # The first page flattened (5 tweets, then a garbage line), the second page raw.
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text("\n".join(flat[:6] + [raw[2]]) + "\n")
    db, res = _ingest(tmp_path, mixed, name="mixed.duckdb")
    raw_db, _ = _ingest(tmp_path, X / "twarc2_raw.jsonl", name="raw.duckdb")
    assert (res[0].rows_in, res[0].rows_stored, res[0].rows_quarantined) == (11, 9, 2)
    assert _comparable(_posts(db)) == _comparable(_posts(raw_db))


def test_a_pretty_printed_document_larger_than_the_head_is_read_whole(tmp_path):
    page = json.loads((X / "v2_page.json").read_text())
    seed = next(t for t in page["data"] if t["id"] == T1)
    base = int(T1)
    tweets = []
    for i in range(1500):
        t = dict(seed, id=str(base + (i + 1) * (1 << 22)), conversation_id=None)
        tweets.append(t)
    page["data"] = tweets + page["data"]
    big = tmp_path / "big_page.json"
    big.write_text(json.dumps(page, indent=4))
    assert big.stat().st_size > 2 * 256 * 1024
    db, res = _ingest(tmp_path, big)
    assert (res[0].format, res[0].rows_in, res[0].rows_stored) == ("x-v2", 1505, 1505)
    # A second later each: Snowflake times of the generated ids.
    p = _posts(db)
    assert iso_utc(p[str(base + 1500 * (1 << 22))]["created_ms"]) == "2022-03-01T12:00:01.623Z"


def test_a_json_array_of_pages_is_read_element_by_element(tmp_path):
    lines = (X / "twarc2_raw.jsonl").read_text().splitlines()
    pages = [json.loads(lines[0]), json.loads(lines[2])]
    arr = tmp_path / "pages.json"
    arr.write_text(json.dumps(pages, indent=2))
    db, res = _ingest(tmp_path, arr)
    assert (res[0].format, res[0].rows_in, res[0].rows_stored, res[0].rows_quarantined) == (
        "x-v2", 10, 9, 1)
    # Each page's tweets carry the line its page starts on.
    assert _posts(db)[T5]["source_line"] == 2


def test_a_malformed_document_names_the_line(tmp_path):
    lines = (X / "v2_page.json").read_text().split("\n")
    broken_at = 40
    lines[broken_at - 1] = lines[broken_at - 1] + " ]]"  # stray brackets
    bad = tmp_path / "broken.json"
    bad.write_text("\n".join(lines))
    with pytest.raises(InputError) as e:
        _ingest(tmp_path, bad)
    assert e.value.line == broken_at and str(bad) in e.value.one_line()
    assert "malformed JSON" in e.value.problem
    with Store(tmp_path / "case.duckdb") as s:
        assert s.count("posts") == 0  # nothing of a failed source is kept


# -- twarc-csv ---------------------------------------------------------------------------------

def test_twarc_csv_rows_map_like_the_pages_they_came_from(tmp_path):
    db, res = _ingest(tmp_path, X / "twarc_csv_0.7.2.csv", name="csv.duckdb")
    r = res[0]
    assert (r.format, r.rows_in, r.rows_stored, r.rows_quarantined) == ("twarc-csv", 11, 9, 2)
    q = _one(db, "SELECT line, reason FROM quarantine ORDER BY line")
    assert q[0][0] == 4 and "1.49863E+18" in q[0][1]  # a rounded id is refused, not guessed
    assert "no author_id" in q[1][1]
    raw_db, _ = _ingest(tmp_path, X / "twarc2_raw.jsonl", name="raw.duckdb")
    csv_p, raw_p = _posts(db), _posts(raw_db)
    assert set(csv_p) == set(raw_p)
    same = ("author_id", "kind", "ref_post_id", "ref_author_id", "ref_author_handle",
            "ref_created_ms", "reply_to_post_id", "reply_to_author_id", "quoted_post_id",
            "created_ms", "time_precision", "client", "lang", "like_count")
    for pid in raw_p:
        assert {c: csv_p[pid][c] for c in same} == {c: raw_p[pid][c] for c in same}, pid
    # Escaped `\n` in the CSV is a newline again; a real newline in a quoted cell survives.
    assert csv_p[T1]["text"] == raw_p[T1]["text"]
    assert csv_p[T6]["text"] == "The dam report is out:\nhttps://t.co/r6link"
    # merge_retweets: a retweet row carries the original's text (not "RT @...").
    assert csv_p[T2]["text"] == raw_p[T1]["text"]


def test_twarc_csv_entities_lose_their_prefixes_and_media_links(tmp_path):
    db, _ = _ingest(tmp_path, X / "twarc_csv_0.7.2.csv")
    seed = _entities(db, T1)
    assert [e[1] for e in seed if e[0] == "hashtag"] == ["SaveTheRiver", "NoDam"]
    assert [(e[1], e[2]) for e in seed if e[0] == "mention"] == [("critic_four", "critic_four")]
    assert [e[1] for e in seed if e[0] == "url"] == ["https://bit.ly/3xYz"]  # no pic.twitter
    assert [(e[1], e[4]) for e in seed if e[0] == "media"] == [
        ("https://pbs.twimg.com/media/FMx1AbC.jpg", "A cartoon mocking the critic")]
    acc = _accounts(db)
    assert acc[SEEDER]["description"] == "Patriot. Truth teller.\nRT \u2260 endorsement"
    assert (acc[SEEDER]["followers"], acc[SEEDER]["likes_count"]) == (1200, 77)  # "1200.0"
    assert acc[CRITIC]["verified"] is True and acc[AMP2]["default_profile_image"] is True


def test_twarc_csv_with_json_encoded_text_is_decoded(tmp_path):
    rows = list(csv.reader(io.StringIO((X / "twarc_csv_0.7.2.csv").read_text())))
    i = rows[0].index("text")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(rows[0])
    for r in rows[1:]:
        # --json-encode-text writes every string cell (ids too, newlines and all) as a JSON
        # string; lists stay JSON lists, and pandas floats and booleans are not strings.
        r[i] = r[i].replace("\\n", "\n")
        w.writerow([c if not c or c.startswith("[") or c in ("True", "False")
                    or c.replace(".", "", 1).isdigit() and "." in c else json.dumps(c)
                    for c in r])
    f = tmp_path / "encoded.csv"
    f.write_text(buf.getvalue())
    db, res = _ingest(tmp_path, f)
    assert res[0].notes[0].startswith("text cells are JSON-encoded")
    assert (res[0].rows_stored, res[0].rows_quarantined) == (9, 2)  # the ids are quoted too
    assert _posts(db)[T1]["text"].startswith("Vote NO on the dam!\n#SaveTheRiver")


# -- X API v1.1 --------------------------------------------------------------------------------

def test_v11_keeps_the_first_line_and_maps_every_status(tmp_path):
    db, res = _ingest(tmp_path, X / "v11_statuses.jsonl")
    r = res[0]
    assert (r.format, r.rows_in, r.rows_stored, r.rows_quarantined) == ("x-v1.1", 11, 9, 2)
    assert r.notes == ["stream notices skipped (not statuses): 1 delete"]
    assert [x[0] for x in _one(db, "SELECT line FROM quarantine ORDER BY line")] == [5, 9]
    p = _posts(db)
    assert set(p) == {S1, S2, S4, S6, S9, S10, S11, "12345", S13}
    first = p[S1]
    assert first["source_line"] == 1  # the peer tool drops this one
    assert first["text"].endswith("#StopTheLies #DamGate https://t.co/l1link https://t.co/p1pic")
    assert (first["client"], json.loads(first["extra"])["client_url"]) == (
        "Twitter for iPhone", "http://twitter.com/download/iphone")
    assert iso_utc(first["created_ms"]) == "2018-10-10T20:19:24.456Z"
    assert iso_utc(first["declared_ms"]) == "2018-10-10T20:19:24.000Z"
    assert (first["like_count"], first["reshare_count"], first["quote_count"]) == (10, 3, 1)
    rt = p[S2]
    assert (rt["kind"], rt["author_id"], rt["ref_post_id"], rt["ref_author_id"],
            rt["ref_author_handle"], rt["like_count"]) == (
        "reshare", EAGLE, S1, PAT, "pat_riot_usa", None)
    assert iso_utc(rt["ref_created_ms"]) == "2018-10-10T20:19:24.456Z"
    assert (p[S4]["kind"], p[S4]["ref_post_id"], p[S4]["quoted_post_id"],
            p[S4]["ref_author_id"], p[S4]["client"]) == (
        "quote", S1, S1, PAT, "Twitter Web Client")
    # Only numeric ids in this status: Python's json reads them exactly.
    assert (p[S6]["kind"], p[S6]["ref_post_id"], p[S6]["reply_to_author_id"],
            p[S6]["ref_author_handle"]) == ("reply", S4, NEWS, "news_critic")
    assert (p[S10]["kind"], p[S10]["ref_post_id"], p[S10]["ref_author_id"],
            p[S10]["quoted_post_id"]) == ("reshare", S4, NEWS, None)
    assert (p[S11]["kind"], p[S11]["ref_post_id"], p[S11]["ref_author_id"]) == (
        "reply", None, PAT)
    assert (p["12345"]["time_precision"], p["12345"]["time_source"], p[S9]["client"]) == (
        "s", "declared", "web")


def test_v11_entities_come_from_the_object_holding_the_full_text(tmp_path):
    db, _ = _ingest(tmp_path, X / "v11_statuses.jsonl")
    first = _entities(db, S1)
    assert [e[1] for e in first if e[0] == "hashtag"] == ["StopTheLies", "DamGate"]
    assert [e[2] for e in first if e[0] == "url"] == ["fake-news.example.net/a?id=9"]
    assert [(e[1], e[4]) for e in first if e[0] == "media"] == [
        ("https://pbs.twimg.com/media/DpR1aBc.jpg", "Blurry photo of a dam")]
    rt = _entities(db, S2)
    assert [e[1] for e in rt if e[0] == "hashtag"] == ["StopTheLies", "DamGate"]
    assert [(e[1], e[2]) for e in _entities(db, S13) if e[0] == "mention"] == [
        ("pat_riot_usa", PAT), ("News_Critic", NEWS)]
    assert [(e[1], e[2]) for e in _entities(db, S9) if e[0] == "cashtag"] == [
        ("DAMCO", "damco")]


def test_v11_accounts_from_user_objects(tmp_path):
    db, _ = _ingest(tmp_path, X / "v11_statuses.jsonl")
    acc = _accounts(db)
    assert set(acc) == {PAT, EAGLE, NEWS}
    pat = acc[PAT]
    assert (pat["handle"], pat["display_name"], pat["url"], pat["lang"], pat["followers"],
            pat["following"], pat["posts_count"], pat["likes_count"], pat["listed_count"]) == (
        "pat_riot_usa", "Pat Riot", "https://patriot.example.com", "ru", 1500, 1400, 30000,
        200, 2)
    assert iso_utc(pat["created_ms"]) == "2019-01-07T10:00:00.000Z"
    assert pat["created_precision"] == "s"
    assert json.loads(pat["extra"])["time_zone"] == "Moscow"
    egg = acc[EAGLE]
    assert (egg["default_profile"], egg["default_profile_image"]) == (True, True)


def test_v11_json_array_reads_like_json_lines(tmp_path):
    statuses = []
    for line in (X / "v11_statuses.jsonl").read_text().splitlines():
        try:
            statuses.append(json.loads(line))
        except ValueError:
            continue
    arr = tmp_path / "statuses.json"
    arr.write_text(json.dumps(statuses, indent=1, ensure_ascii=False))
    db, res = _ingest(tmp_path, arr, name="arr.duckdb")
    assert (res[0].format, res[0].rows_in, res[0].rows_quarantined) == ("x-v1.1", 10, 1)
    lines_db, _ = _ingest(tmp_path, X / "v11_statuses.jsonl", name="lines.duckdb")
    assert _comparable(_posts(db)) == _comparable(_posts(lines_db))
    assert _posts(db)[S1]["source_line"] == 2  # the element starts on line 2, after "["


def test_v11_search_response_document(tmp_path):
    statuses = [json.loads(ln) for ln in (X / "v11_statuses.jsonl").read_text().splitlines()[:2]]
    f = tmp_path / "search.json"
    f.write_text(json.dumps({"statuses": statuses, "search_metadata": {"count": 2}}, indent=2))
    db, res = _ingest(tmp_path, f)
    assert (res[0].format, res[0].rows_in, res[0].rows_stored) == ("x-v1.1", 2, 2)
    assert set(_posts(db)) == {S1, S2}


def test_v11_hostile_values(tmp_path):
    good = json.loads((X / "v11_statuses.jsonl").read_text().splitlines()[0])
    float_id = dict(good)
    float_id.pop("id_str")
    lone = dict(good, id_str="1050118622225191331", full_text="cut emoji \ud83d")
    f = tmp_path / "hostile.jsonl"
    with open(f, "wb") as out:
        for i in range(2, 10):
            out.write(json.dumps(dict(good, id_str=str(int(S1) + i))).encode() + b"\n")
        out.write(json.dumps(float_id).replace(f'"id": {S1}', '"id": 1.0501186222251913e+18')
                  .encode() + b"\n")
        out.write(json.dumps(lone).encode() + b"\n")  # ensure_ascii: a lone \\ud83d escape
        out.write(b'{"id_str": "1", "text": "caf\xe9"}\n')  # Latin-1 byte, not UTF-8
    db, res = _ingest(tmp_path, f)
    assert (res[0].rows_in, res[0].rows_stored, res[0].rows_quarantined) == (11, 9, 2)
    reasons = [r[0] for r in _one(db, "SELECT reason FROM quarantine ORDER BY line")]
    assert "usable id_str" in reasons[0] and "undecodable bytes" in reasons[1]
    assert _posts(db)["1050118622225191331"]["text"] == "cut emoji \ufffd"


# -- recognition, compression, CLI -------------------------------------------------------------

@pytest.mark.parametrize(("name", "fmt"), [
    ("v2_page.json", "x-v2"), ("twarc2_raw.jsonl", "x-v2"),
    ("twarc2_flat.jsonl", "twarc2-flat"), ("twarc_csv_0.7.2.csv", "twarc-csv"),
    ("v11_statuses.jsonl", "x-v1.1")])
def test_the_format_is_recognised_from_content(name, fmt):
    (src,) = sources_for(X / name)
    assert choose(read_head(src), src).name == fmt


def test_gzip_and_zip_inputs_read_the_same(tmp_path):
    gz_lines = tmp_path / "statuses.jsonl.gz"
    gz_lines.write_bytes(gzip.compress((X / "v11_statuses.jsonl").read_bytes()))
    gz_doc = tmp_path / "page.json.gz"  # a pretty-printed document through gzip
    gz_doc.write_bytes(gzip.compress((X / "v2_page.json").read_bytes()))
    zp = tmp_path / "collection.zip"
    with zipfile.ZipFile(zp, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(X / "twarc_csv_0.7.2.csv", "search/tweets.csv")
    got = []
    for i, path in enumerate((gz_lines, gz_doc, zp)):
        _, res = _ingest(tmp_path, path, name=f"c{i}.duckdb")
        got += [(r.format, r.rows_in, r.rows_stored, r.rows_quarantined) for r in res]
    assert got == [("x-v1.1", 11, 9, 2), ("x-v2", 5, 5, 0), ("twarc-csv", 11, 9, 2)]


def test_reading_is_deterministic(tmp_path):
    dumps = []
    for i in range(2):
        db, _ = _ingest(tmp_path, X / "twarc2_raw.jsonl", X / "v11_statuses.jsonl",
                        name=f"run{i}.duckdb")
        with Store(db) as s:
            dumps.append([s.execute(f"SELECT * FROM {t} ORDER BY ALL")
                          for t in ("posts", "post_entities", "accounts", "quarantine")])
    assert dumps[0] == dumps[1]


@pytest.mark.parametrize("forced", [[], ["--format", "x-v1.1"]])
def test_cli_garbage_v11_file_exits_2_naming_file_and_line(tmp_path, forced):
    f = tmp_path / "statuses.jsonl"
    f.write_text('{"id_str": "12", "created_at": "Wed Oct 10 20:19:24 +0000 2018", "user"\n'
                 "not json either\n{{{\n")
    result = CliRunner().invoke(app, ["ingest", str(f), "--db", str(tmp_path / "c.duckdb"),
                                      *forced])
    assert result.exit_code == 2
    out = result.output.strip()
    assert len(out.splitlines()) == 1
    assert f"{f}, line 1:" in out
