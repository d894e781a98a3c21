"""What each network posts and amplifies: its members' posts, where a reshare carries the text of
the post it reshared (the words a network pushes are the original author's, whoever wrote them).

When the reshared post is not in the collection, the reshare's own text stands in for it (in IO
archives that is `RT @author: ...`, cut at 140 characters; `norm_text` drops the prefix).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from ..signals.features import has_table, rows

CONTENT_SQL = """
SELECT m.network_id, p.platform, p.post_id, p.author_id, p.kind, p.created_ms,
       CASE WHEN p.kind = 'reshare' THEN COALESCE(o.post_id, p.ref_post_id, p.post_id)
            ELSE p.post_id END AS source_post_id,
       CASE WHEN p.kind = 'reshare' THEN COALESCE(o.text, p.text) ELSE p.text END AS text,
       CASE WHEN p.kind = 'reshare' THEN COALESCE(o.lang, p.lang) ELSE p.lang END AS lang
FROM (SELECT DISTINCT account_id, network_id FROM memberships) m
JOIN posts p ON p.author_id = m.account_id
LEFT JOIN posts o ON p.kind = 'reshare' AND o.platform = p.platform AND o.post_id = p.ref_post_id
ORDER BY m.network_id, p.created_ms, p.platform, p.post_id
"""


@dataclass(frozen=True, slots=True)
class Item:
    """One post of a network member; for a reshare, `source_post_id`, `text` and `lang` are
    those of the post it reshared."""

    network_id: str
    platform: str
    post_id: str
    account_id: str
    kind: str
    created_ms: int
    source_post_id: str
    text: str | None
    lang: str | None


def network_content(con: duckdb.DuckDBPyConnection) -> list[Item]:
    """Every post of every network member, in (network, time, post) order; [] without networks."""
    if not has_table(con, "memberships"):
        return []
    return [Item(*r) for r in rows(con, CONTENT_SQL)]


def members(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Sorted member account ids of each network."""
    if not has_table(con, "memberships"):
        return {}
    out: dict[str, list[str]] = {}
    for net, acc in rows(con, "SELECT DISTINCT network_id, account_id FROM memberships "
                              "ORDER BY network_id, account_id"):
        out.setdefault(net, []).append(acc)
    return out
