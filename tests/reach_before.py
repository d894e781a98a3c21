"""An operation's reach as it was computed before every operation was read in one query
(commit 2aaf69c, `report/reach.py::reach`, one query per operation), kept as the oracle
`reach_all` must reproduce exactly (tests/test_report_batched.py)."""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa

from inconcert.report.reach import CELEBRITY_FOLLOWERS, MIN_AUDIENCE

_ENGAGED = """
WITH m AS (SELECT account_id FROM _reach_members),
e AS (
    SELECT p.author_id AS who, p.platform,
           CASE p.kind WHEN 'reshare' THEN 'reshared' WHEN 'quote' THEN 'quoted' END AS how
    FROM posts p WHERE p.kind IN ('reshare', 'quote') AND p.ref_author_id IN (SELECT * FROM m)
    UNION ALL
    SELECT p.author_id, p.platform, 'replied to' FROM posts p
    WHERE p.reply_to_author_id IN (SELECT * FROM m)
    UNION ALL
    SELECT p.author_id, p.platform, 'mentioned' FROM post_entities x
    JOIN posts p USING (platform, post_id)
    WHERE x.entity = 'mention' AND x.normalized IN (SELECT * FROM m)
)
SELECT e.who, e.platform, e.how, v.network_id, a.followers FROM e
LEFT JOIN verdicts v ON v.account_id = e.who
LEFT JOIN (SELECT account_id, max(followers) AS followers FROM accounts GROUP BY 1) a
  ON a.account_id = e.who
WHERE e.how IS NOT NULL AND e.who NOT IN (SELECT * FROM m)
"""


def reach(con: duckdb.DuckDBPyConnection, members: list[str], own_networks: list[str]
          ) -> dict[str, Any]:
    """Engagement from outside an operation and its Breakout Scale category, with evidence."""
    con.register("_reach_members", pa.table({"account_id": pa.array(sorted(members),
                                                                      pa.string())}))
    try:
        rows = con.execute(_ENGAGED).fetchall()
        own_platforms = [r[0] for r in con.execute(
            "SELECT DISTINCT platform FROM accounts WHERE account_id IN "
            "(SELECT account_id FROM _reach_members)").fetchall()]
    finally:
        con.unregister("_reach_members")
    by_how: dict[str, set[str]] = {}
    accounts: set[str] = set()
    networks: set[str] = set()
    unaffiliated: set[str] = set()
    platforms = set(own_platforms)
    celebrities: dict[str, int] = {}
    for who, platform, how, nid, followers in rows:
        by_how.setdefault(how, set()).add(who)
        accounts.add(who)
        platforms.add(platform)
        if nid and nid not in own_networks:
            networks.add(nid)
        elif not nid:
            unaffiliated.add(who)
        if followers and followers >= CELEBRITY_FOLLOWERS:
            celebrities[who] = followers
    communities = 1 + len(networks) + (len(unaffiliated) >= MIN_AUDIENCE)
    many_p, many_c = len(platforms) > 1, communities > 1
    category = 3 if many_p and many_c else 2 if many_p or many_c else 1
    why = {1: "it stayed on one platform and nobody outside its own community engaged with "
              "it in numbers",
           2: ("several communities on one platform engaged with it" if many_c else
               "it reached several platforms but one community"),
           3: "several communities on several platforms engaged with it"}[category]
    return {"n_accounts": len(accounts),
            "how": sorted(((k, len(v)) for k, v in by_how.items()), key=lambda kv: -kv[1]),
            "networks": sorted(networks), "n_unaffiliated": len(unaffiliated),
            "communities": communities, "platforms": sorted(platforms), "category": category,
            "why": why, "celebrities": sorted(celebrities.items(), key=lambda kv: -kv[1])[:5]}
