"""The Twitter IO-archive reader, on a fixture written from the documented schema and on the
real thailand_092020 release."""

import duckdb

from inconcert.ingest import ingest_paths
from inconcert.store import Store
from inconcert.timeutil import iso_utc

from .conftest import FIXTURES, shared_data


def _ingest(tmp_path, *paths):
    db = tmp_path / "case.duckdb"
    with Store(db) as s:
        res = ingest_paths(s, list(paths))
    return db, res


def test_io_tweets_fixture_maps_every_documented_trap(tmp_path):
    db, res = _ingest(tmp_path, FIXTURES / "io/campaign_tweets_csv_hashed.csv",
                      FIXTURES / "io/campaign_users_csv_hashed.csv")
    assert [(r.format, r.rows_in, r.rows_stored, r.rows_quarantined) for r in res] == [
        ("io-tweets", 4, 4, 0), ("io-users", 3, 3, 0)]
    con = duckdb.connect(str(db), read_only=True)
    posts = {r[0]: r for r in con.execute(
        "SELECT post_id, kind, ref_post_id, ref_author_id, ref_author_handle, time_precision, "
        "created_ms, text, reply_to_author_id, quoted_post_id FROM posts").fetchall()}
    first = posts["1196659470232772609"]
    assert first[1] == "original" and first[5] == "ms"
    assert iso_utc(first[6]) == "2019-11-19T05:20:25.218Z"
    assert "\n" in first[7]  # embedded newline survived
    rt = posts["1196659500000000000"]
    assert rt[1:5] == ("reshare", "1196659470232772609", None, "seeder_acct")
    assert posts["1196659600000000000"][1] == "reply"
    assert posts["1196659600000000000"][8] == "555"
    assert posts["1196659700000000000"][1] == "quote"
    ents = con.execute("SELECT post_id, entity, value, normalized FROM post_entities "
                       "ORDER BY post_id, entity, position").fetchall()
    urls = [e for e in ents if e[1] == "url"]
    assert urls == [("1196659470232772609", "url", "https://www.example.com/a?utm_source=x",
                     "example.com/a")]  # the empty list item is not a URL
    tags = sorted(e[2] for e in ents if e[1] == "hashtag")
    assert tags == ["News", "tag1", "tag2", "ข่าว"]
    mentions = sorted(e[3] for e in ents if e[1] == "mention")
    assert mentions == ["123456", "555", "ZmFrZWhhc2g="]  # ids kept exactly, hashed or not
    accs = {r[0]: r for r in con.execute(
        "SELECT account_id, id_is_hashed, handle, display_name, created_precision, location "
        "FROM accounts").fetchall()}
    hashed = accs["vMm2zemFOF7kmXoDyX24Bo+TorqhNutpZlATYyxsE="]
    assert hashed[1] is True and hashed[2] is None and hashed[3] is None
    assert accs["987654321"][1:6] == (False, "jane_doe123", "Jane Doe", "day", "Texas, USA")
    assert "111" in accs  # only in the users file


def test_reingesting_the_same_file_adds_nothing(tmp_path):
    f = FIXTURES / "io/campaign_tweets_csv_hashed.csv"
    db, _ = _ingest(tmp_path, f)
    with Store(db) as s:
        again = ingest_paths(s, [f])
        assert again[0].skipped
        assert s.count("posts") == 4 and s.count("post_entities") == 8


def test_thailand_release_ingests_exactly(tmp_path):
    d = shared_data("thailand_io_092020")
    db, res = _ingest(tmp_path, d / "thailand_092020_tweets_csv_hashed.csv.gz",
                      d / "thailand_092020_users_csv_hashed.csv.gz")
    assert [(r.rows_in, r.rows_stored, r.rows_quarantined) for r in res] == [
        (21385, 21385, 0), (926, 926, 0)]
    with Store(db) as s:
        assert s.count("posts") == 21385
        assert s.count("accounts") == 926
        assert s.count("quarantine") == 0
        # every tweet time recovered to the millisecond from its Snowflake id
        assert s.count("posts", "time_precision = 'ms' AND time_source = 'snowflake'") == 21385
        assert s.count("posts", "kind = 'reshare'") == 11199
        assert s.count("posts", "kind = 'reshare' AND ref_author_id IS NOT NULL") == 437
        sample = s.execute("SELECT created_ms FROM posts WHERE post_id = "
                           "'1196659470232772609'")
        assert iso_utc(sample[0][0]) == "2019-11-19T05:20:25.218Z"
