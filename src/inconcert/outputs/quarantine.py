"""quarantine.csv: every row that could not be stored, with the file, line and reason."""

from __future__ import annotations

from pathlib import Path, PurePath

from ..safecsv import write_csv
from ..store import Store

HEADER = ("path", "line", "reason", "raw")


def write_quarantine(store: Store, path: Path, file_names: bool = False) -> Path | None:
    """Write the store's quarantined rows to `path`; None (and no file) when there are none.

    `file_names` reduces each input path to its file name, for the outputs of a run that may be
    published; beside the case database the full path shows the analyst which file to fix.
    """
    rows = store.con.execute(
        "SELECT path, line, reason, raw FROM quarantine ORDER BY path, line NULLS LAST, reason"
    ).fetchall()
    if file_names:
        rows = [(PurePath(p).name, *rest) for p, *rest in rows]
    if not rows:
        if path.exists():
            path.unlink()
        return None
    write_csv(path, HEADER, rows)
    return path
