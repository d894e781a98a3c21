"""Rebuild `signals/data/human_day.json`: when people post, by local hour, measured on real data.

Two real, mostly organic populations whose local time zone is known (CooRTweet's example data,
`../shared/data/coortweet_examples`, MIT): German Twitter accounts before the 2021 federal
election (posts 2021-08-15..09-26, CEST = UTC+2) and Russian Twitter accounts around the 2021
Navalny protests (2021-01..08, MSK = UTC+3). Each account with at least `MIN_POSTS` posts
counts once (its posts' shares per local hour), each population counts half, and every hour gets
at least `FLOOR` of the day (an hour no one posted in is rare, not impossible).

    PYTHONPATH=src .venv/bin/python -m bench.human_day [../shared/data]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb
import numpy as np

MIN_POSTS = 10
FLOOR = 0.002
OUT = Path(__file__).resolve().parents[1] / "src/inconcert/signals/data/human_day.json"
SOURCES = {
    # name: (file, SQL giving account a and epoch seconds t, UTC offset of the local time)
    "german_elections_2021": (
        "coortweet_examples/german_elections.csv.gz",
        "SELECT DISTINCT account_id AS a, post_id, CAST(timestamp AS BIGINT) AS t FROM src "
        "WHERE account_id LIKE 'tw_%'", 2),
    "russian_coord_tweets_2021": (
        "coortweet_examples/russian_coord_tweets.csv.gz",
        "SELECT account_id AS a, content_id, CAST(timestamp_share AS BIGINT) AS t FROM src", 3),
}


def population_day(path: Path, sql: str, offset_h: int) -> tuple[np.ndarray, int]:
    """(mean over accounts of each account's share of posts per local hour, accounts)."""
    con = duckdb.connect()
    con.execute(f"CREATE VIEW src AS SELECT * FROM read_csv_auto('{path}')")
    got = con.execute(f"""
        WITH p AS ({sql}),
        l AS (SELECT a, CAST(((t // 3600) + {offset_h}) % 24 AS INTEGER) AS h FROM p),
        keep AS (SELECT a FROM l GROUP BY a HAVING count(*) >= {MIN_POSTS})
        SELECT a, h, count(*) FROM l JOIN keep USING (a) GROUP BY ALL ORDER BY 1, 2""").fetchall()
    per: dict[str, np.ndarray] = {}
    for a, h, n in got:
        per.setdefault(a, np.zeros(24))[h] += n
    shares = np.stack([v / v.sum() for v in per.values()])
    return shares.mean(axis=0), len(per)


def main() -> None:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else \
        Path(__file__).resolve().parents[2] / "shared" / "data"
    days, counts = [], {}
    for name, (file, sql, off) in SOURCES.items():
        day, n = population_day(data / file, sql, off)
        days.append(day)
        counts[name] = n
    day = np.maximum(np.mean(days, axis=0), FLOOR)
    day = day / day.sum()
    OUT.write_text(json.dumps({
        "_about": "Share of a person's posts per local hour (0-23), mean over accounts of two real "
                  "populations with known time zones (CooRTweet example data: German Twitter "
                  "2021, UTC+2; Russian Twitter 2021, UTC+3), each hour floored at "
                  f"{FLOOR}. Rebuilt by bench/human_day.py.",
        "accounts": counts, "min_posts": MIN_POSTS,
        "share_by_local_hour": [round(float(x), 5) for x in day]}, indent=1) + "\n",
        encoding="utf-8")
    print(np.round(day * 100, 1).tolist(), counts)


if __name__ == "__main__":
    main()
