"""Behavioural traces: which accounts acted on the same items within a window, and how unlikely
that is by chance.

One module per trace; each subclasses `Trace` and registers with `@register`. `compute_traces`
runs them all and (re)creates `trace_runs`, `trace_edges`, `trace_candidates`, `reshares` and
`amplification` in the case database (contract: docs/architecture.md, details: docs/traces.md).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import duckdb

from ..config import Config
from ..engine import Engine, engine
from ..timeutil import precision_ms
from ..workers import Pool
from .base import ACTION_COLUMNS, NotComputable, Trace, TraceParams, register, traces
from .reshares import build_reshares
from .significance import CANDIDATES_DDL, SignificanceParams, assess_edges

RUNS_DDL = """
CREATE OR REPLACE TABLE trace_runs (
    trace VARCHAR, status VARCHAR, reason VARCHAR, params VARCHAR, n_actions BIGINT,
    n_items BIGINT, n_pairs BIGINT, notes VARCHAR)
"""
EDGE_COLUMNS = ("source, target, trace, weight, count, p_value, z, first_ms, last_ms, examples")


def compute_traces(con: duckdb.DuckDBPyConnection, config: Config,
                   capabilities: dict[str, str],
                   engine_: Engine | None = None) -> None:
    """Run every trace and (re)create the trace tables; same input and config, same tables.

    A trace whose capabilities are missing (or that finds the data cannot support it) gets a
    `trace_runs` row with status 'not computable' and the reason, never an empty "no signal".
    """
    common = config.section("traces")
    eng = engine_ or engine(common.engine)
    sig = config.section("significance")
    coarse = _coarse_times(con)
    con.execute(RUNS_DDL).fetchall()
    con.execute(CANDIDATES_DDL).fetchall()
    build_reshares(con, config.section("traces.fast_reshare").tau_s * 1000)
    for cls in traces().values():
        for table in cls.outputs:
            con.execute(f"DROP TABLE IF EXISTS {table}").fetchall()
    runs = [(cls(), config.section(f"traces.{name}")) for name, cls in traces().items()]
    threads = int(con.execute("SELECT current_setting('threads')").fetchall()[0][0])
    with Pool(threads) as pool:
        for trace, params in runs:
            if params.enabled and all(c in capabilities for c in trace.requires):
                trace.start(con, params, pool)
        for trace, params in runs:
            _run_one(con, trace, params, capabilities, eng, common.max_per_bucket, sig, coarse)
    con.execute(f"""
        CREATE OR REPLACE TABLE trace_edges AS
        SELECT {EDGE_COLUMNS} FROM trace_candidates WHERE significant
        ORDER BY trace, source, target
    """).fetchall()
    con.execute("CREATE OR REPLACE TABLE trace_candidates AS SELECT * FROM trace_candidates "
                "ORDER BY trace, source, target").fetchall()
    # `_trace_near_text` stays for this connection: the group test's text view reads it.
    for tmp in ("_tr_actions", "_tr_acc", "_tr_item", "_tr_capped", "_tr_item_pairs",
                "_tr_pairs", "_tr_pair_items", "_tr_items", "_tr_cand", "_tr_universe",
                "_tr_pop", "_tr_deg", "_tr_cand_items", "_trace_co_text", "_trace_co_image"):
        con.execute(f"DROP TABLE IF EXISTS {tmp}").fetchall()


def _coarse_times(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, int]]]:
    """Per table (posts, interactions): how many rows have times of each precision coarser than
    a second, coarsest first."""
    out: dict[str, list[tuple[str, int]]] = {}
    for table in ("posts", "interactions"):
        rows = con.execute(f"SELECT time_precision, count(*) FROM {table} "
                           "WHERE time_precision IN ('minute', 'hour', 'day') "
                           "GROUP BY time_precision").fetchall()
        out[table] = sorted(rows, key=lambda r: -precision_ms(r[0]))
    return out


def _run_one(con: duckdb.DuckDBPyConnection, trace: Trace, params: Any,
             capabilities: dict[str, str], eng: Engine, cap: int, sig: SignificanceParams,
             coarse: dict[str, list[tuple[str, int]]]) -> None:
    params_json = json.dumps(dataclasses.asdict(params), sort_keys=True)

    def record(status: str, reason: str | None, n_actions: int = 0, n_items: int = 0,
               n_pairs: int = 0, notes: list[str] | None = None) -> None:
        con.execute("INSERT INTO trace_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [trace.name, status, reason, params_json, n_actions, n_items, n_pairs,
                     "; ".join(notes or []) or None]).fetchall()

    if not params.enabled:
        record("not computable", f"disabled (traces.{trace.name}.enabled = false)")
        return
    missing = [c for c in trace.requires if c not in capabilities]
    if missing:
        record("not computable", "the data has no " + ", ".join(missing))
        return
    try:
        notes = trace.prepare(con, params)
    except NotComputable as e:
        record("not computable", str(e))
        return
    window_ms = int(params.window_s) * 1000
    table = "interactions" if "interactions" in trace.tables else "posts"
    for precision, n in coarse[table]:
        if precision_ms(precision) >= window_ms:
            # A minute-precision time cannot say whether two actions were 10 s or 50 s apart.
            notes.append(f"{n} {table} have {precision}-precision times, no finer than the "
                         f"{params.window_s} s window: their co-occurrence is approximate")
    run = eng.enumerate(con, trace.actions_sql(params), window_ms, cap, params.min_count,
                        trace.tables)
    if run.n_capped_cells:
        notes.append(f"hot items: {run.n_capped_cells} (item, {params.window_s} s bucket) cells "
                     f"had more than {cap} actions; {run.n_dropped} actions were left out of "
                     "pair enumeration (deterministic MD5 sample kept)")
    tested = assess_edges(con, trace.name, params.min_count, sig, eng,
                          trace.universe_sql(params))
    notes.append(f"{tested.n_candidates} candidate edges with >= {params.min_count} shared "
                 f"items, {tested.n_significant} significant")
    record("ok", None, run.n_actions, run.n_items, run.n_window_pairs, notes)


__all__ = ["ACTION_COLUMNS", "NotComputable", "Trace", "TraceParams", "compute_traces",
           "register", "traces"]
