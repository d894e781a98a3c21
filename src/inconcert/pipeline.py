"""`inconcert run`: every analysis that exists, in pipeline order, over one case database."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from .config import Config
from .detect import detect
from .engine import Engine
from .narratives import run_narratives
from .outputs.datasets import write_datasets
from .outputs.quarantine import write_quarantine
from .progress import timed_step
from .report import write_report
from .store import Store


def run_pipeline(db: Path, out_dir: Path, console: Console | None = None,
                 cfg: Config | None = None, engine: Engine | None = None) -> list[Path]:
    """Run the analyses on a case and write their outputs into out_dir; returns the files.

    Writes datasets.csv and quarantine.csv (when rows were quarantined; both name inputs by
    file name, so the outputs do not depend on where the inputs sit), then the detection
    outputs (accounts.csv, networks.csv, edges.csv, findings.json; see `inconcert.detect`),
    then narratives.csv, targets.csv, sources.csv (see `inconcert.narratives`), then report.html
    and exports/ (see `inconcert.report`).
    `cfg` defaults to every parameter's default; `engine` runs the traces (see `detect`).
    """
    written: list[Path] = []
    with Store(db) as store:
        written.append(write_datasets(store, out_dir / "datasets.csv"))
        q = write_quarantine(store, out_dir / "quarantine.csv", file_names=True)
        if q is not None:
            written.append(q)
    written.extend(detect(db, out_dir, cfg, console=console, engine=engine))
    written.extend(run_narratives(db, out_dir, cfg, console=console))
    written.extend(timed_step(console, "report and exports",
                              lambda: write_report(db, out_dir, cfg)))
    return written
