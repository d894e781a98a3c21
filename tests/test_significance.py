"""Rarity weights and the null model: the numbers in trace_candidates against an independent
brute-force computation, Benjamini-Hochberg, and no edges from volume alone."""

from __future__ import annotations

import itertools
import math
import random

import numpy as np
import pytest

from inconcert import config
from inconcert.store import Store
from inconcert.traces import compute_traces
from inconcert.traces.significance import SignificanceParams, _significant

from .test_traces import AMPS, CAPS, HYPER, platform_rows, post

W = 60_000


def _poisson_tail(c: int, lam: float) -> float:
    return 1.0 - sum(math.exp(-lam) * lam**k / math.factorial(k) for k in range(c))


def _reference(rows: list[dict]) -> dict[tuple[str, str], tuple[int, float, float, float]]:
    """(count, weight, expected, p) per account pair, straight from the definitions."""
    acts = [(p["author_id"], p["ref_post_id"], p["created_ms"]) for p in rows
            if p["kind"] == "reshare"]
    by_item: dict[str, list[tuple[str, int]]] = {}
    for a, i, t in acts:
        by_item.setdefault(i, []).append((a, t))
    d: dict[str, set[str]] = {}
    for a, i, _ in acts:
        d.setdefault(a, set()).add(i)
    n = {i: len({a for a, _ in v}) for i, v in by_item.items()}
    shared: dict[tuple[str, str], set[str]] = {}
    for i, v in by_item.items():
        for (a, t), (b, s) in itertools.combinations(v, 2):
            if a != b and abs(t - s) <= W:
                shared.setdefault((min(a, b), max(a, b)), set()).add(i)
    wp = {i: sum(1 for pair_items in shared.values() if i in pair_items) for i in by_item}
    m = sum(n.values())
    q = {i: wp[i] / (n[i] * (n[i] - 1) / 2) for i in by_item if n[i] > 1}
    out = {}
    for pair, items in shared.items():
        du, dv = len(d[pair[0]]), len(d[pair[1]])
        lam = sum(min(1, du * n[i] / m) * min(1, dv * n[i] / m) * q[i] for i in q)
        weight = sum(1 / math.log2(1 + n[i]) for i in items)
        out[pair] = (len(items), weight, lam, _poisson_tail(len(items), lam))
    return out


def test_candidates_match_the_documented_null_model(tmp_path):
    r = random.Random(11)
    rows = []
    for i in range(12):
        t0 = 1_600_000_000_000 + i * 600_000
        rows.append(post(f"o{i}", "author", t0))
        for j, acc in enumerate(r.sample([f"u{x}" for x in range(25)], r.randrange(2, 15))):
            rows.append(post(f"o{i}r{j}", acc, t0 + r.randrange(240_000), "reshare",
                             ref_post_id=f"o{i}"))
    with Store(tmp_path / "c.duckdb") as s:
        s.insert_rows("posts", rows)
        compute_traces(s.con, config.load(), {"reshare_edges": "full"})
        got = s.execute("SELECT source, target, count, weight, expected, p_value, z "
                        "FROM trace_candidates WHERE trace = 'co_reshare'")
    ref = _reference(rows)
    assert len(got) == sum(1 for c in ref.values() if c[0] >= 2) > 20
    for src, dst, count, weight, expected, p, z in got:
        c, w, lam, p_ref = ref[(src, dst)]
        assert count == c
        assert weight == pytest.approx(w, abs=5e-7 * c)  # millionths per item
        assert expected == pytest.approx(lam, rel=1e-9)
        assert p == pytest.approx(p_ref, rel=1e-6, abs=1e-12)
        assert z == pytest.approx((c - lam) / math.sqrt(lam), rel=1e-9)


def test_benjamini_hochberg_is_step_up():
    params = SignificanceParams(alpha=0.05)
    # sorted thresholds for 4 tests: 0.0125, 0.025, 0.0375, 0.05; the third passes, so the two
    # before it are kept although each alone misses its own threshold
    keep = _significant(np.array([0.032, 0.03, 0.9, 0.031]), params, 4)
    assert keep.tolist() == [True, True, False, True]
    # the number of tests is every account pair, not only the candidates
    assert not _significant(np.array([0.001]), params, 1000).any()
    assert _significant(np.array([0.001]), SignificanceParams(0.05, "none"), 1000).all()


def test_organic_platform_has_no_significant_edges(tmp_path):
    rows = [p for p in platform_rows(seed=8)
            if p["author_id"] not in AMPS and p["author_id"] != "seeder"]
    with Store(tmp_path / "c.duckdb") as s:
        s.insert_rows("posts", rows)
        compute_traces(s.con, config.load(), CAPS)
        edges = s.execute("SELECT source, target, trace FROM trace_edges")
        n_cand = s.count("trace_candidates")
    assert n_cand > 50  # plenty of chance co-occurrence to be tempted by
    assert len(edges) <= 1, edges


def test_hyperactive_accounts_acting_in_step_on_their_own_are_still_caught(tmp_path):
    """Volume raises the bar; it does not hide two accounts that really act together."""
    rows = [p for p in platform_rows(seed=9) if p["author_id"] not in AMPS]
    r = random.Random(2)
    # hyper1 now reshares the same posts as hyper0, seconds after it
    step = [dict(p, post_id=p["post_id"] + "x", author_id="hyper1",
                 created_ms=p["created_ms"] + r.randrange(1000, 5000))
            for p in rows if p["author_id"] == "hyper0"]
    rows = [p for p in rows if p["author_id"] != "hyper1"] + step
    with Store(tmp_path / "c.duckdb") as s:
        s.insert_rows("posts", rows)
        compute_traces(s.con, config.load(), CAPS)
        edges = s.execute("SELECT source, target FROM trace_edges WHERE trace = 'co_reshare'")
    assert tuple(HYPER) in edges


def test_expected_counts_by_prefix_sums_equal_the_direct_sum():
    from inconcert.traces.significance import expected

    rng = np.random.default_rng(5)
    n = np.unique(rng.integers(2, 5000, 300))
    q = rng.random(len(n))
    m = 40_000
    d1, d2 = rng.integers(1, 3000, 500), rng.integers(1, 3000, 500)
    direct = [sum(qg * min(1, a * ng / m) * min(1, b * ng / m) for ng, qg in zip(n, q, strict=True))
              for a, b in zip(d1, d2, strict=True)]
    assert expected(d1, d2, n, q, m) == pytest.approx(direct, rel=1e-9)
