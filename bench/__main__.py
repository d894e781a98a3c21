"""`python -m bench`: inconcert against coordination-network-toolkit 1.5.2, same data, same run.

For each size (and the hot-item variant), on one generated file in the peer's CSV layout:
the peer loads it and computes co_retweet (n_cpus=2); inconcert ingests it with the cnt-csv
reader and computes the exact co_retweet (`inconcert.compat.cnt`, DuckDB memory_limit 3GB);
the two edge sets must be identical, weights included. Then, at one size, the whole
`inconcert run` against the peer computing only its four exact networks. Each step runs in its
own process (wall time, CPU time and peak RSS of that process tree); ratios are of wall times
taken in the same run, so machine load affects both sides alike. The whole-run comparison runs
on each workload of `--run-workloads` (bench/gen.py: normal, spam, hashtags, conversation,
small-accounts, big-network), with the duration of each stage of the run. Results go to
bench/out/.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from .proctree import TreeSampler

ROOT = Path(__file__).resolve().parent.parent
NETWORKS = ("co_retweet", "co_tweet", "co_link", "co_reply")
# A stage's duration as `inconcert run` prints it ("  label: 12.3 s").
STEP_LINE = re.compile(r"^\s+(?P<label>[^:]+): (?P<s>[0-9.]+) s$")


def parse_sizes(text: str) -> list[int]:
    """`1e5,1e6` -> [100000, 1000000]; an empty string -> []."""
    return [int(float(s)) for s in text.split(",") if s.strip()]


def _label(n: int) -> str:
    exp = len(str(n)) - 1
    return f"10^{exp}" if n == 10**exp else f"{n:,}"


def run_step(kind: str, args: dict[str, Any], work: Path, name: str | None = None,
             sample: bool = False) -> dict[str, Any]:
    """Run one worker process; its result plus wall time, CPU time and peak RSS (MB).

    A child's peak RSS counts its parent's resident memory at the fork, so everything heavy
    (generating, comparing) runs in workers and this process stays small. `name` names the
    step's result and log files (default `kind`); `sample` also samples the process tree from
    /proc (`bench.proctree`: driver and executor RSS apart, the CPU of JVMs nobody waits for)."""
    name = name or kind
    result = work / f"{name}.json"
    args = {**args, "result": str(result)}
    log = open(work / f"{name}.log", "w", encoding="utf-8")  # noqa: SIM115 - closed below
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bench.workers", kind, json.dumps(args)],
                            stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    sampler = TreeSampler(proc.pid).start() if sample else None
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    sampled = sampler.stop() if sampler else {}
    log.close()
    if status != 0:
        if sampled:  # what a failed step used up to its failure (memory, above all) is kept
            (work / f"{name}.sampled.json").write_text(json.dumps({"wall_s": wall, **sampled}),
                                                       encoding="utf-8")
        tail = (work / f"{name}.log").read_text(encoding="utf-8")[-2000:]
        raise SystemExit(f"bench: {name} step failed (status {status}):\n{tail}")
    out = json.loads(result.read_text(encoding="utf-8"))
    out.update(wall_s=wall, cpu_s=usage.ru_utime + usage.ru_stime,
               peak_rss_mb=usage.ru_maxrss / 1024, **sampled)
    return out


def _data(opts: argparse.Namespace, n: int, hot: bool, workload: str = "normal") -> Path:
    kind = "hot" if hot else workload
    path = opts.out / "data" / f"cnt_{n}_{kind}_seed{opts.seed}.csv"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        counts = run_step("generate", {"csv": str(path), "n": n, "seed": opts.seed, "hot": hot,
                                       "workload": workload}, path.parent)
        print(f"  generated {path.name} in {counts['generate_s']:.1f} s", flush=True)
    return path


def bench_co_retweet(opts: argparse.Namespace, n: int, hot: bool) -> dict[str, Any]:
    """One size: peer vs inconcert on co_retweet, edges compared."""
    variant = "hot" if hot else "normal"
    print(f"co_retweet, {_label(n)} messages, {variant} popularity", flush=True)
    csv = _data(opts, n, hot)
    work = opts.out / "work" / f"{n}_{variant}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    common = {"window": opts.window, "min_weight": opts.min_weight}
    row: dict[str, Any] = {"messages": n, "variant": variant}
    if n <= opts.peer_max:
        row["peer"] = run_step("peer", {**common, "csv": str(csv), "db": str(work / "peer.db"),
                                        "networks": ["co_retweet"], "n_cpus": opts.n_cpus,
                                        "edges": str(work / "peer_edges.parquet")}, work)
        print(f"  peer: load {row['peer']['load_s']:.1f} s, co_retweet "
              f"{row['peer']['co_retweet_s']:.1f} s", flush=True)
    else:
        row["peer"] = None
        print(f"  peer skipped (--peer-max {opts.peer_max:g})", flush=True)
    row["ingest"] = run_step("ingest", {"csv": str(csv), "db": str(work / "case.duckdb")}, work)
    row["compat"] = run_step("compat", {**common, "db": str(work / "case.duckdb"),
                                        "memory_limit": opts.memory_limit,
                                        "threads": opts.n_cpus,
                                        "edges": str(work / "inconcert_edges.parquet")}, work)
    print(f"  inconcert: ingest {row['ingest']['ingest_s']:.1f} s, co_retweet "
          f"{row['compat']['compute_s']:.2f} s, {row['compat']['edges']} edges", flush=True)
    if row["peer"] is not None:
        diff = run_step("compare", {"a": str(work / "peer_edges.parquet"),
                                    "b": str(work / "inconcert_edges.parquet")}, work)
        only_peer, only_ours = diff["only_a"], diff["only_b"]
        row["only_peer"], row["only_inconcert"] = only_peer, only_ours
        row["identical"] = only_peer == only_ours == 0
        print(f"  edges identical: {row['identical']} (only peer {only_peer}, only inconcert "
              f"{only_ours})", flush=True)
    if not opts.keep:
        for name in ("peer.db", "peer.db-wal", "peer.db-shm", "case.duckdb"):
            (work / name).unlink(missing_ok=True)
    return row


def stage_times(log: str, wall: float) -> dict[str, float]:
    """Each stage's duration from `inconcert run`'s output; `ingest and setup` is the rest of
    the wall time (ingest, datasets.csv, start-up)."""
    out: dict[str, float] = {}
    for line in log.splitlines():
        m = STEP_LINE.match(line)
        if m:
            out[m["label"]] = out.get(m["label"], 0.0) + float(m["s"])
    return {"ingest and setup": max(0.0, wall - sum(out.values())), **out}


def bench_run(opts: argparse.Namespace, n: int, workload: str = "normal") -> dict[str, Any]:
    """The whole `inconcert run` against the peer computing its four exact networks."""
    print(f"whole run, {_label(n)} messages, workload {workload}", flush=True)
    if importlib.util.find_spec("inconcert.detect") is None:
        print("  pending: inconcert.detect is not there yet", flush=True)
        return {"messages": n, "workload": workload, "pending": True}
    csv = _data(opts, n, False, workload)
    work = opts.out / "work" / f"run_{n}_{workload}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    peer = run_step("peer", {"csv": str(csv), "db": str(work / "peer.db"),
                             "networks": list(NETWORKS), "n_cpus": opts.n_cpus,
                             "window": opts.window, "min_weight": opts.min_weight}, work)
    peer_total = peer["load_s"] + sum(peer[f"{k}_s"] for k in NETWORKS)
    print(f"  peer: load + four networks {peer_total:.1f} s", flush=True)
    log = open(work / "run.log", "w", encoding="utf-8")  # noqa: SIM115 - closed below
    started = time.perf_counter()
    proc = subprocess.Popen([str(Path(sys.executable).parent / "inconcert"), "run", str(csv),
                             "--out", str(work / "run")], stdout=log, stderr=subprocess.STDOUT,
                            cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    log.close()
    if status != 0:
        raise SystemExit(f"bench: inconcert run failed (status {status}), see {work}/run.log")
    stages = stage_times((work / "run.log").read_text(encoding="utf-8"), wall)
    top = max(stages, key=stages.__getitem__)
    print(f"  inconcert run: {wall:.1f} s ({peer_total / wall:.1f}× the peer); largest stage "
          f"{top} {stages[top]:.1f} s ({stages[top] / wall:.0%})", flush=True)
    if not opts.keep:
        for name in ("peer.db", "peer.db-wal", "peer.db-shm", "run/case.duckdb"):
            (work / name).unlink(missing_ok=True)
    return {"messages": n, "workload": workload, "peer": peer, "peer_total_s": peer_total,
            "load_avg": os.getloadavg(),
            "run": {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime,
                    "peak_rss_mb": usage.ru_maxrss / 1024, "stages": stages}}


# The kernel's transparent huge page settings. With NumPy's huge-page advice on and
# `defrag=madvise`, the first touch of each large array stalled in memory compaction: the
# group test of the 10^6 case took 204-219 s instead of 137 (docs/benchmarks.md, "Huge pages").
THP = Path("/sys/kernel/mm/transparent_hugepage")


def thp_setting(path: Path) -> str:
    """The selected value of a transparent huge page setting file (`always [madvise] never` ->
    `madvise`), or 'unknown' if the file is missing, unreadable or shows no selected value."""
    try:
        m = re.search(r"\[([^\]]+)\]", path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return "unknown"
    return m[1] if m else "unknown"


def numpy_hugepage() -> str:
    """NUMPY_MADVISE_HUGEPAGE as every step runs with it (each worker process imports
    inconcert first, as `inconcert` itself does): the environment's value, or the one importing
    inconcert sets (src/inconcert/__init__.py). Asked of a child process, so that this process's
    environment is left as it is; 'unknown' if inconcert cannot be imported."""
    probe = subprocess.run(
        [sys.executable, "-c",
         "import os, inconcert; print(os.environ['NUMPY_MADVISE_HUGEPAGE'])"],
        cwd=ROOT, capture_output=True, text=True)
    return probe.stdout.strip() if probe.returncode == 0 else "unknown"


def machine(thp: Path = THP) -> dict[str, Any]:
    """The machine settings that have changed timings by 1.5x between sessions: transparent
    huge pages (`enabled`, `defrag`), NumPy's huge-page advice (as the steps run with it, and
    as set in the environment before: None is NumPy's default, advice on), the load average at
    the start and the CPU count."""
    return {"thp_enabled": thp_setting(thp / "enabled"),
            "thp_defrag": thp_setting(thp / "defrag"),
            "numpy_madvise_hugepage": numpy_hugepage(),
            "numpy_madvise_hugepage_env": os.environ.get("NUMPY_MADVISE_HUGEPAGE"),
            "load_avg_start": os.getloadavg(), "cpus": os.cpu_count()}


def machine_line(m: dict[str, Any]) -> str:
    """`machine` as one line of the Markdown summary."""
    env = m["numpy_madvise_hugepage_env"]
    return (f"Machine: {m['cpus']} cpus, load average at start "
            f"{tuple(round(x, 2) for x in m['load_avg_start'])}, transparent huge pages "
            f"enabled [{m['thp_enabled']}] defrag [{m['thp_defrag']}], "
            f"NUMPY_MADVISE_HUGEPAGE {m['numpy_madvise_hugepage']} in the steps "
            f"({'unset' if env is None else env} in the environment).")


def _fmt_s(v: float | None) -> str:
    return "–" if v is None else (f"{v:.2f}" if v < 10 else f"{v:.1f}")


def _ratio(a: float | None, b: float | None) -> str:
    return "–" if a is None or b is None or b == 0 else f"{a / b:.1f}×"


def summary(rows: list[dict[str, Any]], runs: list[dict[str, Any]],
            machine_info: dict[str, Any] | None = None) -> str:
    """The results as Markdown tables, after a line on the machine if `machine_info` is given
    (results files written before it was recorded have none)."""
    head = [machine_line(machine_info), ""] if machine_info else []
    lines = [
        "| messages | variant | window pairs | peer load s | peer co_retweet s | inconcert "
        "ingest s | inconcert co_retweet s | speed-up co_retweet | speed-up load + "
        "co_retweet | CPU s co_retweet inconcert / peer | pairs/s inconcert | pairs/s peer | "
        "peak RSS inconcert / peer (MB) | edges | identical |",
        "|" + "---|" * 15,
    ]
    for r in rows:
        p, i, c = r["peer"], r["ingest"], r["compat"]
        pairs = c["window_pairs"]
        peer_c = p["co_retweet_s"] if p else None
        peer_all = p["load_s"] + p["co_retweet_s"] if p else None
        peer_rate = f"{pairs / peer_c / 1e6:.2f} M" if p else "–"
        # The peer's networks run in its worker processes: its CPU for co_retweet is the whole
        # step's CPU (all processes) less what its main process spent loading and exporting.
        peer_cpu = f"{p['cpu_s'] - p['load_cpu_s'] - p['export_cpu_s']:.0f}" if p else "–"
        peer_rss = f"{p['peak_rss_mb']:.0f}" if p else "–"
        lines.append(
            f"| {_label(r['messages'])} | {r['variant']} | {pairs:,} | "
            f"{_fmt_s(p['load_s'] if p else None)} | {_fmt_s(peer_c)} | "
            f"{_fmt_s(i['ingest_s'])} | {_fmt_s(c['compute_s'])} | "
            f"{_ratio(peer_c, c['compute_s'])} | "
            f"{_ratio(peer_all, i['ingest_s'] + c['compute_s'])} | "
            f"{c['compute_cpu_s']:.1f} / {peer_cpu} | "
            f"{pairs / c['compute_s'] / 1e6:.1f} M | {peer_rate} | "
            f"{c['peak_rss_mb']:.0f} / {peer_rss} | {c['edges']:,} | "
            f"{r.get('identical', 'peer skipped')} |")
    if not rows:
        lines = []
    done = [r for r in runs if not r.get("pending")]
    if done:
        lines += [
            "",
            "| messages | workload | peer load s | peer co_retweet / co_tweet / co_link / "
            "co_reply s | peer total s | inconcert run s (ingest + every analysis + report) | "
            "ratio | CPU s inconcert / peer | CPU ratio | largest stage (share of the run) | "
            "peak RSS inconcert / peer (MB) |",
            "|---|---|---|---|---|---|---|---|---|---|---|"]
        for run in done:
            p, stages = run["peer"], run["run"]["stages"]
            top = max(stages, key=stages.__getitem__)
            lines.append(
                f"| {_label(run['messages'])} | {run['workload']} | {_fmt_s(p['load_s'])} | "
                + " / ".join(_fmt_s(p[f"{k}_s"]) for k in NETWORKS)
                + f" | {_fmt_s(run['peer_total_s'])} | {_fmt_s(run['run']['wall_s'])} | "
                f"{_ratio(run['peer_total_s'], run['run']['wall_s'])} | "
                f"{run['run']['cpu_s']:.0f} / {p['cpu_s']:.0f} | "
                f"{_ratio(p['cpu_s'], run['run']['cpu_s'])} | {top} "
                f"{_fmt_s(stages[top])} ({stages[top] / run['run']['wall_s']:.0%}) | "
                f"{run['run']['peak_rss_mb']:.0f} / {p['peak_rss_mb']:.0f} |")
        labels = list(dict.fromkeys(k for r in done for k in r["run"]["stages"]))
        lines += ["", "Stages of `inconcert run`, seconds (share of the run):", "",
                  "| workload | " + " | ".join(labels) + " |",
                  "|---|" + "---|" * len(labels)]
        for run in done:
            st, wall = run["run"]["stages"], run["run"]["wall_s"]
            lines.append(f"| {run['workload']} | " + " | ".join(
                f"{_fmt_s(st[k])} ({st[k] / wall:.0%})" if k in st else "–" for k in labels)
                + " |")
    for run in runs:
        if run.get("pending"):
            lines += ["", f"Whole run at {_label(run['messages'])}: pending (no "
                          "inconcert.detect)."]
    return "\n".join(head + lines)


def resummarise(path: Path) -> str:
    """The Markdown tables of an earlier results file (`results_*.json`)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return summary(data["co_retweet"], data["runs"], data.get("machine"))


def main() -> None:
    """Command line: see `python -m bench --help`."""
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1e5,1e6", help="message counts (default 1e5,1e6)")
    ap.add_argument("--hot-sizes", default="1e6",
                    help="sizes also run with hot items (default 1e6; '' for none)")
    ap.add_argument("--peer-max", type=float, default=1e7,
                    help="skip the peer above this size (it takes ~10 min at 1e7 on 2 idle "
                         "cores); the output says so")
    ap.add_argument("--run-size", type=float, default=1e6,
                    help="size of the whole-run comparison (0 to skip)")
    ap.add_argument("--run-workloads", default="normal",
                    help="workloads of the whole-run comparison, comma-separated, among "
                         "bench.gen.WORKLOADS: normal, spam, hashtags, conversation, "
                         "small-accounts, big-network (default normal)")
    ap.add_argument("--window", type=float, default=60.0, help="time window, s (default 60)")
    ap.add_argument("--min-weight", type=int, default=2, help="minimum edge weight (2)")
    ap.add_argument("--n-cpus", type=int, default=2, help="peer processes / DuckDB threads")
    ap.add_argument("--memory-limit", default="3GB", help="DuckDB memory_limit (3GB)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    ap.add_argument("--keep", action="store_true", help="keep the databases of each step")
    ap.add_argument("--summary", type=Path, metavar="RESULTS_JSON",
                    help="print the tables of an earlier results file and exit")
    opts = ap.parse_args()
    if opts.summary:
        print(resummarise(opts.summary))
        return
    opts.out.mkdir(parents=True, exist_ok=True)

    started = datetime.now(UTC)
    mach = machine()
    env = {"started": started.isoformat(timespec="seconds"), "cpus": mach["cpus"],
           "load_avg_start": mach["load_avg_start"], "python": sys.version.split()[0],
           "duckdb": version("duckdb"), "peer": version("coordination-network-toolkit"),
           "argv": sys.argv[1:],
           "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                    capture_output=True, text=True).stdout.strip()}
    print(f"bench: {machine_line(mach)}", flush=True)
    rows = [bench_co_retweet(opts, n, False) for n in parse_sizes(opts.sizes)]
    rows += [bench_co_retweet(opts, n, True) for n in parse_sizes(opts.hot_sizes)]
    workloads = [w.strip() for w in opts.run_workloads.split(",") if w.strip()]
    runs = [bench_run(opts, int(opts.run_size), w) for w in workloads] if opts.run_size else []
    env["load_avg_end"] = os.getloadavg()
    table = summary(rows, runs, mach)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    (opts.out / f"results_{stamp}.json").write_text(
        json.dumps({"env": env, "machine": mach, "co_retweet": rows, "runs": runs},
                   indent=2), encoding="utf-8")
    (opts.out / f"summary_{stamp}.md").write_text(
        f"`python -m bench {' '.join(sys.argv[1:])}` — {env['started']}, {env['cpus']} cpus, "
        f"load average {env['load_avg_start']} → {env['load_avg_end']}\n\n{table}\n",
        encoding="utf-8")
    print(table)
    print(f"results: {opts.out}/results_{stamp}.json, {opts.out}/summary_{stamp}.md")


if __name__ == "__main__":
    main()
