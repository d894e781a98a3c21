"""Resemblance to earlier takedowns for the report: a network's best matches in the
fingerprint library (`matches`, written when `run` has a library) with what they share, or
"no resemblance" below `narratives.match.min_resemblance`."""

from __future__ import annotations

from typing import Any

import duckdb

from ..exports.graph import table_exists
from ..narratives.cli import evidence_line
from ..narratives.match import MatchParams


def resemblance(con: duckdb.DuckDBPyConnection, nids: list[str], p: MatchParams
               ) -> dict[str, dict[str, Any]]:
    """For each network, `{computed, library, threshold, best, matches: [{name, network,
    score, coverage, shared}]}`; `computed` is False when the case was not matched against a
    library. One query for every network."""
    if not table_exists(con, "matches"):
        return {nid: {"computed": False, "library": p.library, "threshold": p.min_resemblance}
                for nid in nids}
    cur = con.execute("SELECT * FROM matches ORDER BY network_id, rank")
    names = [d[0] for d in cur.description]
    by_net: dict[str, list[dict[str, Any]]] = {nid: [] for nid in nids}
    for r in cur.fetchall():
        row = dict(zip(names, r, strict=True))
        by_net.setdefault(row["network_id"], []).append(row)
    return {nid: {"computed": True, "library": p.library, "threshold": p.min_resemblance,
                  "best": rows[0]["score"] if rows else None,
                  "matches": [{"name": r["library_name"], "network": r["library_network_id"],
                               "score": r["score"], "coverage": r["coverage"],
                               "shared": evidence_line(r)}
                              for r in rows if (r["score"] or 0.0) >= p.min_resemblance]}
            for nid, rows in ((nid, by_net[nid]) for nid in nids)}
