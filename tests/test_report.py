"""report.html: hostile data escaped, safe JSON for the scripts, evidence reachable from the
table for every flagged account, confidence wording, limitations, deterministic bytes.

The case is a small simulated platform with script payloads written into the names, bios,
posts, hashtags, URLs and client names of the campaign's accounts (`hostile_case`), run through
the whole pipeline once and shared with test_exports.py and test_browser.py.
"""

from __future__ import annotations

import ast
import csv
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from inconcert import config
from inconcert.ingest import ingest_paths
from inconcert.pipeline import run_pipeline
from inconcert.report import write_report
from inconcert.report.confidence import ConfidenceParams, level, statement
from inconcert.report.html import json_for_script, safe_href
from inconcert.report.layout import compute_layout
from inconcert.simulate import input_files, simulate
from inconcert.store import Store

# Each payload sets window.__pwned if it ever runs; the browser test asserts it never does.
PAYLOADS = (
    "<script>window.__pwned='script'</script>",
    "<img src=x onerror=\"window.__pwned='img'\">",
    "</script><script>window.__pwned='close'</script><!--",
    "<svg/onload=window.__pwned='svg'>",
    "=HYPERLINK(\"http://evil.example\",\"x\")",
    "\u2028'\"--><script>window.__pwned='u2028'</script>",
    "\u202eN300 · amplifier",  # right-to-left override: must not reverse the report's text
    "a\r=cmd|' /C calc'!A0",  # a bare carriage return, then a formula: must stay one cell
)
JS_URL = "javascript:window.__pwned='jsurl'"
EVIL_URL = "https://evil.example/a?q=\"'><img src=x onerror=window.__pwned='url'>"
EVIL_TAG = "<script>window.__pwned='tag'</script>"
CAMPAIGN_ROLES = {"seeder", "amplifier", "hybrid", "returning"}
_CACHE: dict[str, Path] = {}


def _rewrite(path: Path, fn) -> None:  # noqa: ANN001 - row -> row
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    fields = list(rows[0])
    for r in rows:
        fn(r)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fields, quoting=csv.QUOTE_ALL)
        w.writeheader()
        w.writerows(rows)


def _poison(data: Path) -> None:
    """Write the payloads into the campaign accounts' profiles and posts."""
    with open(data / "labels.csv", newline="", encoding="utf-8") as f:
        bad = sorted(r["account_id"] for r in csv.DictReader(f) if r["role"] in CAMPAIGN_ROLES)
    index = {a: i for i, a in enumerate(bad)}

    def profile(r: dict) -> None:
        i = index.get(r["userid"])
        if i is None:
            return
        p = PAYLOADS[i % len(PAYLOADS)]
        r["user_display_name"] = p + r["user_display_name"]
        r["user_profile_description"] = p + " " + r["user_profile_description"]
        r["user_profile_url"] = JS_URL if i % 2 else EVIL_URL
        if i % 5 == 0:
            r["user_screen_name"] = r["user_screen_name"] + PAYLOADS[1]

    def post(r: dict) -> None:
        profile(r)
        i = index.get(r["userid"])
        if i is None:
            return
        r["tweet_text"] = r["tweet_text"] + " " + PAYLOADS[(i + 1) % len(PAYLOADS)]
        r["tweet_client_name"] = PAYLOADS[(i + 2) % len(PAYLOADS)]
        tags = ast.literal_eval(r["hashtags"] or "[]")
        urls = ast.literal_eval(r["urls"] or "[]")
        r["hashtags"] = repr([*tags, EVIL_TAG])
        r["urls"] = repr([*urls, EVIL_URL, JS_URL])

    _rewrite(data / "simulated_users_csv_unhashed.csv", profile)
    _rewrite(data / "simulated_tweets_csv_unhashed.csv", post)


def hostile_case(factory: pytest.TempPathFactory) -> Path:
    """Output dir of `inconcert run` on the poisoned simulated platform (built once)."""
    if "out" not in _CACHE:
        base = factory.mktemp("hostile")
        files = simulate(base / "data", seed=3, scale=0.5, campaign=True, scenario="classic")
        _poison(base / "data")
        out = base / "out"
        out.mkdir()
        with Store(out / "case.duckdb") as store:
            ingest_paths(store, input_files(files))
        run_pipeline(out / "case.duckdb", out)
        _CACHE["out"] = out
    return _CACHE["out"]


@pytest.fixture(scope="module")
def case_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hostile_case(tmp_path_factory)


class _Tags(HTMLParser):
    """Every start tag with its attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def _tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    p = _Tags()
    p.feed(html)
    return p.tags


def test_the_payloads_reached_the_report_data(case_out):
    # Guard against a vacuous pass: the hostile strings are really in the case and the page.
    with Store(case_out / "case.duckdb", read_only=True) as s:
        names = [r[0] for r in s.execute("SELECT display_name FROM accounts")]
        clients = [r[0] for r in s.execute("SELECT DISTINCT client FROM posts")]
        flagged = s.execute("SELECT count(*) FROM verdicts WHERE flagged")[0][0]
    assert any(n and n.startswith(PAYLOADS[0]) for n in names)
    assert PAYLOADS[2] in clients
    assert flagged > 0
    html = (case_out / "report.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;window.__pwned=" in html


def test_no_markup_from_the_data_only_our_own_tags(case_out):
    html = (case_out / "report.html").read_text(encoding="utf-8")
    tags = _tags(html)
    scripts = [dict(a) for t, a in tags if t == "script"]
    assert scripts == [{"type": "application/json", "id": "map-data"}, {}, {}]
    assert not [t for t, _ in tags if t in ("img", "iframe", "object", "embed", "foreignobject")]
    # The only SVG is our charts'.
    assert {dict(a).get("class") for t, a in tags if t == "svg"} <= {"chart", "chart spark"}
    for tag, attrs in tags:
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name, value)
            if name in ("href", "src", "action", "formaction", "xlink:href"):
                assert value is not None and value.startswith("#"), (tag, name, value)


def test_map_json_cannot_close_its_script_and_keeps_the_data(case_out):
    html = (case_out / "report.html").read_text(encoding="utf-8")
    body = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', html,
                     re.S).group(1)
    assert not re.search("[<>&\u2028\u2029]", body)
    labels = [n[0] for n in json.loads(body)["nodes"]]
    assert any(PAYLOADS[1] in label for label in labels)


def test_json_for_script_escapes_and_round_trips():
    value = {"a": "</script><!--<b>&\u2028\u2029", "n": [1, 2.5]}
    text = str(json_for_script(value))
    assert not re.search("[<>&\u2028\u2029]", text)
    assert json.loads(text) == value


def test_only_http_links_are_ever_hrefs():
    assert safe_href("https://example.com/x") == "https://example.com/x"
    for bad in (JS_URL, "data:text/html,<script>1</script>", "JaVaScRiPt:alert(1)",
                "https://x.org/\"onmouseover=1", " vbscript:x", None, ""):
        assert safe_href(bad) is None


def test_every_flagged_account_links_to_its_evidence(case_out):
    html = (case_out / "report.html").read_text(encoding="utf-8")
    tags = _tags(html)
    ids = {dict(a).get("id") for _, a in tags}
    links = [dict(a) for t, a in tags if t == "a" and "acct" in (dict(a).get("class") or "")]
    assert links and all(link["href"][1:] in ids for link in links)
    with Store(case_out / "case.duckdb", read_only=True) as s:
        flagged = {r[0] for r in s.execute("SELECT account_id FROM verdicts WHERE flagged")}
    rows = re.findall(r'<tr class="flagged" data-flagged="1"><td><a class="acct" href="#(a\d+)"',
                      html)
    assert len(rows) == len(flagged)
    # The evidence of a flagged account names its co-action partners and its signals.
    first = re.search(rf'<details class="evidence flagged" id="{rows[0]}">(.*?)</details>',
                      html, re.S).group(1)
    assert "Co-actions" in first and "Account signals" in first


def test_limitations_list_what_was_not_computable(case_out):
    html = (case_out / "report.html").read_text(encoding="utf-8")
    with Store(case_out / "case.duckdb", read_only=True) as s:
        missing = s.execute("SELECT trace, reason FROM trace_runs WHERE status <> 'ok'")
        missing += s.execute("SELECT signal, reason FROM signal_runs WHERE status <> 'ok'")
    assert missing, "the simulated case has no likes, so co_like cannot be computed"
    section = html[html.index('<section id="limitations">'):]
    for name, reason in missing:
        assert f"{name}</b>: not computable: {reason}" in section.replace("trace ", "").replace(
            "signal ", "")


def test_same_case_same_bytes(case_out, tmp_path):
    again = tmp_path / "again"
    shutil.copytree(case_out, again, ignore=shutil.ignore_patterns("report.html", "exports"))
    write_report(again / "case.duckdb", again)
    for p in sorted(case_out.joinpath("exports").rglob("*")) + [case_out / "report.html"]:
        if p.is_file():
            q = again / p.relative_to(case_out)
            assert q.read_bytes() == p.read_bytes(), p.name


def test_a_narrative_of_many_networks_names_the_most_posting_and_counts_the_rest(case_out,
                                                                                  tmp_path):
    # The narrative posted by the most networks, as the narratives stage stored it (network:posts,
    # most first). The report names every other network by default; capped at two, the first
    # network's section names the next two and counts the rest with their posts.
    with duckdb.connect(str(case_out / "case.duckdb"), read_only=True) as con:
        nid, text = con.execute("SELECT network_id, networks FROM narratives "
                                "ORDER BY length(networks) DESC, network_id LIMIT 1").fetchone()
    pairs = [(n, int(k)) for n, k in (part.rsplit(":", 1) for part in text.split(";"))]
    others = [(n, k) for n, k in pairs if n != nid]
    assert len(others) >= 3, "the case needs a narrative of four networks or more"
    named = ", ".join(f"{n} ({k})" for n, k in others)
    html = (case_out / "report.html").read_text(encoding="utf-8")
    assert f"also posted by networks {named}." in html
    assert "narratives.csv lists them all" not in html
    capped = tmp_path / "capped"
    shutil.copytree(case_out, capped, ignore=shutil.ignore_patterns("report.html", "exports"))
    write_report(capped / "case.duckdb", capped,
                 config.load(None, ["report.max_other_networks=2"]))
    html = (capped / "report.html").read_text(encoding="utf-8")
    first = ", ".join(f"{n} ({k})" for n, k in others[:2])
    rest = others[2:]
    assert (f"also posted by networks {first} and {len(rest)} more "
            f"({sum(k for _, k in rest):,} posts; narratives.csv lists them all).") in html


def _net(**kw) -> dict:
    row = {"network_id": "N001", "size": 12, "score": 0.9, "significance": 1.0,
           "traces": "co_reshare;co_text", "inauthentic_share": 0.8, "inauthentic": True,
           "n_flagged": 10}
    row.update(kw)
    return row


def test_confidence_follows_the_evidence():
    p = ConfidenceParams()
    assert level(_net(), p) == "high"
    # One kind of co-action alone is never high, however strong.
    assert level(_net(traces="co_reshare"), p) == "moderate"
    assert level(_net(traces="co_reshare", inauthentic_share=0.0), p) == "low"
    assert level(_net(score=p.high_score - 0.01), p) == "moderate"
    assert level(_net(significance=p.moderate_significance - 0.01), p) == "low"
    assert level(_net(score=p.moderate_score - 0.01), p) == "low"


def test_statement_separates_coordination_from_inauthenticity():
    s = statement(_net(), "high")
    assert s.startswith("We assess with high confidence") and "inauthentic behaviour" in s
    assert "8 of its 10 members (80%)" in statement(_net(size=10, n_flagged=10), "high")
    open_coord = statement(_net(inauthentic=False, inauthentic_share=0.0, n_flagged=0), "low")
    assert "None of its members shows signs of inauthenticity" in open_coord
    assert "no account of it is flagged" in open_coord
    few = statement(_net(inauthentic=False, inauthentic_share=0.25, n_flagged=0), "moderate",
                    reference_rate=0.12)
    assert "Only 3 of its 12 members (25%)" in few and "no more than the 12%" in few
    # Each rule that made a network inauthentic is said, with its numbers.
    selfamp = statement(_net(inauthentic=True, inauthentic_by="self-amplification",
                             internal_share=0.86, internal_seeders=4, inauthentic_share=0.1,
                             size=10, n_flagged=7), "high")
    assert "86% of the reshares of its members' posts" in selfamp and "4 reshared" in selfamp
    assert "7 of 10 are flagged" in selfamp
    both = statement(_net(inauthentic_by="members;self-amplification", internal_share=1.0,
                          internal_seeders=9), "high", reference_rate=0.12)
    assert "more than the 12% of authentic accounts" in both and "100% of the reshares" in both
    copied = statement(_net(inauthentic_by="copying", inauthentic_share=0.18, size=597,
                            copying_members=435, copying_days=73.6, copying_chance=0.002,
                            n_flagged=470), "high")
    assert "435 of its 597 members post the same or equivalent content" in copied
    assert "on about 74 days" in copied and "0.2% copy anyone" in copied
    assert "470 of 597 are flagged" in copied
    assert "under names that declare no common affiliation" in copied
    # A dataset without names (the CooRTweet German set) cannot show a declared affiliation,
    # and the sentence says so instead of calling the copying undisclosed.
    nameless = statement(_net(inauthentic_by="copying", copying_members=16, copying_named=0,
                              copying_days=4.1, size=16, n_flagged=16), "high")
    assert "declare no common affiliation" not in nameless
    assert "the data carries none of their names, so it cannot show whether" in nameless
    some = statement(_net(inauthentic_by="copying", copying_members=16, copying_named=5,
                          copying_days=4.1, size=16, n_flagged=16), "high")
    assert "though only 5 of them are named in the data" in some


def test_confidence_thresholds_are_config_parameters():
    cfg = config.load(overrides=["report.confidence.high_traces=3"])
    assert level(_net(), cfg.section("report.confidence")) == "moderate"


def test_layout_is_fixed_by_the_seed_and_separates_components():
    ids = [f"n{i}" for i in range(40)]
    edges = [(f"n{i}", f"n{j}", 1.0) for i in range(20) for j in range(i + 1, 20)]
    edges += [(f"n{i}", f"n{i + 1}", 2.0) for i in range(20, 39)]
    a = compute_layout(ids, edges, seed=7)
    assert a == compute_layout(ids, edges, seed=7)
    assert set(a) == set(ids)
    assert all(-1000 <= x <= 1000 and -1000 <= y <= 1000 for x, y in a.values())

    def box(names):
        xs = [a[n][0] for n in names]
        ys = [a[n][1] for n in names]
        return min(xs), max(xs), min(ys), max(ys)

    b1, b2 = box(ids[:20]), box(ids[20:])
    # The two components' bounding boxes do not overlap.
    assert b1[1] < b2[0] or b2[1] < b1[0] or b1[3] < b2[2] or b2[3] < b1[2]


def test_a_case_without_posts_or_networks_still_reports(tmp_path, fixtures):
    with Store(tmp_path / "case.duckdb") as store:
        ingest_paths(store, [fixtures / "io" / "campaign_users_csv_hashed.csv"])
    written = run_pipeline(tmp_path / "case.duckdb", tmp_path)
    assert tmp_path / "report.html" in written
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "No coordinated network was found" in html
    # What the data cannot supply is listed as a limitation, not read as "nothing found".
    assert "<b>not in the data</b>: text of posts (post_text)" in html
    assert "No account is flagged, so no technique is attributed." in html
