"""datasets.csv: each ingested source (by file name) with its digest, counts and capabilities."""

from __future__ import annotations

from pathlib import Path, PurePath

from ..safecsv import write_csv
from ..store import Store

HEADER = ("dataset_id", "path", "sha256", "format", "platform", "unit", "rows_in",
          "rows_stored", "rows_quarantined", "time_min_ms", "time_max_ms", "capabilities",
          "notes")


def write_datasets(store: Store, path: Path) -> Path:
    """Write one row per ingested source; capabilities as `name=level` joined by `;`, the path
    as the file name (as in findings.json: where a file sits is not what it holds)."""
    rows = []
    for d in store.datasets():
        shown = {**d, "path": PurePath(d["path"]).name,
                 "capabilities": ";".join(f"{k}={v}" for k, v in d["capabilities"].items())}
        rows.append([shown[h] for h in HEADER])
    write_csv(path, HEADER, rows)
    return path
