"""Amplified sources: whose content a network pushes.

Accounts whose posts its members reshare or quote (the author's id; else the account holding the
author's handle, from the post or its `RT @handle:` prefix; else `@handle`), and web domains its
members link to (links to posts on the platform itself are the quotes already counted). For each,
the network posts that pushed it, their share of all the network's posts, the same share among
everyone else's posts (background) and the ratio of the two (`lift`: 0.5 added to the background
count so an unseen source has a finite lift). `in_network` marks a source that is itself a
member (the network's own seeders).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from .. import config
from ..signals.features import rows
from .cluster import DOMAIN_SQL
from .content import Item
from .tables import replace_table

SOURCES_DDL = """
CREATE OR REPLACE TABLE sources (
    network_id VARCHAR, rank BIGINT, source_kind VARCHAR, source VARCHAR, handle VARCHAR,
    display_name VARCHAR, in_network BOOLEAN, n_reshares BIGINT, n_quotes BIGINT,
    n_links BIGINT, n_posts BIGINT, n_accounts BIGINT, share DOUBLE, background_posts BIGINT,
    background_share DOUBLE, lift DOUBLE, first_ms BIGINT, last_ms BIGINT, examples VARCHAR)
"""
# (platform, post, author, time, kind of source, source, how) for every reshare, quote and link.
EVENTS_SQL = f"""
CREATE OR REPLACE TEMP TABLE _source_events AS
WITH handles AS (SELECT lower(handle) AS h, min(account_id) AS account_id FROM accounts
                 WHERE handle IS NOT NULL AND handle <> '' GROUP BY 1),
refs AS (
    SELECT p.platform, p.post_id, p.author_id, p.created_ms, p.kind, p.ref_author_id,
           o.author_id AS original_author,
           lower(COALESCE(p.ref_author_handle,
                          regexp_extract(p.text, '^\\s*RT\\s+@([\\w.]+)\\s*:', 1))) AS h
    FROM posts p
    LEFT JOIN posts o ON o.platform = p.platform AND o.post_id = p.ref_post_id
    WHERE p.kind IN ('reshare', 'quote'))
SELECT r.platform, r.post_id, r.author_id, r.created_ms, 'account' AS source_kind,
       COALESCE(r.ref_author_id, r.original_author, hd.account_id,
                CASE WHEN r.h <> '' THEN '@' || r.h END) AS source,
       r.kind AS how
FROM refs r LEFT JOIN handles hd ON hd.h = r.h
WHERE source IS NOT NULL AND source <> r.author_id
UNION ALL
SELECT DISTINCT p.platform, p.post_id, p.author_id, p.created_ms, 'domain', {DOMAIN_SQL},
       'link'
FROM post_entities e JOIN posts p ON p.platform = e.platform AND p.post_id = e.post_id
WHERE e.entity IN ('url', 'domain') AND {DOMAIN_SQL} IS NOT NULL
"""


@config.section("narratives.sources")
@dataclass
class SourceParams:
    """Accounts and domains whose content each network pushes."""

    min_posts: int = config.param(2, "a source needs at least this many posts of the network")
    max_accounts: int = config.param(20, "source accounts listed per network, most pushed first")
    max_domains: int = config.param(20, "domains listed per network, most pushed first")
    examples: int = config.param(5, "example post ids kept per source (earliest first)")


def write_sources(con: duckdb.DuckDBPyConnection, items: Sequence[Item], p: SourceParams) -> int:
    """(Re)create `sources`: each network's amplified accounts and domains; returns the rows."""
    if not items:
        replace_table(con, "sources", SOURCES_DDL, [])
        return 0
    con.execute(EVENTS_SQL).fetchall()
    total = rows(con, "SELECT count(*) FROM posts")[0][0]
    got = rows(con, """
        WITH members AS (SELECT DISTINCT account_id, network_id FROM memberships),
        net_posts AS (SELECT m.network_id, count(*) AS n FROM posts p
                      JOIN members m ON m.account_id = p.author_id GROUP BY 1),
        everyone AS (SELECT source_kind, source, count(DISTINCT (platform, post_id)) AS n
                     FROM _source_events GROUP BY ALL),
        net AS (
            SELECT m.network_id, e.source_kind, e.source,
                   count(DISTINCT (e.platform, e.post_id)) FILTER (e.how = 'reshare') AS reshares,
                   count(DISTINCT (e.platform, e.post_id)) FILTER (e.how = 'quote') AS quotes,
                   count(DISTINCT (e.platform, e.post_id)) FILTER (e.how = 'link') AS links,
                   count(DISTINCT (e.platform, e.post_id)) AS n_posts,
                   count(DISTINCT e.author_id) AS n_accounts,
                   min(e.created_ms) AS first_ms, max(e.created_ms) AS last_ms,
                   list(DISTINCT e.post_id ORDER BY e.post_id) AS ids
            FROM _source_events e JOIN members m ON m.account_id = e.author_id GROUP BY ALL
            HAVING count(DISTINCT (e.platform, e.post_id)) >= ?),
        ranked AS (
            SELECT net.*, row_number() OVER (PARTITION BY net.network_id, net.source_kind
                   ORDER BY net.n_posts DESC, net.source) AS kind_rank
            FROM net)
        SELECT r.network_id, r.source_kind, r.source, a.handle, a.display_name,
               EXISTS (SELECT 1 FROM members x WHERE x.network_id = r.network_id
                       AND x.account_id = r.source) AS in_network,
               r.reshares, r.quotes, r.links, r.n_posts, r.n_accounts, np.n AS network_posts,
               ev.n - r.n_posts AS background_posts, r.first_ms, r.last_ms, r.ids
        FROM ranked r JOIN net_posts np ON np.network_id = r.network_id
        JOIN everyone ev ON ev.source_kind = r.source_kind AND ev.source = r.source
        LEFT JOIN (SELECT account_id, min(handle) AS handle, min(display_name) AS display_name
                   FROM accounts GROUP BY 1) a
               ON r.source_kind = 'account' AND a.account_id = r.source
        WHERE r.kind_rank <= CASE WHEN r.source_kind = 'account' THEN ? ELSE ? END
        ORDER BY r.network_id, r.n_posts DESC, r.source_kind, r.source""",
               [p.min_posts, p.max_accounts, p.max_domains])
    con.execute("DROP TABLE IF EXISTS _source_events").fetchall()
    first_post = {}
    for it in items:
        first_post.setdefault(it.post_id, it.created_ms)
    out = []
    rank = 0
    current = None
    for (net, kind, source, handle, name, in_net, reshares, quotes, links, n_posts, n_acc,
         net_n, bg, first, last, ids) in got:
        rank = rank + 1 if net == current else 1
        current = net
        if kind == "account" and source.startswith("@"):
            handle = source[1:]
        m = total - net_n
        share = n_posts / net_n
        examples = sorted(ids, key=lambda i: (first_post.get(i, 0), i))[:p.examples]
        out.append((net, rank, kind, source, handle, name, bool(in_net), reshares, quotes, links,
                    n_posts, n_acc, round(share, 6), bg, round(bg / m, 6) if m else 0.0,
                    round(share / ((bg + 0.5) / (m + 1)), 4), first, last, json.dumps(examples)))
    replace_table(con, "sources", SOURCES_DDL, out)
    return len(out)
