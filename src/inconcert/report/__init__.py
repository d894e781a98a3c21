"""The investigation report (`report.html`) and the exports beside it (`exports/`).

`write_report(db, out_dir, cfg)` is the pipeline's last stage: it lays out the account graph
once (so the report's map and the GEXF/GraphML/CSV positions agree), gathers the report context
from the case database, renders the self-contained HTML and writes every export.
"""

from __future__ import annotations

from pathlib import Path

from ..config import Config
from ..config import load as load_config
from ..store import Store

REPORT = "report.html"
EXPORTS = "exports"


def write_report(db: Path, out_dir: Path, cfg: Config | None = None) -> list[Path]:
    """Write report.html and exports/ for a detected case; returns the written paths."""
    from ..exports.gephi_csv import write_gephi_csv
    from ..exports.gexf import write_gexf
    from ..exports.graph import build_graph
    from ..exports.graphml import write_graphml
    from ..exports.indicators import write_indicators
    from ..exports.parquet import write_parquet
    from ..exports.stix import write_stix
    from .context import build_context
    from .html import render_report
    from .layout import compute_layout

    cfg = cfg if cfg is not None else load_config()
    rp = cfg.section("report")
    out_dir.mkdir(parents=True, exist_ok=True)
    ex = out_dir / EXPORTS
    ex.mkdir(exist_ok=True)
    with Store(db) as store:
        con = store.con
        graph = build_graph(con)
        e = graph.edges
        graph.place(compute_layout(graph.nodes["id"].to_pylist(),
                                   list(zip(e["source"].to_pylist(), e["target"].to_pylist(),
                                            e["weight"].to_pylist(), strict=True)),
                                   rp.layout_seed, rp.layout_iterations))
        ctx = build_context(store, cfg, graph)
        stamp = con.execute("SELECT max(created_ms) FROM posts").fetchall()[0][0]
        report = out_dir / REPORT
        report.write_text(render_report(ctx), encoding="utf-8", newline="\n")
        desc = (f"Accounts linked by coordinated co-actions (inconcert {ctx['version']}, inputs "
                f"{ctx['inputs_digest'][:16]}); node attribute 'network' is the detected network.")
        written = [report,
                   write_gexf(graph, ex / "network.gexf", ctx["time_max"][:10], desc),
                   write_graphml(graph, ex / "network.graphml"),
                   *write_gephi_csv(graph, ex),
                   write_stix(ctx, stamp, ex / "stix_bundle.json"),
                   write_indicators(ctx["indicators"], ex / "indicators.csv"),
                   *write_parquet(con, cfg, ex / "parquet", store.capabilities(),
                                  ctx["inputs_digest"])]
    return written
