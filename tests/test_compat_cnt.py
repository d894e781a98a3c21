"""Exact compatibility with coordination-network-toolkit 1.5.2, checked against the real package.

The same rows are written in the peer's CSV layout, loaded by the peer
(`preprocess_csv_files` + its `compute_*` functions + its export's edge query) and by inconcert's
cnt-csv reader + `compat.cnt`, and the edge sets must be identical, weights included. The peer's
defects (empty URL cells, the first line of v1.1 JSON, the Snowflake epoch) are shown on the
peer itself, next to what inconcert does instead.
"""

from __future__ import annotations

import csv
import json
import random
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlglot
from typer.testing import CliRunner

from inconcert import paircount
from inconcert.cli import app
from inconcert.compat import cnt
from inconcert.ingest import ingest_paths
from inconcert.store import Store
from inconcert.timeutil import SNOWFLAKE_EPOCH_MS

peer_preprocess = pytest.importorskip(
    "coordination_network_toolkit.preprocess",
    reason="coordination-network-toolkit==1.5.2 not installed (pip install '.[test]')")
from coordination_network_toolkit import compute_networks as peer_compute  # noqa: E402
from coordination_network_toolkit.graph import get_edge_rows  # noqa: E402
from coordination_network_toolkit.output import output_gephi_csv  # noqa: E402
from coordination_network_toolkit.similarity import message_preprocessor  # noqa: E402

HEADER = ["message_id", "user_id", "username", "repost_id", "reply_id", "message", "timestamp",
          "urls"]
T = 1_600_000_000


def _snowflake(ms: int) -> str:
    return str((ms - SNOWFLAKE_EPOCH_MS) << 22)


# (message_id, user_id, repost_id, reply_id, message, timestamp, urls); username = "n" + user_id.
TRICKY = [
    # co_retweet of post 9001: 1 and 2 in the same second, 3 exactly W = 60 s after them,
    # 4 at W + 1 s after them but 1 s after 3.
    ("1", "101", "9001", "", "RT @x: one", f"{T}", ""),
    ("2", "102", "9001", "", "RT @x: one", f"{T}", ""),
    ("3", "103", "9001", "", "RT @x: one", f"{T + 60}", ""),
    ("4", "104", "9001", "", "RT @x: one", f"{T + 61}", ""),
    # post 9002 with fractions: 6 -> 7 exactly 60.000 s, 5 -> 7 60.5 s, 6 -> 8 60.001 s.
    ("5", "101", "9002", "", "", f"{T + 1000}", ""),
    ("6", "102", "9002", "", "", f"{T + 1000.5}", ""),
    ("7", "103", "9002", "", "", f"{T + 1060.5}", ""),
    ("8", "104", "9002", "", "", f"{T + 1060.501}", ""),
    ("9", "101", "9003", "", "", f"{T + 2000}", ""),
    ("10", "102", "9003", "", "", f"{T + 2000}", ""),
    ("11", "103", "9003", "", "", f"{T + 2030}", ""),
    ("12", "104", "9003", "", "", f"{T + 2059}", ""),
    # 105 retweets 9004 twice around 106's single retweet: 105 -> 106 weighs 2, 106 -> 105 1;
    # 106 has fewer retweets than the minimum weight: a target, never a source.
    ("13", "105", "9004", "", "", f"{T + 3000}", ""),
    ("14", "106", "9004", "", "", f"{T + 3010}", ""),
    ("15", "105", "9004", "", "", f"{T + 3030}", ""),
    # A reshare that is also a reply counts as a reshare only.
    ("16", "107", "9001", "8001", "RT @x: one", f"{T + 10}", "http://x.example/1"),
    ("17", "107", "9003", "", "", f"{T + 2010}", ""),
    # Snowflake ids 0.9 s after their declared time: the peer uses the declared time, so
    # 18 -> 19 is 60.5 s apart (no match), though the Snowflake clock says 59.6 s.
    ("s1", "111", "9005", "", "", f"{T + 4000}", ""),
    ("s2", "111", "9006", "", "", f"{T + 5000}", ""),
    ("18", "112", "9005", "", "", f"{T + 4060.5}", ""),
    ("19", "112", "9006", "", "", f"{T + 5060.5}", ""),
    # co_reply: 8002 answered exactly W apart; 108 answers 8003 twice around 103's answer.
    ("20", "101", "", "8001", "@p thanks", f"{T + 5000}", ""),
    ("21", "102", "", "8001", "@p thanks!", f"{T + 5030}", ""),
    ("22", "101", "", "8002", "@p hi", f"{T + 6000}", ""),
    ("23", "102", "", "8002", "@p hi", f"{T + 6060}", ""),
    ("28", "101", "", "8004", "@r yes", f"{T + 6500}", ""),
    ("29", "102", "", "8004", "@r yes", f"{T + 6520}", ""),
    ("24", "108", "", "8003", "@q no", f"{T + 7000}", ""),
    ("25", "108", "", "8003", "@q no!", f"{T + 7050}", ""),
    ("26", "103", "", "8003", "@q yes", f"{T + 7020}", ""),
    ("27", "104", "", "8003", "@q ok", f"{T + 7020}", ""),
    # co_tweet: case, spacing, mentions; Greek final sigma and dotted I (Python's lower(), not
    # a SQL engine's, decides); '@' inside a word; U+001C (whitespace to split(), not to the
    # mention pattern); empty and mention-only texts (both normalise to '').
    ("30", "101", "", "", "Hello World", f"{T + 8000}", ""),
    ("31", "102", "", "", "hello   WORLD @someone", f"{T + 8010}", ""),
    ("32", "103", "", "", "@x HELLO\tworld", f"{T + 8060}", ""),
    ("33", "101", "", "", "ΑΣ ΑΣ", f"{T + 8100}", ""),
    ("34", "102", "", "", "ας ας", f"{T + 8100}", ""),
    ("35", "101", "", "", "İstanbul", f"{T + 8150}", ""),
    ("36", "102", "", "", "i\u0307stanbul", f"{T + 8150}", ""),
    ("37", "103", "", "", "mail@example.com today", f"{T + 8200}", ""),
    ("38", "104", "", "", "MAIL today", f"{T + 8210}", ""),
    ("39", "103", "", "", "@x\x1cbar baz", f"{T + 8300}", ""),
    ("40", "104", "", "", "baz", f"{T + 8300}", ""),
    ("41", "103", "", "", "foo\x1cbar", f"{T + 8400}", ""),
    ("42", "104", "", "", "FOO bar\xa0", f"{T + 8400}", ""),
    ("43", "105", "", "", "", f"{T + 8500}", ""),
    ("44", "106", "", "", "@only", f"{T + 8500}", ""),
    ("45", "105", "", "", "line1\nline2", f"{T + 8600}", ""),
    ("46", "106", "", "", "LINE1 line2", f"{T + 8601}", ""),
    # co_link: a URL twice in one message; a message with two URLs matched by two messages of
    # 102 (102 -> 101 weighs more than 101 -> 102); URLs of reshares are ignored.
    ("50", "101", "", "", "link", f"{T + 9000}", "http://x.example/1 http://x.example/1"),
    ("51", "102", "", "", "link", f"{T + 9020}", "http://x.example/1"),
    ("52", "101", "", "", "two links", f"{T + 9100}", "http://x.example/2 https://y.example/3"),
    ("53", "102", "", "", "one", f"{T + 9110}", "http://x.example/2"),
    ("54", "102", "", "", "other", f"{T + 9120}", "https://y.example/3"),
    ("59", "105", "9007", "", "RT", f"{T + 9000}", "http://x.example/1"),
    ("60", "106", "9008", "", "RT", f"{T + 9010}", "http://x.example/1"),
    ("61", "103", "", "", "same second", f"{T + 9700}", "http://x.example/9"),
    ("62", "104", "", "", "same second", f"{T + 9700}", "http://x.example/9"),
    # No URL: the peer stores the URL '' for each of these and links 103 and 104.
    ("55", "103", "", "", "no link", f"{T + 9500}", ""),
    ("56", "104", "", "", "no link 2", f"{T + 9510}", ""),
    ("57", "103", "", "", "no link", f"{T + 9600}", ""),
    ("58", "104", "", "", "no link 3", f"{T + 9630}", ""),
]
SNOWFLAKE_IDS = {"s1": _snowflake((T + 4000) * 1000 + 900),
                 "s2": _snowflake((T + 5000) * 1000 + 900)}


def _write_csv(path: Path, rows: list[tuple[str, ...]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for mid, uid, repost, reply, message, ts, urls in rows:
            w.writerow([SNOWFLAKE_IDS.get(mid, mid), uid, "n" + uid, repost, reply, message, ts,
                        urls])
    return path


def _random_rows(seed: int, n: int = 1500) -> list[tuple[str, ...]]:
    """Dense random activity: 25 users on few items within 15 minutes, repeated actions, texts
    varied in case, spacing and mentions, messages with 0-3 URLs (duplicates included)."""
    rng = random.Random(seed)
    texts = ["Vote now", "the truth about X", "Share this!", "¡Ahora sí!", "ΜΑΣ ΛΕΝΕ", "ok"]
    urls = ["http://a.example/1", "https://b.example/2?x=1", "http://c.example/", "http://d.example"]
    rows = []
    for i in range(n):
        uid = str(200 + rng.randrange(25))
        ts = T + rng.randrange(900) + rng.choice([0, 0, 0, 0.5, 0.25, 0.125])
        kind = rng.random()
        repost = str(7000 + rng.randrange(12)) if kind < 0.45 else ""
        reply = str(6000 + rng.randrange(8)) if 0.45 <= kind < 0.6 or kind > 0.97 else ""
        text = rng.choice(texts)
        text = rng.choice([text, text.upper(), text.lower()])
        if rng.random() < 0.4:
            text = rng.choice(["@u1 ", "@U2\t", ""]) + text + rng.choice(["  ", " @z", "\n", ""])
        n_urls = rng.choice([0, 0, 1, 1, 2, 3])
        cell = " ".join(rng.choice(urls) for _ in range(n_urls))
        rows.append((str(100_000 + i), uid, repost, reply, text, str(ts), cell))
    return rows


# The peer's four exact networks, called as its CLI calls them.
PEER = {
    "co_retweet": lambda db, w, m: peer_compute.compute_co_retweet_parallel(
        db, w, n_threads=1, min_edge_weight=m),
    "co_tweet": lambda db, w, m: peer_compute.compute_co_tweet_network(
        db, w, n_threads=1, min_edge_weight=m),
    "co_reply": lambda db, w, m: peer_compute.compute_co_reply_network(
        db, w, min_edge_weight=m, n_threads=1),
    "co_link": lambda db, w, m: peer_compute.compute_co_link_network(
        db, w, n_threads=1, min_edge_weight=m),
}


class Case:
    """One data set loaded by both tools: the peer's database as it loads it (`raw`), the same
    with its empty-URL rows deleted (`fixed`), and inconcert's case database."""

    def __init__(self, tmp: Path, rows: list[tuple[str, ...]]) -> None:
        tmp.mkdir(parents=True, exist_ok=True)
        self.csv = _write_csv(tmp / "messages.csv", rows)
        self.raw = tmp / "peer_raw.db"
        peer_preprocess.preprocess_csv_files(str(self.raw), [str(self.csv)])
        self.fixed = tmp / "peer_fixed.db"
        shutil.copy(self.raw, self.fixed)
        with sqlite3.connect(self.fixed) as con:
            con.execute("DELETE FROM message_url WHERE url = ''")
        self.db = tmp / "case.duckdb"
        with Store(self.db) as store:
            (res,) = ingest_paths(store, [self.csv])
        assert (res.format, res.rows_stored, res.rows_quarantined) == ("cnt-csv", len(rows), 0)

    def peer(self, network: str, window: float, min_weight: int, raw: bool = False,
             loops: bool = False) -> list[tuple[str, str, int]]:
        db = str(self.raw if raw else self.fixed)
        PEER[network](db, window, min_weight)
        return sorted((s, t, w) for s, t, w, _ in get_edge_rows(db, network, loops=loops))

    def ours(self, network: str, params: cnt.CntParams) -> list[tuple[str, str, int]]:
        with Store(self.db) as store:
            return cnt.edges(store, network, params)


@pytest.fixture(scope="module")
def tricky(tmp_path_factory: pytest.TempPathFactory) -> Case:
    return Case(tmp_path_factory.mktemp("tricky"), TRICKY)


@pytest.fixture(scope="module")
def dense(tmp_path_factory: pytest.TempPathFactory) -> Case:
    return Case(tmp_path_factory.mktemp("dense"), _random_rows(7))


@pytest.mark.parametrize("network", cnt.NETWORKS)
@pytest.mark.parametrize(("window", "min_weight"),
                         [(60, 2), (60, 1), (59.999, 1), (0, 1), (1, 1), (3600, 3)])
def test_tricky_rows_give_the_peers_edges(tricky, network, window, min_weight):
    want = tricky.peer(network, window, min_weight)
    got = tricky.ours(network, cnt.CntParams(time_window=window, min_edge_weight=min_weight))
    assert got == want
    assert want  # the case is not vacuous


@pytest.mark.parametrize("network", cnt.NETWORKS)
@pytest.mark.parametrize(("window", "min_weight"), [(60, 2), (1, 1), (300, 5)])
def test_dense_random_rows_give_the_peers_edges(dense, network, window, min_weight):
    want = dense.peer(network, window, min_weight)
    assert len(want) > 20
    assert dense.ours(network, cnt.CntParams(time_window=window,
                                             min_edge_weight=min_weight)) == want


@pytest.mark.parametrize("network", cnt.NETWORKS)
@pytest.mark.parametrize("params", [cnt.CntParams(60, 2), cnt.CntParams(300, 1),
                                    cnt.CntParams(30, 3, include_self_loops=True,
                                                  empty_url_defect=True)])
def test_counting_by_sorting_gives_the_sql_tables(dense, monkeypatch, network, params):
    """The DuckDB path counts pairs by sorting (in memory, or spilled in slices); Spark runs the
    GROUP BY of `statements`. Every network, repeated actions and multi-URL messages included."""
    with Store(dense.db) as store:
        cnt.compute(store, network, params, sort_count=False)
        want = store.execute("SELECT * FROM _cnt_edges ORDER BY ALL")
        cnt.compute(store, network, params)
        assert store.execute("SELECT * FROM _cnt_edges ORDER BY ALL") == want
        monkeypatch.setattr(paircount, "MEMORY_KEYS", 100)
        monkeypatch.setattr(paircount, "SLICE_KEYS", 50)
        slices = []
        spilled = paircount._spilled
        monkeypatch.setattr(paircount, "_spilled",
                            lambda *a: slices.append(a[2]) or spilled(*a))
        cnt.compute(store, network, params)
        assert store.execute("SELECT * FROM _cnt_edges ORDER BY ALL") == want
        assert slices and max(slices) > 1  # the spilled path ran, in several slices
    assert len(want) > 20


def test_window_boundary_is_inclusive_like_the_peer(tricky):
    edges = {(s, t): w for s, t, w in tricky.ours("co_retweet", cnt.CntParams(60, 1))}
    # 102 -> 103 on post 9002: 60.000 s apart, inside; 102 -> 104: 60.001 s, outside.
    assert edges[("102", "103")] == 3  # posts 9001 (60 s), 9002 (60.000 s), 9003
    assert edges[("101", "103")] == 2  # 9001 (60 s) and 9003; 9002 is 60.5 s apart
    narrower = {(s, t): w for s, t, w in tricky.ours("co_retweet", cnt.CntParams(59.999, 1))}
    assert narrower[("102", "103")] == 1  # only 9003 remains
    assert tricky.peer("co_retweet", 59.999, 1) == sorted(
        (s, t, w) for (s, t), w in narrower.items())


def test_weights_are_directed_and_low_activity_users_are_targets_only(tricky):
    edges = {(s, t): w for s, t, w in tricky.ours("co_retweet", cnt.CntParams(60, 2))}
    assert edges[("105", "106")] == 2 and ("106", "105") not in edges
    links = {(s, t): w for s, t, w in tricky.ours("co_link", cnt.CntParams(60, 1))}
    assert (links[("102", "101")], links[("101", "102")]) == (3, 2)


def test_self_loops_match_the_peers_export_with_loops(tricky):
    for network in cnt.NETWORKS:
        params = cnt.CntParams(60, 2, include_self_loops=True)
        got = tricky.ours(network, params)
        assert got == tricky.peer(network, 60, 2, loops=True)
        assert any(s == t for s, t, _ in got)


def test_declared_clock_is_the_peers_and_snowflake_clock_differs(tricky):
    canonical = tricky.ours("co_retweet", cnt.CntParams(60, 2, clock="canonical"))
    declared = tricky.ours("co_retweet", cnt.CntParams(60, 2))
    assert ("111", "112", 2) in canonical
    assert not any({s, t} == {"111", "112"} for s, t, _ in declared)


def test_empty_url_defect_is_opt_in_and_then_matches_the_raw_peer(tricky):
    raw = tricky.peer("co_link", 60, 2, raw=True)
    # The peer links 103 and 104 through the URL '' of their link-less messages (the one URL
    # they share, once, is below the minimum weight).
    assert {("103", "104"), ("104", "103")} <= {(s, t) for s, t, _ in raw}
    with sqlite3.connect(tricky.raw) as con:
        assert con.execute("SELECT count(*) FROM message_url WHERE url = ''").fetchone()[0] > 0
    with Store(tricky.db) as store:
        assert store.count("post_entities", "entity = 'url' AND value = ''") == 0
    fixed = tricky.ours("co_link", cnt.CntParams(60, 2))
    assert not any({s, t} == {"103", "104"} for s, t, _ in fixed)
    assert tricky.ours("co_link", cnt.CntParams(60, 2, empty_url_defect=True)) == raw


def test_peer_text_is_the_peers_preprocessor():
    samples = [r[4] for r in TRICKY] + [r[4] for r in _random_rows(3, 300)]
    # Every BMP character between a mention and a word, and between two words.
    samples += [f"@m{chr(c)}k X{chr(c)}Y" for c in range(0x10000) if not 0xD800 <= c < 0xE000]
    samples += ["\U0001d400BC @\U0001f600x y", "a @ b", "@", "@@x y", " \u3000 lead"]
    diffs = [s for s in samples if cnt.peer_text(s) != message_preprocessor(s)]
    assert diffs == []


def test_csv_output_has_the_peers_rows_in_its_order(tricky, tmp_path):
    with Store(tricky.db) as store:
        written = cnt.write_networks(store, tmp_path / "ours", cnt.NETWORKS, cnt.CntParams())
    for network in cnt.NETWORKS:
        path, n = written[network]
        PEER[network](str(tricky.fixed), 60, 2)
        peer_csv = tmp_path / f"peer_{network}.csv"
        output_gephi_csv(str(tricky.fixed), network, str(peer_csv))
        with open(path, newline="", encoding="utf-8") as a, \
                open(peer_csv, newline="", encoding="utf-8") as b:
            ours, theirs = list(csv.reader(a)), list(csv.reader(b))
        assert ours == theirs
        assert n == len(ours) - 1 > 0


def test_cli_writes_the_chosen_networks(tricky, tmp_path):
    out = tmp_path / "cnt"
    res = CliRunner().invoke(app, ["compat", "cnt", "--db", str(tricky.db), "--out", str(out),
                                   "--network", "co_retweet", "--network", "co_reply",
                                   "--time-window", "60", "--min-edge-weight", "2"])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in out.iterdir()) == ["co_reply.csv", "co_retweet.csv"]
    with open(out / "co_retweet.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == list(cnt.HEADER)
    assert [(s, t, int(w)) for s, t, w, _ in rows[1:]] == tricky.peer("co_retweet", 60, 2)
    bad = CliRunner().invoke(app, ["compat", "cnt", "--db", str(tricky.db), "--out", str(out),
                                   "--network", "co_post"])
    assert bad.exit_code == 2
    assert "co_post" in bad.output


def test_bad_parameters_are_input_errors(tricky):
    from inconcert.errors import InputError

    for params in (cnt.CntParams(-1), cnt.CntParams(0.0005), cnt.CntParams(60, 0),
                   cnt.CntParams(clock="wall")):
        with pytest.raises(InputError):
            tricky.ours("co_retweet", params)


@pytest.mark.parametrize("network", cnt.NETWORKS)
def test_sql_transpiles_to_spark_and_back_with_the_same_edges(tricky, network):
    params = cnt.CntParams(60, 1, include_self_loops=True, empty_url_defect=True)
    want = tricky.ours(network, params)
    with Store(tricky.db) as store:
        cnt._ensure_text_udf(store.con)
        for table, sql in cnt.statements(network, params):
            spark = sqlglot.transpile(sql, read="duckdb", write="spark",
                                      unsupported_level=sqlglot.ErrorLevel.RAISE)[0]
            back = sqlglot.transpile(spark, read="spark", write="duckdb")[0]
            store.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS {back}")
        got = store.execute("SELECT source, target, weight FROM _cnt_edges "
                            "ORDER BY source, target")
    assert got == want


@pytest.mark.slow
def test_spark_computes_the_same_edges(tricky):
    pytest.importorskip("pyspark", reason="pyspark not installed (pip install '.[spark]')")
    from pyspark import cloudpickle
    from pyspark.sql import SparkSession

    spark = (SparkSession.builder.master("local[2]").appName("inconcert-compat")
             .config("spark.sql.session.timeZone", "UTC").config("spark.ui.enabled", "false")
             .config("spark.sql.shuffle.partitions", "2").getOrCreate())
    # Spark's Python workers need not have inconcert installed: ship the text function whole.
    cloudpickle.register_pickle_by_value(cnt)
    spark.udf.register(cnt.TEXT_UDF, cnt.peer_text)
    try:
        with Store(tricky.db) as store:
            for table in ("posts", "post_entities"):
                data = store.con.sql(f"SELECT * FROM {table}").to_arrow_table()
                spark.createDataFrame(data).createOrReplaceTempView(table)
        # co_link takes both paths (multi-URL messages); co_tweet needs the text function.
        for network in ("co_link", "co_tweet"):
            params = cnt.CntParams(60, 1)
            for table, sql in cnt.statements(network, params):
                spark.sql(sqlglot.transpile(sql, read="duckdb", write="spark")[0])\
                    .cache().createOrReplaceTempView(table)
            got = sorted((r.source, r.target, r.weight)
                         for r in spark.sql("SELECT * FROM _cnt_edges").collect())
            assert got == tricky.ours(network, params), network
    finally:
        spark.stop()


# -- the peer's defects, shown on the peer ----------------------------------------------------

def _v11_tweet(tweet_id: int, user: str, text: str, retweet_of: int | None = None) -> dict:
    ms = (tweet_id >> 22) + SNOWFLAKE_EPOCH_MS
    created = datetime.fromtimestamp(ms // 1000, UTC).strftime("%a %b %d %H:%M:%S +0000 %Y")
    tweet = {"id": tweet_id, "id_str": str(tweet_id), "created_at": created, "full_text": text,
             "user": {"id": int(user), "id_str": user, "screen_name": "n" + user,
                      "name": "N", "created_at": created},
             "entities": {"urls": [], "hashtags": [], "user_mentions": []},
             "in_reply_to_status_id_str": None}
    if retweet_of is not None:
        tweet["retweeted_status"] = _v11_tweet(retweet_of, "1", "original")
    return tweet


def test_peer_drops_the_first_v11_json_line_and_inconcert_does_not(tmp_path):
    base = 1650000000000000000
    path = tmp_path / "v11.jsonl"
    path.write_text("".join(json.dumps(_v11_tweet(base + i, str(10 + i), f"tweet {i}")) + "\n"
                            for i in range(5)), encoding="utf-8")
    peer_db = tmp_path / "peer.db"
    peer_preprocess.preprocess_twitter_json_files(str(peer_db), [str(path)])
    with sqlite3.connect(peer_db) as con:
        stored = [r[0] for r in con.execute("SELECT message_id FROM edge ORDER BY message_id")]
    assert stored == [str(base + i) for i in range(1, 5)]  # tweet 0 silently lost
    with Store(tmp_path / "case.duckdb") as store:
        (res,) = ingest_paths(store, [path])
        assert (res.rows_in, res.rows_stored) == (5, 5)
        assert store.count("posts", "post_id = ?", [str(base)]) == 1


def test_peer_json_times_lack_the_snowflake_epoch(tmp_path):
    """The peer times JSON tweets as (id >> 22) / 1000: seconds since 2010-11-04, not Unix
    seconds. Two accounts retweeting two posts within seconds of each other, one collected as
    CSV and one as JSON, are 41 years apart for the peer and linked by inconcert."""
    unix_ms = 1_682_225_630_000
    json_path = tmp_path / "tweets.jsonl"
    csv_rows = []
    lines = []
    for k, post in enumerate((555, 556)):
        ms = unix_ms + k * 3_600_000
        tid = int(_snowflake(ms + 2_000))
        lines.append(json.dumps(_v11_tweet(tid, "21", "RT @n1: original", retweet_of=post)))
        csv_rows.append((str(900 + k), "22", str(post), "", "RT @n1: original",
                         str(ms // 1000), ""))
    # A first line for the peer to drop (its v1.1 defect), so both retweets reach it.
    filler = _v11_tweet(int(_snowflake(unix_ms - 10**7)), "23", "filler")
    json_path.write_text("\n".join([json.dumps(filler), *lines]) + "\n", encoding="utf-8")
    csv_path = _write_csv(tmp_path / "more.csv", csv_rows)

    peer_db = tmp_path / "peer.db"
    peer_preprocess.preprocess_twitter_json_files(str(peer_db), [str(json_path)])
    peer_preprocess.preprocess_csv_files(str(peer_db), [str(csv_path)])
    with sqlite3.connect(peer_db) as con:
        times = dict(con.execute("SELECT user_id, min(timestamp) FROM edge GROUP BY user_id"))
    assert times["21"] == pytest.approx((unix_ms + 2_000 - SNOWFLAKE_EPOCH_MS) / 1000, abs=1)
    assert times["22"] == unix_ms // 1000
    PEER["co_retweet"](str(peer_db), 60, 2)
    assert list(get_edge_rows(str(peer_db), "co_retweet")) == []

    with Store(tmp_path / "case.duckdb") as store:
        ingest_paths(store, [json_path, csv_path])
        edges = cnt.edges(store, "co_retweet", cnt.CntParams(60, 2))
    assert edges == [("21", "22", 2), ("22", "21", 2)]

