"""Parquet copies of the case: the canonical tables and the findings, one file per table,
written by DuckDB (`COPY ... TO ... (FORMAT parquet)`).

Ids stay strings, every epoch-ms time column gets a typed UTC timestamp twin (`created_ms` →
`created_ts`), rows are sorted (`ORDER BY ALL`) so the bytes repeat, and each file carries the
inconcert version, the inputs digest, the case capabilities and the run parameters as key-value
metadata. Input paths and avatar image paths are reduced to file names: where a file sat is not
what it held.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from .. import __version__
from ..config import Config
from .graph import table_exists

CANONICAL = ("datasets", "accounts", "posts", "post_entities", "interactions", "quarantine")
# Columns holding a local file path, exported as the file name only.
PATHS = ("path", "avatar_path")
FINDINGS = ("trace_runs", "trace_edges", "amplification", "reshares", "signal_runs",
            "account_signals", "account_scores", "fused_edges", "fused_evidence", "networks",
            "memberships", "verdicts")


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    return [(c, t) for c, t in con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? "
        "ORDER BY ordinal_position", [table]).fetchall()]


def _select(con: duckdb.DuckDBPyConnection, table: str) -> str:
    parts = []
    for col, kind in _columns(con, table):
        q = f'"{col}"'
        parts.append(f"regexp_extract({q}, '[^/\\\\]*$') AS {q}" if col in PATHS else q)
        # Durations (latencies) also end in _ms but are not points in time.
        if kind == "BIGINT" and col.endswith("_ms") and "latency" not in col:
            parts.append(f"timezone('UTC', epoch_ms({q})) AS \"{col[:-3]}_ts\"")
    return f"SELECT {', '.join(parts)} FROM {table} ORDER BY ALL"


def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def write_parquet(con: duckdb.DuckDBPyConnection, cfg: Config, out_dir: Path,
                  capabilities: dict[str, str], inputs_digest: str) -> list[Path]:
    """Write `<table>.parquet` for every canonical and findings table the case has; returns
    the paths in table order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    meta = {"inconcert_version": __version__, "inputs_digest": inputs_digest,
            "capabilities": json.dumps(capabilities, sort_keys=True),
            "parameters": json.dumps(cfg.as_dict(), sort_keys=True),
            "parameters_digest": cfg.digest()}
    kv = ", ".join(f"{k}: {_sql_str(v)}" for k, v in sorted(meta.items()))
    written = []
    for table in (*CANONICAL, *FINDINGS):
        if not table_exists(con, table):
            continue
        path = out_dir / f"{table}.parquet"
        con.execute(f"COPY ({_select(con, table)}) TO {_sql_str(str(path))} "
                    f"(FORMAT parquet, KV_METADATA {{{kv}}})").fetchall()
        written.append(path)
    return written
