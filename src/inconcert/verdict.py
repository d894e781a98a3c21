"""The verdict: is an account part of a coordinated *inauthentic* network?

Coordination alone is not enough: a fandom resharing its idol within seconds, or a newsroom's
accounts posting the same headline through a scheduler, act in concert in the open. So the
verdict combines two kinds of evidence:

- coordination: `coordination_score = network score × attachment` — how strongly the account's
  network is coordinated (`networks.score`) times how firmly the account belongs to it
  (`memberships.attachment`: its share of the network's fused edges, or how many members amplify
  it for a seeder);
- inauthenticity: the account's own `inauthenticity_score` (from the account signals), and the
  network's `inauthentic_share` — the share of its members whose score is at least
  `verdict.member_threshold`. A member of a network that is mostly fake personas is suspect even
  when its own profile shows nothing (pure amplifiers often have nothing to show).

`score = coordination_score × (1 − (1 − inauthenticity_score) · (1 − inauthentic_share))` for
network members (a noisy-OR of the two kinds of inauthenticity evidence, scaled by coordination);
`score = verdict.outside_factor × (1 − (1 − inauthenticity_score) · (1 − exposure))` for accounts
in no network, so the ranking still orders them but far below coordinated ones; `exposure` is the
share of the items an account acted on that the flagged accounts own (most of their users are
flagged, far beyond the flagged share of all accounts): an account that coordinates with no one
but spends its few actions on the operation's own posts, authors and hashtags ranks above one
that never touched them.

`flagged` requires membership in a network the verdict calls inauthentic (its members show signs
of inauthenticity far beyond authentic accounts, or it made its own audience, or its members copy
one another's content undisclosed: `inconcert.copying`) and either a firm attachment to it or
signs of the account's own, or copying of its own (it posts the network's content as its own,
`inconcert.copying`, whatever the ground: by a pair however it joined, as part of the group when
firmly attached). In a network inauthentic on copying alone, a firm attachment does not count
by itself: the copying is the members' evidence.
Members that joined as a coordinated group's periphery or as a creation cohort
(`operations.cohorts`) are flagged only on their own evidence: their signs, or their exposure
(`inconcert.exposure`: most of what they act on is the operation's own content, far beyond the
background); exposure also flags members attached too thinly. So are amplifiers tied to their
network only by the group test's `collective` evidence, where most accounts are in no network
(`verdict.background_share`): the group test counts co-actions, and an ordinary account that
reshared a few posts the operation swarmed is tied as firmly as a squad member.
`signals` lists what fired: the coordination traces linking the account inside its network,
`amplified_by_network` for a seeder, `creation_cohort` for a cohort member, `operation_content`
for a member flagged on its exposure, then the account signals that fired on it.
"""

from __future__ import annotations

import dataclasses
import math
from fractions import Fraction

import duckdb
from scipy.stats import binom

from . import config, copying, exposure
from .config import Config
from .samegroup import same_group
from .signals.score import inauthenticity_scores

VERDICTS_DDL = """
CREATE OR REPLACE TABLE verdicts (
    account_id VARCHAR, handle VARCHAR, network_id VARCHAR, role VARCHAR,
    coordination_score DOUBLE, inauthenticity_score DOUBLE, score DOUBLE, flagged BOOLEAN,
    signals VARCHAR)
"""
AMPLIFIED = "amplified_by_network"
COHORT = "creation_cohort"


@config.section("verdict")
@dataclasses.dataclass
class VerdictParams:
    """How coordination and account signals combine into `score` and `flagged`."""

    member_threshold: float = config.param(
        0.5, "inauthenticity probability (docs/signals.md) from which a member counts as showing "
             "signs of inauthenticity: more likely fake than not")
    reference_rate: float = config.param(
        0.12, "share of authentic accounts at member_threshold: the highest rate measured on "
              "any authentic population at hand (simulated organic 10.4 %, Cresci genuine "
              "1.0 %, German 0.2 %, Russian 0.1 %; docs/detection.md), rounded up")
    alpha: float = config.param(
        0.01, "a network is inauthentic when its count of members at member_threshold is above "
              "reference_rate at this level (one-sided binomial test, Bonferroni over networks)")
    members_odds_ratio: float = config.param(
        4.27, "... and when the odds that a member shows those signs are at least this many "
              "times reference_rate's: a large effect (Cohen's d = 0.8 as an odds ratio, "
              "ln OR = d·π/√3, Chinn 2000), 36.8 % of members at reference_rate 0.12")
    min_inauthentic_share: float = config.param(
        0.0, "... and when at least this share of its members show them (an extra floor, off: "
             "until 2026-12-05 it was 0.5, which left out a Thailand network with 48 %)")
    self_amplification_share: float = config.param(
        0.75, "a network is also inauthentic when at least this share of all reshares of its "
              "members' posts come from its own members (an audience it made itself) ...")
    self_amplification_odds_ratio: float = config.param(
        4.27, "... at odds at least this many times those chance gives: its share of all "
              "reshares made on the platform (networks.internal_chance). 4.27 is a large "
              "effect, Cohen's d = 0.8 as an odds ratio (ln OR = d·π/√3, Chinn 2000) ...")
    self_amplification_made_share: float = config.param(
        0.5, "... and when at least this share of the reshares its members make are of its "
             "own members: an operation's amplifiers exist to amplify it (Thailand's networks "
             "above self_amplification_share: 1.0), while an authentic audience of a few "
             "popular authors reshares them and spends most of its reshares elsewhere; a "
             "majority, as owned_share ...")
    self_amplification_seeders: float = config.param(
        2.0, "... spread over more than this many of its members, counted as an effective number "
             "(inverse Simpson, Jost 2006: (sum n)^2 / sum n^2 over the members' reshares "
             "received): a fandom's one idol reaches at most 1 (its idol reshared 2,705 times "
             "and two fans once each: 1.0) and a pair of friends at most 2. Until 2026-12-07 "
             "at least 3, which also left out operations whose three or four seeders are "
             "reshared unevenly, as seeders are (4 seeders reshared 304, 227, 74 and 64 times: "
             "2.92)")
    copying_odds_ratio: float = config.param(
        4.27, "a network is also inauthentic when its members copy one another's content "
              "undisclosed (inconcert.copying): the count of copying members beyond the share "
              "of posting accounts outside it that copy, at alpha (binomial, Bonferroni over "
              "networks) and at odds at least this many times that share's: the large effect "
              "of members_odds_ratio ...")
    copying_days: float = config.param(
        3.0, "... spread over at least this many days (effective number, inverse Simpson over "
             "the UTC days of the copying pairs' first and last copies): a hashtag day or a "
             "live event spans at most two UTC calendar days in any time zone")
    min_attachment: float = config.param(
        0.5, "members of an inauthentic network are flagged when attached at least this firmly "
             "(about one fully convincing edge) or when their own score reaches member_threshold")
    outside_factor: float = config.param(
        0.2, "score of an account in no network = this × the noisy-OR of its inauthenticity "
             "score and its exposure to the flagged accounts' own items")
    owned_share: float = config.param(
        0.5, "an item (post, author, hashtag, link, mention) is the flagged accounts' own when "
             "at least this share of the accounts that acted on it are flagged: a majority, as "
             "member_threshold is 'more likely than not' ...")
    owned_odds_ratio: float = config.param(
        4.27, "... and when the odds that a user of the item is flagged are at least this many "
              "times the odds among all accounts that acted on anything: where the operation "
              "is most of the case, every popular item is mostly its, and engaging with one "
              "says nothing (the large effect of members_odds_ratio)")
    background_share: float = config.param(
        0.5, "a member tied to its network only by the group test (trace collective, an "
             "amplifier) is flagged on its own evidence (signs, copying, exposure), as a "
             "periphery is, when at least this share of the accounts that posted or acted are "
             "in no network: the group test passes a member on co-actions, and one reshare of "
             "a post the operation swarmed is as many co-actions as the swarm has members. "
             "Below a majority the case is mostly networks (an operation that fills it), "
             "exposure has no background to be measured against, and the firm attachment "
             "stands")
    exposure_odds_ratio: float = config.param(
        4.27, "a member of an inauthentic network that is not flagged otherwise is flagged when "
              "at least "
              "owned_share of its items are the operation's own, at odds at least this many "
              "times the background's (accounts in no network) and beyond the background's "
              "binomial tail at alpha (Bonferroni over the members tested): the same large "
              "effect as members_odds_ratio")


def account_universe_sql() -> str:
    """SQL for every account in the case, one row per id with its handle: the accounts table,
    post authors, interaction actors and network members (a seeder may be known only as the
    author of reshared posts)."""
    return """
        SELECT account_id, min(handle) AS handle FROM (
            SELECT account_id, handle FROM accounts
            UNION ALL SELECT author_id, NULL FROM posts
            UNION ALL SELECT actor_id, NULL FROM interactions
            UNION ALL SELECT account_id, NULL FROM memberships
        ) GROUP BY account_id
    """


def judge(con: duckdb.DuckDBPyConnection, cfg: Config) -> int:
    """(Re)create `verdicts` (one row per account in the case) and add the inauthenticity
    columns to `networks`; returns the number of flagged accounts."""
    p: VerdictParams = cfg.section("verdict")
    inauthenticity_scores(con, cfg)
    for col, typ in (("inauthentic_share", "DOUBLE"), ("mean_inauthenticity", "DOUBLE"),
                     ("inauthentic", "BOOLEAN"), ("n_flagged", "BIGINT")):
        con.execute(f"ALTER TABLE networks ADD COLUMN IF NOT EXISTS {col} {typ}").fetchall()
    for col, typ in (("inauthentic_p_value", "DOUBLE"),):
        con.execute(f"ALTER TABLE networks ADD COLUMN IF NOT EXISTS {col} {typ}").fetchall()
    con.execute("""
        UPDATE networks SET inauthentic_share = s.share, mean_inauthenticity = s.mean_score
        FROM (SELECT m.network_id,
                     avg(CASE WHEN coalesce(a.inauthenticity_score, 0) >= ? THEN 1.0 ELSE 0.0
                         END) AS share,
                     avg(coalesce(a.inauthenticity_score, 0)) AS mean_score
              FROM memberships m LEFT JOIN account_scores a USING (account_id)
              GROUP BY m.network_id) s
        WHERE networks.network_id = s.network_id
    """, [p.member_threshold]).fetchall()
    _test_networks(con, p)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _verdict_rows AS
        WITH u AS ({account_universe_sql()}),
        inside AS (
            SELECT source, target, trace FROM {same_group(
                "(SELECT source, target, trace FROM fused_evidence)", "memberships",
                "source", "target")}
        ),
        coord AS (
            SELECT account_id, string_agg(DISTINCT trace, ';' ORDER BY trace) AS traces
            FROM (SELECT source AS account_id, trace FROM inside
                  UNION ALL SELECT target, trace FROM inside)
            GROUP BY account_id
        ),
        scored AS (
            SELECT u.account_id, u.handle, m.network_id, m.role, m.joined_by, m.attachment,
                   n.inauthentic_by = '{copying.GROUND}' AS copying_only,
                   cp.account_id IS NOT NULL AS copier,
                   pc.account_id IS NOT NULL AS pair_copier,
                   CASE WHEN m.network_id IS NULL THEN 0.0
                        ELSE n.score * m.attachment END AS coordination_score,
                   coalesce(s.inauthenticity_score, 0.0) AS inauthenticity_score,
                   n.inauthentic_share, n.inauthentic,
                   nullif(s.signals, '') AS account_signals,
                   coord.traces
            FROM u
            LEFT JOIN memberships m USING (account_id)
            LEFT JOIN networks n ON n.network_id = m.network_id
            LEFT JOIN account_scores s ON s.account_id = u.account_id
            LEFT JOIN coord ON coord.account_id = u.account_id
            LEFT JOIN _copiers pc ON pc.account_id = u.account_id
                                  AND pc.network_id = m.network_id
            LEFT JOIN _copy_members cp ON cp.account_id = u.account_id
                                  AND cp.network_id = m.network_id
        ),
        final AS (
            SELECT *, CASE WHEN network_id IS NULL THEN ? * inauthenticity_score
                           ELSE coordination_score * (1 - (1 - inauthenticity_score)
                                                          * (1 - inauthentic_share)) END AS score
            FROM scored
        )
        , held AS (
            SELECT account_id, handle, network_id, role, joined_by, coordination_score,
                   inauthenticity_score, score, coalesce(inauthentic, false) AS inauthentic,
                   coalesce(inauthentic, false)
                       AND attachment >= ? AND coalesce(joined_by, '') NOT IN ('group', 'cohort')
                       AND NOT coalesce(copying_only, false) AS attached,
                   coalesce(inauthentic, false)
                       AND (pair_copier OR (copier AND attachment >= ?)
                            OR inauthenticity_score >= ?) AS own,
                   traces, account_signals
            FROM final
        )
        SELECT account_id, handle, network_id, role, joined_by, coordination_score,
               inauthenticity_score, score, inauthentic, attached OR own AS held,
               own OR (attached AND NOT (? AND coalesce(traces, '') = 'collective'
                                         AND role = 'amplifier')) AS flagged,
               traces, account_signals
        FROM held
    """, [p.outside_factor, p.min_attachment, p.min_attachment, p.member_threshold,
          _background_share(con) >= p.background_share]).fetchall()
    background = exposure.measure(con, "_verdict_rows", p.owned_share, p.owned_odds_ratio)
    exposure.flag_members(con, "_verdict_rows", background, p.owned_share,
                          p.exposure_odds_ratio, p.alpha)
    con.execute(VERDICTS_DDL).fetchall()
    # Outside networks the score is the noisy-OR of the account's own signs and its exposure
    # (exposure.py), scaled by outside_factor: ranked, never flagged on it.
    con.execute(f"""
        INSERT INTO verdicts
        SELECT r.account_id, r.handle, r.network_id, r.role, round(r.coordination_score, 6),
               round(r.inauthenticity_score, 6),
               round(CASE WHEN r.network_id IS NULL
                          THEN ? * (1 - (1 - r.inauthenticity_score)
                                        * (1 - coalesce(x.exposure, 0.0)))
                          ELSE r.score END, 6),
               r.flagged OR e.account_id IS NOT NULL,
               nullif(concat_ws(';', r.traces,
                      CASE WHEN r.role IN ('seeder', 'hybrid') THEN '{AMPLIFIED}' END,
                      CASE WHEN r.joined_by = 'cohort' THEN '{COHORT}' END,
                      CASE WHEN e.account_id IS NOT NULL THEN '{exposure.SIGNAL}' END,
                      r.account_signals), '')
        FROM _verdict_rows r
        LEFT JOIN _exposure x USING (account_id)
        LEFT JOIN exposure_members e USING (account_id)
        ORDER BY r.account_id
    """, [p.outside_factor]).fetchall()
    con.execute("""
        UPDATE networks SET n_flagged = f.n
        FROM (SELECT n.network_id, count(v.account_id) FILTER (WHERE v.flagged) AS n
              FROM networks n LEFT JOIN verdicts v USING (network_id)
              GROUP BY n.network_id) f
        WHERE networks.network_id = f.network_id
    """).fetchall()
    return int(con.execute("SELECT count(*) FROM verdicts WHERE flagged").fetchall()[0][0])


def _background_share(con: duckdb.DuckDBPyConnection) -> float:
    """The share of the accounts that posted or acted that are in no network: the background
    that exposure is measured against."""
    share = con.execute("""
        SELECT avg(CASE WHEN m.account_id IS NULL THEN 1.0 ELSE 0.0 END)
        FROM (SELECT author_id AS account_id FROM posts
              UNION SELECT actor_id FROM interactions) a
        LEFT JOIN (SELECT DISTINCT account_id FROM memberships) m USING (account_id)
    """).fetchall()[0][0]
    return float(share or 0.0)


def _test_networks(con: duckdb.DuckDBPyConnection, p: VerdictParams) -> None:
    """Set `networks.inauthentic`, `inauthentic_by` and the evidence of each ground. A network
    is inauthentic on any of three grounds:

    - members: its count of members showing signs of inauthenticity is above what authentic
      accounts show by chance. The count k of n members at `member_threshold` is compared with
      Binomial(n, reference_rate) (one-sided), Bonferroni-corrected over the networks. The
      reference rate comes from real genuine populations, not from the case: a case that *is*
      an operation (a takedown archive) has no authentic accounts to estimate it from;
    - self-amplification: it made its own audience (`_self_amplification`);
    - copying: its members post one another's content as their own, undisclosed, day after
      day, far beyond the case's other accounts (`inconcert.copying`).
    """
    rows = con.execute("""
        SELECT n.network_id, count(m.account_id),
               count(*) FILTER (WHERE coalesce(a.inauthenticity_score, 0) >= ?)
        FROM networks n JOIN memberships m USING (network_id)
        LEFT JOIN account_scores a USING (account_id)
        GROUP BY n.network_id ORDER BY n.network_id
    """, [p.member_threshold]).fetchall()
    for col, typ in (("copying_members", "BIGINT"), ("copying_chance", "DOUBLE"),
                     ("copying_days", "DOUBLE"), ("copying_p_value", "DOUBLE"),
                     ("copying_named", "BIGINT")):
        con.execute(f"ALTER TABLE networks ADD COLUMN IF NOT EXISTS {col} {typ}").fetchall()
    copied = copying.measure(con)
    copying.copy_members(con)  # `_copy_members`, which the verdict's rows read
    selfamp = _self_amplification(con, p.self_amplification_seeders,
                                  p.self_amplification_odds_ratio)
    if not rows:
        return
    n_tests = len(rows)
    values = []
    for nid, n, k in rows:
        pv = float(binom.sf(int(k) - 1, int(n), p.reference_rate)) if k else 1.0
        by_members = (pv * n_tests <= p.alpha and k >= p.min_inauthentic_share * n
                      and _odds_ratio(k / n, p.reference_rate) >= p.members_odds_ratio)
        share, seeders, effective, chance, made = selfamp.get(nid, (None, 0, 0.0, None, None))
        by_self = (share is not None
                   and share >= p.self_amplification_share
                   and _odds_ratio(share, chance) >= p.self_amplification_odds_ratio
                   and (made or 0.0) >= p.self_amplification_made_share
                   and effective > p.self_amplification_seeders)
        c = copied.get(nid)
        cpv = _copying_p_value(c)
        by_copying = (c is not None and c.background is not None and cpv * n_tests <= p.alpha
                      and _odds_ratio(c.copiers / c.size, c.background) >= p.copying_odds_ratio
                      and c.days >= p.copying_days)
        why = ";".join(w for w, ok in (("members", by_members), ("self-amplification", by_self),
                                       (copying.GROUND, by_copying)) if ok) or None
        values.append((min(1.0, pv * n_tests), by_members or by_self or by_copying, share,
                       seeders, chance, made, why,
                       c.copiers if c else None, c.background if c else None,
                       round(c.days, 6) if c else None,
                       min(1.0, cpv * n_tests) if c else None, c.named if c else None, nid))
    con.executemany("UPDATE networks SET inauthentic_p_value = ?, inauthentic = ?, "
                    "internal_share = ?, internal_seeders = ?, internal_chance = ?, "
                    "internal_made_share = ?, inauthentic_by = ?, copying_members = ?, "
                    "copying_chance = ?, copying_days = ?, copying_p_value = ?, "
                    "copying_named = ? WHERE network_id = ?", values)


def _copying_p_value(c: copying.Copying | None) -> float:
    """One-sided binomial p-value of a network's count of copying members against the share
    of posting accounts outside it that copy (1.0 when it has none or nothing to compare)."""
    if c is None or not c.copiers or c.background is None:
        return 1.0
    return float(binom.sf(c.copiers - 1, c.size, c.background))


def _self_amplification(con: duckdb.DuckDBPyConnection, min_seeders: float,
                        join_odds_ratio: float = 4.27
                        ) -> dict[str, tuple[float, int, float, float, float | None]]:
    """Per network: the share of all reshares of its members' posts that members made, how
    many distinct members were reshared by other members, their effective number, the share
    chance alone would give (the unit's share of all reshares made in the case, on the platform
    of each reshare it received: a reshare on Facebook comes from a Facebook account), and the
    share of the reshares its members made that are of members (None when they made none).

    The last is the other direction of the same relation. An operation's amplifiers are there
    to amplify it, so most of what they reshare is its own; an authentic audience of a few
    popular authors (a critic's readers, a viral author's) can be most of those authors'
    reshares and still spend most of its own reshares elsewhere.

    In an open sample (a takedown archive, a keyword collection) an operation's members make a
    small part of all reshares, so chance explains little of an internal share of 0.9. In a
    closed capture (a Jetstream firehose or a `wantedDids` filter: every like and repost comes
    from an account in the file) a network holding most of the capture makes most reshares, so
    most of those it receives come from itself by chance alone.

    An operation's seeders and amplifiers may form networks of their own (seeders linked by
    what they post, amplifiers by what they reshare), so networks are measured together with
    the networks that make most of their reshares (at least half, `roles.min_network_share`'s
    majority) of more than `min_seeders` members (effective number), or that spend most of
    their own reshares on it, at odds at least `join_odds_ratio` times its share of all the
    reshares received in the case: one unit of amplification."""
    for col, typ in (("internal_share", "DOUBLE"), ("internal_seeders", "BIGINT"),
                     ("internal_chance", "DOUBLE"), ("internal_made_share", "DOUBLE"),
                     ("inauthentic_by", "VARCHAR")):
        con.execute(f"ALTER TABLE networks ADD COLUMN IF NOT EXISTS {col} {typ}").fetchall()
    if not con.execute("SELECT count(*) FROM information_schema.tables "
                       "WHERE table_name = 'reshares'").fetchall()[0][0]:
        return {}
    # A reshare on one platform can only come from an account on it: chance is counted per
    # platform (a case of several platforms' exports; `''` when the table has no platform).
    plat = "r.platform" if con.execute(
        "SELECT count(*) FROM information_schema.columns WHERE table_name = 'reshares' "
        "AND column_name = 'platform'").fetchall()[0][0] else "''"
    flows = con.execute(f"""
        SELECT ms.network_id, ma.network_id, r.seeder, {plat} AS platform, count(*)
        FROM reshares r JOIN memberships ms ON ms.account_id = r.seeder
        LEFT JOIN memberships ma ON ma.account_id = r.amplifier
        WHERE r.seeder <> r.amplifier
        GROUP BY ALL ORDER BY ALL
    """).fetchall()
    received: dict[str, int] = {}
    pair: dict[tuple[str, str], int] = {}
    pair_seeders: dict[tuple[str, str], dict[str, int]] = {}
    for ns, na, seeder, _, n in flows:
        received[ns] = received.get(ns, 0) + n
        if na is not None:
            pair[(ns, na)] = pair.get((ns, na), 0) + n
            got = pair_seeders.setdefault((ns, na), {})
            got[seeder] = got.get(seeder, 0) + n
    # What each network's members reshare, by the network of the author. Reshares of an author
    # the case does not know (seeder NULL) count on neither side: they are neither a network's
    # own nor provably another's.
    given_flows = con.execute("""
        SELECT ma.network_id, ms.network_id, count(*) FROM reshares r
        JOIN memberships ma ON ma.account_id = r.amplifier
        LEFT JOIN memberships ms ON ms.account_id = r.seeder
        WHERE r.seeder <> r.amplifier GROUP BY ALL ORDER BY ALL
    """).fetchall()
    made_known: dict[str, int] = {}
    for na, _, n in given_flows:
        made_known[na] = made_known.get(na, 0) + n
    known = con.execute("SELECT count(*) FROM reshares WHERE seeder <> amplifier"
                        ).fetchall()[0][0]
    parent = {nid: nid for nid in received}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for (ns, na), n in sorted(pair.items()):
        # One reshare of one member is all an audience network may ever receive, and an
        # operation's cover activity (resharing popular posts) gives it that one: a flow joins
        # two networks into one unit only when it amplifies them as a network, spread over as
        # many members as the self-amplification rule itself asks for. The flow must be most
        # of what one side does: most of the reshares the seeders' network receives, or most
        # of the reshares the amplifiers' network makes. Leiden may cut one squad of
        # amplifiers into two networks of which neither makes half of the seeders' reshares
        # (lag=seconds, seed 4: 45 % and 48 %), yet each spends nearly all its reshares on them.
        # Spending most of one's reshares on popular posts is what any audience does where
        # they are most of what is reshared, so that side also asks for the large effect
        # against the seeders' share of all reshares received: an organic public resharing
        # an operation's popular posts is its audience, not part of it (squad=25+, every
        # seed: 29-73 more organic accounts flagged without this).
        amplifies = 2 * n >= received[ns] or (
            2 * n >= made_known.get(na, 0)
            and _odds_ratio(n / made_known[na], received[ns] / known) >= join_odds_ratio)
        if ns != na and amplifies and _effective(pair_seeders[(ns, na)]) > min_seeders:
            a, b = sorted((root(ns), root(na)))
            parent[b] = a
    unit_in: dict[str, int] = {}
    unit_all: dict[str, int] = {}
    unit_seeders: dict[str, dict[str, int]] = {}
    unit_platform: dict[tuple[str, str], int] = {}
    for ns, na, seeder, platform, n in flows:
        u = root(ns)
        unit_all[u] = unit_all.get(u, 0) + n
        unit_platform[(u, platform)] = unit_platform.get((u, platform), 0) + n
        if na is not None and root(na) == u:
            unit_in[u] = unit_in.get(u, 0) + n
            got = unit_seeders.setdefault(u, {})
            got[seeder] = got.get(seeder, 0) + n
    made = con.execute(f"""
        SELECT m.network_id, {plat} AS platform, count(*) FROM reshares r JOIN memberships m
          ON m.account_id = r.amplifier
        WHERE r.seeder IS DISTINCT FROM r.amplifier GROUP BY ALL ORDER BY ALL
    """).fetchall()
    total = dict(con.execute(f"SELECT {plat} AS platform, count(*) FROM reshares r "
                             "WHERE seeder IS DISTINCT FROM amplifier GROUP BY ALL").fetchall())
    unit_made: dict[tuple[str, str], int] = {}
    for nid, platform, n in made:
        unit_made[(root(nid), platform)] = unit_made.get((root(nid), platform), 0) + n
    given: dict[str, int] = {}
    given_in: dict[str, int] = {}
    for na, ns, n in given_flows:
        u = root(na)
        given[u] = given.get(u, 0) + n
        if ns is not None and root(ns) == u:
            given_in[u] = given_in.get(u, 0) + n
    # Chance: each reshare the unit received, on its platform, comes from the unit with the
    # unit's share of all reshares made on that platform (one platform: made / total).
    chance: dict[str, Fraction] = {}
    for (u, platform), n in sorted(unit_platform.items()):
        on = total.get(platform, 0)
        if on:
            chance[u] = chance.get(u, Fraction(0)) + Fraction(
                n * unit_made.get((u, platform), 0), on * unit_all[u])
    return {nid: (unit_in.get(root(nid), 0) / unit_all[root(nid)],
                  len(unit_seeders.get(root(nid), {})),
                  _effective(unit_seeders.get(root(nid), {})),
                  float(chance.get(root(nid), 0)),
                  given_in.get(root(nid), 0) / given[root(nid)] if given.get(root(nid)) else None)
            for nid in received if unit_all.get(root(nid))}


def _odds_ratio(share: float, chance: float | None) -> float:
    """The odds ratio of an observed share against the share chance or a reference gives,
    (share / (1 − share)) / (chance / (1 − chance)): how much likelier a member's reshare is to
    come from a member, or a member to show signs, than chance or authentic accounts make it.
    Infinite when the share is all of it or chance is nothing; 0 when chance is everything (a
    unit that makes every reshare on its platform receives all of them from itself, evidence of
    nothing), whatever the share."""
    if chance is not None and chance >= 1:
        return 0.0
    if not chance or share >= 1:
        return math.inf
    return (share / (1 - share)) / (chance / (1 - chance))


def _effective(received: dict[str, int]) -> float:
    """The effective number of members amplified: (Σ n)² / Σ n² over their reshares received
    (1 when one member gets them all, k when k members get equal shares)."""
    total = sum(received.values())
    return total * total / sum(n * n for n in received.values()) if total else 0.0

