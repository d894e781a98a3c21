"""Account signals on real and simulated data: the acceptance of the "Account signals" issue.

- China 2019 rosters: the creation bursts of the real operation are found, and the old accounts
  of the second roster stand out against the random control sample;
- Cresci 2015: the profile-based score separates bought fake followers from genuine accounts
  (ROC AUC at least 0.98; cross-validated numbers in docs/signals.md);
- simulated platform: the hijacked dormant and batch-created campaign accounts are found, and
  returning organic accounts are not flagged by their pause alone.
"""

from __future__ import annotations

import bisect
import csv
import json
from collections import Counter

import pytest

from inconcert import config
from inconcert.ingest import ingest_paths
from inconcert.signals import run_signals
from inconcert.signals.score import inauthenticity_scores
from inconcert.store import Store
from inconcert.timeutil import parse_time

from .conftest import shared_data

pytestmark = pytest.mark.realdata


def ms_of(iso: str) -> int:
    """Epoch ms of an ISO UTC time as the evidence writes it."""
    return parse_time(iso)[0]


def _analyse(tmp_path, paths, *overrides: str) -> Store:
    store = Store(tmp_path / "case.duckdb")
    ingest_paths(store, paths)
    cfg = config.load(overrides=overrides)
    run_signals(store.con, cfg, store.capabilities())
    inauthenticity_scores(store.con, cfg)
    return store


def roc_auc(pos: list[float], neg: list[float]) -> float:
    """Probability that a positive scores above a negative (ties count half)."""
    neg = sorted(neg)
    total = 0.0
    for x in pos:
        lo, hi = bisect.bisect_left(neg, x), bisect.bisect_right(neg, x)
        total += lo + (hi - lo) / 2
    return total / (len(pos) * len(neg))


def _scores_by_file(store: Store) -> dict[str, list[tuple[str, float, str]]]:
    out: dict[str, list] = {}
    for path, acc, score, sigs in store.execute("""
            SELECT d.path, a.account_id, s.inauthenticity_score, s.signals
            FROM account_scores s JOIN accounts a USING (account_id)
            JOIN datasets d ON d.dataset_id = a.dataset_id ORDER BY 2"""):
        out.setdefault(path.rsplit("/", 1)[-1], []).append((acc, score, sigs))
    return out


def test_china_creation_bursts_and_old_accounts_against_the_control(tmp_path):
    d = shared_data("china_io_082019_accounts")
    store = _analyse(tmp_path, [d / "china_082019_1_users_csv_hashed.csv.gz",
                                d / "china_082019_2_users_csv_hashed.csv.gz",
                                d / "random_users_control.csv.gz"])
    cohorts = Counter()
    for (ev,) in store.execute("SELECT evidence FROM account_signals "
                               "WHERE signal = 'batch_creation'"):
        for c in json.loads(ev)["cohorts"]:
            cohorts[(c["unit"], c["bin"], c["accounts"])] += 1
    # The README's cohorts of set 1: every account of each burst is flagged.
    assert cohorts[("day", "2017-08-30", 119)] == 119
    assert cohorts[("day", "2017-08-18", 97)] == 97
    assert cohorts[("day", "2016-06-27", 30)] == 30
    by_file = _scores_by_file(store)
    set2 = by_file["china_082019_2_users_csv_hashed.csv.gz"]
    control = by_file["random_users_control.csv.gz"]
    share2 = sum(1 for _, _, sig in set2 if sig) / len(set2)
    share_c = sum(1 for _, _, sig in control if sig) / len(control)
    assert share2 >= 5 * share_c and share2 > 0.3
    assert roc_auc([s for _, s, _ in set2], [s for _, s, _ in control]) > 0.65
    store.close()


def test_cresci_profile_score_separates_bought_followers(tmp_path):
    d = shared_data("cresci2015_mib_profiles")
    store = _analyse(tmp_path, [d / "E13_genuine_users.csv.gz",
                                d / "INT_fake_followers_users.csv.gz"])
    by_file = _scores_by_file(store)
    fake = [s for _, s, _ in by_file["INT_fake_followers_users.csv.gz"]]
    genuine = [s for _, s, _ in by_file["E13_genuine_users.csv.gz"]]
    assert (len(fake), len(genuine)) == (1337, 1480)
    assert roc_auc(fake, genuine) >= 0.98
    store.close()


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
def test_simulated_campaign_accounts_found_and_returning_accounts_spared(tmp_path, seed):
    from inconcert.simulate import input_files, simulate

    files = simulate(tmp_path / "sim", seed=seed, scale=0.5, scenario="classic")
    store = _analyse(tmp_path, input_files(files))
    with open(tmp_path / "sim/labels.csv", encoding="utf-8") as f:
        labels = {r["account_id"]: r for r in csv.DictReader(f)}
    fired: dict[str, set[str]] = {}
    evidence: dict[str, dict] = {}
    for acc, sig, ev in store.execute("SELECT account_id, signal, evidence FROM account_signals"):
        fired.setdefault(sig, set()).add(acc)
        if sig == "dormant_reactivated":
            evidence[acc] = json.loads(ev)
    scores = dict(store.execute("SELECT account_id, inauthenticity_score FROM account_scores"))

    def with_trait(t: str) -> list[str]:
        return [a for a, r in labels.items() if t in r["traits"].split(";")]

    hijacked, batch = with_trait("hijacked"), with_trait("batch_created")
    returning = [a for a, r in labels.items() if r["role"] == "returning"]
    assert hijacked and batch and returning
    dormant = fired.get("dormant_reactivated", set())
    assert len(dormant & set(hijacked)) >= 0.7 * len(hijacked)
    assert len(fired.get("batch_creation", set()) & set(batch)) >= 0.95 * len(batch)
    # A pause alone never fires (tests/test_signals.py builds that case exactly). Some simulated
    # returning accounts do come back changed; when the signal fires on one for its language,
    # the change it names must be in the posts themselves.
    assert len(dormant & set(returning)) <= len(returning) // 3
    for acc in dormant & set(returning):
        ev = evidence[acc]
        assert sum(1.0 if k in ("language", "client") else 0.5 for k in ev["changes"]) >= 1
        if "language" not in ev["changes"]:
            continue
        before, after = (dict(store.execute(
            f"SELECT lang, count(*) FROM posts WHERE author_id = ? AND created_ms {op} ? "
            "GROUP BY lang", [acc, t])) for op, t in (
                ("<=", ms_of(ev["silent_from"])), (">=", ms_of(ev["resumed"]))))
        new = sum(n for lang, n in after.items() if lang not in before) / sum(after.values())
        assert new >= 0.3, (acc, before, after)
    store.close()
    campaign = [scores.get(a, 0.0) for a, r in labels.items() if r["label"] == "campaign"]
    organic = [scores.get(a, 0.0) for a, r in labels.items() if r["label"] == "organic"]
    assert roc_auc(campaign, organic) > 0.9
    for role in ("newsroom", "fan", "returning"):
        members = [scores.get(a, 0.0) for a, r in labels.items() if r["role"] == role]
        assert sum(members) / len(members) < 0.35, role
