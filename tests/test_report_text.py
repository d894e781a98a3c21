"""Evidence in sentences with its numbers, human dates and sparkline series: what the report
writes instead of raw keys, epoch milliseconds and JSON."""

from __future__ import annotations

import json

from inconcert.report.signal_text import sentences
from inconcert.report.stages import daily_series, human_date

DORMANT = {"burst_days": 30, "burst_posts": 15, "gap_days": 2158.5, "posts_before": 17,
           "resumed": "2021-03-22T02:19:44.792Z", "silent_from": "2015-04-24T15:11:53.003Z",
           "changes": {"client": {"after": {"official android": 0.97, "official web": 0.03},
                                  "before": {"official web": 1.0}, "p_value": 0.001}}}
BATCH = {"cohorts": [{"accounts": 25, "bin": "2020-11-07", "expected": 1.717, "p_value": 1.1e-19,
                      "ratio": 14.56, "scope": "case", "unit": "day"}], "created": "2020-11-07"}


def test_signal_evidence_reads_as_sentences_with_its_numbers():
    d = sentences("dormant_reactivated", DORMANT)
    assert d[0] == ("Silent from 24 Apr 2015 for 5.9 years (17 posts before), then 15 posts "
                    "within 30 days of resuming on 22 Mar 2021.")
    assert "official android 97%" in d[1] and "before official web 100%" in d[1]
    b = sentences("batch_creation_network", {**BATCH, "cohorts": [
        {**BATCH["cohorts"][0], "scope": "N003"}]})
    assert b == ["Created on 7 Nov 2020 with 24 other accounts in this network — 14.6 times "
                 "the number expected for that day (p = 1.1e-19)."]
    assert sentences("no_such_signal", {"a": 1}) == []
    assert sentences("batch_creation", {"cohorts": [{"ratio": "x"}]}) == []  # foreign shape


def test_dates_are_human_and_timelines_are_gap_free_series():
    assert human_date(1601683200000) == "3 Oct 2020"
    assert human_date(None) == ""
    s = daily_series(json.dumps({"2021-03-01": 2, "2021-03-04": 5}))
    assert s["values"] == [2, 0, 0, 5] and s["unit"] == "day"
    assert (s["first"], s["last"], s["peak_day"]) == ("1 Mar 2021", "4 Mar 2021", "5 on 4 Mar 2021")
    long = daily_series(json.dumps({"2020-01-01": 1, "2020-12-31": 3}))
    assert long["unit"] == "week" and sum(long["values"]) == 4 and len(long["values"]) == 53


def _narrative_row(networks: str) -> dict:
    return {"narrative_id": "NR001", "n_posts": 90, "n_accounts": 40, "share": 0.5,
            "narrative_posts": 400, "first_ms": 1_600_000_000_000, "last_ms": 1_600_100_000_000,
            "networks": networks, "representatives": "[]", "representative_text": "a point"}


def test_a_narrative_names_its_most_posting_networks_and_counts_the_rest():
    from inconcert.report.stages import narratives

    # As the narratives stage writes it: every network that posted it, most posts first.
    listed = [(f"N{i:03d}", 100 - i) for i in range(1, 31)]
    row = _narrative_row(";".join(f"{n}:{k}" for n, k in listed))
    (nr,) = narratives([row], "N002", max_networks=5)
    others = [nc for nc in listed if nc[0] != "N002"]
    assert nr["elsewhere"] == others[:5]
    assert nr["elsewhere_rest"] == {"networks": 24, "posts": sum(k for _, k in others[5:])}
    (whole,) = narratives([row], "N002")
    assert whole["elsewhere"] == others and whole["elsewhere_rest"]["networks"] == 0
    (few,) = narratives([_narrative_row("N001:3;N002:2")], "N002", max_networks=5)
    assert few["elsewhere"] == [("N001", 3)] and few["elsewhere_rest"]["networks"] == 0
