"""The pure parts of `bench.__main__`, `bench.spark_side` and `bench.proctree` (no Spark, no
data: seconds)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time

import pytest
from bench.__main__ import machine, machine_line, parse_sizes, summary, thp_setting
from bench.proctree import EXECUTOR_MARK, Proc, TreeSampler, split_rss
from bench.spark_side import (
    cores_needed,
    fit_loglog,
    merge_results,
    project_affine,
    project_power,
    projection_text,
    projections,
    table,
)


def test_sizes_parse_as_the_bench_does():
    assert parse_sizes("1e5, 1e6,3e7") == [100_000, 1_000_000, 30_000_000]
    assert parse_sizes("") == []


def test_a_transparent_huge_page_setting_is_its_bracketed_value_or_unknown(tmp_path):
    (tmp_path / "enabled").write_text("always [madvise] never\n", encoding="utf-8")
    (tmp_path / "defrag").write_text("always defer defer+madvise madvise [never]\n",
                                     encoding="utf-8")
    (tmp_path / "none").write_text("always madvise never\n", encoding="utf-8")
    assert thp_setting(tmp_path / "enabled") == "madvise"
    assert thp_setting(tmp_path / "defrag") == "never"
    assert thp_setting(tmp_path / "none") == "unknown"
    assert thp_setting(tmp_path / "missing") == "unknown"
    assert thp_setting(tmp_path) == "unknown"  # unreadable (a directory)


def test_the_machine_record_has_the_settings_that_moved_timings(tmp_path, monkeypatch):
    """Huge pages (the kernel's and NumPy's), load and CPUs are in the results and the summary."""
    (tmp_path / "enabled").write_text("always madvise [never]\n", encoding="utf-8")
    monkeypatch.setenv("NUMPY_MADVISE_HUGEPAGE", "1")
    m = json.loads(json.dumps(machine(tmp_path)))  # as a results file holds it
    assert set(m) == {"thp_enabled", "thp_defrag", "numpy_madvise_hugepage",
                      "numpy_madvise_hugepage_env", "load_avg_start", "cpus"}
    assert (m["thp_enabled"], m["thp_defrag"]) == ("never", "unknown")
    assert m["numpy_madvise_hugepage"] == m["numpy_madvise_hugepage_env"] == "1"
    assert len(m["load_avg_start"]) == 3 and m["cpus"] == os.cpu_count()
    line = machine_line(m)
    assert "enabled [never] defrag [unknown]" in line and "NUMPY_MADVISE_HUGEPAGE 1" in line
    assert summary([], [], m).splitlines()[0] == line
    assert summary([], []) == ""  # a results file written before the record: no line
    # Unset, inconcert's steps run with the value importing it sets; the environment's is None.
    monkeypatch.delenv("NUMPY_MADVISE_HUGEPAGE")
    m = machine(tmp_path)
    assert (m["numpy_madvise_hugepage"], m["numpy_madvise_hugepage_env"]) == ("0", None)


def test_loglog_fit_recovers_a_power_law():
    pts = [(n, 3e-4 * n**0.8) for n in (1e5, 1e6, 1e7)]
    slope, a = fit_loglog(pts)
    assert slope == pytest.approx(0.8)
    assert a == pytest.approx(3e-4)
    assert project_power((slope, a), 1e9) == pytest.approx(3e-4 * 1e9**0.8)


def test_loglog_fit_needs_two_distinct_sizes():
    assert fit_loglog([(1e5, 2.0)]) is None
    assert fit_loglog([(1e5, 2.0), (1e5, 3.0)]) is None
    assert fit_loglog([(1e5, 0.0), (1e6, 3.0)]) is None  # a zero time has no logarithm


def test_affine_projection_uses_the_two_largest_sizes():
    # 100 s of fixed cost and 1 ms per message: the power law through small sizes would
    # flatten; the affine projection gives the marginal cost back exactly.
    pts = [(n, 100 + 1e-3 * n) for n in (1e6, 1e4, 1e5)]
    assert project_affine(pts, 1e9) == pytest.approx(100 + 1e6)
    slope, _ = fit_loglog(pts)
    assert slope < 1
    assert project_power(fit_loglog(pts), 1e9) < project_affine(pts, 1e9)
    assert project_affine([(1e5, 5.0)], 1e9) is None
    # A larger size that measured faster (noise) projects no less than what was measured.
    assert project_affine([(1e5, 50.0), (1e6, 40.0)], 1e9) == 40.0


def test_cores_needed():
    assert cores_needed(7200, 3600, efficiency=0.5) == 4
    assert cores_needed(7201, 3600, efficiency=0.5) == 5
    assert cores_needed(0, 3600) == 0


def _m(wall, cpu, drv, ex=None):
    out = {"wall_s": wall, "cpu_s": cpu, "sampled_cpu_s": cpu, "driver_peak_rss_mb": drv,
           "peak_rss_mb": drv}
    if ex is not None:
        out["executors_peak_rss_mb"] = ex
    return out


ROWS = [
    {"messages": 100_000, "ingest": _m(5, 5, 300),
     "co_reshare": {"duckdb": _m(1, 1, 200), "spark": _m(60, 80, 700, 900),
                    "same": {"only_a": 0, "only_b": 0, "identical": True}},
     "detect": {"duckdb": _m(20, 25, 800), "spark": _m(600, 700, 1500, 1800),
                "same": {"differ": ["edges.csv"], "identical": False}}},
    {"messages": 1_000_000, "ingest": _m(50, 50, 600),
     "co_reshare": {"duckdb": _m(5, 8, 400), "spark": _m(100, 150, 800, 1500),
                    "same": {"only_a": 3, "only_b": 1, "identical": False}},
     "detect": {"duckdb": _m(90, 120, 1200), "spark": {"skipped": "above 1e5"}}},
]


def test_table_has_a_row_per_measurement_and_says_what_differs():
    text = table(ROWS)
    lines = text.splitlines()
    # header, rule, then per size: ingest, co_reshare x2, detect x2
    assert len(lines) == 2 + 5 + 5
    assert "| 10^5 | co_reshare | spark | 60.0 | 80.0 | 700 | 900 | 700 | yes |" in lines
    assert "NO: edges.csv" in lines[6]
    assert "NO: 3 rows only DuckDB's, 1 only Spark's" in text
    assert "| 10^6 | detect | spark | not measured: above 1e5 |" in text
    with_python = [{**ROWS[0], "co_reshare": {**ROWS[0]["co_reshare"], "spark": {
        **ROWS[0]["co_reshare"]["spark"], "root_peak_rss_mb": 250.4}}}]
    assert "| 60.0 | 80.0 | 700 (Python 250) | 900 |" in table(with_python)
    # DuckDB has no executors: no figure there
    assert "| 10^5 | co_reshare | duckdb | 1.00 | 1.00 | 200 | – | 200 | – |" in lines


def test_projections_skip_what_was_measured_once():
    projs = {(p["step"], p["engine"]): p for p in projections(ROWS)}
    assert set(projs) == {("co_reshare", "duckdb"), ("co_reshare", "spark"),
                          ("detect", "duckdb")}
    spark = projs[("co_reshare", "spark")]
    assert spark["slope"] == pytest.approx(math.log10(100 / 60))
    # CPU: 80 s + (150 - 80) / 900,000 per message beyond 10^6
    cpu = 150 + 70 / 900_000 * (1e9 - 1e6)
    assert spark["cpu_affine_s"] == pytest.approx(cpu)
    assert spark["cores_1h"] == math.ceil(cpu / 1800)
    text = projection_text(list(projs.values()))
    assert text.startswith("**Extrapolation**")
    assert "not measured" in text
    assert f"| {spark['cores_1h']} | {math.ceil(spark['cores_1h'] / 16)} |" in text
    assert text.count("– (one machine)") == 2  # DuckDB's rows: no cluster size
    assert projection_text([]).startswith("No step was measured at two sizes")


def _p(ppid, mb, cmd="python"):
    return Proc(ppid=ppid, rss=mb * 1024 * 1024, cpu_s=1.0, cmdline=cmd)


def test_split_rss_puts_executors_and_their_children_apart():
    procs = {
        10: _p(1, 100),  # the step's Python process
        11: _p(10, 500, "java ... org.apache.spark.deploy.SparkSubmit pyspark-shell"),
        12: _p(11, 300, f"java ... org.apache.spark.executor.{EXECUTOR_MARK} --app-id a"),
        13: _p(12, 50, "python -m pyspark.daemon"),  # an executor's Python worker
        14: _p(11, 280, f"java ... {EXECUTOR_MARK}"),
        15: _p(10, 7, "sh -c true"),
        99: _p(1, 4000, "another engineer's job"),  # not in the tree
    }
    driver, executors, pids = split_rss(procs, 10)
    assert driver == (100 + 500 + 7) * 1024 * 1024
    assert executors == (300 + 50 + 280) * 1024 * 1024
    assert pids == {10, 11, 12, 13, 14, 15}
    assert split_rss(procs, 12)[:2] == (0, 350 * 1024 * 1024)
    assert split_rss(procs, 42) == (0, 0, set())


def test_sampler_sees_a_real_child_and_its_memory():
    # A child holding ~60 MB for a second: the sampler must see it in the tree of its parent.
    code = "b = bytearray(60 * 1024 * 1024); import time; time.sleep(1.2)"
    proc = subprocess.Popen([sys.executable, "-c", code])
    sampler = TreeSampler(proc.pid, interval=0.1).start()
    proc.wait()
    time.sleep(0.05)
    got = sampler.stop()
    assert got["samples"] >= 3
    assert got["driver_peak_rss_mb"] > 55
    assert got["root_peak_rss_mb"] > 55  # the child is the root of its tree
    assert got["executors_peak_rss_mb"] == 0
    assert got["sampled_cpu_s"] >= 0


def test_merge_adds_a_later_files_measurements_and_keeps_valid_comparisons():
    first = {"env": {"argv": ["--sizes", "1e5,1e6"], "load_avg_end": (1, 1, 1)}, "rows": ROWS}
    later_detect = {"duckdb": _m(80, 110, 1100), "spark": _m(2000, 3000, 2500, 2700),
                    "same": {"differ": [], "identical": True}}
    later = {"env": {"argv": ["--sizes", "1e6", "--steps", "detect"],
                     "load_avg_end": (2, 2, 2)},
             "rows": [{"messages": 1_000_000, "ingest": _m(40, 40, 600),
                       "detect": later_detect},
                      {"messages": 100_000, "co_reshare": {
                          "duckdb": _m(2, 2, 210), "spark": {"skipped": "above 0"}}}]}
    merged = merge_results([first, later])
    by_n = {r["messages"]: r for r in merged["rows"]}
    assert list(by_n) == [100_000, 1_000_000]
    assert by_n[1_000_000]["detect"] == later_detect  # the later pair and its comparison
    assert by_n[1_000_000]["ingest"]["wall_s"] == 50  # the first ingest is kept
    assert by_n[1_000_000]["co_reshare"] == ROWS[1]["co_reshare"]
    # A skip does not hide the earlier Spark run; the replaced DuckDB run voids the
    # comparison made against the earlier one.
    co = by_n[100_000]["co_reshare"]
    assert co["spark"]["wall_s"] == 60 and co["duckdb"]["wall_s"] == 2 and "same" not in co
    assert merged["env"]["argv"] == ["--sizes", "1e5,1e6", ";", "--sizes", "1e6", "--steps",
                                     "detect"]
    assert merged["env"]["load_avg_end"] == (2, 2, 2)
    # A later failure replaces an earlier skip (it says more), not a measurement.
    failed = {"env": {"argv": []}, "rows": [{"messages": 1_000_000, "detect": {
        "spark": {"skipped": "failed: out of heap"}}}]}
    again = {r["messages"]: r for r in merge_results([first, failed])["rows"]}
    assert again[1_000_000]["detect"]["spark"] == {"skipped": "failed: out of heap"}
    text = table(merged["rows"])
    assert "| 10^6 | detect | spark | 2,000 | 3,000 | 2,500 | 2,700 | 2,500 | yes |" in text
    assert "not compared" in text
