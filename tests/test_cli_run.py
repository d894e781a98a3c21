"""`inconcert run`: ingest plus every analysis, with per-run parameter overrides."""

import json

from typer.testing import CliRunner

from inconcert.cli import app

from .conftest import FIXTURES

TWEETS = str(FIXTURES / "io/campaign_tweets_csv_hashed.csv")


def test_run_records_overridden_parameters_in_findings(tmp_path):
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["run", TWEETS, "--out", str(out),
                                   "--set", "verdict.min_attachment=0.9"])
    assert res.exit_code == 0, res.output
    findings = json.loads((out / "findings.json").read_text())
    assert findings["parameters"]["verdict"]["min_attachment"] == 0.9
    for name in ("case.duckdb", "accounts.csv", "networks.csv", "edges.csv", "report.html"):
        assert (out / name).exists(), name


def test_run_rejects_an_unknown_parameter_before_doing_any_work(tmp_path):
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["run", TWEETS, "--out", str(out),
                                   "--set", "verdict.no_such_knob=1"])
    assert res.exit_code == 2
    assert "no_such_knob" in res.output
    assert not (out / "case.duckdb").exists()
