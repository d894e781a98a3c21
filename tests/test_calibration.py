"""How the score's likelihood ratios are measured (bench/calibration.py), on hand-made sets whose
frequencies are known, so each expectation follows from the stated method: class-conditional
frequencies per strength band averaged over sources, made non-decreasing, capped, and never fitted
to the accounts they then score."""

from __future__ import annotations

import math

import numpy as np
import pytest
from bench.calibration import BINS, MAX_RATIO, SIM_ONLY_MAX, fit, monotone, reliability, score


def _set(measures, rows):
    return {"measures": list(measures), "status": {m: "ok" for m in measures}, "rows": rows}


def _rows(n_pos_fired, n_pos, n_neg_fired, n_neg, sig="handles_profiles", strength=0.9,
          fold=None):
    rows = []
    for label, fired, total in ((1, n_pos_fired, n_pos), (0, n_neg_fired, n_neg)):
        for i in range(total):
            rows.append({"account_id": f"{label}-{i}", "label": label,
                         "fold": i % 5 if fold is None else fold,
                         "fired": {sig: strength} if i < fired else {}})
    return rows


def test_a_ratio_is_the_ratio_of_class_frequencies_with_add_half_smoothing():
    table = fit({"real": _set(["handles_profiles"], _rows(50, 100, 5, 100))})
    n = len(BINS) + 1  # the bands and "not fired"
    pos_top = (50 + 0.5) / (100 + 0.5 * n)
    neg_top = (5 + 0.5) / (100 + 0.5 * n)
    entry = table["handles_profiles"]
    assert entry["fired"][-1] == pytest.approx(pos_top / neg_top, rel=1e-3)
    assert entry["absent"] == pytest.approx(((50.5) / (102)) / ((95.5) / (102)), rel=1e-3)
    # The empty lower bands are pooled up to the observed one: firing more strongly never
    # counts less, and a band nobody fell in borrows its neighbour's ratio.
    assert entry["fired"] == sorted(entry["fired"])


def test_sources_count_equally_and_the_simulator_alone_is_capped():
    real = _set(["batch_creation"], _rows(90, 100, 1, 100, sig="batch_creation"))
    sim = _set(["batch_creation", "client_apps"],
               _rows(90, 100, 1, 1000, sig="client_apps")
               + [{"account_id": f"b{i}", "label": i % 2, "fold": 0, "fired": {}}
                  for i in range(200)])
    table = fit({"cresci": real, "sim1": sim})
    assert max(table["client_apps"]["fired"]) == SIM_ONLY_MAX  # measured ~400, capped at 3
    assert set(table["batch_creation"]["measured_on"]) == {"cresci", "sim"}
    assert max(table["batch_creation"]["fired"]) <= MAX_RATIO


def test_a_held_out_fold_or_set_does_not_fit_the_ratios_that_score_it():
    # Fold 0 holds every firing: left out, nothing fired, and the ratio is the smoothing's alone
    # (0.5 of 60 + 2 inauthentic against 0.5 of 100 + 2 genuine).
    rows = _rows(40, 100, 0, 100)
    for r in rows:
        r["fold"] = 0 if r["fired"] else 1 + int(r["account_id"].split("-")[1]) % 4
    sets = {"real": _set(["handles_profiles"], rows)}
    with_fold = fit(sets)["handles_profiles"]["fired"][-1]
    without = fit(sets, ("real", 0))["handles_profiles"]["fired"][-1]
    assert with_fold > 10 and without == pytest.approx(102 / 62, rel=1e-3)
    # Leaving a whole source out removes all its seeds.
    two_seeds = {"sim1": _set(["client_apps"], _rows(50, 100, 2, 100, sig="client_apps")),
                 "sim2": _set(["client_apps"], _rows(50, 100, 2, 100, sig="client_apps"))}
    assert "client_apps" not in fit(two_seeds, ("sim1", None))


def test_monotone_pools_adjacent_violators_by_weight():
    assert monotone(np.array([3.0, 1.0, 2.0]), np.array([1.0, 1.0, 1.0])).tolist() == \
        [2.0, 2.0, 2.0]
    assert monotone(np.array([0.0, 4.0, 1.0]), np.array([1.0, 1.0, 3.0])).tolist() == \
        [0.0, 1.75, 1.75]
    assert monotone(np.array([1.0, 2.0]), np.array([1.0, 1.0])).tolist() == [1.0, 2.0]


def test_score_and_reliability_follow_their_definitions():
    table = {"handles_profiles": {"fired": [4.0, 4.0, 4.0], "absent": 0.5}}
    status = {"handles_profiles": "ok"}
    fired = score({"fired": {"handles_profiles": 0.9}}, table, 0.2, status)
    quiet = score({"fired": {}}, table, 0.2, status)
    assert fired / (1 - fired) == pytest.approx(0.25 * 4.0)
    assert quiet / (1 - quiet) == pytest.approx(0.25 * 0.5)
    unknown = score({"fired": {"new_signal": 1.0}}, {}, 0.2, {})
    assert math.isclose(unknown / (1 - unknown), 0.25 * 3.0)
    rows, ece = reliability(np.array([0.05, 0.05, 0.95, 0.95]), np.array([0, 0, 1, 1]))
    assert [(r[1], r[3]) for r in rows] == [(2, 0.0), (2, 1.0)]
    assert ece == pytest.approx(0.05)
