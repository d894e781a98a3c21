"""Undisclosed copying: members of a network posting one another's content as their own.

Political astroturfing is a principal's message posted by agents who pose as independent
citizens, and the cheapest way for the agents to do it is to copy: the same text, lightly
reworded or translated, posted as each account's own (Keller, Schoch, Stier & Yang, "Political
Astroturfing on Twitter", Political Communication 2020; Schoch et al., "Coordination patterns
reveal online political astroturfing across the world", Scientific Reports 12:4572, 2022: on
average 74 % of the accounts of each campaign Twitter released co-tweet or co-retweet within a
minute, far beyond comparison samples of ordinary users). Platforms name it in their rules: X's
platform manipulation policy lists posting identical or substantially similar content across
multiple accounts. A reshare names its source; a copy hides it.

So copying is evidence of inauthenticity in its own right, independent of how the accounts'
profiles look (an operation of aged, ordinary-looking accounts shows few signs). It counts only
when all of these hold, each answering an authentic way to post alike:

- **undisclosed**: two members' copies count when their handles and display names share no word
  (a run of three or more letters, split at case changes: `MeridianBiz` is `meridian`, `biz`).
  A newsroom's desks (`The Straits Meridian Biz`, `... Sport`) post the same headline under one
  declared name; that is open coordination, not concealment;
- **sustained**: the copying is spread over at least `verdict.copying_days` days, as an
  effective number (inverse Simpson over the UTC days of the copying pairs' first and last
  copies, Jost 2006, as the verdict counts reshared seeders). A hashtag day or a live event
  makes strangers post alike once; in any time zone it spans at most two UTC calendar days. An
  operation copies its talking points day after day;
- **beyond the case's copying**: the count of copying members is tested against the share of
  posting accounts outside the network that copy anyone undisclosed (a one-sided binomial test,
  Bonferroni over the networks, at the verdict's `alpha`, with the odds at least
  `verdict.copying_odds_ratio` times that share's: the large effect the verdict asks of signs).
  In a collection where copying is common (a spam flood, a takedown archive that is all one
  operation) a network must copy far more than everyone else does.

A pair's copying evidence is a row of a trace whose `copies_content` is set (identical, near
identical and semantically copied texts, the same image) among the pairs the fused network links
(`fused_evidence`): the pair is linked on significant evidence, and the copy row says what the
two posted alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from .samegroup import same_group
from .store import table_exists

# A word of an account's names: a run of letters, with case changes split first
# ("MeridianBiz" -> "Meridian Biz", "BBCWorld" -> "BBC World"). Three letters keep "bbc" and
# "cnn"; shorter runs ("jr", "de") are shared by strangers.
_SPLIT_LOWER_UPPER = r"(\p{Ll})(\p{Lu})"
_SPLIT_ACRONYM = r"(\p{Lu})(\p{Lu}\p{Ll})"
MIN_WORD = 3
GROUND = "copying"  # the verdict's name for this ground in networks.inauthentic_by


@dataclass(frozen=True)
class Copying:
    """One network's undisclosed copying: `copiers` of its `size` members copy another member;
    `background` is the share of posting accounts outside it that copy anyone (None when no
    account outside it posts); `days` the effective number of days the copying spans; `named`
    how many of the copiers have a handle or display name in the data (a dataset without
    names, such as the CooRTweet German set, cannot show a declared affiliation)."""

    copiers: int
    size: int
    background: float | None
    days: float
    named: int = 0


def copy_traces() -> tuple[str, ...]:
    """Names of the registered traces whose edges mean copied content."""
    from .traces.base import traces

    return tuple(name for name, cls in traces().items() if cls.copies_content)


def _names_sql(con: duckdb.DuckDBPyConnection) -> str:
    """account_id -> the distinct words of its handles and display names (all platforms)."""
    if not table_exists(con, "accounts"):
        return "SELECT NULL::VARCHAR AS account_id, []::VARCHAR[] AS words WHERE false"
    text = ("regexp_replace(regexp_replace(coalesce(handle, '') || ' ' || "
            f"coalesce(display_name, ''), '{_SPLIT_LOWER_UPPER}', '\\1 \\2', 'g'), "
            f"'{_SPLIT_ACRONYM}', '\\1 \\2', 'g')")
    return f"""
        SELECT account_id, list_distinct(flatten(list(
            list_filter(regexp_extract_all(lower({text}), '\\p{{L}}+'),
                        lambda w: length(w) >= {MIN_WORD})))) AS words
        FROM accounts GROUP BY account_id"""


# Copy clusters the text traces leave behind: near-identical texts (a temp table of the
# connection that ran the traces) and paraphrased or translated copies.
CLUSTERS = (("_trace_near_text", "text"), ("semantic_copies", "semantic"))


def copy_members(con: duckdb.DuckDBPyConnection, min_posts: int = 2) -> None:
    """(Re)create the temp table `_copy_members(network_id, account_id)`: the members that copy,
    by a pair (`_copiers`, from `measure`) or as a group: at least `min_posts` of their own
    posts (not reshares) are in copy clusters that belong to their network (at least two of its
    members posted in the cluster, they are at least half of the cluster's accounts, and not all
    of them share one name word). A squad that paraphrases each talking point a few hours apart
    leaves few pairs within a trace's window, yet each member's posts sit in the network's own
    clusters (slow-paraphrase, seed 5: 122 campaign accounts, 1 organic, among the firmly
    attached members with no pair evidence)."""
    sources = [(t, k) for t, k in CLUSTERS if table_exists(con, t)]
    pairs = "SELECT network_id, account_id FROM _copiers"
    if not sources or not table_exists(con, "memberships"):
        con.execute(f"CREATE OR REPLACE TEMP TABLE _copy_members AS {pairs}").fetchall()
        return
    clusters = " UNION ALL ".join(
        f"SELECT p.author_id AS a, p.platform || ':' || p.post_id AS post, "
        f"'{kind}:' || p.platform || ':' || k.item AS item FROM posts p JOIN {table} k "
        f"ON k.platform = p.platform AND k.post_id = p.post_id WHERE p.kind <> 'reshare'"
        for table, kind in sources)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _copy_members AS
        WITH w AS ({_names_sql(con)}),
        cl AS (SELECT DISTINCT a, post, item FROM ({clusters})),
        m AS (SELECT DISTINCT network_id, account_id FROM memberships
              WHERE network_id IS NOT NULL),
        tot AS (SELECT item, count(DISTINCT a) AS n FROM cl GROUP BY 1),
        mine AS (SELECT DISTINCT cl.item, m.network_id, cl.a FROM cl
                 JOIN m ON m.account_id = cl.a),
        per AS (SELECT item, network_id, count(*) AS k FROM mine GROUP BY ALL),
        words AS (
            SELECT item, network_id, max(n) AS top FROM (
                SELECT mine.item, mine.network_id, x.word, count(*) AS n
                FROM mine JOIN (SELECT account_id, unnest(words) AS word FROM w) x
                  ON x.account_id = mine.a
                GROUP BY ALL)
            GROUP BY ALL
        ),
        owned AS (
            SELECT per.item, per.network_id FROM per JOIN tot USING (item)
            LEFT JOIN words USING (item, network_id)
            WHERE per.k >= 2 AND 2 * per.k >= tot.n AND coalesce(words.top, 0) < per.k
        )
        SELECT m.network_id, cl.a AS account_id FROM cl
        JOIN m ON m.account_id = cl.a
        JOIN owned o ON o.item = cl.item AND o.network_id = m.network_id
        GROUP BY ALL HAVING count(DISTINCT cl.post) >= ?
        UNION {pairs}
    """, [min_posts]).fetchall()


def measure(con: duckdb.DuckDBPyConnection) -> dict[str, Copying]:
    """Every network's undisclosed copying (`Copying`), by network id; empty when the case has
    no fused evidence or no copy trace ran. The copying members themselves are left in the
    temp table `_copiers(network_id, account_id)` for the verdict."""
    con.execute("CREATE OR REPLACE TEMP TABLE _copiers (network_id VARCHAR, account_id VARCHAR)"
                ).fetchall()
    names = copy_traces()
    if not names or not all(table_exists(con, t)
                            for t in ("fused_evidence", "memberships", "posts")):
        return {}
    quoted = ", ".join(f"'{n}'" for n in names)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _copy_edges AS
        WITH w AS ({_names_sql(con)}),
        e AS (
            SELECT f.source AS a, f.target AS b, f.first_ms, f.last_ms
            FROM fused_evidence f
            LEFT JOIN w wa ON wa.account_id = f.source
            LEFT JOIN w wb ON wb.account_id = f.target
            WHERE f.trace IN ({quoted}) AND f.source <> f.target
              AND NOT coalesce(list_has_any(wa.words, wb.words), false)
        )
        SELECT a, b, first_ms, last_ms FROM e UNION ALL SELECT b, a, first_ms, last_ms FROM e
    """).fetchall()
    con.execute(f"""
        INSERT INTO _copiers
        SELECT DISTINCT _group, a FROM {same_group("_copy_edges", "memberships", "a", "b")}
        WHERE _group IS NOT NULL
    """).fetchall()
    totals = con.execute("""
        SELECT (SELECT count(DISTINCT a) FROM _copy_edges),
               (SELECT count(DISTINCT author_id) FROM posts)""").fetchall()[0]
    named = ("SELECT account_id FROM accounts WHERE handle IS NOT NULL "
             "OR display_name IS NOT NULL" if table_exists(con, "accounts")
             else "SELECT NULL::VARCHAR WHERE false")
    rows = con.execute(f"""
        WITH m AS (SELECT DISTINCT network_id, account_id FROM memberships
                   WHERE network_id IS NOT NULL),
        inside AS (
            SELECT _group AS network_id, a, b, first_ms, last_ms
            FROM {same_group("_copy_edges", "m", "a", "b")}
        ),
        days AS (
            SELECT network_id, day, count(*) AS n FROM (
                SELECT network_id, first_ms // 86400000 AS day FROM inside WHERE a < b
                UNION ALL SELECT network_id, last_ms // 86400000 FROM inside WHERE a < b)
            WHERE day IS NOT NULL GROUP BY ALL
        ),
        eff AS (SELECT network_id, sum(n) * sum(n) / sum(n * n) AS days FROM days GROUP BY 1),
        per AS (
            SELECT m.network_id, count(*) AS size,
                   count(*) FILTER (WHERE m.account_id IN (SELECT a FROM _copy_edges)) AS any_copy,
                   count(*) FILTER (WHERE m.account_id IN (SELECT author_id FROM posts))
                       AS posting
            FROM m GROUP BY 1
        ),
        k AS (SELECT network_id, count(*) AS copiers,
                     count(*) FILTER (WHERE account_id IN ({named})) AS named
              FROM _copiers GROUP BY 1)
        SELECT per.network_id, per.size, coalesce(k.copiers, 0), per.any_copy, per.posting,
               coalesce(eff.days, 0.0), coalesce(k.named, 0)
        FROM per LEFT JOIN k USING (network_id) LEFT JOIN eff USING (network_id)
        ORDER BY per.network_id
    """).fetchall()
    copiers_all, posters_all = int(totals[0]), int(totals[1])
    out = {}
    for nid, size, copiers, any_copy, posting, days, n_named in rows:
        outside = posters_all - int(posting)
        background = (max(0, copiers_all - int(any_copy)) / outside) if outside > 0 else None
        out[nid] = Copying(int(copiers), int(size), background, float(days), int(n_named))
    return out
