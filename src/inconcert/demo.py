"""`inconcert demo`: simulate a small platform and run the whole pipeline on it."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console


def run_demo(out_dir: Path, console: Console | None = None, seed: int = 7,
             scale: float = 1.0, scenario: str | None = None) -> Path:
    """Simulate, ingest and analyse; returns the path of the main output (the report when the
    report stage exists, otherwise the output directory). `scenario` as for `inconcert
    simulate` (default: an operation drawn from the randomised families; "classic": the fixed
    campaign the demo showed before issue 16)."""
    from .ingest import ingest_paths
    from .pipeline import run_pipeline
    from .simulate import input_files, simulate
    from .store import Store

    out_dir.mkdir(parents=True, exist_ok=True)
    data_dir = out_dir / "data"
    files = simulate(data_dir, seed=seed, scale=scale, campaign=True, scenario=scenario)
    inputs = input_files(files)
    db = out_dir / "case.duckdb"
    if db.exists():
        db.unlink()
    with Store(db) as store:
        ingest_paths(store, inputs)
    written = run_pipeline(db, out_dir, console=console)
    report = out_dir / "report.html"
    if report in written:
        return report
    return out_dir
