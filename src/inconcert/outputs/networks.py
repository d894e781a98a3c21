"""networks.csv: one row per network, highest score first (N001 ...)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from ..exports.graph import table_exists
from ..safecsv import write_csv
from ..timeutil import iso_utc
from .accounts import num, sig_digits

HEADER = ("network_id", "size", "score", "traces", "first_seen", "last_seen", "top_hashtags",
          "top_domains", "n_seeders", "n_amplifiers", "n_hybrid", "n_flagged", "inauthentic",
          "inauthentic_share", "mean_inauthenticity", "density", "strength", "significance",
          "diversity", "synchrony", "n_edges", "operation_id", "time_scale_s", "null_model",
          "group_p_value", "inauthentic_by", "inauthentic_p_value", "internal_share",
          "internal_seeders", "internal_chance", "copying_members", "copying_chance",
          "copying_days", "copying_p_value", "internal_made_share", "copying_named")
_FLOATS = ("score", "inauthentic_share", "mean_inauthenticity", "density", "strength",
           "significance", "diversity", "synchrony", "internal_share", "internal_chance",
           "copying_chance", "copying_days", "internal_made_share")
_PVALUES = ("group_p_value", "inauthentic_p_value", "copying_p_value")
# Filled by the group test and the verdict; a networks table made without them reads as empty.
_LATER = ("time_scale_s", "null_model", "group_p_value", "inauthentic_by", "inauthentic_p_value",
          "internal_share", "internal_seeders", "internal_chance", "copying_members",
          "copying_chance", "copying_days", "copying_p_value", "internal_made_share",
          "copying_named")
_SOURCE = {"first_seen": "first_ms", "last_seen": "last_ms"}


def network_rows(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every network with its scores and summary, ordered by network id."""
    present = {r[0] for r in con.execute("DESCRIBE networks").fetchall()}
    cols = [f"n.{_SOURCE.get(h, h)}" if h not in _LATER or h in present else "NULL"
            for h in HEADER if h != "operation_id"]
    # The operation each network belongs to (inconcert.operations), empty before that stage.
    op = ("o.operation_id" if table_exists(con, "operation_networks") else "NULL")
    join = ("LEFT JOIN operation_networks o USING (network_id)"
            if table_exists(con, "operation_networks") else "")
    i = HEADER.index("operation_id")
    cols.insert(i, op)
    rows = con.execute(f"SELECT {', '.join(cols)} FROM networks n {join} "
                       "ORDER BY n.network_id").fetchall()
    out = []
    for r in rows:
        d = dict(zip(HEADER, r, strict=True))
        for k in _FLOATS:
            d[k] = num(d[k])
        for k in _PVALUES:
            d[k] = sig_digits(d[k])
        d["first_seen"] = iso_utc(d["first_seen"])
        d["last_seen"] = iso_utc(d["last_seen"])
        d["inauthentic"] = bool(d["inauthentic"])
        out.append(d)
    return out


def write_networks(rows: list[dict[str, Any]], path: Path) -> Path:
    """Write networks.csv from `network_rows`."""
    write_csv(path, HEADER, ([r[h] for h in HEADER] for r in rows),
              ids=("network_id", "operation_id"))
    return path
