"""`inconcert evaluate`: measures against labels, checked by hand on a tiny run."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from inconcert.cli import app
from inconcert.evaluate import evaluate, is_positive, roc_auc
from inconcert.outputs.accounts import HEADER, write_accounts
from inconcert.safecsv import write_csv
from inconcert.simulate.core import Accounts
from inconcert.simulate.writer import LABEL_HEADER, write_labels, write_sim_csv

ACCOUNTS = [("a1", 0.9, True), ("a2", 0.8, True), ("a3", 0.3, False), ("+x=", 0.7, True),
            ("o1", 0.6, True), ("o2", 0.1, False), ("o3", 0.0, False), ("u1", 0.0, False)]
LABELS = [("a1", "campaign", "seeder"), ("a2", "campaign", "amplifier"),
          ("a3", "campaign", "amplifier"), ("+x=", "campaign", "amplifier"),
          ("m1", "campaign", "seeder"), ("o1", "organic", "fan"), ("o2", "Organic", "organic"),
          ("o3", "organic", "newsroom")]


@pytest.fixture
def run_dir(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    write_csv(out / "accounts.csv", HEADER,
              [(a, "", "", "", 0, 0, s, f, "") for a, s, f in ACCOUNTS])
    write_csv(tmp_path / "labels.csv", ("account_id", "label", "role"), LABELS)
    return out


def test_measures_match_hand_computation(run_dir):
    ev = evaluate(run_dir, run_dir.parent / "labels.csv")
    assert (ev.n_labelled, ev.n_positive, ev.n_flagged, ev.true_positive) == (8, 5, 4, 3)
    assert ev.precision == pytest.approx(0.75) and ev.recall == pytest.approx(0.6)
    assert ev.f1 == pytest.approx(2 / 3)
    assert ev.auc == pytest.approx(11.5 / 15)  # 15 pairs, one tie at 0.0
    assert ev.precision_at == {"10": pytest.approx(5 / 8), "50": pytest.approx(5 / 8),
                               "100": pytest.approx(5 / 8), "5": pytest.approx(4 / 5)}
    assert ev.missing_from_output == 1 and ev.unlabelled_in_output == 1
    roles = {(r["label"], r["role"]): r for r in ev.roles}
    assert roles[("campaign", "seeder")]["flagged_share"] == 0.5
    assert roles[("campaign", "amplifier")]["flagged"] == 2
    assert roles[("organic", "fan")]["flagged_share"] == 1.0
    assert roles[("organic", "fan")]["auc_vs_negatives"] is None


def test_positive_labels():
    assert is_positive("campaign") and is_positive("bot") and is_positive("troll")
    assert not any(is_positive(x) for x in ("organic", "Human", " genuine ", "0"))


def test_roc_auc_extremes():
    assert roc_auc([0.9, 0.8], [0.1, 0.2]) == 1.0
    assert roc_auc([0.1], [0.9]) == 0.0
    assert roc_auc([0.5, 0.5], [0.5]) == 0.5
    assert roc_auc([], [0.1]) is None


def test_cli_prints_measures_and_json(run_dir):
    labels = str(run_dir.parent / "labels.csv")
    r = CliRunner().invoke(app, ["evaluate", str(run_dir), "--labels", labels])
    assert r.exit_code == 0, r.output
    assert "precision 0.750  recall 0.600  F1 0.667  ROC AUC 0.767" in r.output
    r = CliRunner().invoke(app, ["evaluate", str(run_dir), "--labels", labels, "--json"])
    assert r.exit_code == 0
    assert json.loads(r.output)["true_positive"] == 3


def test_cli_bad_input_exits_2(tmp_path, run_dir):
    r = CliRunner().invoke(app, ["evaluate", str(tmp_path / "nothing"), "--labels",
                                 str(run_dir.parent / "labels.csv")])
    assert r.exit_code == 2 and "accounts.csv" in r.output
    (tmp_path / "bad.csv").write_text("id,what\n1,2\n")
    r = CliRunner().invoke(app, ["evaluate", str(run_dir), "--labels",
                                 str(tmp_path / "bad.csv")])
    assert r.exit_code == 2 and "missing column" in r.output


# Ids led by a formula character (7 of 926 hashed Thai ids begin with '+'), and one that
# really begins with an apostrophe.
SIGNED = ["+Qk9x=", "-7Ab_c", "=Zm9v", "@h4sh", "'+quoted"]


def test_simulator_labels_keep_ids_exact_and_join_the_run(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    write_accounts([dict(zip(HEADER, (a, "", "", "", 0, 0, 0.9 - 0.1 * k, k < 3, ""),
                             strict=True)) for k, a in enumerate(SIGNED)], out / "accounts.csv")
    acc = Accounts()
    acc.add(handle=SIGNED, label=["campaign"] * 3 + ["organic"] * 2, role=["seeder"] * 5,
            group=["campaign"] * 3 + ["-1", "+g"], traits=[""] * 5)
    uid = np.array(SIGNED, dtype=object)
    write_labels(tmp_path / "labels.csv", acc, uid, np.arange(5))
    lines = (tmp_path / "labels.csv").read_bytes().decode().splitlines()
    assert lines[0] == ",".join(LABEL_HEADER)
    # plain ids and groups as they are; the ids a spreadsheet could run ('=', '@') neutralised
    # as safecsv neutralises them in accounts.csv too; an apostrophe id untouched
    assert [ln.split(",")[0] for ln in lines[1:]] == [
        "+Qk9x=", "-7Ab_c", "'=Zm9v", "'@h4sh", "'+quoted"]
    assert [ln.split(",")[3] for ln in lines[1:]] == ["campaign"] * 3 + ["-1", "+g"]
    write_sim_csv(tmp_path / "truth.csv", ("persona_id", "post_id", "kind"), [("+p", "+1", "+k")])
    assert (tmp_path / "truth.csv").read_text() == "persona_id,post_id,kind\n+p,+1,'+k\n"
    ev = evaluate(out, tmp_path / "labels.csv")
    assert (ev.n_labelled, ev.missing_from_output, ev.unlabelled_in_output) == (5, 0, 0)
    assert (ev.true_positive, ev.n_flagged, ev.auc) == (3, 3, 1.0)
    # a labels file from before the simulator named its ids (every cell neutralised) and a
    # hand-written one (no neutralising at all) still join the same accounts
    write_csv(tmp_path / "old.csv", ("account_id", "label"), [(a, "campaign") for a in SIGNED])
    assert "'+Qk9x=" in (tmp_path / "old.csv").read_text()
    (tmp_path / "hand.csv").write_text("account_id,label\n" + "".join(
        f"{a},campaign\n" for a in SIGNED[:4]))
    for name in ("old.csv", "hand.csv"):
        ev = evaluate(out, tmp_path / name)
        assert ev.missing_from_output == 0 and ev.unlabelled_in_output == 5 - ev.n_labelled
