"""The narratives stage of `inconcert run`: narratives, targets, sources (and matches) of the
networks that detection found, as tables, CSV files and findings.json sections."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
from rich.console import Console

from ..config import Config
from ..config import load as load_config
from ..outputs.findings import add_sections
from ..progress import timed_step
from ..safecsv import write_csv
from ..store import Store
from ..timeutil import iso_utc
from .cluster import NarrativeParams, write_narratives
from .content import network_content
from .fingerprint import FingerprintParams
from .match import MatchParams, write_matches
from .sources import SourceParams, write_sources
from .tables import table_dicts
from .targets import TargetParams, write_targets

# Table -> (CSV file, row order). Times are written as ISO text, JSON columns as JSON text.
OUTPUTS = {
    "narratives": ("narratives.csv", "narrative_id, n_posts DESC, network_id"),
    "targets": ("targets.csv", "network_id, rank"),
    "sources": ("sources.csv", "network_id, rank"),
    "matches": ("matches.csv", "network_id, rank"),
}
# Every table the stage makes (narrative_posts has no CSV of its own).
TABLES = (*OUTPUTS, "narrative_posts")
_TIMES = {"first_ms": "first_seen", "last_ms": "last_seen"}
_JSON = ("timeline", "representatives", "examples", "evidence", "facets")


def output_rows(con: duckdb.DuckDBPyConnection, table: str) -> list[dict[str, Any]]:
    """A stage table's rows as written to its CSV file: epoch-ms times as ISO 8601 UTC
    (`first_ms` becomes `first_seen`, `last_ms` `last_seen`)."""
    out = []
    for r in table_dicts(con, table, OUTPUTS[table][1]):
        out.append({_TIMES.get(k, k): iso_utc(v) if k in _TIMES else v for k, v in r.items()})
    return out


def write_output(rows: list[dict[str, Any]], columns: list[str], path: Path) -> Path:
    """Write stage rows to a spreadsheet-safe CSV file (header even when there are no rows)."""
    write_csv(path, columns, ([r[c] for c in columns] for r in rows),
              ids=[c for c in columns if c.endswith("_id")])
    return path


def output_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """The CSV header of a stage table (its columns, times renamed as in `output_rows`)."""
    cur = con.execute(f"SELECT * FROM {table} LIMIT 0")
    names = [d[0] for d in cur.description]
    cur.fetchall()
    return [_TIMES.get(c, c) for c in names]


def _for_findings(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: json.loads(v) if k in _JSON and isinstance(v, str) and v else v
             for k, v in r.items()} for r in rows]


def drop_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Remove the stage's tables: they describe networks, and detection is about to replace
    them (`inconcert detect` alone must not leave an earlier run's narratives behind)."""
    for table in TABLES:
        con.execute(f"DROP TABLE IF EXISTS {table}").fetchall()


def run_narratives(db: Path, out_dir: Path, cfg: Config | None = None,
                   console: Console | None = None) -> list[Path]:
    """Run the stage on a detected case: (re)create its tables, write narratives.csv,
    targets.csv and sources.csv (and matches.csv with `narratives.match.library` set) into
    out_dir, and add their sections to out_dir/findings.json when it exists."""
    cfg = cfg if cfg is not None else load_config()
    np_: NarrativeParams = cfg.section("narratives")
    tp: TargetParams = cfg.section("narratives.targets")
    sp_: SourceParams = cfg.section("narratives.sources")
    mp: MatchParams = cfg.section("narratives.match")
    fp: FingerprintParams = cfg.section("narratives.fingerprint")
    out_dir.mkdir(parents=True, exist_ok=True)
    with Store(db) as store:
        con = store.con
        items = network_content(con)
        summary: dict[str, Any] = {}
        steps: list[tuple[str, str, Callable[[], Any]]] = [
            ("narratives", "narratives", lambda: summary.update(write_narratives(con, items, np_))),
            ("targets", "targets", lambda: write_targets(con, items, tp)),
            ("amplified sources", "sources", lambda: write_sources(con, items, sp_)),
        ]
        if mp.library:
            steps.append(("matches with the fingerprint library", "matches",
                          lambda: write_matches(con, Path(mp.library).expanduser(), mp, fp)))
        written, sections = [], {"narratives_run": summary}
        for label, table, step in steps:
            timed_step(console, label, step)
            rows = output_rows(con, table)
            written.append(write_output(rows, output_columns(con, table),
                                        out_dir / OUTPUTS[table][0]))
            sections[table] = _for_findings(rows)
    findings = out_dir / "findings.json"
    if findings.exists():
        add_sections(findings, sections)
    return written
