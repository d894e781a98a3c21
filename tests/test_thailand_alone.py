"""Issue 10 and 16's real acceptance case: the Thailand 2020 takedown archive on its own, where
every account is the operation and no authentic account is there to compare with."""

from __future__ import annotations

import csv

import duckdb
import pytest
from typer.testing import CliRunner

from inconcert.cli import app

from .conftest import shared_data

pytestmark = [pytest.mark.realdata, pytest.mark.slow]


def test_the_thailand_archive_alone_flags_nine_in_ten_of_its_active_accounts(tmp_path):
    d = shared_data("thailand_io_092020")
    res = CliRunner().invoke(app, ["run", str(d / "thailand_092020_tweets_csv_hashed.csv.gz"),
                                   str(d / "thailand_092020_users_csv_hashed.csv.gz"),
                                   "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    with open(tmp_path / "out" / "accounts.csv", encoding="utf-8") as f:
        flagged = {r["account_id"] for r in csv.DictReader(f) if r["flagged"] == "true"}
    con = duckdb.connect(str(tmp_path / "out" / "case.duckdb"), read_only=True)
    active = {a for (a,) in con.execute(
        "SELECT author_id FROM posts GROUP BY 1 HAVING count(*) >= 5").fetchall()}
    con.close()
    assert len(active) == 258
    # 238 on 2026-12-06 (docs/evaluation.md); the issues ask for 90 %.
    assert len(active & flagged) >= 0.9 * len(active)
