"""The scenario-grid harness (bench/grid.py) on a few small cells: it simulates, runs the real
pipeline and scores it with inconcert's own evaluate, and its summary and threshold checks say
what the runs say. Detection quality itself is not asserted here (thresholds are the lead's)."""

import json

import pytest
from bench import grid

pytestmark = pytest.mark.grid


@pytest.fixture(scope="module")
def small_grid(tmp_path_factory):
    out = tmp_path_factory.mktemp("grid")
    doc = grid.run_grid(["small-blatant", "no-campaign"], [1, 2], 0.05, out,
                        command="test")
    return out, doc


def test_every_cell_and_seed_runs_and_is_scored_by_evaluate(small_grid):
    out, doc = small_grid
    assert [(r["cell"], r["seed"]) for r in doc["runs"]] == [
        ("small-blatant", 1), ("small-blatant", 2), ("no-campaign", 1), ("no-campaign", 2)]
    for r in doc["runs"]:
        assert r["accounts"] > 100
        assert 0 <= r["flagged"] <= r["accounts"]
        assert r["true_positive"] <= min(r["flagged"], r["positives"])
        assert r["flagged_share"] == r["flagged"] / r["accounts"]
    blatant = [r for r in doc["runs"] if r["cell"] == "small-blatant"]
    assert all(r["positives"] == 46 for r in blatant)  # 6 seeders + 40 amplifiers
    assert all(0 <= r["auc"] <= 1 for r in blatant)
    assert all(r["positives"] == 0 and r["f1"] is None and r["auc"] is None
               for r in doc["runs"] if r["cell"] == "no-campaign")


def test_summary_aggregates_the_runs_and_files_agree(small_grid):
    out, doc = small_grid
    by = {c["cell"]: c for c in doc["summary"]}
    runs = [r for r in doc["runs"] if r["cell"] == "small-blatant"]
    f1 = [r["f1"] or 0.0 for r in runs]
    assert by["small-blatant"]["min_f1"] == min(f1)
    assert by["small-blatant"]["mean_f1"] == pytest.approx(sum(f1) / 2)
    assert by["no-campaign"]["campaign"] is False and by["no-campaign"]["mean_f1"] is None
    assert json.loads((out / "grid.json").read_text())["summary"] == doc["summary"]
    md = (out / "grid.md").read_text()
    assert "| small-blatant | 2 |" in md and "| no-campaign | 2 |" in md


def test_thresholds_report_the_cells_that_miss_them():
    summary = [{"cell": "a", "campaign": True, "mean_f1": 0.5, "mean_flagged_share": 0.1},
               {"cell": "b", "campaign": True, "mean_f1": 0.9, "mean_flagged_share": 0.2},
               {"cell": "none", "campaign": False, "mean_f1": None,
                "mean_flagged_share": 0.002}]
    assert grid.check(summary, grid.Thresholds()) == []
    misses = grid.check(summary, grid.Thresholds(0.8, 0.85, 0.001))
    assert misses[0].startswith("mean F1 over the grid 0.700")
    assert [m.split(":")[0] for m in misses[1:]] == ["a", "none"]


def test_cell_names_with_commas_are_split_by_the_known_names():
    names = ["base", "no-campaign", "no-campaign,negatives=2"]
    assert grid._split_cells("no-campaign,negatives=2,base", names) == [
        "no-campaign,negatives=2", "base"]
    assert grid._split_cells("base,no-campaign", names) == ["base", "no-campaign"]
