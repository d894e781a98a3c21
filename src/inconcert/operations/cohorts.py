"""Creation cohorts: accounts registered in the same burst as an inauthentic network's members.

Operations register their accounts in batches, and platforms attribute the whole batch: Twitter's
China 2019 roster holds 119 accounts created on 2017-08-30; the Thailand 2020 archive
(`../shared/data/thailand_io_092020`) was created on eleven days, 11 to 106 accounts a day, and
its accounts with only a handful of posts co-act with no one in the data yet belong to the
operation that the same day's other accounts run. Setting accounts up together is coordination
too, at the start of the accounts' lives rather than in their posts (Thomas et al., "Trafficking
Fraudulent Accounts", USENIX Security 2013: accounts bought in bulk come registered in bursts;
SynchroTrap, Cao et al. CCS 2014, treats synchronised creation as one of the synchronised
actions that betray a group).

An account in no network joins one (`joined_by = 'cohort'`) when all of these hold:
- its creation bin is a *case* burst of `signals.batch_creation` (Poisson tail after Bonferroni,
  at least `min_ratio` times the local background);
- at least `min_members` of that burst's accounts are flagged by the verdict (members of
  inauthentic networks): the burst is the operation's, not a sign-up wave after a news event.
  The account joins the network holding most of them;
- it is more likely the burst's than background: of the burst's accounts that nothing placed,
  `expected` (the background count the burst test used) are background, since authentic
  accounts seldom join an inauthentic network; so 1 − expected / unplaced must reach
  `min_purity`. A burst whose operation accounts were all placed by their behaviour leaves only
  its background unplaced, and adds no one;
- it acted on the operation's own content at least `min_items` times: a post, an author, a
  hashtag, link or mention of which at least `owned_share` of the users are the network's
  members or its bursts' accounts. A hashtag the whole platform uses, or a viral post, ties no
  one; a burst-mate that never touched the operation is left out.

Its attachment is that probability, 1 − expected / unplaced. The verdict flags a cohort member
only on its own evidence (its signs, or its exposure: `inconcert.exposure`), like a group's
periphery. On the Thailand archive alone this places the
operation's sparse accounts that co-act with no one (docs/evaluation.md).
"""

from __future__ import annotations

import dataclasses

import duckdb
from scipy.stats import poisson

from .. import config
from ..config import Config
from ..exports.graph import table_exists
from ..exposure import ACTED_ON_SQL

JOINED_BY = "cohort"
EXAMPLES = 5  # items shown per cohort member, as group_evidence shows five shared items
# One row per account that joined as a creation cohort, with the evidence that placed it: its
# burst, the burst's background, unplaced and flagged accounts, and the operation's own items
# it acted on (up to EXAMPLES, JSON).
COHORT_MEMBERS_DDL = """
CREATE OR REPLACE TABLE cohort_members (
    account_id VARCHAR, network_id VARCHAR, bin VARCHAR, unit VARCHAR, expected DOUBLE,
    unplaced BIGINT, flagged BIGINT, purity DOUBLE, n_items BIGINT, examples VARCHAR)
"""


@config.section("cohorts")
@dataclasses.dataclass
class CohortParams:
    """Which accounts join a network because they were created in its members' burst."""

    enabled: bool = config.param(
        True, "join the burst-mates of an inauthentic network's members to it (see the module "
              "text); off: only behaviour in the data places an account")
    min_members: int = config.param(
        3, "accounts of the burst that the verdict flags in inauthentic networks (the "
           "network-stage cohort test's own minimum, signals.batch_creation_network.min_members)")
    min_items: int = config.param(
        1, "distinct items (posts, members, hashtags, links, mentions) of the network the "
           "account must have acted on")
    min_purity: float = config.param(
        0.5, "an unplaced account of the burst joins when it is more likely the burst's than "
             "background: 1 - expected / unplaced accounts of the burst at least this")
    owned_share: float = config.param(
        0.5, "an item counts only when at least this share of the accounts that acted on it are "
             "the network's members or its bursts' accounts")


_FLAGGED = """
    SELECT v.account_id, v.network_id FROM verdicts v
    JOIN networks n ON n.network_id = v.network_id AND n.inauthentic
    WHERE v.flagged
"""

_BURSTS = """
    SELECT s.account_id, c.bin, c.unit, c.accounts, c.expected
    FROM account_signals s,
         unnest(from_json(json_extract(s.evidence, '$.cohorts'),
                '[{"bin": "VARCHAR", "unit": "VARCHAR", "scope": "VARCHAR",
                   "accounts": "BIGINT", "expected": "DOUBLE"}]')) AS t(c)
    WHERE s.signal = 'batch_creation' AND c.scope = 'case'
"""

def join_cohorts(con: duckdb.DuckDBPyConnection, cfg: Config) -> int:
    """Add the burst-mates of inauthentic networks' members to those networks
    (`joined_by = 'cohort'`, role 'amplifier'). Runs after the verdict, whose flags say which
    bursts are the operation's; returns the number of accounts added (the caller judges again
    when it is not 0)."""
    p: CohortParams = cfg.section("cohorts")
    con.execute(COHORT_MEMBERS_DDL).fetchall()
    needed = ("memberships", "networks", "verdicts", "account_signals", "actions",
              "post_entities")
    if not p.enabled or not all(table_exists(con, t) for t in needed):
        return 0
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _cohort_burst AS
        WITH burst AS ({_BURSTS}),
        flagged AS ({_FLAGGED}),
        -- The burst is the operation's when it holds at least min_members accounts the verdict
        -- flags, whichever of the operation's networks they sit in (its amplifier teams come out
        -- as several); its unplaced accounts join the network holding most of them.
        target AS (
            SELECT bin, unit, network_id, total FROM (
                SELECT b.bin, b.unit, f.network_id, count(*) AS n,
                       sum(count(*)) OVER (PARTITION BY b.bin, b.unit) AS total
                FROM burst b JOIN flagged f USING (account_id)
                GROUP BY b.bin, b.unit, f.network_id)
            WHERE total >= $min_members
            QUALIFY row_number() OVER (PARTITION BY bin, unit ORDER BY n DESC, network_id) = 1
        )
        SELECT b.account_id, b.bin, b.unit, b.expected, t.network_id, t.total AS flagged
        FROM burst b JOIN target t USING (bin, unit)
    """, {"min_members": p.min_members}).fetchall()
    keep = _bursts_beyond_background(con, p, cfg.section("signals.batch_creation").alpha)
    con.execute("CREATE OR REPLACE TEMP TABLE _cohort_keep (bin VARCHAR, unit VARCHAR, "
                "unplaced BIGINT, purity DOUBLE)").fetchall()
    if keep:
        con.executemany("INSERT INTO _cohort_keep VALUES (?, ?, ?, ?)", keep)
    con.execute(f"""
        INSERT INTO cohort_members
        WITH cand AS (
            SELECT b.account_id, b.network_id, b.bin, b.unit, b.expected, k.unplaced,
                   b.flagged, k.purity
            FROM _cohort_burst b JOIN _cohort_keep k USING (bin, unit)
            WHERE b.account_id NOT IN (SELECT account_id FROM memberships)
            -- In two bursts (a day and an hour of it): the purer one.
            QUALIFY row_number() OVER (PARTITION BY b.account_id
                                       ORDER BY k.purity DESC, b.network_id) = 1
        ),
        items AS ({ACTED_ON_SQL}),
        -- The operation as far as it is known: the network's members and its bursts' accounts.
        side AS (
            SELECT DISTINCT network_id, account_id FROM memberships
            UNION SELECT network_id, account_id FROM _cohort_burst
        ),
        -- Items the operation owns: most of the accounts that acted on them are on its side, so
        -- a hashtag or a viral post that the whole platform uses links no one.
        owned AS (
            SELECT s.network_id, i.item
            FROM items i JOIN (SELECT item, count(*) AS users FROM items GROUP BY item) u
              USING (item)
            JOIN side s ON s.account_id = i.account_id
            WHERE s.network_id IN (SELECT network_id FROM cand)
            GROUP BY s.network_id, i.item, u.users
            HAVING count(*) >= $owned_share * u.users
        ),
        engaged AS (
            SELECT c.account_id, count(DISTINCT i.item) AS n,
                   list(DISTINCT i.item ORDER BY i.item)[:$examples] AS examples
            FROM cand c JOIN items i USING (account_id)
            JOIN owned o ON o.network_id = c.network_id AND o.item = i.item
            GROUP BY c.account_id
        )
        SELECT c.account_id, c.network_id, c.bin, c.unit, c.expected, c.unplaced, c.flagged,
               c.purity, e.n AS n_items, to_json(e.examples)::VARCHAR AS examples
        FROM cand c JOIN engaged e USING (account_id)
        WHERE e.n >= $min_items
        ORDER BY c.account_id
    """, {"min_items": p.min_items, "owned_share": p.owned_share,
          "examples": EXAMPLES}).fetchall()
    before = con.execute("SELECT count(*) FROM memberships").fetchall()[0][0]
    con.execute(f"""
        INSERT INTO memberships
        SELECT account_id, network_id, '{JOINED_BY}', n_items, purity, 'amplifier', 0, 0, 0, 0, 0
        FROM cohort_members ORDER BY account_id
    """).fetchall()
    return int(con.execute("SELECT count(*) FROM memberships").fetchall()[0][0] - before)


def _bursts_beyond_background(con: duckdb.DuckDBPyConnection, p: CohortParams,
                              alpha: float) -> list[tuple[str, str, int, float]]:
    """The operation's bursts (in `_cohort_burst`) whose unplaced accounts are more than the
    burst's background could be: `(bin, unit, unplaced, purity)`.

    The background's `expected` accounts of a burst are almost all among the accounts nothing
    placed, since authentic accounts seldom join an inauthentic network; so an unplaced account
    is the burst's with probability 1 - expected / unplaced (at least `min_purity`). With few
    accounts that estimate is noise (3 unplaced where 1.35 are expected is a 15 % event), so the
    unplaced count must also beat the Poisson tail of the background at the burst test's own
    `alpha`, Bonferroni-corrected over the bursts tested here."""
    rows = con.execute("""
        SELECT bin, unit, any_value(expected), count(*) FILTER (
            WHERE account_id NOT IN (SELECT account_id FROM memberships))
        FROM _cohort_burst GROUP BY bin, unit ORDER BY bin, unit
    """).fetchall()
    keep = []
    for bin_, unit, expected, n in rows:
        if not n:
            continue
        purity = 1 - min(expected / n, 1.0)
        if purity >= p.min_purity and poisson.sf(n - 1, expected) * len(rows) <= alpha:
            keep.append((bin_, unit, n, purity))
    return keep
