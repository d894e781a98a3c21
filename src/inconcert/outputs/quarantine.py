"""quarantine.csv: every row that could not be stored, with the file, line and reason."""

from __future__ import annotations

from pathlib import Path

from ..safecsv import write_csv
from ..store import Store

HEADER = ("path", "line", "reason", "raw")


def write_quarantine(store: Store, path: Path) -> Path | None:
    """Write the store's quarantined rows to `path`; None (and no file) when there are none."""
    rows = store.con.execute(
        "SELECT path, line, reason, raw FROM quarantine ORDER BY path, line NULLS LAST, reason"
    ).fetchall()
    if not rows:
        if path.exists():
            path.unlink()
        return None
    write_csv(path, HEADER, rows)
    return path
