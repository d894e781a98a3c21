"""The coordination-network-toolkit, FiveThirtyEight IRA and CooRTweet readers: field mappings on
fixtures written from the documented layouts, and exact counts on the real data sets."""

import json

import duckdb
import pytest

from inconcert.errors import InputError
from inconcert.ingest import ingest_paths
from inconcert.store import Store
from inconcert.timeutil import iso_utc

from .conftest import FIXTURES, shared_data

SNOWFLAKE_EPOCH_MS = 1288834974657  # formats.md §7: (id >> 22) + this = ms since 1970


def _ingest(tmp_path, *paths, fmt=None, name="case.duckdb"):
    db = tmp_path / name
    with Store(db) as s:
        res = ingest_paths(s, list(paths), fmt=fmt)
    return db, res


def _rows(db, sql):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _counts(res):
    return [(r.format, r.rows_in, r.rows_stored, r.rows_quarantined) for r in res]


# -- coordination-network-toolkit CSV ---------------------------------------------------------
def test_cnt_csv_maps_every_column(tmp_path):
    db, res = _ingest(tmp_path, FIXTURES / "cnt/messages.csv")
    assert _counts(res) == [("cnt-csv", 6, 6, 0)]
    posts = {r[0]: r for r in _rows(db, """
        SELECT post_id, author_id, kind, ref_post_id, reply_to_post_id, ref_author_handle,
               created_ms, time_precision, time_source, text, source_line, ref_created_ms
        FROM posts""")}
    first = posts["1196659470232772609"]
    assert first[1:3] == ("1001", "original")
    assert first[9] == "Original with two links\nand a newline, and a comma"
    # the Snowflake time agrees with the declared second, so it replaces it
    assert first[6] == (1196659470232772609 >> 22) + SNOWFLAKE_EPOCH_MS
    assert first[7:9] == ("ms", "snowflake")
    rt = posts["1196659500000000000"]
    assert rt[2:6] == ("reshare", "1196659470232772609", None, "alice")
    assert rt[11] == (1196659470232772609 >> 22) + SNOWFLAKE_EPOCH_MS
    reply = posts["1196659600000000000"]
    assert reply[2:5] == ("reply", "1196659470232772609", "1196659470232772609")
    # ids beyond 2^53 stay exact, and a non-Snowflake id keeps its declared second
    old = posts["9007199254740993"]
    assert old[6:9] == (1300000000000, "s", "declared")
    # a declared time the Snowflake disagrees with is kept as declared
    late = posts["1196659800000000000"]
    assert late[6:9] == (1574141000000, "s", "declared")
    # line numbers count the embedded newline of the first message
    assert [posts[k][10] for k in ("1196659470232772609", "1196659500000000000")] == [2, 4]
    urls = _rows(db, "SELECT post_id, position, value, normalized FROM post_entities "
                     "WHERE entity = 'url' ORDER BY post_id, position")
    # an empty cell, '' and "" are never URLs; the two real ones are normalised
    assert urls == [("1196659470232772609", 0, "https://www.example.com/a?utm_source=x",
                     "example.com/a"),
                    ("1196659470232772609", 1, "http://example.org/b/", "example.org/b")]
    accs = dict(_rows(db, "SELECT account_id, handle FROM accounts"))
    assert accs == {"1001": "alice", "1002": "bob", "1003": "carol", "1004": "dave",
                    "1005": "eve"}
    ds = _rows(db, "SELECT platform, notes FROM datasets")[0]
    assert ds[0] == "x" and "platform recorded as 'x'" in ds[1]


@pytest.mark.parametrize(("name", "fmt"), [("headerless.csv", "cnt-csv"),
                                           ("renamed.csv", "cnt-csv"), ("indexed.csv", None)])
def test_cnt_csv_reads_headerless_renamed_and_indexed_files_by_position(tmp_path, name, fmt):
    db_ref, _ = _ingest(tmp_path, FIXTURES / "cnt/messages.csv", name="ref.duckdb")
    db, res = _ingest(tmp_path, FIXTURES / "cnt" / name, fmt=fmt)
    assert _counts(res) == [("cnt-csv", 6, 6, 0)]
    q = ("SELECT post_id, author_id, kind, ref_post_id, created_ms, text, source_line - "
         "(SELECT min(source_line) FROM posts) FROM posts ORDER BY post_id")
    assert _rows(db, q) == _rows(db_ref, q)
    if name == "headerless.csv":  # the first row is data, on line 1
        assert _rows(db, "SELECT min(source_line) FROM posts") == [(1,)]


def test_cnt_csv_is_not_guessed_without_its_header(tmp_path):
    with pytest.raises(InputError, match="unknown layout"):
        _ingest(tmp_path, FIXTURES / "cnt/headerless.csv")


# -- FiveThirtyEight IRA ----------------------------------------------------------------------
def test_ira_original_keys_accounts_on_alt_external_id(tmp_path):
    db, res = _ingest(tmp_path, FIXTURES / "ira/IRAhandle_tweets_fixture.csv")
    assert _counts(res) == [("ira538", 6, 5, 1)]
    assert _rows(db, "SELECT reason FROM quarantine") == [("empty alt_external_id",)]
    accs = {r[0]: r for r in _rows(db, "SELECT account_id, handle, extra FROM accounts")}
    # two accounts share the float-rounded external id; neither is keyed on it
    assert set(accs) == {"905874659358453760", "906012345678901234", "2528776985"}
    assert json.loads(accs["905874659358453760"][2])["account_category"] == "RightTroll"
    posts = {r[0]: r for r in _rows(db, """
        SELECT post_id, author_id, kind, ref_post_id, ref_author_handle, time_precision,
               created_ms, declared_ms, lang, extra FROM posts""")}
    orig = posts["1196659470232772609"]
    assert orig[1:3] == ("905874659358453760", "original")
    assert iso_utc(orig[6]) == "2019-11-19T05:20:25.218Z" and orig[5] == "ms"
    assert json.loads(orig[9]) == {"followers": 9636, "following": 1052,
                                   "harvested_date": "11/19/2019 5:21",
                                   "region": "United States", "updates": 253}
    assert posts["1196659500000000000"][2:5] == ("reshare", None, "10_GOP")
    assert posts["1196659600000000000"][2] == "quote"
    # a publish_date five hours from the Snowflake time is kept, at minute precision
    shifted = posts["1196659700000000000"]
    assert (shifted[5], iso_utc(shifted[7])) == ("minute", "2019-11-19T00:20:00.000Z")
    assert shifted[8] == "ru" and posts["1196659800000000000"][8] is None
    urls = _rows(db, "SELECT post_id, normalized FROM post_entities ORDER BY 1, position")
    assert urls == [("1196659470232772609", "example.com/story"),
                    ("1196659600000000000", "example.org/one"),
                    ("1196659600000000000", "example.org/two")]
    ds = _rows(db, "SELECT notes, capabilities FROM datasets")[0]
    assert "read as UTC" in ds[0] and "4 of 5 publish dates agree" in ds[0]
    assert json.loads(ds[1])["post_time_ms"] == "partial"


def test_ira_split_synthesises_stable_ids(tmp_path):
    f = FIXTURES / "ira/ira_tweets_fixture.csv"
    db, res = _ingest(tmp_path, f)
    assert _counts(res) == [("ira538-split", 6, 6, 0)]
    posts = _rows(db, "SELECT post_id, author_id, kind, ref_post_id, ref_author_handle, "
                      "time_precision, created_ms, lang, extra, text FROM posts "
                      "ORDER BY source_line")
    ids = [p[0] for p in posts]
    assert len(set(ids)) == 6 and all(i.startswith("ira538:") for i in ids)
    # the two identical rows are two posts
    assert posts[2][9] == posts[3][9] and posts[2][0] != posts[3][0]
    assert posts[1][2:5] == ("reshare", None, "Pamela_Moore13")
    assert posts[4][2] == "quote" and posts[4][7] == "de"
    assert {p[5] for p in posts} == {"minute"}
    assert iso_utc(posts[0][6]) == "2017-08-01T00:00:00.000Z"
    assert json.loads(posts[0][8]) == {"followers": 17076, "following": 5254,
                                       "region": "United States", "updates": 20816}
    # the same file gives the same ids in another case
    db2, _ = _ingest(tmp_path, f, name="again.duckdb")
    assert [r[0] for r in _rows(db2, "SELECT post_id FROM posts ORDER BY source_line")] == ids


def test_ira_authors_and_nbc_users(tmp_path):
    db, res = _ingest(tmp_path, FIXTURES / "ira/authors.csv", FIXTURES / "ira/nbc_users.csv")
    assert _counts(res) == [("ira538-authors", 4, 4, 0), ("ira-nbc-users", 4, 4, 0)]
    accs = {r[0]: r for r in _rows(db, "SELECT account_id, handle, extra, created_ms, "
                                       "created_precision, followers, display_name "
                                       "FROM accounts")}
    assert accs["4MySquad3312143142"][1] == "4MySquad"
    extra = json.loads(accs["4MySquad3312143142"][2])
    assert (extra["account_category"], extra["account_type"]) == ("LeftTroll", "left")
    assert extra["external_author_id"] == "3312143142"  # kept as text, never a key
    robby = accs["RobbyDelaware"]
    assert iso_utc(robby[3]) == "2009-01-07T04:38:02.000Z" and robby[4] == "s"
    assert robby[5] == 304 and json.loads(robby[2])["nbc_user_id"] == "18710816"
    # a renamed handle with the same NBC id is a second account row
    assert json.loads(accs["jenn_abrams2"][2])["nbc_user_id"] == "2882331822"
    # a row with only the id and the handle is an account without a creation date
    assert accs["TEN_GOP"][3] is None


# -- CooRTweet --------------------------------------------------------------------------------
def test_coortweet_generic_objects(tmp_path):
    db, res = _ingest(tmp_path, FIXTURES / "coortweet/generic.csv")
    assert _counts(res) == [("coortweet", 12, 10, 2)]
    reasons = [r[0] for r in _rows(db, "SELECT reason FROM quarantine ORDER BY line")]
    assert "this row says 'a6'" in reasons[0] and "unparseable timestamp_share" in reasons[1]
    posts = {r[0]: r for r in _rows(db, "SELECT post_id, author_id, kind, ref_post_id, "
                                       "created_ms, time_precision FROM posts")}
    assert len(posts) == 8
    assert posts["114e22f1b2b648528277b76f0b0224e7"][2:4] == (
        "reshare", "85d2d12251a735ce05255061f7f231e2")
    assert posts["c4"][2:4] == ("original", None)
    assert posts["c4"][4:6] == (1623881300000, "s")
    ents = _rows(db, "SELECT post_id, entity, position, normalized FROM post_entities "
                     "ORDER BY post_id, entity, position")
    assert ents == [("c4", "url", 0, "example.com/x"), ("c4", "url", 1, "example.com/y"),
                    ("c5", "hashtag", 0, "tag")]


def test_coortweet_objects_one_post_over_several_rows(tmp_path):
    db, res = _ingest(tmp_path, FIXTURES / "coortweet/objects.csv")
    assert _counts(res) == [("coortweet-objects", 11, 9, 2)]
    assert [r[0] for r in _rows(db, "SELECT reason FROM quarantine ORDER BY line")] == [
        "post '100' was given at line 2 by account 'tw_1'; this row says 'tw_9'",
        "empty post_id"]
    posts = _rows(db, "SELECT platform, post_id, author_id FROM posts ORDER BY 1, 2")
    assert posts == [("facebook", "100", "fb_7"), ("facebook", "200", "fb_2"),
                     ("x", "100", "tw_1"), ("x", "300", "tw_3"), ("x", "301", "tw_3"),
                     ("x", "302", "tw_3")]
    ents = _rows(db, "SELECT platform, post_id, entity, position, value, normalized, "
                     "media_hash FROM post_entities ORDER BY 1, 2, 3, 4")
    assert ents == [
        ("facebook", "100", "url", 0, "23678", "url_id:23678", None),
        ("facebook", "200", "hashtag", 0, "77", "hashtag_id:77", None),
        ("x", "100", "domain", 0, "3498", "domain_id:3498", None),
        ("x", "100", "hashtag", 0, "55", "hashtag_id:55", None),
        ("x", "100", "url", 0, "23678", "url_id:23678", None),
        ("x", "100", "url", 1, "23679", "url_id:23679", None),
        ("x", "300", "media", 0, "9280", "phash_id:9280", "phash_id:9280"),
        ("x", "301", "media", 0, "9280", "phash_id:9280", "phash_id:9280")]
    assert _rows(db, "SELECT platform FROM datasets") == [("facebook,x",)]


# -- real data --------------------------------------------------------------------------------
def _csv(path, sql):
    """A number computed from the raw file by DuckDB's own CSV reader (not by inconcert)."""
    con = duckdb.connect()
    try:
        con.execute(f"CREATE VIEW f AS SELECT * FROM read_csv('{path}', all_varchar=true)")
        return con.execute(sql).fetchall()[0][0]
    finally:
        con.close()


@pytest.mark.realdata
def test_coortweet_examples_ingest_exactly(tmp_path):
    d = shared_data("coortweet_examples")
    ru, de = d / "russian_coord_tweets.csv.gz", d / "german_elections.csv.gz"
    db, res = _ingest(tmp_path, ru, de)
    # README: 35,125 and 218,971 rows
    assert [(r.format, r.rows_in) for r in res] == [("coortweet", 35125),
                                                    ("coortweet-objects", 218971)]
    assert all(r.rows_in == r.rows_stored + r.rows_quarantined for r in res)
    repeated = _csv(ru, "SELECT count(*) - count(DISTINCT content_id) FROM f")
    assert res[0].rows_quarantined == repeated  # every repeated tweet id is quarantined
    assert res[1].rows_quarantined == _csv(de, "SELECT count(*) FROM f WHERE post_id IS NULL")
    with Store(db) as s:
        assert s.count("posts", "dataset_id = ?", [res[0].dataset_id]) == 35125 - repeated
        assert s.count("accounts", "platform = 'x' AND account_id NOT LIKE 'tw\\_%' "
                                   "ESCAPE '\\'") == 9509  # README: 9,509 accounts
        assert s.count("posts", "dataset_id = ? AND kind = 'reshare'",
                       [res[0].dataset_id]) == 35125 - repeated
        assert s.count("posts", "dataset_id = ?", [res[1].dataset_id]) == _csv(
            de, "SELECT count(DISTINCT post_id) FROM f")
        # README: 58,317 accounts in all, prefixed tw_ or fb_
        assert s.count("accounts", "account_id LIKE 'tw\\_%' ESCAPE '\\' OR "
                                   "account_id LIKE 'fb\\_%' ESCAPE '\\'") == 58317 - _csv(
            de, "SELECT count(DISTINCT account_id) FROM f WHERE account_id NOT IN "
                "(SELECT account_id FROM f WHERE post_id IS NOT NULL)")
        for col, kind in (("url_id", "url"), ("hashtag_id", "hashtag"),
                          ("domain_id", "domain"), ("phash_id", "media")):
            assert s.count("post_entities", "entity = ?", [kind]) == _csv(
                de, f"SELECT count(*) FROM (SELECT DISTINCT post_id, {col} FROM f "
                    f"WHERE post_id IS NOT NULL AND {col} IS NOT NULL)")


@pytest.mark.realdata
def test_ira_2017_window_ingests_exactly(tmp_path):
    d = shared_data("ira_538_russian_trolls")
    db, res = _ingest(tmp_path, d / "ira_tweets_2017-08.csv.gz", d / "authors.csv.gz",
                      d / "nbc_ira_users.csv.gz")
    # README: 188,592 tweets from 453 authors; 2,856 authors; 454 NBC users
    assert _counts(res) == [("ira538-split", 188592, 188592, 0),
                            ("ira538-authors", 2856, 2856, 0),
                            ("ira-nbc-users", 454, 454, 0)]
    with Store(db) as s:
        tweets = res[0].dataset_id
        assert s.count("posts") == 188592
        assert s.execute("SELECT count(DISTINCT author_id) FROM posts") == [(453,)]
        # every tweet author is in the roster (the README's join on author_id)
        assert s.count("accounts", "account_id IN (SELECT author_id FROM posts) AND "
                                   "json_extract_string(extra, '$.account_category') "
                                   "IS NOT NULL") == 453
        f = d / "ira_tweets_2017-08.csv.gz"
        for code, kind in (("R", "reshare"), ("Q", "quote")):
            assert s.count("posts", "kind = ? AND dataset_id = ?", [kind, tweets]) == _csv(
                f, f"SELECT count(*) FROM f WHERE post_type = '{code}'")
        assert s.count("posts", "time_precision = 'minute'") == 188592
        nbc = d / "nbc_ira_users.csv.gz"
        assert s.count("accounts", "created_ms IS NOT NULL") == _csv(
            nbc, "SELECT count(*) FROM f WHERE created_at IS NOT NULL")
