"""edges.csv: the trace evidence behind every edge of the fused account graph (Gephi-ready:
source, target, weight).

One row per (pair, trace): `source, target, trace, weight, count, p_value, first_ts, last_ts,
examples` (up to five example item ids, `;`-separated), `significant` (`true` when this trace
alone passed its test; `false` for evidence that counts only together with other traces, see
`networks.fusion`), and `network_id` when both accounts are in the same network. p-values keep
six significant digits; weights six decimals.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb

from ..safecsv import write_csv
from ..timeutil import iso_utc
from .accounts import num, sig_digits

HEADER = ("source", "target", "trace", "weight", "count", "p_value", "first_ts", "last_ts",
          "examples", "significant", "network_id")


def edge_rows(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """The evidence of every fused edge, ordered by (source, target, trace)."""
    rows = con.execute("""
        SELECT t.source, t.target, t.trace, t.weight, t.count, t.p_value, t.first_ms, t.last_ms,
               t.examples, t.significant,
               CASE WHEN ms.network_id = mt.network_id THEN ms.network_id END
        FROM fused_evidence t
        LEFT JOIN memberships ms ON ms.account_id = t.source
        LEFT JOIN memberships mt ON mt.account_id = t.target
        ORDER BY t.source, t.target, t.trace
    """).fetchall()
    out = []
    for r in rows:
        d = dict(zip(HEADER, r, strict=True))
        d["weight"] = num(d["weight"])
        d["p_value"] = sig_digits(d["p_value"])
        d["first_ts"] = iso_utc(d["first_ts"])
        d["last_ts"] = iso_utc(d["last_ts"])
        d["examples"] = [str(x) for x in json.loads(d["examples"] or "[]")]
        d["significant"] = bool(d["significant"])
        out.append(d)
    return out


def write_edges(rows: list[dict[str, Any]], path: Path) -> Path:
    """Write edges.csv from `edge_rows` (examples joined with `;`)."""
    write_csv(path, HEADER, ([";".join(r[h]) if h == "examples" else r[h] for h in HEADER]
                             for r in rows), ids=("source", "target", "network_id"))
    return path
