"""Exposure: how much of what an account acts on is the flagged accounts' own content.

An item (a post reshared, quoted or replied to, its author, a hashtag, link or mention) is the
operation's *own* when most of the accounts that acted on it are flagged for their own
coordination (`verdict.owned_share`), at odds `verdict.owned_odds_ratio` times the odds of being
flagged among all accounts that acted on anything: where the operation is most of the case,
every popular item is mostly its, and engaging with one says nothing. An account's exposure is
the share of its items that are the operation's own.

Two uses, both in the verdict:
- **ranking** accounts in no network: platforms pivot from an operation they found to the
  accounts that engage with its content (guilt by association: Koutra et al., "Unifying
  Guilt-by-Association Approaches", ECML PKDD 2011). A takedown archive's sparse accounts co-act
  with no one but spend their few actions on the operation's own posts and authors;
- **flagging** a member of an inauthentic network that the verdict left out (a coordinated
  group's periphery, a creation cohort, a member attached too thinly) and that shows no signs
  of its own, when its exposure is itself the evidence: at least `owned_share` of its items
  are the operation's, at odds `verdict.exposure_odds_ratio` times those of the accounts in no
  network (the background, as far as the case knows it), and beyond the background's binomial
  tail at `verdict.alpha`, Bonferroni-corrected over the members tested. A periphery account
  of an organic public that Leiden cut together with an operation acts on public items (topic
  hashtags, viral posts) and is left out; an amplifier whose few reshares are all the
  operation's posts is not.

Accounts count as "the operation" only when held for their own coordination (firmly attached
members, or members with signs or copying of their own; not a periphery or cohort), so no
account is flagged for engaging with accounts flagged for engaging.
"""

from __future__ import annotations

import duckdb
from scipy.stats import binom

from .store import table_exists

SIGNAL = "operation_content"
EXAMPLES = 5  # items shown per member, as cohort_members and group_evidence show five

# Items an account acted on, in one vocabulary: a post it reshared, replied to or quoted; the
# author of that post; a hashtag, link or mention it used.
ACTED_ON_SQL = """
    SELECT actor_id AS account_id, concat_ws(':', 'post', platform, target_post_id) AS item
    FROM actions WHERE target_post_id IS NOT NULL
    UNION SELECT actor_id, concat_ws(':', 'account', platform, target_author_id) FROM actions
    WHERE target_author_id IS NOT NULL
    UNION SELECT p.author_id, concat_ws(':', e.entity, e.platform, e.normalized)
    FROM post_entities e JOIN posts p ON p.platform = e.platform AND p.post_id = e.post_id
    WHERE e.normalized IS NOT NULL AND e.normalized <> ''
"""

# One row per member flagged on its exposure, with the evidence: its items, how many are the
# operation's own (up to EXAMPLES of them, JSON), the background's exposure and the test.
EXPOSURE_MEMBERS_DDL = """
CREATE OR REPLACE TABLE exposure_members (
    account_id VARCHAR, network_id VARCHAR, n_items BIGINT, n_owned BIGINT, exposure DOUBLE,
    background DOUBLE, p_value DOUBLE, examples VARCHAR)
"""


def share_at_odds(rate: float, odds_ratio: float) -> float:
    """The share whose odds are `odds_ratio` times the odds of `rate` (1 when rate is 1)."""
    if rate >= 1:
        return 1.0
    odds = odds_ratio * rate / (1 - rate)
    return odds / (1 + odds)


def measure(con: duckdb.DuckDBPyConnection, rows: str, owned_share: float,
            owned_odds_ratio: float) -> float | None:
    """(Re)create temp `_exposure(account_id, n_items, n_owned, exposure, examples)` for every
    account that acted on anything, against the accounts of `rows` (a table with account_id,
    network_id, joined_by, held) held for their own coordination (firmly attached, or with
    signs or copying of their own, before any member is asked for its own evidence). Returns
    the background exposure (mean over accounts in no network), or None when the case has no
    actions."""
    con.execute("CREATE OR REPLACE TEMP TABLE _exposure (account_id VARCHAR, n_items BIGINT, "
                "n_owned BIGINT, exposure DOUBLE, examples VARCHAR)").fetchall()
    if not all(table_exists(con, t) for t in ("actions", "post_entities", "posts")):
        return None
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _exposure_items AS
        SELECT i.account_id, i.item, c.account_id IS NOT NULL AS core
        FROM ({ACTED_ON_SQL}) AS i
        LEFT JOIN (SELECT account_id FROM {rows}
                   WHERE held AND coalesce(joined_by, '') NOT IN ('group', 'cohort')) AS c
            USING (account_id)
    """).fetchall()
    flagged_rate = con.execute(
        "SELECT avg(CASE WHEN core THEN 1.0 ELSE 0.0 END) FROM "
        "(SELECT account_id, bool_or(core) AS core FROM _exposure_items GROUP BY account_id)"
    ).fetchall()[0][0]
    if flagged_rate is None:
        return None
    bar = max(owned_share, share_at_odds(flagged_rate, owned_odds_ratio))
    con.execute("""
        INSERT INTO _exposure
        WITH owned AS (
            SELECT item FROM _exposure_items GROUP BY item
            HAVING count(*) FILTER (WHERE core) >= greatest(1, ? * count(*))
        )
        SELECT i.account_id, count(*) AS n_items, count(o.item) AS n_owned,
               count(o.item) / count(*) AS exposure,
               to_json((list(o.item ORDER BY o.item) FILTER (WHERE o.item IS NOT NULL))[:?])
                   ::VARCHAR AS examples
        FROM _exposure_items i LEFT JOIN owned o USING (item)
        GROUP BY i.account_id
    """, [bar, EXAMPLES]).fetchall()
    background = con.execute(f"""
        SELECT avg(x.exposure) FROM _exposure x
        WHERE x.account_id NOT IN (SELECT account_id FROM {rows} WHERE network_id IS NOT NULL)
    """).fetchall()[0][0]
    return float(background or 0.0)


def flag_members(con: duckdb.DuckDBPyConnection, rows: str, background: float | None,
                 owned_share: float, odds_ratio: float, alpha: float) -> int:
    """(Re)create `exposure_members`: the unflagged members of inauthentic networks (in
    `rows`: account_id, network_id, joined_by, inauthentic, flagged) whose exposure is their
    evidence (module text). Returns how many."""
    con.execute(EXPOSURE_MEMBERS_DDL).fetchall()
    if background is None:
        return 0
    cands = con.execute(f"""
        SELECT r.account_id, r.network_id, x.n_items, x.n_owned, x.exposure, x.examples
        FROM {rows} r JOIN _exposure x USING (account_id)
        WHERE r.inauthentic AND NOT r.flagged
        ORDER BY r.account_id
    """).fetchall()
    bar = max(owned_share, share_at_odds(background, odds_ratio))
    keep = []
    for aid, net, n, k, share, examples in cands:
        p_value = float(binom.sf(k - 1, n, background)) if k else 1.0
        if share >= bar and p_value * len(cands) <= alpha:
            keep.append((aid, net, n, k, share, background, p_value, examples))
    if keep:
        con.executemany("INSERT INTO exposure_members VALUES (?, ?, ?, ?, ?, ?, ?, ?)", keep)
    return len(keep)
