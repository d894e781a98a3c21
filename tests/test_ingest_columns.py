"""The column-wise cell rules (ids, retweet handles, Snowflake times) give exactly what the
per-cell definitions give, on hostile cells, and the cnt-csv reader stores what the per-row
rules it replaced would store."""

import csv
import random

import pyarrow as pa
import pytest

from inconcert.ingest import ingest_paths
from inconcert.ingest.times import snowflake_column
from inconcert.ingest.values import ident, ident_column
from inconcert.normalize import rt_handle, rt_handles
from inconcert.store import Store
from inconcert.timeutil import snowflake_ms

# Characters where Python's and RE2's \s, \w and case rules could part: vertical tab, file
# separators, NEL, no-break and ideographic spaces, Thai and Devanagari marks, the Kelvin sign,
# small capital R, full-width letters, digits of other scripts, a dotless i.
HOSTILE = ["\x0b", "\x1c", "\x1f", "\x85", "\xa0", "\u3000", "\u2028", "\u0e31", "\u093f",
           "\u212a", "\u0280", "\uff32\uff34", "\u0663", "\u0131", "_", ".", ":", "@", " ",
           "\t", "\n", "RT", "rt", "Rt", "x", "9", "é", "ß", "😀"]

IDS = ["", " ", "12", " 12 ", "0012", "12.0", "1.5", "null", "NaN", "n/a", "abc", "٣٤",
       "1" * 19, "9" * 19, "0" * 5 + "1" * 19, "9" * 25, "-5", "+7", "1e5", "1288834974657",
       "1288834974658", "1212345678901234567", "9223372036854775807", "9223372036854775808",
       "\u00a012", "12\x0b"]


def _texts(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        parts = [rng.choice(HOSTILE) for _ in range(rng.randint(0, 8))]
        if rng.random() < 0.6:
            parts.insert(rng.randint(0, 2), rng.choice(["RT @", "rt @", "RT  @", "RT\t@"]))
        out.append("".join(parts))
    return out


@pytest.mark.parametrize("seed", range(5))
def test_rt_handles_equal_rt_handle(seed):
    texts = _texts(seed, 3000) + ["RT @a.b_c: x", "RT @\u0e2a\u0e31\u0e19: y", "  rT @x :z",
                                  "RT @x", "RT @:", "", "RT @\u212aelvin: k", "RT\x1c@x:"]
    assert rt_handles(pa.array(texts)).to_pylist() == [rt_handle(t) for t in texts]


def test_id_and_snowflake_columns_equal_the_per_cell_rules():
    cells = IDS + [a + b for a in IDS[:8] for b in IDS[:8]]
    ids = ident_column(pa.array(cells))
    assert ids.to_pylist() == [ident(c) for c in cells]
    assert snowflake_column(ids).to_pylist() == [snowflake_ms(i) for i in ids.to_pylist()]


def test_cnt_csv_stores_what_the_per_row_rules_give(tmp_path):
    rng = random.Random(3)
    texts = _texts(7, 400)
    rows = []
    for i, body in enumerate(texts):
        mid = str(1212345678901234567 + i * 4_194_304_000)
        repost = rng.choice(IDS + ["1212345678901234000"] * 10)
        reply = rng.choice(IDS + ["77"] * 10)
        rows.append([mid, rng.choice(["1", "2", " 3", "4.0", "u\u00e9"]), rng.choice(
            ["alice", "", "B\u00f6b", "null"]), repost, reply, body, "1600000000",
            rng.choice(["", "http://a.example/x", "www.b.example/?utm_source=1 c.example"])])
    path = tmp_path / "cnt.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["message_id", "user_id", "username", "repost_id", "reply_id", "message",
                    "timestamp", "urls"])
        w.writerows(rows)
    with Store(tmp_path / "case.duckdb") as store:
        (res,) = ingest_paths(store, [path], fmt="cnt-csv")
        stored = {r[0]: r[1:] for r in store.execute(
            "SELECT post_id, author_id, kind, ref_post_id, ref_author_handle, ref_created_ms, "
            "reply_to_post_id FROM posts")}
        handles = dict(store.execute("SELECT account_id, handle FROM accounts"))
    assert res.rows_in == len(rows) == res.rows_stored + res.rows_quarantined
    assert res.rows_stored == len(rows)
    first_name: dict[str, str] = {}
    for mid, uid, name, repost, reply, body, _, _ in rows:
        repost_id, reply_id = ident(repost), ident(reply)
        kind, ref = (("reshare", repost_id) if repost_id else ("reply", reply_id) if reply_id
                     else ("original", None))
        handle = rt_handle(body) if kind == "reshare" else None
        assert stored[mid] == (ident(uid), kind, ref, handle,
                               snowflake_ms(ref) if ref else None, reply_id)
        first_name.setdefault(ident(uid), name)
    assert handles == {u: (None if n in ("", "null") else n) for u, n in first_name.items()}
