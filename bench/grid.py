"""`python -m bench.grid`: detection measured over the simulator's scenario grid.

For every cell (`inconcert.simulate.scenario.GRID`) and seed: simulate the platform, ingest its
input files, run `detect`, and score `accounts.csv` against `labels.csv` with inconcert's own
`evaluate` (F1 of `flagged`, ROC AUC of `score`). Writes `grid.md` (per cell: mean and min F1,
mean AUC, mean precision and recall, flagged share of all accounts — the number that matters
on platforms without a campaign) and `grid.json` (every run) into --out.

Thresholds (--min-mean-f1, --min-cell-f1, --max-flagged-share) are off unless given; when
given, the exit code is 1 if any is missed, and the misses are listed. Cells run one after the
other unless --jobs asks for worker processes.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from statistics import mean
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "bench" / "out" / "grid"
# A cell `embed=FOLDER[@region]`: a real IO archive inside a synthetic background whose people
# come half from that region (simulate/embed.py).
EMBED = "embed="


@dataclass(frozen=True)
class Thresholds:
    """Targets a grid run is checked against (None: not checked)."""

    min_mean_f1: float | None = None      # mean F1 over the cells with a campaign
    min_cell_f1: float | None = None      # mean F1 of every cell with a campaign
    max_flagged_share: float | None = None  # flagged share on every no-campaign cell


# Issue 10's "Done when": mean F1 over the grid, every cell, flagged share without a campaign.
ISSUE_TARGETS = Thresholds(0.95, 0.85, 0.001)


def run_one(cell: str, seed: int, scale: float, workdir: Path, config: str | None = None,
            overrides: tuple[str, ...] = (), keep: bool = False) -> dict[str, Any]:
    """Simulate, ingest, detect and evaluate one (cell, seed); returns its numbers."""
    from inconcert.config import load
    from inconcert.detect import detect
    from inconcert.evaluate import evaluate
    from inconcert.ingest import ingest_paths
    from inconcert.simulate import input_files, simulate
    from inconcert.simulate.scenario import cell as grid_cell
    from inconcert.store import Store

    cfg = load(Path(config) if config else None, overrides)
    slug = "".join(c if c.isalnum() or c in "-_." else "-" for c in cell)[-60:]
    base = workdir / f"{slug}-s{seed}"
    shutil.rmtree(base, ignore_errors=True)
    t0 = time.perf_counter()
    if cell.startswith(EMBED):
        from inconcert.simulate.embed import archive_files, embed_archive

        archive, _, home = cell[len(EMBED):].partition("@")
        tw, us = archive_files([Path(archive)])
        files = embed_archive(tw, us, base / "data", seed=seed, scale=scale, home=home or None)
        inputs, scenario = files[:2], {"embed": archive, "home": home or None}
    else:
        sc = grid_cell(cell)
        files = simulate(base / "data", seed=seed, scale=scale, scenario=sc)
        inputs, scenario = input_files(files), sc.as_dict()
    t1 = time.perf_counter()
    db = base / "case.duckdb"
    with Store(db) as store:
        ingest_paths(store, inputs)
    t2 = time.perf_counter()
    detect(db, base / "out", cfg)
    t3 = time.perf_counter()
    ev = evaluate(base / "out", base / "data" / "labels.csv")
    null = null_statistics(db, base / "data" / "labels.csv") if not ev.n_positive else None
    if not keep:
        shutil.rmtree(base, ignore_errors=True)
    return {"cell": cell, "seed": seed, "scale": scale, "scenario": scenario,
            "accounts": ev.n_labelled, "positives": ev.n_positive, "flagged": ev.n_flagged,
            "true_positive": ev.true_positive, "precision": ev.precision, "recall": ev.recall,
            "f1": ev.f1 if ev.n_positive else None, "auc": ev.auc,
            "flagged_share": ev.n_flagged / ev.n_labelled if ev.n_labelled else None,
            "seconds": {"simulate": round(t1 - t0, 2), "ingest": round(t2 - t1, 2),
                        "detect": round(t3 - t2, 2)},
            **({"null": null} if null is not None else {})}


# Organic roles that act together by design (a fandom, a newsroom, a viral post, a hashtag
# day): their pairs are true discoveries, not tests of the null.
COORDINATED_ROLES = ("fan", "idol", "newsroom", "viral_author", "viral_resharer", "hashtag_day")


def null_statistics(db: Path, labels: Path | None = None) -> dict[str, Any]:
    """What a platform without a campaign says about the tests' calibration.

    Pairs touching an account of COORDINATED_ROLES (per `labels`) are left out: the rest are
    tests of a true null. `u`: for every remaining candidate pair of every trace, its p-value
    conditional on being a candidate, P(X >= count) / P(X >= min_count) under the trace's
    Poisson(lambda): only pairs with at least `min_count` shared items are kept, so the raw
    p-values of the kept pairs are small by selection, while these are super-uniform
    (P(u <= t) <= t; discrete, hence not exactly uniform) if the null model is right.
    `discoveries`: significant null pairs per trace (under the complete null,
    Benjamini-Hochberg makes any discovery at most `alpha` likely). `groups`: the group test's
    p-values and how many groups it called coordinated.
    """
    import duckdb
    from scipy.special import gammainc

    skip: set[str] = set()
    if labels is not None:
        with open(labels, newline="", encoding="utf-8") as f:
            skip = {r["account_id"] for r in csv.DictReader(f) if r["role"] in COORDINATED_ROLES}
    with duckdb.connect(str(db), read_only=True) as con:
        min_count = {t: json.loads(p).get("min_count", 2) for t, p in con.execute(
            "SELECT trace, params FROM trace_runs WHERE status = 'ok'").fetchall()}
        rows = con.execute("""SELECT trace, source, target, count, expected, significant
                              FROM trace_candidates WHERE expected > 0
                              ORDER BY trace, source, target""").fetchall()
        groups = con.execute("SELECT p_value, coordinated FROM groups ORDER BY group_id"
                             ).fetchall()
    u: dict[str, list[float]] = {}
    found: dict[str, int] = {}
    for trace, a, b, count, lam, significant in rows:
        if a in skip or b in skip:
            continue
        floor = gammainc(min_count.get(trace, 2), lam)
        u.setdefault(trace, []).append(float(min(1.0, gammainc(count, lam) / floor))
                                       if floor > 0 else 1.0)
        found[trace] = found.get(trace, 0) + bool(significant)
    return {"u": u, "discoveries": found, "excluded_accounts": len(skip),
            "group_p": [p for p, _ in groups],
            "groups_coordinated": sum(bool(c) for _, c in groups)}


def null_calibration(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Pooled over the runs of platforms without a campaign: the largest excess of the
    conditional p-values' distribution over the uniform (one-sided Kolmogorov-Smirnov D+, its
    1 % critical value sqrt(-ln 0.01 / 2n), and the observed share at 0.01 and 0.05), the
    share of runs with any discovery per trace, and the flagged share of all accounts."""
    import numpy as np

    nulls = [r["null"] for r in runs if r.get("null")]
    u = np.sort(np.array([x for n in nulls for v in n["u"].values() for x in v]))
    n = len(u)
    d_plus = float(np.max(np.arange(1, n + 1) / n - u)) if n else 0.0
    traces = sorted({t for nl in nulls for t in nl["discoveries"]})
    return {
        "runs": len(nulls), "candidates": n, "ks_d_plus": d_plus,
        "ks_critical_1pct": float(np.sqrt(-np.log(0.01) / (2 * n))) if n else None,
        "share_u_le_0.01": float(np.mean(u <= 0.01)) if n else None,
        "share_u_le_0.05": float(np.mean(u <= 0.05)) if n else None,
        "runs_with_discoveries": {t: sum(1 for nl in nulls if nl["discoveries"].get(t))
                                  for t in traces},
        "runs_with_any_discovery": sum(1 for nl in nulls if any(nl["discoveries"].values())),
        "groups_coordinated": sum(nl["groups_coordinated"] for nl in nulls),
        "groups_tested": sum(len(nl["group_p"]) for nl in nulls),
        "flagged": sum(r["flagged"] for r in runs if r.get("null")),
        "accounts": sum(r["accounts"] for r in runs if r.get("null")),
    }


def _f1_or_zero(r: dict[str, Any]) -> float:
    # A campaign cell where nothing is flagged has no precision; it found nothing: F1 0.
    return r["f1"] if r["f1"] is not None else 0.0


def summarise(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per cell (in grid order of first appearance): means and minimum over its seeds."""
    cells: dict[str, list[dict[str, Any]]] = {}
    for r in runs:
        cells.setdefault(r["cell"], []).append(r)
    out = []
    for cell, rs in cells.items():
        has_campaign = any(r["positives"] for r in rs)
        f1 = [_f1_or_zero(r) for r in rs] if has_campaign else []
        auc = [r["auc"] for r in rs if r["auc"] is not None]

        def m(key: str, rs: list[dict[str, Any]] = rs) -> float | None:
            v = [r[key] for r in rs if r[key] is not None]
            return mean(v) if v else None

        out.append({
            "cell": cell, "seeds": len(rs), "campaign": has_campaign,
            "mean_f1": mean(f1) if f1 else None, "min_f1": min(f1) if f1 else None,
            "mean_auc": mean(auc) if auc else None,
            "mean_precision": m("precision") if has_campaign else None,
            "mean_recall": m("recall") if has_campaign else None,
            "mean_flagged_share": m("flagged_share"),
            "mean_accounts": mean(r["accounts"] for r in rs),
            "mean_positives": mean(r["positives"] for r in rs),
            "mean_seconds": {k: round(mean(r["seconds"][k] for r in rs), 2)
                             for k in ("simulate", "ingest", "detect")}})
    return out


def check(summary: list[dict[str, Any]], th: Thresholds) -> list[str]:
    """The thresholds a grid summary misses, as sentences (empty: all met or none set)."""
    misses = []
    f1s = [c["mean_f1"] for c in summary if c["campaign"]]
    if th.min_mean_f1 is not None and f1s and mean(f1s) < th.min_mean_f1:
        misses.append(f"mean F1 over the grid {mean(f1s):.3f} < {th.min_mean_f1}")
    for c in summary:
        if c["campaign"] and th.min_cell_f1 is not None and c["mean_f1"] < th.min_cell_f1:
            misses.append(f"{c['cell']}: mean F1 {c['mean_f1']:.3f} < {th.min_cell_f1}")
        if (not c["campaign"] and th.max_flagged_share is not None
                and c["mean_flagged_share"] > th.max_flagged_share):
            misses.append(f"{c['cell']}: flagged share {c['mean_flagged_share']:.4%} > "
                          f"{th.max_flagged_share:.4%}")
    return misses


def _fmt(x: float | None, pct: bool = False) -> str:
    if x is None:
        return "–"
    return f"{x:.2%}" if pct else f"{x:.3f}"


def markdown(summary: list[dict[str, Any]], meta: dict[str, Any], misses: list[str],
             null: dict[str, Any] | None = None) -> str:
    """The grid as a Markdown table, with how it was run, the thresholds missed and the null
    calibration of the platforms without a campaign."""
    lines = [f"# Detection over the scenario grid (scale {meta['scale']:g}, seeds "
             f"{meta['seeds']})", "",
             "| cell | seeds | accounts | campaign | mean F1 | min F1 | mean AUC | precision | "
             "recall | flagged share | s (sim/ingest/detect) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for c in summary:
        s = c["mean_seconds"]
        lines.append(
            f"| {c['cell']} | {c['seeds']} | {c['mean_accounts']:.0f} | "
            f"{c['mean_positives']:.0f} | {_fmt(c['mean_f1'])} | {_fmt(c['min_f1'])} | "
            f"{_fmt(c['mean_auc'])} | {_fmt(c['mean_precision'])} | {_fmt(c['mean_recall'])} | "
            f"{_fmt(c['mean_flagged_share'], True)} | "
            f"{s['simulate']:.1f}/{s['ingest']:.1f}/{s['detect']:.1f} |")
    f1s = [c["mean_f1"] for c in summary if c["campaign"]]
    if f1s:
        lines += ["", f"Mean F1 over the {len(f1s)} campaign cells: {mean(f1s):.3f}; "
                      f"lowest cell: {min(f1s):.3f}."]
    if misses:
        lines += ["", "Thresholds missed:", *[f"- {m}" for m in misses]]
    if null:
        which = ", ".join(f"{t} {k}" for t, k in null["runs_with_discoveries"].items() if k)
        lines += ["", f"Null calibration over {null['runs']} runs without a campaign: "
                      f"{null['candidates']} candidate pairs, conditional p-values KS D+ "
                      f"{null['ks_d_plus']:.3f} (1 % critical {_fmt(null['ks_critical_1pct'])}), "
                      f"share <= 0.01: {_fmt(null['share_u_le_0.01'])}, <= 0.05: "
                      f"{_fmt(null['share_u_le_0.05'])}; runs with a significant pair: "
                      f"{null['runs_with_any_discovery']} "
                      f"({which or 'none'}); "
                      f"groups coordinated {null['groups_coordinated']} of "
                      f"{null['groups_tested']}; flagged {null['flagged']} of "
                      f"{null['accounts']} accounts."]
    lines += ["", f"Command: `{meta['command']}`"]
    return "\n".join(lines) + "\n"


def run_grid(cells: list[str], seeds: list[int], scale: float, out: Path, jobs: int = 1,
             config: str | None = None, overrides: tuple[str, ...] = (), keep: bool = False,
             thresholds: Thresholds = Thresholds(), command: str = "",
             log: Any = None) -> dict[str, Any]:
    """Run the grid and write grid.md and grid.json into `out`; returns the JSON document."""
    out.mkdir(parents=True, exist_ok=True)
    work = out / "runs" if keep else Path(tempfile.mkdtemp(prefix="inconcert-grid-"))
    tasks = [(c, s) for c in cells for s in seeds]
    runs: list[dict[str, Any]] = []
    try:
        if jobs > 1:
            with ProcessPoolExecutor(jobs) as ex:
                futs = [ex.submit(run_one, c, s, scale, work, config, overrides, keep)
                        for c, s in tasks]
                for f in futs:
                    runs.append(f.result())
                    _log(log, runs[-1])
        else:
            for c, s in tasks:
                runs.append(run_one(c, s, scale, work, config, overrides, keep))
                _log(log, runs[-1])
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    summary = summarise(runs)
    misses = check(summary, thresholds)
    meta = {"scale": scale, "seeds": seeds, "cells": cells, "config": config,
            "overrides": list(overrides), "command": command,
            "thresholds": thresholds.__dict__}
    doc = {"meta": meta, "summary": summary, "misses": misses, "runs": runs}
    if any(r.get("null") for r in runs):
        doc["null_calibration"] = null_calibration(runs)
    (out / "grid.json").write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    (out / "grid.md").write_text(markdown(summary, meta, misses, doc.get("null_calibration")),
                                 encoding="utf-8")
    return doc


def _log(log: Any, r: dict[str, Any]) -> None:
    if log is not None:
        print(f"{r['cell']:>26} seed {r['seed']}: F1 {_fmt(r['f1'])} AUC {_fmt(r['auc'])} "
              f"flagged {r['flagged']}/{r['accounts']} ({sum(r['seconds'].values()):.1f} s)",
              file=log, flush=True)


def main(argv: list[str] | None = None) -> int:
    """Command line: see --help."""
    from inconcert.simulate.scenario import GRID, QUICK

    names = [n for n, _ in GRID]
    ap = argparse.ArgumentParser(prog="python -m bench.grid", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cells", help="comma-separated cell names (default: all). Cells: "
                    + "; ".join(names))
    ap.add_argument("--quick", action="store_true", help=f"only {', '.join(QUICK)}")
    ap.add_argument("--embed", action="append", default=[], metavar="FOLDER[@REGION]",
                    help="also run a real IO archive (folder with its tweets and users files) "
                         "inside a synthetic background, e.g. "
                         "../shared/data/thailand_io_092020@thailand (repeatable)")
    ap.add_argument("--seeds", type=int, default=5, help="seeds per cell (default 5)")
    ap.add_argument("--first-seed", type=int, default=1)
    ap.add_argument("--scale", type=float, default=1.0, help="platform size (default 1.0)")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--keep", action="store_true", help="keep every run's data and outputs")
    ap.add_argument("--config", help="detection parameters (TOML), as for inconcert detect")
    ap.add_argument("--set", action="append", default=[], dest="overrides",
                    help="override one detection parameter: section.key=value")
    ap.add_argument("--targets", action="store_true",
                    help="check issue 10's targets: mean F1 >= 0.95, every cell >= 0.85, "
                         "no-campaign flagged share <= 0.1%% (each can be set apart below)")
    ap.add_argument("--min-mean-f1", type=float)
    ap.add_argument("--min-cell-f1", type=float)
    ap.add_argument("--max-flagged-share", type=float,
                    help="largest flagged share of accounts on no-campaign cells (0.001 = 0.1%%)")
    a = ap.parse_args(argv)
    cells = list(QUICK) if a.quick else (_split_cells(a.cells, names) if a.cells else names)
    if a.embed and not a.cells and not a.quick:
        cells = []  # --embed alone: only the archives
    cells += [EMBED + e for e in a.embed]
    unknown = [c for c in cells if c not in names and not c.startswith(EMBED)]
    if unknown:
        print(f"python -m bench.grid: unknown cell(s) {', '.join(unknown)}", file=sys.stderr)
        return 2
    seeds = list(range(a.first_seed, a.first_seed + a.seeds))
    th = Thresholds(*(x if x is not None else (t if a.targets else None)
                      for x, t in ((a.min_mean_f1, ISSUE_TARGETS.min_mean_f1),
                                   (a.min_cell_f1, ISSUE_TARGETS.min_cell_f1),
                                   (a.max_flagged_share, ISSUE_TARGETS.max_flagged_share))))
    doc = run_grid(cells, seeds, a.scale, a.out, a.jobs, a.config, tuple(a.overrides), a.keep,
                   th, "python -m bench.grid " + " ".join(argv if argv is not None
                                                          else sys.argv[1:]), sys.stderr)
    print((a.out / "grid.md").read_text(encoding="utf-8"))
    return 1 if doc["misses"] else 0


def _split_cells(s: str, names: list[str]) -> list[str]:
    # Cell names contain commas ("no-campaign,negatives=2"): match the longest known name.
    out, rest = [], s
    while rest:
        match = max((n for n in names if rest == n or rest.startswith(n + ",")), key=len,
                    default=None)
        if match is None:
            head, _, rest = rest.partition(",")
            out.append(head)
            continue
        out.append(match)
        rest = rest[len(match) + 1:]
    return out


if __name__ == "__main__":
    sys.exit(main())
