"""`python -m bench.report_steps CASE_DUCKDB OUT_DIR [--profile FILE]`: the report-and-exports
stage alone on a detected case, with the CPU seconds of each of its steps.

Each step function `write_report` calls is wrapped with a CPU clock (`time.process_time`, so
DuckDB's threads count) where it is looked up, so the steps are those of the real stage and the
sum is the stage's CPU time; wall time at a shared machine's load says little. `--profile`
also writes a cProfile dump of the whole stage (slower: the profiler's own cost).
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import importlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# (module, function, label) in the order `write_report` runs them.
STEPS = (
    ("inconcert.exports.graph", "build_graph", "build the account graph"),
    ("inconcert.report.layout", "compute_layout", "layout"),
    ("inconcert.report.context", "build_context", "report context"),
    ("inconcert.report.html", "render_report", "render HTML"),
    ("inconcert.exports.gexf", "write_gexf", "GEXF"),
    ("inconcert.exports.graphml", "write_graphml", "GraphML"),
    ("inconcert.exports.gephi_csv", "write_gephi_csv", "Gephi CSV"),
    ("inconcert.exports.stix", "write_stix", "STIX"),
    ("inconcert.exports.indicators", "write_indicators", "indicators"),
    ("inconcert.exports.parquet", "write_parquet", "Parquet"),
)


def _timed(fn: Callable[..., Any], label: str, spent: dict[str, float]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:  # noqa: ANN401 - any step's result
        started = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[label] = spent.get(label, 0.0) + time.process_time() - started
    return wrapper


def run(db: Path, out: Path, profile: Path | None = None) -> dict[str, float]:
    """CPU seconds of each step of `write_report(db, out)` and their `total`."""
    from inconcert.report import write_report

    spent: dict[str, float] = {}
    for module, name, label in STEPS:
        mod = importlib.import_module(module)
        setattr(mod, name, _timed(getattr(mod, name), label, spent))
    started = time.process_time()
    if profile is None:
        write_report(db, out)
    else:
        cProfile.runctx("write_report(db, out)", globals(), {"write_report": write_report,
                                                              "db": db, "out": out},
                        str(profile))
    total = time.process_time() - started
    steps = {label: spent.get(label, 0.0) for _, _, label in STEPS}
    return {**steps, "other": total - sum(steps.values()), "total": total}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("db", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--profile", type=Path)
    opts = ap.parse_args()
    for label, s in run(opts.db, opts.out, opts.profile).items():
        print(f"{label}: {s:.2f} CPU s", flush=True)


if __name__ == "__main__":
    main()
