"""Reach and breakout of an operation: which accounts outside it engaged with it (replied to,
reshared, quoted or mentioned its accounts), which communities and platforms they belong to,
and the operation's category on the Breakout Scale (Nimmo, 2020).

Communities are what the case can tell apart: each other detected network is one community,
and accounts in no network together count as one more (the wider audience) when at least
`MIN_AUDIENCE` of them engaged. The scale's lower categories follow from the data:

1. one platform, one community (nobody outside the operation's own community engaged);
2. one platform and several communities, or several platforms and one community;
3. several platforms and several communities.

Categories 4-6 (cross-medium breakout, celebrity amplification, policy response or calls for
violence) need evidence outside social-media data; the report names engaged accounts with at
least `CELEBRITY_FOLLOWERS` followers as leads for category 5, never as the category itself.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa

MIN_AUDIENCE = 3
CELEBRITY_FOLLOWERS = 100_000

# Every operation's engagement in one query (`op` numbers the operations): one query per
# operation read the posts 2,315 times in the big-network case. Rows only feed sets, so a
# member listed twice changes nothing; they come in scan order (kind of engagement, then
# table order), which breaks ties between equal counts as the per-operation query did.
_ENGAGED = """
WITH m AS (SELECT op, account_id FROM _reach_members),
e AS (
    SELECT m.op, p.author_id AS who, p.platform,
           CASE p.kind WHEN 'reshare' THEN 'reshared' WHEN 'quote' THEN 'quoted' END AS how,
           1 AS k, p.rowid AS r
    FROM posts p JOIN m ON p.ref_author_id = m.account_id
    WHERE p.kind IN ('reshare', 'quote')
    UNION ALL
    SELECT m.op, p.author_id, p.platform, 'replied to', 2, p.rowid FROM posts p
    JOIN m ON p.reply_to_author_id = m.account_id
    UNION ALL
    SELECT m.op, p.author_id, p.platform, 'mentioned', 3, x.rowid FROM post_entities x
    JOIN posts p USING (platform, post_id) JOIN m ON x.normalized = m.account_id
    WHERE x.entity = 'mention'
)
SELECT e.op, e.who, e.platform, e.how, v.network_id, a.followers FROM e
LEFT JOIN verdicts v ON v.account_id = e.who
LEFT JOIN (SELECT account_id, max(followers) AS followers FROM accounts GROUP BY 1) a
  ON a.account_id = e.who
WHERE e.how IS NOT NULL AND e.who IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM m WHERE m.op = e.op AND m.account_id = e.who)
ORDER BY e.op, e.k, e.r
"""
_OWN_PLATFORMS = """
SELECT DISTINCT m.op, a.platform FROM _reach_members m JOIN accounts a USING (account_id)
"""


def reach_all(con: duckdb.DuckDBPyConnection, operations: list[tuple[list[str], list[str]]]
              ) -> list[dict[str, Any]]:
    """`reach` of every operation, given as (member account ids, own network ids)."""
    con.register("_reach_members", pa.table({
        "op": pa.array([i for i, (members, _) in enumerate(operations) for _ in members],
                       pa.int64()),
        "account_id": pa.array([a for members, _ in operations for a in members],
                               pa.string())}))
    try:
        rows = con.execute(_ENGAGED).fetchall()
        platforms = con.execute(_OWN_PLATFORMS).fetchall()
    finally:
        con.unregister("_reach_members")
    rows_of: list[list[tuple]] = [[] for _ in operations]
    for op, *row in rows:
        rows_of[op].append(tuple(row))
    own_of: list[list[str]] = [[] for _ in operations]
    for op, platform in platforms:
        own_of[op].append(platform)
    return [reach(rows_of[i], own_of[i], own) for i, (_, own) in enumerate(operations)]


def reach(rows: list[tuple], own_platforms: list[str], own_networks: list[str]
          ) -> dict[str, Any]:
    """Engagement from outside an operation and its Breakout Scale category, with evidence,
    from its engagement rows (who, platform, how, network, followers)."""
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
