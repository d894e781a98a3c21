"""`inconcert run`: ingest plus every analysis, with per-run parameter overrides."""

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from inconcert.cli import app
from inconcert.ingest.registry import readers

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


USERS = str(FIXTURES / "io/campaign_users_csv_hashed.csv")


def test_out_naming_a_file_is_a_usage_error(tmp_path):
    taken = tmp_path / "existing.txt"
    taken.write_text("keep me")
    res = CliRunner().invoke(app, ["run", TWEETS, "--out", str(taken)])
    assert res.exit_code == 2
    assert "--out names an existing file" in res.output and "internal error" not in res.output
    assert taken.read_text() == "keep me"


def test_a_bad_input_leaves_no_empty_case(tmp_path):
    png = tmp_path / "photo.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    empty = tmp_path / "empty"
    empty.mkdir()
    for bad, why in ((tmp_path / "missing.csv", "no such file"), (png, "binary data"),
                     (empty, "holds no input files")):
        out = tmp_path / f"out-{bad.name}"
        res = CliRunner().invoke(app, ["run", str(bad), "--out", str(out)])
        assert res.exit_code == 2, res.output
        assert why in res.output and str(bad.name) in res.output
        assert not out.exists(), bad


def test_run_reads_a_folder_of_inputs_beside_its_readme(tmp_path):
    data = tmp_path / "archive"
    data.mkdir()
    for f in (TWEETS, USERS):
        (data / Path(f).name).write_bytes(Path(f).read_bytes())
    (data / "README.md").write_text("# about this archive\n")
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["run", str(data), "--out", str(out)])
    assert res.exit_code == 0, res.output
    datasets = (out / "datasets.csv").read_text()
    assert Path(TWEETS).name in datasets and Path(USERS).name in datasets
    assert "README.md" not in datasets
    assert "coordinated" in res.output and "report.html" in res.output


def test_a_users_only_run_says_that_no_posts_means_no_networks(tmp_path):
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["run", USERS, "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "and no posts" in res.output and "only the account signals ran" in res.output
    lede = re.search(r'<p class="lede">(.*?)</p>', (out / "report.html").read_text()).group(1)
    assert "no posts" in lede and " to  (UTC)" not in lede


def test_help_and_formats_are_not_cut_mid_sentence():
    res = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "250"})
    assert "hard negatives and ground truth" in res.output
    res = CliRunner().invoke(app, ["formats"], env={"COLUMNS": "60"})
    lines = res.output.splitlines()
    assert len(lines) == len(readers()) and all(line.split()[0] in readers() for line in lines)


def test_demo_ends_with_a_summary_and_the_next_step(tmp_path):
    out = tmp_path / "demo"
    res = CliRunner().invoke(app, ["demo", "--out", str(out)])
    assert res.exit_code == 0, res.output
    tail = res.output.splitlines()[-3:]
    assert "coordinated operation" in tail[-2] and "1 consistent with inauthentic" in tail[-2]
    assert f"inconcert evaluate {out} --labels {out / 'data' / 'labels.csv'}" in tail[-1]
    # The next step it names works.
    res = CliRunner().invoke(app, ["evaluate", str(out), "--labels",
                                   str(out / "data" / "labels.csv")])
    assert res.exit_code == 0 and "precision" in res.output


def _simulated(tmp_path: Path) -> list[str]:
    from inconcert.simulate import input_files, simulate

    files = simulate(tmp_path / "sim", seed=3, scale=0.3, scenario="classic")
    return [str(p) for p in input_files(files)]


def test_run_compares_with_the_library_and_the_report_says_what_resembles(tmp_path,
                                                                          monkeypatch):
    monkeypatch.setenv("INCONCERT_LIBRARY", str(tmp_path / "no-library-here"))
    data = _simulated(tmp_path)
    first = tmp_path / "first"
    assert CliRunner().invoke(app, ["run", *data, "--out", str(first)]).exit_code == 0
    assert "Not compared: this run had no fingerprint library" in (
        first / "report.html").read_text()
    lib = tmp_path / "lib"
    res = CliRunner().invoke(app, ["fingerprint", str(first), "--name", "earlier",
                                   "--library", str(lib)])
    assert res.exit_code == 0, res.output
    # `match` on a finished run rewrites its report with the matches, and the report still
    # states the parameters the run was made with (here not the defaults).
    tuned = tmp_path / "tuned"
    res = CliRunner().invoke(app, ["run", *data, "--out", str(tuned),
                                   "--set", "report.top_items=4"])
    assert res.exit_code == 0, res.output
    digest = json.loads((tuned / "findings.json").read_text())["parameters_digest"]
    res = CliRunner().invoke(app, ["match", str(tuned), "--library", str(lib)])
    assert res.exit_code == 0 and "rewrote" in res.output, res.output
    html = (tuned / "report.html").read_text()
    assert "<b>earlier / N001</b>" in html and "Not compared" not in html
    assert f"parameters digest <code>{digest[:16]}</code>" in html
    assert "top_items = 4" in html
    again = tmp_path / "again"
    res = CliRunner().invoke(app, ["run", *data, "--out", str(again), "--library", str(lib)])
    assert res.exit_code == 0, res.output
    html = (again / "report.html").read_text()
    assert "Resemblance to earlier takedowns" in html and "<b>earlier / N001</b>" in html
    # The default library is used when it holds fingerprints.
    monkeypatch.setenv("INCONCERT_LIBRARY", str(lib))
    third = tmp_path / "third"
    assert CliRunner().invoke(app, ["run", *data, "--out", str(third)]).exit_code == 0
    assert "<b>earlier / N001</b>" in (third / "report.html").read_text()
    res = CliRunner().invoke(app, ["run", TWEETS, "--out", str(tmp_path / "x"),
                                   "--library", str(tmp_path / "missing")])
    assert res.exit_code == 2 and "no fingerprint library here" in res.output


def test_match_says_no_resemblance_below_the_floor(tmp_path, monkeypatch):
    monkeypatch.setenv("INCONCERT_LIBRARY", str(tmp_path / "none"))
    run_dir = tmp_path / "run"
    assert CliRunner().invoke(app, ["run", *_simulated(tmp_path), "--out",
                                    str(run_dir)]).exit_code == 0
    lib = tmp_path / "lib"
    assert CliRunner().invoke(app, ["fingerprint", str(run_dir), "--name", "same",
                                    "--library", str(lib)]).exit_code == 0
    res = CliRunner().invoke(app, ["match", str(run_dir), "--library", str(lib),
                                   "--set", "narratives.match.min_resemblance=1.01"],
                             env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert "no resemblance" in res.output and "same/" not in res.output
