"""The report on a source with no account profiles (the CNT layout has no creation dates,
bios or clients): sections say "not computed" instead of failing."""

from typer.testing import CliRunner

from inconcert.cli import app

from .conftest import FIXTURES


def test_report_renders_networks_whose_members_have_no_creation_dates(tmp_path):
    # 8 accounts reshare 25 posts of 2 seeders within seconds, among 300 organic accounts;
    # the file has no profiles at all.
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["run", str(FIXTURES / "report/cnt_ring_no_profiles.csv"),
                                   "--out", str(out)])
    assert res.exit_code == 0, res.output
    networks = (out / "networks.csv").read_text().splitlines()
    assert len(networks) >= 2  # the ring is found
    html = (out / "report.html").read_text()
    assert "Not computed: the data has no creation dates" in html
