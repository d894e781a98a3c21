"""`python -m bench.spark_side`: DuckDB and Spark side by side on one Parquet dataset (issue 12).

For each size: generate the bench workload once (bench/gen.py, the peer's CSV layout), ingest
it once with `inconcert ingest FILE --to-parquet DIR` (timed), then, each in its own worker
process (`bench.__main__.run_step`, with the process tree sampled from /proc by
`bench.proctree`):

- **co_reshare** alone (every other trace disabled): `compute_traces` on a case database whose
  tables are views over the dataset, with DuckDB, then with Spark on `--master`; the two
  `trace_candidates` tables (every column: counts, p-values, examples) are compared row for row;
- **detect**: the whole `inconcert detect --dataset DIR` with DuckDB, then with `--engine spark
  --master M`; `accounts.csv`, `networks.csv` and `edges.csv` are compared byte for byte.

Per step: wall time, CPU of the whole process tree (sampled, so JVMs that nobody waits for
count), peak RSS of the driver's processes (the Python process and its driver JVM) apart from
the executors' (with `local-cluster[...]` the executors are separate JVMs, descendants of the
driver JVM; with `local[N]` they are threads of the driver JVM, so the driver figure includes
them), and wait4's peak RSS of the largest single process. Then a log-log fit of time against
size per (step, engine) and an extrapolation to 10^9 messages with its assumptions.
Results go to `--out` (bench/out/) as `spark_side_*.json` and `spark_side_*.md`.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from .__main__ import ROOT, _data, _label, parse_sizes, run_step, stage_times

STEPS = ("co_reshare", "detect")
ENGINES = ("duckdb", "spark")
DETECT_OUTPUTS = ("accounts.csv", "networks.csv", "edges.csv")
TARGET_N = 10**9
# What one cluster node is assumed to be in the projection: a common cloud worker (e.g. 16
# vCPU, 64 GB), and the share of its cores' time that does useful work at scale (shuffles,
# stragglers, skew): an assumption, stated in the output, not a measurement.
NODE_CORES = 16
EFFICIENCY = 0.5


def fit_loglog(points: list[tuple[float, float]]) -> tuple[float, float] | None:
    """Least-squares fit of log t = log a + b log n over (n, t) points with t > 0: (b, a),
    i.e. t ≈ a · n^b. None with fewer than two distinct sizes."""
    pts = [(math.log(n), math.log(t)) for n, t in points if n > 0 and t > 0]
    if len({x for x, _ in pts}) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    slope = sum((x - mx) * (y - my) for x, y in pts) / sum((x - mx) ** 2 for x, _ in pts)
    return slope, math.exp(my - slope * mx)


def project_power(fit: tuple[float, float], n: float) -> float:
    """t(n) = a · n^b of a `fit_loglog` result."""
    slope, a = fit
    return a * n**slope


def project_affine(points: list[tuple[float, float]], n: float) -> float | None:
    """t(n) by the line through the two largest sizes (a fixed cost plus a cost per message):
    with fixed costs as large as Spark's, a power law fitted at small sizes has a slope well
    below 1 and underestimates large sizes; the marginal cost per message does not. None with
    fewer than two distinct sizes; never below the largest measured time."""
    by_n = sorted({p[0]: p for p in points}.values())
    if len(by_n) < 2:
        return None
    (n1, t1), (n2, t2) = by_n[-2], by_n[-1]
    per_message = max(0.0, (t2 - t1) / (n2 - n1))
    return t2 + per_message * (n - n2)


def cores_needed(cpu_s: float, wall_s: float, efficiency: float = EFFICIENCY) -> int:
    """Cores that do `cpu_s` of work in `wall_s` when `efficiency` of their time is useful."""
    if cpu_s <= 0:
        return 0
    return math.ceil(cpu_s / (wall_s * efficiency))


def _fmt(v: float | None, unit: str = "") -> str:
    if v is None:
        return "–"
    return (f"{v:.2f}" if v < 10 else f"{v:.1f}" if v < 1000 else f"{v:,.0f}") + unit


def _mb(v: float | None) -> str:
    return "–" if v is None else f"{v:,.0f}"


def _driver(m: dict[str, Any], eng: str) -> str:
    # With Spark the driver is two processes: Python (DuckDB's stages live there) and the JVM.
    if eng == "spark" and m.get("root_peak_rss_mb") is not None:
        return f"{_mb(m.get('driver_peak_rss_mb'))} (Python {_mb(m['root_peak_rss_mb'])})"
    return _mb(m.get("driver_peak_rss_mb"))


def table(rows: list[dict[str, Any]]) -> str:
    """One Markdown row per (size, step, engine) measured, with the comparison of the two
    engines' results."""
    lines = ["| messages | step | engine | wall s | CPU s (tree, sampled) | driver peak RSS MB "
             "(Python + driver JVM) | "
             "executors peak RSS MB | largest process RSS MB (wait4) | same result as DuckDB |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        n = r["messages"]
        if "ingest" in r:
            i = r["ingest"]
            lines.append(f"| {_label(n)} | ingest --to-parquet | duckdb | {_fmt(i['wall_s'])} | "
                         f"{_fmt(i.get('sampled_cpu_s'))} | {_mb(i.get('driver_peak_rss_mb'))} "
                         f"| – | {_mb(i['peak_rss_mb'])} | – |")
        for step in STEPS:
            for eng in ENGINES:
                m = r.get(step, {}).get(eng)
                if m is None:
                    continue
                if m.get("skipped"):
                    lines.append(f"| {_label(n)} | {step} | {eng} | not measured: "
                                 f"{m['skipped']} | | | | | |")
                    continue
                same = "–" if eng == "duckdb" else _same(r.get(step, {}).get("same"))
                lines.append(
                    f"| {_label(n)} | {step} | {eng} | {_fmt(m['wall_s'])} | "
                    f"{_fmt(m.get('sampled_cpu_s'))} | {_driver(m, eng)} | "
                    f"{_mb(m.get('executors_peak_rss_mb')) if eng == 'spark' else '–'} | "
                    f"{_mb(m['peak_rss_mb'])} | {same} |")
    return "\n".join(lines)


def _same(s: dict[str, Any] | None) -> str:
    if s is None:
        return "not compared"
    if s.get("identical"):
        return "yes"
    return "NO: " + (", ".join(s["differ"]) if "differ" in s else
                     f"{s['only_a']} rows only DuckDB's, {s['only_b']} only Spark's")


def projections(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per (step, engine) measured at two sizes or more: the log-log slope of wall time against
    size and the extrapolations to `TARGET_N` (power law; fixed cost plus marginal cost), and
    for Spark the cores that would do the projected CPU work in an hour."""
    out = []
    for step in STEPS:
        for eng in ENGINES:
            ms = [(r["messages"], r[step][eng]) for r in rows
                  if r.get(step, {}).get(eng) and not r[step][eng].get("skipped")]
            wall = [(n, m["wall_s"]) for n, m in ms]
            cpu = [(n, m.get("sampled_cpu_s") or m["cpu_s"]) for n, m in ms]
            fit = fit_loglog(wall)
            if fit is None:
                continue
            cpu_affine = project_affine(cpu, TARGET_N)
            out.append({"step": step, "engine": eng, "sizes": [n for n, _ in wall],
                        "slope": fit[0], "wall_power_s": project_power(fit, TARGET_N),
                        "wall_affine_s": project_affine(wall, TARGET_N),
                        "cpu_affine_s": cpu_affine,
                        "cores_1h": cores_needed(cpu_affine or 0.0, 3600.0)})
    return out


def projection_text(projs: list[dict[str, Any]]) -> str:
    """The projections as Markdown, each labelled as the extrapolation it is."""
    if not projs:
        return "No step was measured at two sizes: no curve, no projection."
    lines = [f"**Extrapolation** to {_label(TARGET_N)} messages (not measured): wall time by the "
             "power law fitted to the measured sizes (log-log slope), and by a fixed cost plus "
             "the marginal cost per message between the two largest sizes; CPU the same way "
             f"(affine); for Spark, the cores to do that CPU work in one hour at {EFFICIENCY:.0%} "
             f"efficiency, and {NODE_CORES}-core nodes.", "",
             "| step | engine | sizes | log-log slope | wall at 10^9, power law | wall at 10^9, "
             "affine | CPU at 10^9, affine | cores for 1 h | nodes |",
             "|---|---|---|---|---|---|---|---|---|"]
    for p in projs:
        lines.append(
            f"| {p['step']} | {p['engine']} | {', '.join(_label(n) for n in p['sizes'])} | "
            f"{p['slope']:.2f} | {_hours(p['wall_power_s'])} | {_hours(p['wall_affine_s'])} | "
            f"{_hours(p['cpu_affine_s'])} | " + (
                # DuckDB is one machine: more nodes do not apply to it.
                f"{p['cores_1h']} | {math.ceil(p['cores_1h'] / NODE_CORES)} |"
                if p["engine"] == "spark" else "– (one machine) | – |"))
    return "\n".join(lines)


def _hours(s: float | None) -> str:
    if s is None:
        return "–"
    return f"{s / 3600:,.1f} h" if s >= 3600 else f"{s:,.0f} s"


def _measure(opts: argparse.Namespace, step: str, eng: str, args: dict[str, Any],
             work: Path) -> dict[str, Any]:
    name = f"{step}_{eng}"
    try:
        m = run_step("trace" if step == "co_reshare" else "cli", args, work, name=name,
                     sample=True)
    except SystemExit as e:  # a failed run is a result too (out of memory, ...): go on
        print(f"  {step} {eng}: FAILED, see {work / name}.log", flush=True)
        sampled = work / f"{name}.sampled.json"
        return {"skipped": "failed: " + str(e).splitlines()[0], "log_tail": str(e)[-3000:],
                "until_failure": json.loads(sampled.read_text(encoding="utf-8"))
                if sampled.exists() else None}
    if step == "detect":
        m["stages"] = stage_times((work / f"{name}.log").read_text(encoding="utf-8"),
                                  m["wall_s"])
    m["load_avg_after"] = os.getloadavg()
    print(f"  {step} {eng}: {m['wall_s']:.1f} s wall, {m.get('sampled_cpu_s', 0):.1f} s CPU, "
          f"driver {m.get('driver_peak_rss_mb', 0):.0f} MB, executors "
          f"{m.get('executors_peak_rss_mb', 0):.0f} MB (load {os.getloadavg()[0]:.1f})",
          flush=True)
    return m


def bench_size(opts: argparse.Namespace, n: int) -> dict[str, Any]:
    """One size: ingest once, then each step on each engine, results compared."""
    print(f"{_label(n)} messages, workload {opts.workload}", flush=True)
    csv = _data(opts, n, False, opts.workload)
    work = opts.out / "work" / f"spark_side_{n}_{opts.workload}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    ds = work / "ds"
    row: dict[str, Any] = {"messages": n, "workload": opts.workload}
    row["ingest"] = run_step("cli", {"argv": ["ingest", str(csv), "--to-parquet", str(ds)]},
                             work, name="ingest", sample=True)
    print(f"  ingest --to-parquet: {row['ingest']['wall_s']:.1f} s", flush=True)
    spark_args = ["--engine", "spark", "--master", opts.master]
    for kv in opts.spark_conf:
        spark_args += ["--spark-conf", kv]
    for step in opts.steps:
        row[step] = {}
        for eng in ENGINES:
            if eng == "spark" and n > opts.spark_max[step]:
                row[step][eng] = {"skipped": f"above --spark-max-{step.replace('_', '-')} "
                                             f"{opts.spark_max[step]:g}"}
                print(f"  {step} spark: skipped ({row[step][eng]['skipped']})", flush=True)
                continue
            if step == "co_reshare":
                args = {"trace": "co_reshare", "dataset": str(ds), "engine": eng,
                        "master": opts.master, "spark_conf": opts.spark_conf,
                        "db": str(work / f"co_reshare_{eng}.duckdb"),
                        "edges": str(work / f"co_reshare_{eng}.parquet")}
            else:
                args = {"argv": ["detect", "--dataset", str(ds), "--out",
                                 str(work / f"detect_{eng}"),
                                 *(spark_args if eng == "spark" else [])]}
            row[step][eng] = _measure(opts, step, eng, args, work)
        if all(not row[step][e].get("skipped") for e in ENGINES):
            if step == "co_reshare":
                same = run_step("compare", {"a": str(work / "co_reshare_duckdb.parquet"),
                                            "b": str(work / "co_reshare_spark.parquet")}, work)
                same["identical"] = same["only_a"] == same["only_b"] == 0
            else:
                same = run_step("same_files", {"a": str(work / "detect_duckdb"),
                                               "b": str(work / "detect_spark"),
                                               "names": list(DETECT_OUTPUTS)}, work)
            row[step]["same"] = same
            print(f"  {step}: same result on both engines: {_same(same)}", flush=True)
    if not opts.keep:  # the case databases are the large files; the dataset is kept per size
        for p in work.glob("**/*.duckdb"):
            p.unlink()
    return row


def report(data: dict[str, Any]) -> str:
    """The whole Markdown summary of a results file."""
    env = data["env"]
    head = (f"`python -m bench.spark_side {' '.join(env['argv'])}` — {env['started']}, "
            f"{env['cpus']} cpus, master `{env['master']}`, commit {env['commit']}, load "
            f"average {tuple(round(x, 2) for x in env['load_avg_start'])} → "
            f"{tuple(round(x, 2) for x in env.get('load_avg_end', ()))}")
    return "\n\n".join([head, table(data["rows"]), projection_text(projections(data["rows"]))])


def merge_results(datas: list[dict[str, Any]]) -> dict[str, Any]:
    """Several results files as one (e.g. a Spark detect measured in a later command): rows of
    the same size are merged, a later file's steps and engines added to (or replacing) the
    earlier ones; the first file's environment is kept, with every file's in `runs`."""
    rows: dict[int, dict[str, Any]] = {}
    for data in datas:
        for r in data["rows"]:
            row = rows.setdefault(r["messages"], {"messages": r["messages"]})
            for key, value in r.items():
                if key in STEPS:
                    step = row.setdefault(key, {})
                    for eng in ENGINES:
                        m = value.get(eng)
                        if m is None or (m.get("skipped") and eng in step
                                         and not step[eng].get("skipped")):
                            continue  # a skip (or failure) never hides a measurement
                        step[eng] = m
                        if not m.get("skipped"):
                            # An earlier comparison was with the engine's replaced run.
                            step.pop("same", None)
                    if "same" in value:  # both engines of this file, compared
                        step["same"] = value["same"]
                else:
                    row.setdefault(key, value)
    env = {**datas[0]["env"], "argv": [a for d in datas for a in (d["env"]["argv"] + [";"])][:-1],
           "load_avg_end": datas[-1]["env"].get("load_avg_end", ())}
    return {"env": env, "runs": [d["env"] for d in datas],
            "rows": [rows[n] for n in sorted(rows)]}


def main() -> None:
    """Command line: see `python -m bench.spark_side --help`."""
    ap = argparse.ArgumentParser(prog="python -m bench.spark_side", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1e5,1e6", help="message counts (default 1e5,1e6)")
    ap.add_argument("--master", default="local-cluster[2,1,1024]",
                    help="Spark master (default local-cluster[2,1,1024]: two executor JVMs "
                         "of one core and 1 GB, apart from the driver)")
    ap.add_argument("--spark-conf", action="append", default=[], metavar="KEY=VALUE",
                    help="a Spark setting for the Spark runs (repeatable)")
    ap.add_argument("--steps", default=",".join(STEPS),
                    help="steps to run among co_reshare, detect (default both)")
    ap.add_argument("--spark-max-co-reshare", type=float, default=1e12,
                    help="skip Spark's co_reshare above this size (said in the output)")
    ap.add_argument("--spark-max-detect", type=float, default=1e12,
                    help="skip Spark's whole detect above this size (said in the output)")
    ap.add_argument("--workload", default="normal", help="bench.gen workload (default normal)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    ap.add_argument("--keep", action="store_true", help="keep the case databases")
    ap.add_argument("--summary", type=Path, nargs="+", metavar="RESULTS_JSON",
                    help="print the tables of earlier spark_side_*.json files (merged, by "
                         "size, later files adding to earlier ones) and exit")
    opts = ap.parse_args()
    if opts.summary:
        print(report(merge_results([json.loads(p.read_text(encoding="utf-8"))
                                    for p in opts.summary])))
        return
    opts.steps = [s.strip() for s in opts.steps.split(",") if s.strip()]
    if unknown := set(opts.steps) - set(STEPS):
        ap.error(f"unknown steps {sorted(unknown)}; among {', '.join(STEPS)}")
    opts.spark_max = {"co_reshare": opts.spark_max_co_reshare,
                      "detect": opts.spark_max_detect}
    opts.out.mkdir(parents=True, exist_ok=True)
    opts.out = opts.out.resolve()

    started = datetime.now(UTC)
    try:
        pyspark = version("pyspark")
    except PackageNotFoundError:
        raise SystemExit("bench.spark_side needs pyspark: pip install '.[spark]'") from None
    env = {"started": started.isoformat(timespec="seconds"), "cpus": os.cpu_count(),
           "load_avg_start": os.getloadavg(), "python": sys.version.split()[0],
           "duckdb": version("duckdb"), "pyspark": pyspark, "master": opts.master,
           "spark_conf": opts.spark_conf, "argv": sys.argv[1:],
           "java": subprocess.run(["java", "-version"], capture_output=True,
                                  text=True).stderr.splitlines()[:1],
           "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                    capture_output=True, text=True).stdout.strip()}
    print(f"bench.spark_side: {env['cpus']} cpus, load average {env['load_avg_start']}, "
          f"master {opts.master}", flush=True)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    data: dict[str, Any] = {"env": env, "rows": []}
    for n in parse_sizes(opts.sizes):
        data["rows"].append(bench_size(opts, n))
        # Written after every size, so a size that fails or is stopped keeps the earlier ones.
        env["load_avg_end"] = os.getloadavg()
        (opts.out / f"spark_side_{stamp}.json").write_text(json.dumps(data, indent=2),
                                                           encoding="utf-8")
    text = report(data)
    (opts.out / f"spark_side_{stamp}.md").write_text(text + "\n", encoding="utf-8")
    print(text)
    print(f"results: {opts.out}/spark_side_{stamp}.json, {opts.out}/spark_side_{stamp}.md")


if __name__ == "__main__":
    main()
