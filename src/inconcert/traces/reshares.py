"""Every reshare (and timed like) with the account it amplifies and its latency; `amplification`.

The seeder of a reshare is the author of the original: the reshare's `ref_author_id`, else the
original's author when the original is in the data, else the one account whose handle is the
`RT @handle:` of the reshare (handles naming several accounts are not guessed). The latency is the
reshare's time minus the original's: the original's `created_ms` when it is in the data (its own,
checked, time), else `ref_created_ms` (for X, the Snowflake time of the reshared id).

`amplification` aggregates it per (amplifier, seeder): co-reshare edges connect amplifiers only,
so this is what lets the roles stage see the seeders they amplify.
"""

from __future__ import annotations

import duckdb

# One SELECT (transpiled for Spark when fast_reshare runs there on a Parquet dataset).
RESHARES_SELECT = """
WITH handles AS (
    SELECT platform, lower(ltrim(handle, '@')) AS h, min(account_id) AS account_id
    FROM accounts WHERE handle IS NOT NULL AND handle <> ''
    GROUP BY platform, lower(ltrim(handle, '@'))
    HAVING count(DISTINCT account_id) = 1
),
r AS (
    SELECT p.platform, p.post_id AS action_id, 'reshare' AS kind, p.author_id AS amplifier,
           p.ref_post_id AS original_id,
           COALESCE(p.ref_author_id, o.author_id, h.account_id) AS seeder,
           p.created_ms, COALESCE(o.created_ms, p.ref_created_ms) AS original_ms
    FROM posts AS p
    LEFT JOIN posts AS o ON o.platform = p.platform AND o.post_id = p.ref_post_id
    LEFT JOIN handles AS h ON h.platform = p.platform
        AND h.h = lower(ltrim(p.ref_author_handle, '@'))
    WHERE p.kind = 'reshare' AND p.ref_post_id IS NOT NULL AND p.ref_post_id <> ''
    UNION ALL
    SELECT i.platform, i.interaction_id, 'like', i.actor_id, i.target_post_id,
           COALESCE(i.target_author_id, o.author_id), i.created_ms, o.created_ms
    FROM interactions AS i
    LEFT JOIN posts AS o ON o.platform = i.platform AND o.post_id = i.target_post_id
    WHERE i.kind = 'like' AND i.created_ms IS NOT NULL
        AND i.target_post_id IS NOT NULL AND i.target_post_id <> ''
)
SELECT platform, action_id, kind, amplifier, original_id, seeder, created_ms, original_ms,
       created_ms - original_ms AS latency_ms
FROM r
"""
RESHARES_SQL = f"""
CREATE OR REPLACE TABLE reshares AS
{RESHARES_SELECT}
ORDER BY platform, action_id, kind
"""

AMPLIFICATION_SQL = """
CREATE OR REPLACE TABLE amplification AS
WITH per_original AS (
    SELECT amplifier, seeder, original_id, min(created_ms) AS first_ms
    FROM reshares WHERE seeder IS NOT NULL AND seeder <> amplifier
    GROUP BY amplifier, seeder, original_id
),
ex AS (
    SELECT amplifier, seeder,
           to_json(list(original_id ORDER BY first_ms, original_id)[1:5]) AS examples
    FROM per_original GROUP BY amplifier, seeder
)
SELECT r.amplifier, r.seeder, count(*) AS n_reshares,
       count(*) FILTER (WHERE r.latency_ms BETWEEN 0 AND {tau}) AS n_fast,
       quantile_disc(r.latency_ms, 0.5) AS median_latency_ms,
       min(r.created_ms) AS first_ms, max(r.created_ms) AS last_ms, ex.examples
FROM reshares AS r JOIN ex ON ex.amplifier = r.amplifier AND ex.seeder = r.seeder
WHERE r.seeder IS NOT NULL AND r.seeder <> r.amplifier
GROUP BY r.amplifier, r.seeder, ex.examples
ORDER BY r.amplifier, r.seeder
"""


def build_reshares(con: duckdb.DuckDBPyConnection, fast_ms: int) -> None:
    """(Re)create `reshares` and `amplification` (n_fast: latency within `fast_ms`)."""
    con.execute(RESHARES_SQL).fetchall()
    con.execute(AMPLIFICATION_SQL.format(tau=int(fast_ms))).fetchall()
