"""`inconcert demo`: simulate a small platform and run the whole pipeline on it."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console


def run_demo(out_dir: Path, console: Console | None = None, seed: int = 7,
             scale: float = 1.0, scenario: str | None = None) -> Path:
    """Simulate, ingest and analyse; returns the path of the main output (the report when the
    report stage exists, otherwise the output directory). `scenario` as for `inconcert
    simulate` (default: an operation drawn from the randomised families; "classic": the fixed
    campaign the demo showed before issue 16). The platform's accounts get drawn avatars
    (simulate.avatars), so the profile-image signals have something to examine."""
    from .ingest import ingest_paths
    from .ingest.avatars import ingest_avatars
    from .pipeline import run_pipeline
    from .simulate import input_files, simulate
    from .simulate.avatars import write_avatars
    from .store import Store

    out_dir.mkdir(parents=True, exist_ok=True)
    data_dir = out_dir / "data"
    files = simulate(data_dir, seed=seed, scale=scale, campaign=True, scenario=scenario)
    inputs = input_files(files)
    avatars = write_avatars(data_dir, seed, scale)
    db = out_dir / "case.duckdb"
    if db.exists():
        db.unlink()
    with Store(db) as store:
        ingest_paths(store, inputs)
        ingest_avatars(store, avatars)
    written = run_pipeline(db, out_dir, console=console)
    report = out_dir / "report.html"
    if report in written:
        return report
    return out_dir
