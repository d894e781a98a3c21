"""Names for account ids the report shows: the handle in the accounts table, else the handle
the post texts give it.

Takedown archives list mentioned, replied-to and reshared accounts by id only, but the texts
name them: a post whose mention entities are ids [a, b] and whose text holds `@x … @y` names
a as x and b as y (entities follow the text's order; a post whose count of `@handles` differs
from its count of mentions is not used). Reshares carry the original author's handle. Each id
gets the handle most posts give it (ties by handle), with how many posts agree, so a reader can
judge the name.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

import duckdb
import pyarrow as pa

_FROM_TEXT = r"""
WITH m AS (
    SELECT e.platform, e.post_id, e.position, e.normalized AS id FROM post_entities e
    WHERE e.entity = 'mention' AND e.normalized IN (SELECT id FROM _names_want)
), k AS (
    SELECT e.platform, e.post_id, count(*) AS n FROM post_entities e
    WHERE e.entity = 'mention' AND (e.platform, e.post_id) IN (SELECT platform, post_id FROM m)
    GROUP BY ALL
), ranked AS (
    SELECT m.id, m.platform, m.post_id,
           row_number() OVER (PARTITION BY m.platform, m.post_id ORDER BY m.position) AS i,
           regexp_extract_all(p.text, '@([A-Za-z0-9_]{1,30})', 1) AS hs, k.n
    FROM m JOIN k USING (platform, post_id) JOIN posts p USING (platform, post_id)
)
SELECT id, hs[i] AS handle, count(*) FROM ranked WHERE len(hs) = n GROUP BY ALL
UNION ALL
SELECT ref_author_id, ref_author_handle, count(*) FROM posts
WHERE ref_author_id IN (SELECT id FROM _names_want) AND ref_author_handle IS NOT NULL
GROUP BY ALL
"""


def resolve_handles(con: duckdb.DuckDBPyConnection,
                    ids: Iterable[str]) -> dict[str, dict[str, object]]:
    """For each id that can be named: `{handle, display_name, source, n}` where source is
    'accounts' (the accounts table) or 'texts' (n posts give it this handle)."""
    want = sorted({i.lstrip("@") for i in ids if i})
    if not want:
        return {}
    con.register("_names_want", pa.table({"id": pa.array(want, pa.string())}))
    try:
        out: dict[str, dict[str, object]] = {}
        for aid, handle, name in con.execute("""
                SELECT account_id, min(handle), min(display_name) FROM accounts
                WHERE account_id IN (SELECT id FROM _names_want)
                  AND NOT COALESCE(id_is_hashed, false) GROUP BY 1""").fetchall():
            if handle and handle != aid:
                out[aid] = {"handle": handle.lstrip("@"), "display_name": name,
                            "source": "accounts", "n": None}
        votes: dict[str, Counter[str]] = defaultdict(Counter)
        for aid, handle, n in con.execute(_FROM_TEXT).fetchall():
            if handle:
                votes[aid][handle.lstrip("@")] += n
        for aid, c in votes.items():
            if aid not in out:
                handle, n = min(c.items(), key=lambda kv: (-kv[1], kv[0].lower(), kv[0]))
                out[aid] = {"handle": handle, "display_name": None, "source": "texts", "n": n}
        return out
    finally:
        con.unregister("_names_want")
