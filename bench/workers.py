"""One benchmark step per process, so that each gets its own peak-memory figure.

`python -m bench.workers KIND ARGS_JSON` runs one step and writes its result as JSON to
`ARGS["result"]`; the parent (`bench.__main__`) measures wall time and peak RSS around it.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

# Imported before pyarrow (and with it NumPy): importing inconcert sets NumPy's huge-page
# advice off (src/inconcert/__init__.py), which NumPy reads on its own first import, so
# the inconcert steps run as `inconcert` does for a user.
import inconcert  # noqa: F401

# isort: split
import pyarrow as pa
import pyarrow.parquet as pq

PEER_NETWORKS = ("co_retweet", "co_tweet", "co_link", "co_reply")

# Account pairs acting on the same item within the window (unordered, distinct accounts): the
# quantity both tools' cost grows with. Same (item, bucket) join as the computation.
WINDOW_PAIRS_SQL = """
WITH a AS (
    SELECT item, user_id, t_ms, (t_ms + {origin}) // {w} AS b FROM ({actions}) AS x
)
SELECT (SELECT count(*) FROM a AS x JOIN a AS y ON x.item = y.item AND x.b = y.b
        WHERE x.user_id < y.user_id)
     + (SELECT count(*) FROM a AS x JOIN a AS y ON x.item = y.item AND y.b = x.b + 1
        WHERE x.user_id <> y.user_id AND y.t_ms - x.t_ms <= {window})
"""


def peer(args: dict[str, Any]) -> dict[str, Any]:
    """The peer: load the CSV, compute the networks asked for, export co_retweet's edges."""
    from coordination_network_toolkit import compute_networks as cn
    from coordination_network_toolkit.graph import get_edge_rows
    from coordination_network_toolkit.preprocess import preprocess_csv_files

    db, w, m, cpus = args["db"], args["window"], args["min_weight"], args["n_cpus"]
    calls = {
        "co_retweet": lambda: cn.compute_co_retweet_parallel(db, w, n_threads=cpus,
                                                             min_edge_weight=m),
        "co_tweet": lambda: cn.compute_co_tweet_network(db, w, n_threads=cpus,
                                                         min_edge_weight=m),
        "co_link": lambda: cn.compute_co_link_network(db, w, n_threads=cpus, min_edge_weight=m),
        "co_reply": lambda: cn.compute_co_reply_network(db, w, min_edge_weight=m,
                                                         n_threads=cpus),
    }
    out: dict[str, Any] = {}
    t, c = time.perf_counter(), time.process_time()
    preprocess_csv_files(db, [args["csv"]])
    # The load runs in this process; the networks mostly in the peer's worker processes.
    out["load_s"], out["load_cpu_s"] = time.perf_counter() - t, time.process_time() - c
    for network in args["networks"]:
        t = time.perf_counter()
        calls[network]()
        out[f"{network}_s"] = time.perf_counter() - t
    c = time.process_time()
    if args.get("edges"):
        rows = list(get_edge_rows(db, "co_retweet"))
        _write_edges(args["edges"], [r[0] for r in rows], [r[1] for r in rows],
                     [r[2] for r in rows])
        out["edges"] = len(rows)
    with sqlite3.connect(db) as con:
        out["messages"] = con.execute("SELECT count(*) FROM edge").fetchone()[0]
    out["export_cpu_s"] = time.process_time() - c
    return out


def _write_edges(path: str, sources: list, targets: list, weights: list) -> None:
    pq.write_table(pa.table({"source": pa.array(sources, pa.string()),
                             "target": pa.array(targets, pa.string()),
                             "weight": pa.array(weights, pa.int64())}), path)


def ingest(args: dict[str, Any]) -> dict[str, Any]:
    """inconcert: read the CSV with the cnt-csv reader into a new case database."""
    from inconcert.ingest import ingest_paths
    from inconcert.store import Store

    t, c = time.perf_counter(), time.process_time()
    with Store(args["db"]) as store:
        (res,) = ingest_paths(store, [Path(args["csv"])])
    return {"ingest_s": time.perf_counter() - t, "ingest_cpu_s": time.process_time() - c,
            "rows_stored": res.rows_stored,
            "rows_quarantined": res.rows_quarantined, "format": res.format}


def compat(args: dict[str, Any]) -> dict[str, Any]:
    """inconcert: the exact co_retweet network on the case, then (untimed) its edges and the
    number of window pairs."""
    from inconcert.compat import cnt
    from inconcert.engine import ORIGIN
    from inconcert.store import Store

    params = cnt.CntParams(args["window"], args["min_weight"])
    with Store(args["db"], read_only=True) as store:
        store.execute(f"SET memory_limit = '{args['memory_limit']}'")
        store.execute(f"SET threads = {int(args['threads'])}")
        t, c = time.perf_counter(), time.process_time()
        n = cnt.compute(store, "co_retweet", params)
        # process_time counts DuckDB's threads too.
        out: dict[str, Any] = {"compute_s": time.perf_counter() - t,
                               "compute_cpu_s": time.process_time() - c, "edges": n}
        store.execute(f"COPY (SELECT source, target, weight FROM _cnt_edges) "
                      f"TO '{args['edges']}' (FORMAT parquet)")
        sql = WINDOW_PAIRS_SQL.format(origin=ORIGIN, w=max(params.window_ms, 1),
                                      window=params.window_ms,
                                      actions=cnt.actions_sql("co_retweet", params))
        out["window_pairs"] = store.execute(sql)[0][0]
    return out


def generate(args: dict[str, Any]) -> dict[str, Any]:
    """Write the input file (in a worker, so that the parent's memory stays small)."""
    from .gen import generate as gen

    t = time.perf_counter()
    counts = gen(Path(args["csv"]), args["n"], seed=args["seed"], hot=args["hot"],
                 workload=args.get("workload", "normal"))
    return {**counts, "generate_s": time.perf_counter() - t}


def compare(args: dict[str, Any]) -> dict[str, Any]:
    """Edges only in `a`, edges only in `b` (two edge files; weights included)."""
    import duckdb

    a, b = args["a"], args["b"]
    con = duckdb.connect()
    only_a, only_b = con.execute(
        f"SELECT (SELECT count(*) FROM (SELECT * FROM '{a}' EXCEPT ALL SELECT * FROM '{b}')), "
        f"(SELECT count(*) FROM (SELECT * FROM '{b}' EXCEPT ALL SELECT * FROM '{a}'))"
    ).fetchall()[0]
    return {"only_a": int(only_a), "only_b": int(only_b)}


def cli(args: dict[str, Any]) -> dict[str, Any]:
    """`inconcert ARGV...` in this process (so that the step's process tree is the command's
    own: no extra interpreter), e.g. `ingest FILE --to-parquet DIR` or `detect --dataset DIR
    --out OUT --engine spark --master M`. Its console output goes to the step's log."""
    from inconcert.cli import app

    t, c = time.perf_counter(), time.process_time()
    try:
        code = app(args=list(args["argv"]), prog_name="inconcert", standalone_mode=False)
    except SystemExit as e:  # the commands' error guard exits with 2
        code = e.code
    if code not in (None, 0):
        raise SystemExit(f"inconcert {' '.join(args['argv'])}: exit status {code}")
    return {"command_s": time.perf_counter() - t, "command_cpu_s": time.process_time() - c}


def trace(args: dict[str, Any]) -> dict[str, Any]:
    """One trace (`args["trace"]`, every other one disabled) on the Parquet dataset, by DuckDB
    or by Spark (`engine`, `master`), as `inconcert detect --dataset` runs it: a case database
    whose canonical tables are views over the dataset, `compute_traces` with the engine. Its
    candidate edges (every column of `trace_candidates`) go to `args["edges"]` to be compared;
    Spark's session start-up is timed apart from the trace."""
    from inconcert import config
    from inconcert.engine import DuckDBEngine, SparkEngine
    from inconcert.scale.dataset import open_case
    from inconcert.store import Store
    from inconcert.traces import compute_traces, traces

    name, dataset = args["trace"], args["dataset"]
    out: dict[str, Any] = {}
    t = time.perf_counter()
    db = open_case(dataset, Path(args["db"]))
    cfg = config.load(overrides=[f"traces.{other}.enabled=false" for other in traces()
                                 if other != name])
    out["open_s"] = time.perf_counter() - t
    spark = None
    if args["engine"] == "spark":
        from inconcert.scale.spark import parse_conf, session

        t = time.perf_counter()
        spark = session(args["master"], parse_conf(args.get("spark_conf")))
        spark.range(1).count()  # executors are up (local-cluster starts them lazily)
        out["session_s"] = time.perf_counter() - t
        eng: Any = SparkEngine(spark, dataset=dataset)
    else:
        eng = DuckDBEngine()
    try:
        with Store(db) as store:
            caps = store.capabilities()
            t, c = time.perf_counter(), time.process_time()
            compute_traces(store.con, cfg, caps, eng)
            out["trace_s"], out["trace_cpu_s"] = time.perf_counter() - t, time.process_time() - c
            runs = store.execute("SELECT status, n_actions, n_pairs, notes FROM trace_runs "
                                 "WHERE trace = ?", [name])
            if not runs or runs[0][0] != "ok":
                raise SystemExit(f"trace {name} did not run: {runs}")
            out.update(n_actions=runs[0][1], window_pairs=runs[0][2], notes=runs[0][3])
            out["candidates"], out["significant"] = store.execute(
                "SELECT count(*), count(*) FILTER (significant) FROM trace_candidates "
                "WHERE trace = ?", [name])[0]
            edges = args["edges"].replace("'", "''")
            store.execute(f"COPY (SELECT * FROM trace_candidates WHERE trace = '{name}') "
                          f"TO '{edges}' (FORMAT parquet)")
    finally:
        if spark is not None:
            spark.stop()
    return out


def same_files(args: dict[str, Any]) -> dict[str, Any]:
    """Which of `names` differ between the folders `a` and `b` (byte for byte)."""
    import filecmp

    a, b = Path(args["a"]), Path(args["b"])
    differ = [n for n in args["names"]
              if not filecmp.cmp(a / n, b / n, shallow=False)]
    return {"differ": differ, "identical": not differ}


KINDS = {"generate": generate, "peer": peer, "ingest": ingest, "compat": compat,
         "compare": compare, "cli": cli, "trace": trace, "same_files": same_files}


def main() -> None:
    """Entry point: `python -m bench.workers KIND ARGS_JSON`."""
    kind, raw = sys.argv[1], sys.argv[2]
    args = json.loads(raw)
    result = KINDS[kind](args)
    Path(args["result"]).write_text(json.dumps(result), encoding="utf-8")


if __name__ == "__main__":
    main()
