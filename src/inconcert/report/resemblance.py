"""Resemblance to earlier takedowns for the report: a network's best matches in the
fingerprint library (`matches`, written when `run` has a library) with what they share, or
"no resemblance" below `narratives.match.min_resemblance`."""

from __future__ import annotations

from typing import Any

import duckdb

from ..exports.graph import table_exists
from ..narratives.cli import evidence_line
from ..narratives.match import MatchParams


def resemblance(con: duckdb.DuckDBPyConnection, nid: str, p: MatchParams) -> dict[str, Any]:
    """`{computed, library, threshold, best, matches: [{name, network, score, coverage,
    shared}]}`; `computed` is False when the case was not matched against a library."""
    if not table_exists(con, "matches"):
        return {"computed": False, "library": p.library, "threshold": p.min_resemblance}
    cur = con.execute("SELECT * FROM matches WHERE network_id = ? ORDER BY rank", [nid])
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    return {"computed": True, "library": p.library, "threshold": p.min_resemblance,
            "best": rows[0]["score"] if rows else None,
            "matches": [{"name": r["library_name"], "network": r["library_network_id"],
                         "score": r["score"], "coverage": r["coverage"],
                         "shared": evidence_line(r)}
                        for r in rows if (r["score"] or 0.0) >= p.min_resemblance]}
