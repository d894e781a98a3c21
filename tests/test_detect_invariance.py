"""Detection does not depend on the particulars an operation happens to have (issue 16, point 3).

One operation is planted with fixed particulars, then each particular is swapped on its own —
the operator's time zone, the personas' handle style, the client, the language of the talking
points, the latency family — and on the organic side the share of digit-heavy handles and of
office workers. A detector that had memorised the classic campaign (Beijing hours,
name+digits handles, the Web App, Chinese posts, seconds-fast reshares) would find the base
operation and lose the swapped ones; this one must score each swap as it scores the base.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from inconcert.detect import detect
from inconcert.evaluate import evaluate
from inconcert.ingest import ingest_paths
from inconcert.simulate import input_files, simulate
from inconcert.store import Store

pytestmark = pytest.mark.slow

# An operation with no creation batches and no hijacked accounts: nothing but its coordination
# and its ordinary particulars to go on.
SCENARIO = "lag=minutes,squad=8-15,pool=40"
BASE = {"tz_min": 480, "rhythm": "office", "start_hour": 9, "weekend_factor": 0.05,
        "handle_styles": (("name_digits", 1.0),), "clients": (("Twitter Web App", 1.0),),
        "zh_share": 0.0, "lag_sigma_extra": 0.3, "hijacked_share": 0.0, "batch_share": 0.0,
        "persona_pool": "us_east", "second_pool": "uk", "persona_location": "own"}
SWAPS: dict[str, tuple[str, dict, dict]] = {
    "time zone UTC-5, evenings": (SCENARIO, {"tz_min": -300, "rhythm": "evenings",
                                             "start_hour": 18, "hours": 5}, {}),
    "time zone UTC+5:30": (SCENARIO, {"tz_min": 330}, {}),
    "handles first_last": (SCENARIO, {"handle_styles": (("first_last", 1.0),)}, {}),
    "handles plain words": (SCENARIO, {"handle_styles": (("plain", 1.0),)}, {}),
    "client iPhone": (SCENARIO, {"clients": (("Twitter for iPhone", 1.0),)}, {}),
    "language: a third in Chinese": (SCENARIO, {"zh_share": 0.35}, {}),
    "lag family 30min, wide spread": ("lag=30min,squad=8-15,pool=40",
                                      {"lag_sigma_extra": 0.8}, {}),
    "organic: digit handles and office jobs": (
        SCENARIO, {}, {"handle_styles": (("first_last", 0.3), ("name_digits", 0.45),
                                         ("word", 0.25)), "office_share": 0.3}),
}
SEED, SCALE = 3, 0.25


def _run(root: Path, scenario: str, operator: dict, organic: dict) -> tuple[float, float]:
    """(recall, precision) of `flagged` on one platform."""
    files = simulate(root / "data", seed=SEED, scale=SCALE, scenario=scenario,
                     operator={**BASE, **operator}, organic=organic or None)
    db = root / "case.duckdb"
    with Store(db) as store:
        ingest_paths(store, input_files(files))
    detect(db, root / "out")
    ev = evaluate(root / "out", root / "data" / "labels.csv")
    return ev.recall or 0.0, ev.precision or 0.0


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[float, float]:
    return _run(tmp_path_factory.mktemp("base"), SCENARIO, {}, {})


@pytest.fixture(scope="module", params=list(SWAPS))
def swapped(request, tmp_path_factory) -> tuple[str, float, float]:  # noqa: ANN001
    return request.param, *_run(tmp_path_factory.mktemp("swap"), *SWAPS[request.param])


def test_the_base_operation_is_found(base):
    recall, precision = base
    assert recall >= 0.9 and precision >= 0.9, base


def test_swapping_one_particular_does_not_lose_the_operation(base, swapped):
    # 0.1 of recall is about four of the ~46 operation accounts: a swap may move a few accounts
    # across the line, not lose the operation.
    swap, recall, _ = swapped
    assert recall >= 0.9 and abs(recall - base[0]) <= 0.1, (swap, recall, base)


def test_swapping_one_particular_flags_no_organic_network(swapped):
    # Ordinary accounts that reshare the operation's seeders hours later once formed a
    # group-test-only network judged inauthentic (precision 0.5 on some draws) before the group
    # test corrected for post-selection and shuffled latencies instead of clock times.
    swap, _, precision = swapped
    assert precision >= 0.9, (swap, precision)
