"""accounts.csv: one row per account in the case, with its network, role, scores and verdict.

Contract columns (other tools and the acceptance checks read them): `account_id, handle,
network_id, role, coordination_score, inauthenticity_score, score, flagged, signals` — `flagged`
is `true`/`false`, `signals` a `;`-separated list. Scores are rounded to `DECIMALS` places.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from ..safecsv import write_csv

DECIMALS = 6
HEADER = ("account_id", "handle", "network_id", "role", "coordination_score",
          "inauthenticity_score", "score", "flagged", "signals")


def num(x: float | None) -> float | None:
    """A score rounded to DECIMALS places (None stays None), so outputs are stable bytes."""
    return None if x is None else round(float(x), DECIMALS) + 0.0


def sig_digits(x: float | None) -> float | None:
    """A p-value rounded to DECIMALS significant digits (tiny p-values keep their magnitude)."""
    return None if x is None else float(f"{float(x):.{DECIMALS}g}")


def account_rows(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """The verdict of every account, ordered by account id."""
    rows = con.execute(f"SELECT {', '.join(HEADER)} FROM verdicts ORDER BY account_id"
                       ).fetchall()
    out = []
    for r in rows:
        d = dict(zip(HEADER, r, strict=True))
        for k in ("coordination_score", "inauthenticity_score", "score"):
            d[k] = num(d[k])
        d["flagged"] = bool(d["flagged"])
        out.append(d)
    return out


def write_accounts(rows: list[dict[str, Any]], path: Path) -> Path:
    """Write accounts.csv from `account_rows`."""
    write_csv(path, HEADER, ([r[h] for h in HEADER] for r in rows),
              ids=("account_id", "handle", "network_id"))
    return path
