"""The fused account network: every trace's significant edges combined into one weighted graph.

Fusion rule. For an account pair (u, v) seen by traces T,

    weight(u, v) = Σ_{t ∈ T} w_t · sig(p_t) · vol(n_t)

- `w_t` is the trace's weight (config section `fusion`): how much one fully convincing edge of
  that trace says about coordination. Traces that measure the same behaviour twice (co-reshare and
  fast reshare; identical and near-identical text; link and domain) get weights that together
  are not much more than one of them.
- `sig(p) = min(1, -log10(p) / significance_full)`: an edge at the significance floor counts a
  little, one that is very unlikely under the trace's null model counts fully.
- `vol(n) = 1 - exp(-n / count_scale)`: one co-action is weak evidence, a handful is strong.

Each term is at most `w_t`, so one loud trace (thousands of co-reshares) cannot outweigh the
agreement of several independent traces: multi-trace agreement counts more than volume. The
per-trace evidence stays in `trace_edges`; `fused_edges` lists which traces agree.
"""

from __future__ import annotations

import dataclasses

import duckdb

from .. import config
from ..config import Config

FUSED_COLUMNS = ("source", "target", "weight", "traces", "n_traces", "min_p_value", "first_ms",
                 "last_ms")
_EMPTY = """
CREATE OR REPLACE TABLE fused_edges (
    source VARCHAR, target VARCHAR, weight DOUBLE, traces VARCHAR, n_traces BIGINT,
    min_p_value DOUBLE, first_ms BIGINT, last_ms BIGINT)
"""


@config.section("fusion")
@dataclasses.dataclass
class FusionParams:
    """How trace edges combine into the fused account graph (see `inconcert.networks.fusion`)."""

    co_reshare: float = config.param(
        1.0, "weight of co-reshare edges (the same posts reshared within the window)")
    fast_reshare: float = config.param(
        0.5, "weight of fast-reshare edges (both reshare the same authors within seconds); low "
             "because it re-measures co-reshare")
    co_text: float = config.param(
        1.0, "weight of identical-text edges (copy-paste after normalisation)")
    near_text: float = config.param(
        0.6, "weight of near-duplicate text edges (templates, paraphrases); partly re-measures "
             "identical text")
    co_link: float = config.param(0.7, "weight of same-URL edges")
    co_domain: float = config.param(
        0.3, "weight of same-domain edges (weak alone: many people share the same news sites)")
    co_hashtag: float = config.param(0.5, "weight of same-hashtag-set/sequence edges")
    co_reply: float = config.param(0.7, "weight of co-reply edges (replies to the same post)")
    co_mention: float = config.param(0.5, "weight of co-mention edges (same account mentioned)")
    co_image: float = config.param(1.0, "weight of co-image edges (perceptually equal images)")
    co_like: float = config.param(0.7, "weight of co-like edges (likes of the same post)")
    other_traces: float = config.param(
        0.5, "weight of any trace not listed above (a new trace module)")
    significance_full: float = config.param(
        6.0, "-log10(p) at which an edge's significance counts fully (p = 1e-6)")
    count_scale: float = config.param(
        2.0, "co-actions at which an edge's volume term reaches 63%; 3x this is ~95%")
    min_weight: float = config.param(
        0.0, "fused edges lighter than this are dropped before community detection")

    def trace_weights(self) -> dict[str, float]:
        """Weight of each named trace (everything but the generic knobs)."""
        knobs = {"other_traces", "significance_full", "count_scale", "min_weight"}
        return {f.name: float(getattr(self, f.name)) for f in dataclasses.fields(self)
                if f.name not in knobs}


def _exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]
    ).fetchall()[0][0])


def fuse_edges(con: duckdb.DuckDBPyConnection, cfg: Config) -> int:
    """(Re)create `fused_edges` from `trace_edges`; returns the number of fused edges.

    Columns: `source, target` (source < target), `weight` (the fusion rule above), `traces`
    (`;`-separated names of the traces that link the pair, sorted), `n_traces`, `min_p_value`
    (the smallest trace p-value), `first_ms, last_ms` (span of the pair's co-actions).
    """
    p: FusionParams = cfg.section("fusion")
    con.execute(_EMPTY).fetchall()
    if not _exists(con, "trace_edges"):
        return 0
    weights = sorted(p.trace_weights().items())
    values = ", ".join("(?, ?)" for _ in weights)
    params: list = [x for kv in weights for x in kv]
    # The per-pair sum runs over a list ordered by trace, so the float result does not depend on
    # the order in which parallel threads met the rows.
    con.execute(f"""
        INSERT INTO fused_edges
        WITH w(trace, tw) AS (VALUES {values}),
        e AS (
            SELECT t.source, t.target, t.trace, t.p_value, t.first_ms, t.last_ms,
                   coalesce(w.tw, ?) *
                   CASE WHEN t.p_value IS NULL THEN 1.0
                        ELSE least(1.0, greatest(0.0, -log10(greatest(t.p_value, 1e-300)))
                                        / ?) END *
                   (1.0 - exp(-CAST(t.count AS DOUBLE) / ?)) AS s
            FROM trace_edges t LEFT JOIN w ON w.trace = t.trace
            WHERE t.source <> t.target
        )
        SELECT source, target, list_sum(list(s ORDER BY trace)) AS weight,
               string_agg(DISTINCT trace, ';' ORDER BY trace) AS traces,
               count(DISTINCT trace) AS n_traces, min(p_value), min(first_ms), max(last_ms)
        FROM e GROUP BY source, target
        HAVING list_sum(list(s ORDER BY trace)) > 0
           AND list_sum(list(s ORDER BY trace)) >= ?
        ORDER BY source, target
    """, params + [p.other_traces, p.significance_full, p.count_scale,
                   p.min_weight]).fetchall()
    return int(con.execute("SELECT count(*) FROM fused_edges").fetchall()[0][0])
