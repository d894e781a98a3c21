"""Reach and breakout of an operation: which accounts outside it engaged with it (replied to,
reshared, quoted or mentioned its accounts), which communities and platforms they belong to,
and the operation's category on the Breakout Scale (Nimmo, 2020).

Communities are what the case can tell apart: each other detected network is one community,
and accounts in no network together count as one more (the wider audience) when at least
`MIN_AUDIENCE` of them engaged. The scale's lower categories follow from the data:

1. one platform, one community (nobody outside the operation's own community engaged);
2. one platform and several communities, or several platforms and one community;
3. several platforms and several communities.

The upper categories are assessed one by one (`upper_categories`), each shown only when the
data holds its evidence, else with the evidence it would take:

4. cross-medium breakout (mainstream media report or embed the content): never in social-media
   data, so always "not shown", naming what would show it;
5. celebrity amplification: accounts outside the operation with at least
   `CELEBRITY_FOLLOWERS` followers that reshared or quoted its accounts. Replies and mentions
   by such accounts are not amplification (a critic answering an attack is not spreading it),
   so they are listed as leads only;
6. policy response or calls for violence: outside the data, "not shown".

The operation's category is the highest one shown.
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
# Scan order is numbered with row_number() rather than read from `rowid`: on a run from a
# Parquet dataset (`--dataset`) `posts` and `post_entities` are views, which have no rowid.
_ENGAGED = """
WITH m AS (SELECT op, account_id FROM _reach_members),
p AS (SELECT platform, post_id, author_id, kind, ref_author_id, reply_to_author_id,
             row_number() OVER () AS r FROM posts),
x AS (SELECT platform, post_id, entity, normalized, row_number() OVER () AS r
      FROM post_entities),
e AS (
    SELECT m.op, p.author_id AS who, p.platform,
           CASE p.kind WHEN 'reshare' THEN 'reshared' WHEN 'quote' THEN 'quoted' END AS how,
           1 AS k, p.r
    FROM p JOIN m ON p.ref_author_id = m.account_id
    WHERE p.kind IN ('reshare', 'quote')
    UNION ALL
    SELECT m.op, p.author_id, p.platform, 'replied to', 2, p.r FROM p
    JOIN m ON p.reply_to_author_id = m.account_id
    UNION ALL
    SELECT m.op, p.author_id, p.platform, 'mentioned', 3, x.r FROM x
    JOIN p USING (platform, post_id) JOIN m ON x.normalized = m.account_id
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
    celebrities: dict[str, tuple[int, set[str]]] = {}
    for who, platform, how, nid, followers in rows:
        by_how.setdefault(how, set()).add(who)
        accounts.add(who)
        platforms.add(platform)
        if nid and nid not in own_networks:
            networks.add(nid)
        elif not nid:
            unaffiliated.add(who)
        if followers and followers >= CELEBRITY_FOLLOWERS:
            celebrities.setdefault(who, (followers, set()))[1].add(how)
    communities = 1 + len(networks) + (len(unaffiliated) >= MIN_AUDIENCE)
    many_p, many_c = len(platforms) > 1, communities > 1
    category = 3 if many_p and many_c else 2 if many_p or many_c else 1
    why = {1: "it stayed on one platform and nobody outside its own community engaged with "
              "it in numbers",
           2: ("several communities on one platform engaged with it" if many_c else
               "it reached several platforms but one community"),
           3: "several communities on several platforms engaged with it"}[category]
    upper = upper_categories(celebrities)
    shown = [u for u in upper if u["shown"]]
    if shown:
        category, why = shown[-1]["category"], shown[-1]["evidence"]
    return {"n_accounts": len(accounts),
            "how": sorted(((k, len(v)) for k, v in by_how.items()), key=lambda kv: -kv[1]),
            "networks": sorted(networks), "n_unaffiliated": len(unaffiliated),
            "communities": communities, "platforms": sorted(platforms), "category": category,
            "why": why, "upper": upper}


# What each upper category would take, said when the data cannot show it.
_NEEDED = {
    4: "mainstream media (press, broadcast, news sites) reporting, quoting or embedding its "
       "content; social-media data cannot show this",
    5: f"an account outside the operation with {CELEBRITY_FOLLOWERS:,}+ followers (a public "
       "figure) resharing or quoting it",
    6: "a policy response (officials or lawmakers acting on it or citing it) or calls for "
       "violence that it provoked; this data cannot show either",
}
_NAMES = {4: "cross-medium breakout", 5: "celebrity amplification",
          6: "policy response or call for violence"}


def upper_scale() -> list[tuple[int, str, str]]:
    """Breakout Scale categories 4-6: number, name and the evidence each would need."""
    return [(cat, _NAMES[cat], _NEEDED[cat]) for cat in (4, 5, 6)]


def upper_categories(celebrities: dict[str, tuple[int, set[str]]]) -> list[dict[str, Any]]:
    """Breakout Scale categories 4-6, each with `shown` and the evidence for it, or the
    evidence it would need; `celebrities` maps an engaged account with CELEBRITY_FOLLOWERS+
    followers to (followers, how it engaged)."""
    by_size = sorted(celebrities.items(), key=lambda kv: (-kv[1][0], kv[0]))
    amplifiers = [(a, f) for a, (f, how) in by_size if how & {"reshared", "quoted"}]
    leads = [(a, f) for a, (f, how) in by_size if not how & {"reshared", "quoted"}]
    out = []
    for cat in (4, 5, 6):
        row: dict[str, Any] = {"category": cat, "name": _NAMES[cat], "shown": False,
                               "accounts": [], "leads": []}
        if cat == 5 and amplifiers:
            n = len(amplifiers)
            row.update(shown=True, accounts=amplifiers[:5], evidence=(
                f"{n} account{'' if n == 1 else 's'} with {CELEBRITY_FOLLOWERS:,}+ followers "
                f"outside the operation reshared or quoted it (whether "
                f"{'it is a public figure' if n == 1 else 'they are public figures'} is for "
                "the analyst to confirm)"))
        else:
            row["evidence"] = f"not shown: it would need {_NEEDED[cat]}"
            if cat == 5:
                row["leads"] = leads[:5]
        out.append(row)
    return out
