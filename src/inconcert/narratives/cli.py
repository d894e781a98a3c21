"""Glue for `inconcert match`: score a run's networks against the library and summarise."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..config import Config
from ..store import Store
from .fingerprint import case_db
from .match import FACETS, write_matches
from .stage import OUTPUTS, output_columns, output_rows, write_output


def match_run(run_dir: Path, library: Path, cfg: Config) -> tuple[Path, list[dict[str, Any]]]:
    """(Re)create the run's `matches` table against the library and write matches.csv into the
    run directory; returns its path and rows."""
    with Store(case_db(run_dir)) as store:
        write_matches(store.con, library, cfg.section("narratives.match"),
                      cfg.section("narratives.fingerprint"))
        rows = output_rows(store.con, "matches")
        path = write_output(rows, output_columns(store.con, "matches"),
                            run_dir / OUTPUTS["matches"][0])
    return path, rows


def rerender_report(run_dir: Path, cfg: Config) -> Path | None:
    """Rewrite the run's report.html and exports so they show the matches just made: with the
    run's own parameters (findings.json, so the report still states what produced its
    networks) and this call's matching parameters. None when the run has no report."""
    from ..config import from_dict
    from ..errors import InputError
    from ..report import REPORT, write_report

    findings = run_dir / "findings.json"
    if not (run_dir / REPORT).is_file() or not findings.is_file():
        return None
    try:
        recorded = json.loads(findings.read_text(encoding="utf-8"))["parameters"]
        run_cfg = from_dict(recorded)
    except (OSError, ValueError, KeyError, TypeError, InputError) as e:
        raise InputError(f"cannot read the run's parameters back to rewrite its report ({e}); "
                         "matches.csv is written", str(findings)) from None
    sections = {n: run_cfg.section(n) for n in run_cfg.names()}
    for name in ("narratives.match", "narratives.fingerprint"):
        sections[name] = cfg.section(name)
    write_report(case_db(run_dir), run_dir, Config(sections))
    return run_dir / REPORT


def evidence_line(row: dict[str, Any], items: int = 3) -> str:
    """The facets of a match that agree, with a few overlapping values each."""
    evidence = json.loads(row["evidence"]) if row["evidence"] else {}
    parts = []
    for facet in FACETS:
        s = row[facet]
        if s is None or s <= 0:
            continue
        # Rhythm evidence is two lists of busy hours: the similarity says enough here.
        shown = evidence.get(facet, []) if facet != "rhythm" else []
        values = ", ".join(str(v[0]) if isinstance(v, list) else str(v)
                           for v in shown[:items]) if isinstance(shown, list) else ""
        parts.append(f"{facet} {s:.2f}" + (f" ({values})" if values else ""))
    return "; ".join(parts)
