"""`inconcert detect`, `inconcert config` and the parameter documentation."""

from __future__ import annotations

import csv
import dataclasses
import json
import re
import tomllib
from pathlib import Path

from typer.testing import CliRunner

from inconcert import config
from inconcert.cli import app
from inconcert.ingest import ingest_paths
from inconcert.store import Store

from .conftest import FIXTURES

DOC = Path(__file__).resolve().parents[1] / "docs" / "detection.md"
SECTIONS = ("fusion", "network", "roles", "verdict")


def _case(tmp_path):
    db = tmp_path / "case.duckdb"
    with Store(db) as s:
        ingest_paths(s, [FIXTURES / "io/campaign_tweets_csv_hashed.csv",
                         FIXTURES / "io/campaign_users_csv_hashed.csv"])
    return db


def test_detect_writes_the_four_outputs_with_overrides_recorded(tmp_path):
    db = _case(tmp_path)
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["detect", "--db", str(db), "--out", str(out),
                                 "--set", "verdict.min_attachment=0.5",
                                 "--set", "fusion.co_domain=0.1"])
    assert r.exit_code == 0, r.output
    with open(out / "accounts.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    with Store(db) as s:
        n_accounts = s.count("accounts")
    assert len(rows) >= n_accounts and {r["flagged"] for r in rows} == {"false"}
    doc = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    assert doc["parameters"]["verdict"]["min_attachment"] == 0.5
    assert doc["parameters"]["fusion"]["co_domain"] == 0.1
    assert {t["trace"] for t in doc["trace_runs"]} >= {"co_reshare", "co_text"}
    assert (out / "networks.csv").read_text().startswith("network_id,size,score,traces,")
    assert (out / "edges.csv").read_text().startswith("source,target,trace,weight,count,")


def test_detect_bad_input_exits_2_with_one_line(tmp_path):
    r = CliRunner().invoke(app, ["detect", "--db", str(tmp_path / "none.duckdb"), "--out",
                                 str(tmp_path / "out")])
    assert r.exit_code == 2 and "no such case database" in r.output
    r = CliRunner().invoke(app, ["detect", "--db", str(_case(tmp_path)), "--out",
                                 str(tmp_path / "out"), "--set", "verdict.nonsense=1"])
    assert r.exit_code == 2 and "unknown parameter" in r.output


def test_config_prints_every_section_as_loadable_toml(tmp_path):
    r = CliRunner().invoke(app, ["config", "--set", "network.seed=7"])
    assert r.exit_code == 0
    data = tomllib.loads(r.output)
    assert data["network"]["seed"] == 7
    assert set(SECTIONS) <= set(data)
    (tmp_path / "c.toml").write_text(r.output, encoding="utf-8")
    assert config.load(tmp_path / "c.toml").as_dict() == config.load(
        overrides=["network.seed=7"]).as_dict()


def test_every_parameter_is_documented_with_its_default():
    rows = dict(re.findall(r"^\| `([a-z_]+\.[a-z_0-9]+)` \| (.+?) \|", DOC.read_text("utf-8"),
                           re.MULTILINE))
    cfg = config.load()
    for name in SECTIONS:
        for f in dataclasses.fields(cfg[name]):
            key = f"{name}.{f.name}"
            assert key in rows, f"{key} is not documented in docs/detection.md"
            value = getattr(cfg[name], f.name)
            documented = rows[key].strip("`")
            if isinstance(value, bool):
                assert documented == str(value).lower(), key
            elif isinstance(value, list):
                assert json.loads(documented) == value, key
            else:
                assert float(documented) == float(value), key


def test_detect_alone_leaves_no_narratives_of_an_earlier_run(tmp_path):
    """`inconcert run` adds narratives to the case; a later `detect` replaces the networks they
    describe, so it removes them rather than leave tables that no longer match."""
    from inconcert.narratives import run_narratives
    from inconcert.narratives.stage import TABLES

    db = _case(tmp_path)
    assert CliRunner().invoke(app, ["detect", "--db", str(db), "--out",
                                    str(tmp_path / "a")]).exit_code == 0
    run_narratives(db, tmp_path / "a")
    tables = "SELECT table_name FROM information_schema.tables"
    with Store(db) as s:
        made = {name for (name,) in s.execute(tables)} & set(TABLES)
    assert made >= {"narratives", "narrative_posts", "targets", "sources"}
    r = CliRunner().invoke(app, ["detect", "--db", str(db), "--out", str(tmp_path / "b")])
    assert r.exit_code == 0, r.output
    with Store(db) as s:
        assert not {name for (name,) in s.execute(tables)} & set(TABLES)
    doc = json.loads((tmp_path / "b" / "findings.json").read_text(encoding="utf-8"))
    assert "narratives" not in doc and "targets" not in doc
