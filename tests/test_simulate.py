"""The simulator: its files ingest cleanly through the real readers, its ground truth matches the
data, it is deterministic and scales linearly, and the planted campaign and the hard negatives
have the properties detectors are tested against (measured on the ingested case)."""

import csv
import hashlib
import json
import re
from itertools import combinations

import imagehash
import pytest

from inconcert.ingest import ingest_paths
from inconcert.simulate import GROUND_TRUTH, INPUTS, ground_truth_files, input_files, simulate
from inconcert.store import Store

from .conftest import shared_data

MAIN_START_MS = 1614556800000  # 2021-03-01, start of the main period
BEIJING_OFFICE = ("extract(isodow FROM to_timestamp((created_ms + 28800000) / 1000)) <= 5 AND "
                  "(created_ms + 28800000) % 86400000 BETWEEN 9 * 3600000 AND 18 * 3600000 - 1")


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    """One platform at scale 1, ingested; labels loaded as a table."""
    out = tmp_path_factory.mktemp("sim")
    files = simulate(out / "data", seed=3, scale=1.0, scenario="classic")
    store = Store(out / "case.duckdb")
    results = ingest_paths(store, input_files(files))
    store.execute(f"CREATE TABLE labels AS SELECT * FROM read_csv('{out / 'data' / 'labels.csv'}',"
                  " all_varchar = true, header = true)")
    summary = json.loads((out / "data" / "simulation.json").read_text())
    yield {"files": files, "results": results, "store": store, "dir": out / "data",
           "summary": summary}
    store.close()


def _q(sim, sql, params=None):
    return sim["store"].execute(sql, params)


def _digests(files):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


# -- files and contract ----------------------------------------------------------------------

def test_files_ingest_through_the_real_readers_with_nothing_quarantined(sim):
    got = sorted((r.format, r.rows_quarantined) for r in sim["results"])
    assert got == [("io-tweets", 0), ("io-users", 0), ("media-manifest", 0)]
    assert _q(sim, "SELECT count(*) FROM quarantine") == [(0,)]


def test_inputs_come_first_and_are_told_apart_from_ground_truth(sim):
    names = [p.name for p in sim["files"]]
    assert names[:3] == list(INPUTS)
    assert set(names[3:]) == set(GROUND_TRUTH)
    assert [p.name for p in input_files(sim["files"])] == list(INPUTS)
    assert {p.name for p in ground_truth_files(sim["files"])} == set(GROUND_TRUTH)
    assert all(p.exists() for p in sim["files"])


def test_tweets_file_has_the_io_archive_layout(sim):
    tweets = sim["dir"] / INPUTS[0]
    with open(tweets, encoding="utf-8", newline="") as f:
        first_line = f.readline()
        rows = list(csv.reader(f))
    header = next(csv.reader([first_line]))
    assert len(header) == 30 and header[:3] == ["tweetid", "userid", "user_display_name"]
    assert first_line.startswith('"tweetid","userid"')  # every cell quoted, as released
    cols = {c: i for i, c in enumerate(header)}
    assert {r[cols["latitude"]] for r in rows} == {"absent"}
    assert {r[cols["is_retweet"]] for r in rows} == {"true", "false"}
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", r[cols["tweet_time"]]) for r in rows)
    assert all(r[cols["userid"]].isdigit() for r in rows)  # unhashed numeric ids
    lists = [r[cols[c]] for r in rows for c in ("hashtags", "urls", "user_mentions")]
    assert all(x == "[]" or re.fullmatch(r"\['.+'\]", x, re.S) for x in lists)
    assert any("\n" in r[cols["tweet_text"]] for r in rows)
    # retweets of posts outside the collection: the author only in the RT @handle: prefix
    rts = [r for r in rows if r[cols["is_retweet"]] == "true"]
    external = [r for r in rts if not r[cols["retweet_userid"]]]
    assert 0.1 < len(external) / len(rts) < 0.6
    assert all(r[cols["tweet_text"]].startswith("RT @") and r[cols["retweet_tweetid"]]
               for r in rts)


def test_real_release_header_matches(sim):
    import gzip

    real = shared_data("thailand_io_092020", "thailand_092020_tweets_csv_hashed.csv.gz")
    with gzip.open(real, "rt", encoding="utf-8") as f:
        real_header = f.readline()
    with open(sim["dir"] / INPUTS[0], encoding="utf-8") as f:
        assert f.readline() == real_header
    real_users = real.with_name("thailand_092020_users_csv_hashed.csv.gz")
    with gzip.open(real_users, "rt", encoding="utf-8") as f:
        real_users_header = f.readline()
    with open(sim["dir"] / INPUTS[1], encoding="utf-8") as f:
        assert f.readline() == real_users_header


def test_post_times_come_back_to_the_millisecond_from_snowflake_ids(sim):
    assert _q(sim, "SELECT DISTINCT time_source, time_precision FROM posts") == [
        ("snowflake", "ms")]
    n_sub_minute = _q(sim, "SELECT count(*) FROM posts WHERE created_ms % 60000 <> 0")[0][0]
    assert n_sub_minute > 0.9 * _q(sim, "SELECT count(*) FROM posts")[0][0]
    # a reshare is never older than what it reshares
    assert _q(sim, "SELECT count(*) FROM posts WHERE ref_created_ms > created_ms") == [(0,)]


def test_summary_counts_match_the_data(sim):
    c = sim["summary"]["counts"]
    assert c["posts"] == _q(sim, "SELECT count(*) FROM posts")[0][0]
    assert c["accounts"] == _q(sim, "SELECT count(*) FROM accounts")[0][0]
    assert c["media_manifest_rows"] == _q(
        sim, "SELECT count(*) FROM post_entities WHERE entity = 'media'")[0][0]
    kinds = dict(_q(sim, "SELECT kind, count(*) FROM posts GROUP BY kind"))
    assert c["posts_by_kind"] == kinds
    labels = dict(_q(sim, "SELECT label, count(*) FROM labels GROUP BY label"))
    assert c["accounts_by_label"] == labels
    by_label = dict(_q(sim, "SELECT l.label, count(*) FROM posts p JOIN labels l "
                            "ON l.account_id = p.author_id GROUP BY 1"))
    assert c["posts_by_label"] == by_label
    with open(sim["dir"] / "campaign_posts.csv", encoding="utf-8") as f:
        assert c["campaign_posts"] == sum(1 for _ in f) - 1
    for name, digest in sim["summary"]["files"].items():
        if name != "media/":
            assert hashlib.sha256((sim["dir"] / name).read_bytes()).hexdigest() == digest


def test_labels_cover_every_account_once(sim):
    with open(sim["dir"] / "labels.csv", encoding="utf-8") as f:
        header = f.readline().strip().split(",")
    assert header[:3] == ["account_id", "label", "role"]
    assert _q(sim, "SELECT count(*), count(DISTINCT account_id) FROM labels")[0] == (
        _q(sim, "SELECT count(*) FROM accounts")[0][0],) * 2
    assert _q(sim, "SELECT count(*) FROM accounts a ANTI JOIN labels l USING (account_id)") == [
        (0,)]
    assert _q(sim, "SELECT count(*) FROM posts p ANTI JOIN labels l "
                   "ON l.account_id = p.author_id") == [(0,)]
    roles = dict(_q(sim, "SELECT role, any_value(label) FROM labels GROUP BY role"))
    assert {r for r, lab in roles.items() if lab == "campaign"} == {"seeder", "amplifier",
                                                                   "hybrid"}
    assert {"organic", "fan", "idol", "newsroom", "viral_author", "viral_resharer",
            "hashtag_day", "returning", "critic"} <= set(roles)


def test_campaign_posts_ground_truth(sim):
    rows = _q(sim, f"""
        SELECT t.post_id, t.narrative, t.language, t.template, l.label, p.lang, p.kind
        FROM read_csv('{sim['dir'] / 'campaign_posts.csv'}', all_varchar = true) t
        LEFT JOIN posts p USING (post_id) LEFT JOIN labels l ON l.account_id = p.author_id""")
    assert rows and all(r[4] == "campaign" for r in rows)
    assert all(r[2] == r[5] and r[3].startswith(r[1]) for r in rows)
    narratives = {r[1] for r in rows}
    assert len(narratives) >= 5
    # the same talking points in English and in Chinese
    langs = {}
    for r in rows:
        langs.setdefault(r[1], set()).add(r[2])
    assert sum(1 for v in langs.values() if v >= {"en", "zh"}) >= 4
    # templates recur with different slot fillings, so texts of one template differ
    texts = _q(sim, f"""SELECT t.template, count(DISTINCT p.text) FROM read_csv(
        '{sim['dir'] / 'campaign_posts.csv'}', all_varchar = true) t JOIN posts p USING (post_id)
        WHERE p.kind = 'original' GROUP BY 1""")
    assert max(n for _, n in texts) >= 5


# -- the planted campaign ----------------------------------------------------------------------

def test_campaign_size_and_roles(sim):
    roles = dict(_q(sim, "SELECT role, count(*) FROM labels WHERE label = 'campaign' "
                         "GROUP BY role"))
    n = sum(roles.values())
    total = _q(sim, "SELECT count(*) FROM labels")[0][0]
    assert n >= 60 and 0.02 <= n / total <= 0.04
    assert 0.12 <= roles["seeder"] / n <= 0.22
    hijacked = _q(sim, "SELECT count(*) FROM labels WHERE label = 'campaign' "
                       "AND traits LIKE '%hijacked%'")[0][0]
    assert 0.07 <= hijacked / n <= 0.13


def test_campaign_accounts_are_created_in_batches(sim):
    days = _q(sim, """SELECT l.label, (a.created_ms // 86400000) AS d, count(*) AS c
                      FROM accounts a JOIN labels l USING (account_id) GROUP BY ALL""")
    campaign_days = sorted((c for lab, _, c in days if lab == "campaign"), reverse=True)
    organic_max = max(c for lab, _, c in days if lab == "organic")
    assert len([c for c in campaign_days if c >= 15]) >= 2
    assert campaign_days[1] > 2 * organic_max
    # a batch is registered within hours: Snowflake user ids of one day are close in time
    spans = _q(sim, """SELECT max(created_ms) - min(created_ms) FROM accounts a
                       JOIN labels l USING (account_id) WHERE l.traits LIKE '%batch_created%'
                       GROUP BY a.created_ms // 86400000 HAVING count(*) >= 10""")
    assert spans and all(s < 6 * 3600_000 for (s,) in spans)
    ids = _q(sim, """SELECT account_id FROM labels WHERE traits LIKE '%batch_created%'""")
    assert all(int(i) > 10**17 for (i,) in ids)  # created after 2016: Snowflake user ids


def test_campaign_works_beijing_office_hours(sim):
    share = dict(_q(sim, f"""SELECT l.label, avg(CASE WHEN {BEIJING_OFFICE} THEN 1 ELSE 0 END)
                             FROM posts p JOIN labels l ON l.account_id = p.author_id
                             WHERE created_ms >= {MAIN_START_MS} GROUP BY 1"""))
    assert share["campaign"] >= 0.8
    assert share["organic"] <= 0.45


def test_amplifiers_reshare_seeders_within_seconds_to_minutes(sim):
    lat = [r[0] for r in _q(sim, """
        SELECT p.created_ms - p.ref_created_ms FROM posts p
        JOIN labels a ON a.account_id = p.author_id AND a.role = 'amplifier'
        JOIN labels s ON s.account_id = p.ref_author_id AND s.role IN ('seeder', 'hybrid')
        WHERE p.kind = 'reshare'""")]
    assert len(lat) >= 500
    lat.sort()
    assert sum(1 for x in lat if x < 120_000) / len(lat) >= 0.7
    assert lat[len(lat) // 2] < 90_000
    assert lat[-1] > 600_000  # heavy tail: some much later
    # amplifiers also copy-paste seeders' texts as their own posts
    copies = _q(sim, """SELECT count(*) FROM posts c JOIN posts o ON o.text = c.text
        AND o.created_ms < c.created_ms AND o.author_id <> c.author_id
        JOIN labels lc ON lc.account_id = c.author_id AND lc.role = 'amplifier'
        JOIN labels lo ON lo.account_id = o.author_id AND lo.role IN ('seeder', 'hybrid')
        WHERE c.kind = 'original' AND o.kind = 'original'""")[0][0]
    assert copies >= 10


def test_hijacked_accounts_have_an_old_life_then_years_of_silence(sim):
    rows = _q(sim, f"""
        WITH g AS (SELECT author_id, created_ms, client, lang,
                          created_ms - lag(created_ms) OVER (PARTITION BY author_id
                                                             ORDER BY created_ms) AS gap
                   FROM posts)
        SELECT l.account_id, max(g.gap), year(to_timestamp(min(a.created_ms) / 1000)),
               list(DISTINCT g.client) FILTER (WHERE g.created_ms < {MAIN_START_MS} - 1),
               list(DISTINCT g.client) FILTER (WHERE g.created_ms >= {MAIN_START_MS})
        FROM g JOIN labels l ON l.account_id = g.author_id
        JOIN accounts a ON a.account_id = l.account_id
        WHERE l.traits LIKE '%hijacked%' GROUP BY 1""")
    assert len(rows) >= 6
    for _, gap, created_year, old_clients, new_clients in rows:
        assert gap > 3 * 365 * 86400000
        assert 2009 <= created_year <= 2013
        assert old_clients and new_clients
    # the new life uses other apps than the old one, for most of them
    assert sum(1 for r in rows if not set(r[3]) & set(r[4])) >= len(rows) * 0.6


def test_western_personas_have_name_digits_handles(sim):
    rows = _q(sim, """SELECT a.handle, a.location, a.lang FROM accounts a JOIN labels l
                      USING (account_id) WHERE l.traits LIKE '%western_persona%'""")
    assert len(rows) >= 30
    name_digits = [h for h, _, _ in rows if re.fullmatch(r"[A-Z][a-z]+[A-Za-z]*\d{4,8}", h)]
    assert len(name_digits) >= 0.7 * len(rows)
    assert all(len(h) <= 15 for h, _, _ in rows)
    assert sum(1 for _, loc, _ in rows if loc) >= 0.7 * len(rows)
    assert {lang for _, _, lang in rows} == {"en"}


def test_campaign_shares_cartoons_and_organic_images_are_distinct(sim):
    rows = _q(sim, """SELECT l.label, e.value, e.media_hash FROM post_entities e
                      JOIN posts p USING (platform, post_id)
                      JOIN labels l ON l.account_id = p.author_id WHERE e.entity = 'media'""")
    cartoons = {}
    for lab, path, h in rows:
        if "cartoon_" in path:
            assert lab == "campaign"
            cartoons.setdefault(path.split("_")[1], {})[path] = imagehash.hex_to_hash(h)
    assert len(cartoons) >= 3
    for files in cartoons.values():
        assert len(files) >= 3
        for a, b in combinations(files.values(), 2):
            assert a - b <= 8
        contents = {hashlib.sha256((sim["dir"] / p).read_bytes()).digest() for p in files}
        assert len(contents) == len(files)  # every share is its own file
    photos = {p: imagehash.hex_to_hash(h) for lab, p, h in rows if "photo_" in p}
    assert len(photos) >= 100
    close = sum(1 for a, b in combinations(photos.values(), 2) if a - b <= 8)
    assert close == 0
    bases = [next(iter(f.values())) for f in cartoons.values()]
    assert all(a - b > 8 for a, b in combinations(bases, 2))


def test_campaign_attacks_named_critics(sim):
    critics = _q(sim, "SELECT a.account_id, a.display_name, a.handle FROM accounts a "
                      "JOIN labels l USING (account_id) WHERE l.role = 'critic'")
    assert len(critics) == 4
    replies = _q(sim, """SELECT l2.role, count(*) FROM posts p
        JOIN labels l ON l.account_id = p.author_id AND l.label = 'campaign'
        JOIN labels l2 ON l2.account_id = p.reply_to_author_id
        WHERE p.kind = 'reply' GROUP BY 1""")
    assert dict(replies).get("critic", 0) >= 50
    for cid, name, _handle in critics:
        named = _q(sim, """SELECT count(*) FROM posts p JOIN labels l
                           ON l.account_id = p.author_id AND l.label = 'campaign'
                           WHERE p.text LIKE '%' || ? || '%'""", [name])[0][0]
        mentioned = _q(sim, """SELECT count(*) FROM post_entities e JOIN posts p
                               USING (platform, post_id) JOIN labels l
                               ON l.account_id = p.author_id AND l.label = 'campaign'
                               WHERE e.entity = 'mention' AND e.normalized = ?""", [cid])[0][0]
        assert named + mentioned >= 3


# -- hard negatives ----------------------------------------------------------------------------

def test_viral_post_is_reshared_by_hundreds_within_minutes(sim):
    rows = _q(sim, """SELECT p.ref_post_id, count(DISTINCT p.author_id),
                             quantile_cont(p.created_ms - p.ref_created_ms, 0.5)
                      FROM posts p JOIN labels l ON l.account_id = p.ref_author_id
                      WHERE l.role = 'viral_author' AND p.kind = 'reshare' GROUP BY 1""")
    assert rows
    assert all(n >= 200 and median < 15 * 60_000 for _, n, median in rows)
    assert _q(sim, "SELECT DISTINCT label FROM labels WHERE role LIKE 'viral%'") == [("organic",)]


def test_fans_reshare_their_idol_within_seconds_every_day(sim):
    fans = _q(sim, "SELECT count(*) FROM labels WHERE role = 'fan'")[0][0]
    assert 30 <= fans <= 60
    days_idol = _q(sim, """SELECT count(DISTINCT p.created_ms // 86400000) FROM posts p
                           JOIN labels l ON l.account_id = p.author_id
                           WHERE l.role = 'idol' AND p.kind = 'original'""")[0][0]
    assert days_idol >= 0.7 * 90
    lat = _q(sim, """SELECT quantile_cont(p.created_ms - p.ref_created_ms, 0.5),
                            count(DISTINCT p.created_ms // 86400000)
                     FROM posts p JOIN labels f ON f.account_id = p.author_id AND f.role = 'fan'
                     JOIN labels i ON i.account_id = p.ref_author_id AND i.role = 'idol'
                     WHERE p.kind = 'reshare'""")[0]
    assert lat[0] < 60_000
    assert lat[1] >= days_idol * 0.9


def test_newsroom_posts_one_headline_on_several_accounts_within_a_minute(sim):
    accounts = _q(sim, """SELECT a.handle, a.created_ms, a.followers FROM accounts a
                          JOIN labels l USING (account_id) WHERE l.role = 'newsroom'""")
    assert 5 <= len(accounts) <= 10
    stem = accounts[0][0][:6].lower()
    assert all(h.lower().startswith(stem) for h, _, _ in accounts)
    assert all(c < 1325376000000 for _, c, _ in accounts)  # created before 2012
    bursts = _q(sim, """SELECT e.normalized, count(DISTINCT p.author_id),
                               max(p.created_ms) - min(p.created_ms), list(DISTINCT p.client)
                        FROM posts p JOIN labels l ON l.account_id = p.author_id
                        AND l.role = 'newsroom' JOIN post_entities e USING (platform, post_id)
                        WHERE e.entity = 'url' GROUP BY 1""")
    assert len(bursts) >= 100
    assert all(n >= 3 and span < 60_000 for _, n, span, _ in bursts)
    assert sum(1 for b in bursts if "SocialFlow" in b[3]) >= 0.8 * len(bursts)


def test_hashtag_day_is_joined_by_many_unrelated_accounts_on_one_day(sim):
    rows = _q(sim, """SELECT p.created_ms // 86400000, count(DISTINCT p.author_id)
                      FROM post_entities e JOIN posts p USING (platform, post_id)
                      WHERE e.entity = 'hashtag' AND e.normalized = 'worldbookday'
                      GROUP BY 1 ORDER BY 2 DESC""")
    assert rows[0][1] >= 150
    assert sum(n for _, n in rows[2:]) < 0.1 * rows[0][1]  # one day (and its time zones)


def test_returning_accounts_come_back_unchanged(sim):
    rows = _q(sim, f"""SELECT p.author_id, p.created_ms >= {MAIN_START_MS} AS recent,
                              mode(p.client), list(DISTINCT p.lang) FILTER
                              (WHERE p.lang NOT IN ('und', 'en')), count(*)
                       FROM posts p JOIN labels l ON l.account_id = p.author_id
                       WHERE l.role = 'returning' GROUP BY 1, 2""")
    by = {}
    for aid, recent, client, langs, n in rows:
        by.setdefault(aid, {})[recent] = (client, set(langs or ()), n)
    both = [v for v in by.values() if True in v and False in v and v[True][2] >= 5]
    assert len(both) >= 8
    assert all(v[True][0] == v[False][0] for v in both)  # the same app, mostly
    assert all(v[True][1] <= v[False][1] or not v[True][1] for v in both)  # the same language
    gaps = _q(sim, """SELECT max(gap) FROM (SELECT author_id, created_ms - lag(created_ms)
                      OVER (PARTITION BY author_id ORDER BY created_ms) AS gap FROM posts) g
                      JOIN labels l ON l.account_id = g.author_id WHERE l.role = 'returning'
                      GROUP BY g.author_id""")
    assert all(g > 3 * 365 * 86400000 for (g,) in gaps)


# -- organic realism ---------------------------------------------------------------------------

def test_organic_activity_is_heavy_tailed_varied_and_global(sim):
    counts = sorted((c for (c,) in _q(sim, """SELECT count(*) FROM posts p JOIN labels l
        ON l.account_id = p.author_id WHERE l.role = 'organic' GROUP BY p.author_id""")),
                    reverse=True)
    top = counts[: len(counts) // 10]
    assert sum(top) > 0.35 * sum(counts)
    assert counts[len(counts) // 2] <= 4
    langs = _q(sim, "SELECT count(DISTINCT lang) FROM posts")[0][0]
    clients = _q(sim, "SELECT count(DISTINCT client) FROM posts")[0][0]
    years = _q(sim, "SELECT count(DISTINCT year(to_timestamp(created_ms / 1000))) "
                    "FROM accounts")[0][0]
    assert langs >= 10 and clients >= 6 and years >= 10
    kinds = dict(_q(sim, """SELECT kind, count(*) FROM posts p JOIN labels l
                            ON l.account_id = p.author_id WHERE l.label = 'organic'
                            GROUP BY 1"""))
    assert set(kinds) == {"original", "reshare", "reply", "quote"}
    # people post in their own evenings: the busiest UTC hour differs between zones
    peaks = _q(sim, """SELECT a.location, mode(hour(to_timestamp(p.created_ms / 1000)))
                       FROM posts p JOIN accounts a ON a.account_id = p.author_id
                       JOIN labels l ON l.account_id = a.account_id AND l.role = 'organic'
                       WHERE a.location IN ('London, England', 'Los Angeles, CA', 'Mumbai, India',
                                            'Tokyo') GROUP BY 1""")
    assert len({h for _, h in peaks}) >= 3


def test_reshares_favour_popular_authors(sim):
    counts = sorted((c for (c,) in _q(sim, """SELECT count(*) FROM posts
                     WHERE kind = 'reshare' AND ref_author_id IS NOT NULL
                     GROUP BY ref_author_id""")), reverse=True)
    assert sum(counts[: max(len(counts) // 20, 1)]) > 0.3 * sum(counts)


# -- determinism, options, scale ---------------------------------------------------------------

def test_same_seed_same_bytes_other_seed_other_data(tmp_path):
    a = simulate(tmp_path / "a", seed=11, scale=0.1, scenario="classic")
    b = simulate(tmp_path / "b", seed=11, scale=0.1, scenario="classic")
    c = simulate(tmp_path / "c", seed=12, scale=0.1, scenario="classic")
    assert _digests(a) == _digests(b)
    media_a = sorted(p.name for p in (tmp_path / "a" / "media").iterdir())
    assert media_a == sorted(p.name for p in (tmp_path / "b" / "media").iterdir())
    assert all((tmp_path / "a" / "media" / m).read_bytes()
               == (tmp_path / "b" / "media" / m).read_bytes() for m in media_a)
    assert _digests(a)[INPUTS[0]] != _digests(c)[INPUTS[0]]


def test_no_campaign_keeps_the_organic_platform(tmp_path):
    with_c = simulate(tmp_path / "with", seed=5, scale=0.2, scenario="classic")
    without = simulate(tmp_path / "without", seed=5, scale=0.2, campaign=False,
                      scenario="classic")

    def labels(files):
        with open(next(p for p in files if p.name == "labels.csv"), encoding="utf-8") as f:
            return list(csv.DictReader(f))

    lw, lo = labels(with_c), labels(without)
    assert {r["label"] for r in lo} == {"organic"}
    assert "campaign" in {r["label"] for r in lw}
    assert sorted(r["account_id"] for r in lo) == sorted(
        r["account_id"] for r in lw if r["label"] == "organic")
    summary = json.loads((tmp_path / "without" / "simulation.json").read_text())
    assert summary["campaign"] is False and "campaign" not in summary["counts"][
        "accounts_by_label"]
    with open(tmp_path / "without" / "campaign_posts.csv", encoding="utf-8") as f:
        assert len(f.readlines()) == 1


def test_size_grows_linearly_with_scale(tmp_path):
    small = json.loads(simulate(tmp_path / "s", seed=2, scale=0.25, scenario="classic")[-1]
                       .read_text())
    large = json.loads(simulate(tmp_path / "l", seed=2, scale=0.5, scenario="classic")[-1]
                       .read_text())
    for key in ("posts", "accounts"):
        ratio = large["counts"][key] / small["counts"][key]
        assert 1.6 <= ratio <= 2.4, (key, ratio)


def test_smallest_scale_still_has_every_part(tmp_path):
    files = simulate(tmp_path / "tiny", seed=1, scale=0.05, scenario="classic")
    summary = json.loads(files[-1].read_text())
    assert 500 <= summary["counts"]["posts"] <= 2500
    roles = summary["counts"]["accounts_by_role"]
    for role in ("campaign/seeder", "campaign/amplifier", "organic/fan", "organic/newsroom",
                 "organic/viral_author", "organic/returning", "organic/hashtag_day"):
        assert roles.get(role, 0) >= 1, role
    with Store(tmp_path / "tiny.duckdb") as s:
        assert all(r.rows_quarantined == 0 for r in ingest_paths(s, input_files(files)))


def test_bad_scale_is_a_usage_error(tmp_path):
    from inconcert.errors import InputError

    with pytest.raises(InputError, match="scale"):
        simulate(tmp_path, scale=0)
