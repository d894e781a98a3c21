"""The fused account network: every trace's evidence combined into one weighted graph.

Which pairs are linked. A pair is linked when at least one trace found it significant on its own
(`trace_candidates.significant`, i.e. it is in `trace_edges`), **or** when traces of at least two
families together make it significant although none did alone: several moderately unlikely
co-actions of different kinds (co-reshare at p = 1e-4 and identical text at p = 1e-6) are jointly
very unlikely. The joint test is Fisher's method over trace *families*: traces that re-measure
one behaviour (co-reshare and fast reshare; identical and near-identical text; link and domain;
see `fusion.families`) count once, with the family's smallest p-value times its number of traces
(Bonferroni), so correlated evidence is not multiplied. With k families, X = -2 Σ ln p_f
follows χ²(2k) under the null and p = P(χ²(2k) ≥ X). These p-values are corrected with
Benjamini-Hochberg at the `significance.alpha` the traces use, counting every pair of active
accounts as a test (which pairs could reach joint significance depends on the outcome, so no
smaller count is safe), so a pair needs stronger joint evidence in a bigger case.

How strongly. For a linked pair (u, v) with evidence rows T,

    weight(u, v) = Σ_{t ∈ T} w_t · sig(p_t) · vol(n_t)

- `w_t` is the trace's weight (config section `fusion`): how much one fully convincing edge of
  that trace says about coordination; re-measuring traces get weights that together are not
  much more than one of them.
- `sig(p) = min(1, -log10(p) / significance_full)`: an edge at the significance floor counts a
  little, one that is very unlikely under the trace's null model counts fully.
- `vol(n) = 1 - exp(-n / count_scale)`: one co-action is weak evidence, a handful is strong.

Each term is at most `w_t`, so one loud trace (thousands of co-reshares) cannot outweigh the
agreement of several traces: multi-trace agreement counts more than volume. The evidence rows of
every linked pair are kept in `fused_evidence` (edges.csv), their sum in `fused_edges`.

Within a platform. Two accounts on different platforms are never linked here, whatever their
traces say: the group test keys every item by its platform (`collective.views`), and so does the
graph. The same texts on X and on a Facebook Page are what one persona cross-posting looks like
(scheduling tools post to every platform at once); whether two accounts on different platforms
are one persona is the persona stage's question (`operations.personas`), and linked personas join
their networks into one operation. Left in the graph, those cross-posting edges pulled every
seeder of a four-platform operation out of its platform's amplifier network into a small network
of its own persona's accounts, and nothing was called inauthentic (docs/detection.md, section 1).
"""

from __future__ import annotations

import dataclasses

import duckdb

from .. import config
from ..config import Config
from ..store import table_exists

_EVIDENCE_DDL = """
CREATE OR REPLACE TABLE fused_evidence (
    source VARCHAR, target VARCHAR, trace VARCHAR, weight DOUBLE, count BIGINT,
    p_value DOUBLE, significant BOOLEAN, first_ms BIGINT, last_ms BIGINT, examples VARCHAR)
"""
_FUSED_DDL = """
CREATE OR REPLACE TABLE fused_edges (
    source VARCHAR, target VARCHAR, weight DOUBLE, traces VARCHAR, n_traces BIGINT,
    min_p_value DOUBLE, p_value DOUBLE, first_ms BIGINT, last_ms BIGINT)
"""
_KNOBS = frozenset({"other_traces", "significance_full", "count_scale", "min_weight",
                    "families", "joint_test"})


@config.section("fusion")
@dataclasses.dataclass
class FusionParams:
    """How trace evidence combines into the fused account graph (see
    `inconcert.networks.fusion`)."""

    co_reshare: float = config.param(
        1.0, "weight of co-reshare edges (the same posts reshared within the window)")
    fast_reshare: float = config.param(
        0.5, "weight of fast-reshare edges (both reshare the same originals within seconds of "
             "publication); low because it re-measures co-reshare")
    co_text: float = config.param(
        1.0, "weight of identical-text edges (copy-paste after normalisation)")
    near_text: float = config.param(
        0.6, "weight of near-duplicate text edges (templates, paraphrases); partly re-measures "
             "identical text")
    semantic_copy: float = config.param(
        0.6, "weight of semantic-copy edges (paraphrased or translated copies); partly "
             "re-measures identical and near-duplicate text")
    co_link: float = config.param(0.7, "weight of same-URL edges")
    co_domain: float = config.param(
        0.3, "weight of same-domain edges (weak alone: many people share the same news sites)")
    co_hashtag: float = config.param(0.5, "weight of same-hashtag-set/sequence edges")
    co_reply: float = config.param(0.7, "weight of co-reply edges (replies to the same post)")
    co_mention: float = config.param(0.5, "weight of co-mention edges (same account mentioned)")
    co_image: float = config.param(1.0, "weight of co-image edges (perceptually equal images)")
    co_like: float = config.param(0.7, "weight of co-like edges (likes of the same post)")
    collective: float = config.param(
        1.0, "weight of a pair inside a group the group test found coordinated (its p-value is "
             "the group's; see inconcert.collective)")
    other_traces: float = config.param(
        0.5, "weight of any trace not listed above (a new trace module)")
    significance_full: float = config.param(
        6.0, "-log10(p) at which an edge's significance counts fully (p = 1e-6)")
    count_scale: float = config.param(
        2.0, "co-actions at which an edge's volume term reaches 63%; 3x this is ~95%")
    min_weight: float = config.param(
        0.0, "fused edges lighter than this are dropped before community detection")
    joint_test: bool = config.param(
        True, "also link pairs that no trace finds significant alone but whose traces together "
              "pass Fisher's test (false: only significant trace edges)")
    families: list = config.param(
        [["co_reshare", "fast_reshare"], ["co_text", "near_text", "semantic_copy"],
         ["co_link", "co_domain"]],
        "traces that re-measure one behaviour: they count as one piece of evidence in the joint "
        "test (every other trace is its own family)")

    def trace_weights(self) -> dict[str, float]:
        """Weight of each named trace (every field but the generic knobs)."""
        return {f.name: float(getattr(self, f.name)) for f in dataclasses.fields(self)
                if f.name not in _KNOBS}


_COLUMNS = "source, target, trace, weight, count, p_value, significant, first_ms, last_ms, examples"


def _evidence_source(con: duckdb.DuckDBPyConnection) -> str | None:
    """Every trace's tested pairs (candidates), or only its significant edges, and the pairs
    inside the groups the group test found coordinated (`group_evidence`)."""
    parts = []
    if table_exists(con, "trace_candidates"):
        parts.append(f"SELECT {_COLUMNS} FROM trace_candidates")
    elif table_exists(con, "trace_edges"):
        parts.append("SELECT source, target, trace, weight, count, p_value, true AS significant, "
                     "first_ms, last_ms, examples FROM trace_edges")
    if table_exists(con, "group_evidence"):
        parts.append(f"SELECT {_COLUMNS} FROM group_evidence")
    return " UNION ALL ".join(parts) or None


def _active_pairs(con: duckdb.DuckDBPyConnection) -> float:
    n = con.execute("SELECT count(*) FROM (SELECT author_id FROM posts UNION "
                    "SELECT actor_id FROM interactions)").fetchall()[0][0]
    return max(1.0, n * (n - 1) / 2)


def _platforms_table(con: duckdb.DuckDBPyConnection) -> None:
    """Temp `_fz_platforms(account_id, platforms)`: the platforms each account id is seen on
    (profile, posts, interactions). A pair is linkable only when the lists share a platform."""
    parts = [f"SELECT platform, {col} AS account_id FROM {table}"
             for table, col in (("accounts", "account_id"), ("posts", "author_id"),
                                ("interactions", "actor_id"))
             if table_exists(con, table)]
    body = " UNION ".join(parts) if parts else \
        "SELECT NULL::VARCHAR AS platform, NULL::VARCHAR AS account_id WHERE false"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _fz_platforms AS
        SELECT account_id, list(DISTINCT platform) AS platforms
        FROM ({body}) WHERE account_id IS NOT NULL AND platform IS NOT NULL
        GROUP BY account_id
    """).fetchall()


def fuse_edges(con: duckdb.DuckDBPyConnection, cfg: Config) -> int:
    """(Re)create `fused_evidence` and `fused_edges`; returns the number of fused edges.

    `fused_edges`: `source, target` (source < target), `weight` (the fusion rule above),
    `traces` (`;`-separated names of the traces with evidence on the pair, sorted), `n_traces`,
    `min_p_value` (the smallest trace p-value), `p_value` (the joint test's p-value), `first_ms,
    last_ms` (span of the pair's co-actions). `fused_evidence`: the per-trace rows behind them.
    """
    p: FusionParams = cfg.section("fusion")
    alpha = float(cfg.section("significance").alpha)
    con.execute(_EVIDENCE_DDL).fetchall()
    con.execute(_FUSED_DDL).fetchall()
    source = _evidence_source(con)
    if source is None:
        return 0
    _platforms_table(con)
    family_of = {t: "+".join(sorted(f)) for f in p.families for t in f}
    fam_values = ", ".join("(?, ?)" for _ in family_of) or "(NULL, NULL)"
    fam_params = [x for kv in sorted(family_of.items()) for x in kv]
    # A family's evidence is its smallest p-value times its number of traces (Bonferroni); the
    # joint p-value is the chi-square(2k) tail of Fisher's statistic, written out as the finite
    # sum it is for even degrees of freedom. BH runs over all pairs of active accounts.
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _fz_pairs AS
        WITH ev AS (
            SELECT e.*, coalesce(f.family, e.trace) AS family
            FROM ({source}) e
            LEFT JOIN (VALUES {fam_values}) f(trace, family) ON f.trace = e.trace
            LEFT JOIN _fz_platforms ps ON ps.account_id = e.source
            LEFT JOIN _fz_platforms pt ON pt.account_id = e.target
            WHERE e.source <> e.target AND e.p_value IS NOT NULL
              AND (ps.platforms IS NULL OR pt.platforms IS NULL
                   OR list_has_any(ps.platforms, pt.platforms))
        ),
        fam AS (
            SELECT source, target, family, least(1.0, min(p_value) * count(*)) AS p,
                   bool_or(significant) AS sig
            FROM ev GROUP BY source, target, family
        ),
        pair AS (
            SELECT source, target, count(*) AS k, bool_or(sig) AS any_sig,
                   list_sum(list(-2 * ln(greatest(p, 1e-300)) ORDER BY family)) AS x
            FROM fam GROUP BY source, target
        ),
        tested AS (
            SELECT *, least(1.0, exp(-x / 2) * list_sum(list_transform(
                       range(k), lambda i: pow(x / 2, i) / factorial(CAST(i AS INTEGER))))) AS p
            FROM pair
        ),
        ranked AS (
            SELECT *, row_number() OVER (ORDER BY p, source, target) AS r FROM tested
        ),
        cut AS (SELECT coalesce(max(r), 0) AS r_max FROM ranked WHERE p <= ? * r / ?)
        SELECT source, target, p,
               any_sig OR (? AND k >= 2 AND r <= (SELECT r_max FROM cut)) AS linked
        FROM ranked
    """, fam_params + [alpha, _active_pairs(con), p.joint_test]).fetchall()
    weights = sorted(p.trace_weights().items())
    w_values = ", ".join("(?, ?)" for _ in weights)
    con.execute(f"""
        INSERT INTO fused_evidence
        SELECT e.source, e.target, e.trace, e.weight, e.count, e.p_value, e.significant,
               e.first_ms, e.last_ms, e.examples
        FROM ({source}) e JOIN _fz_pairs k ON k.source = e.source AND k.target = e.target
        WHERE k.linked
        ORDER BY e.source, e.target, e.trace
    """).fetchall()
    # The per-pair sum runs over a list ordered by trace, so the float result does not depend on
    # the order in which parallel threads met the rows.
    con.execute(f"""
        INSERT INTO fused_edges
        WITH w(trace, tw) AS (VALUES {w_values}),
        e AS (
            SELECT t.source, t.target, t.trace, t.p_value, t.first_ms, t.last_ms,
                   coalesce(w.tw, ?) *
                   CASE WHEN t.p_value IS NULL THEN 1.0
                        ELSE least(1.0, greatest(0.0, -log10(greatest(t.p_value, 1e-300)))
                                        / ?) END *
                   (1.0 - exp(-CAST(t.count AS DOUBLE) / ?)) AS s
            FROM fused_evidence t LEFT JOIN w ON w.trace = t.trace
        )
        SELECT e.source, e.target, list_sum(list(s ORDER BY trace)) AS weight,
               string_agg(DISTINCT trace, ';' ORDER BY trace), count(DISTINCT trace),
               min(e.p_value), min(k.p), min(e.first_ms), max(e.last_ms)
        FROM e JOIN _fz_pairs k ON k.source = e.source AND k.target = e.target
        GROUP BY e.source, e.target
        HAVING list_sum(list(s ORDER BY trace)) > 0
           AND list_sum(list(s ORDER BY trace)) >= ?
        ORDER BY e.source, e.target
    """, [x for kv in weights for x in kv] + [p.other_traces, p.significance_full,
                                              p.count_scale, p.min_weight]).fetchall()
    con.execute("DROP TABLE _fz_pairs").fetchall()
    con.execute("DROP TABLE _fz_platforms").fetchall()
    con.execute("""
        DELETE FROM fused_evidence e WHERE NOT EXISTS (
            SELECT 1 FROM fused_edges f WHERE f.source = e.source AND f.target = e.target)
    """).fetchall()
    return int(con.execute("SELECT count(*) FROM fused_edges").fetchall()[0][0])
