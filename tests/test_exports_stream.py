"""The network exports written column-wise: byte-identical to the per-attribute writers they
replaced (golden files written by commit a88450b from the same hand-made graph of hostile
strings; the two Gephi CSV files rewritten once when safecsv began quoting every cell of a row
that holds a carriage return, issue 15), and the account graph's times formatted by DuckDB
exactly as `iso_utc` does."""

from __future__ import annotations

from pathlib import Path

import pytest

from inconcert.exports.gephi_csv import write_gephi_csv
from inconcert.exports.gexf import write_gexf
from inconcert.exports.graph import AccountGraph, build_graph
from inconcert.exports.graphml import write_graphml
from inconcert.store import Store
from inconcert.timeutil import iso_utc

from .conftest import FIXTURES
from .test_report import hostile_case

GOLDEN = FIXTURES / "exports"
# Control characters, non-characters, quotes, markup, a formula, newlines and tabs, emoji,
# right-to-left override, non-characters.
NASTY = ["plain", 'say "hi" & <b>bye</b>', "it's\ttabbed\nnew\rline", "\x00\x01\x08\x0b\x1f",
         "nonchar \ufdd0 \U0010ffff", "=HYPERLINK(\"http://x\")", "😀 \u202e evil", "\ufffe\uffff",
         "", "@+-=", "a]]>b"]


def hostile_graph() -> AccountGraph:
    """Twelve accounts in two networks and a dozen edges whose every text is hostile."""
    g = AccountGraph(networks=["N001", "N002"])
    for i in range(12):
        text = NASTY[i % len(NASTY)]
        net = ("N001", "N002", None)[i % 3]
        g.nodes.append({
            "id": f"{i:03d}{text[:3]}", "label": text or f"acc{i}",
            "account_id": f"{i:03d}{text[:3]}",
            "platform": "x", "display_name": text, "created_at": "2020-01-0" + str(i % 9 + 1),
            "followers": None if i % 4 == 0 else i * 1000, "n_posts": i, "n_reshares": i // 2,
            "network": net or "", "role": ("seeder", "amplifier", "")[i % 3],
            "flagged": i % 2 == 0, "score": None if i % 5 == 0 else i / 7,
            "coordination_score": 0.1 * i, "inauthenticity_score": 1e-7 * i,
            "signals": f"sig{i};{text}", "color": g.color(net), "size": 2.0 + i / 3,
            "x": i * 1.5 - 3.25, "y": -i / 9, })
    ids = [n["id"] for n in g.nodes]
    for i in range(12):
        text = NASTY[(i + 3) % len(NASTY)]
        g.edges.append({
            "source": ids[i], "target": ids[(i * 5 + 1) % 12], "weight": i / 3 + 0.5,
            "kind": ("co_reshare;" + text) if i % 3 else "amplification", "n_traces": i % 4,
            "n_shared_items": i * 2, "p_value": None if i % 3 == 0 else 10.0 ** -i,
            "first_ts": f"2020-01-01T00:00:0{i % 10}.000Z", "last_ts": "",
            "example_item_ids": f"{i};{text}", "network": ("N001", "N002", "")[i % 3]})
    return g


def _written(tmp: Path) -> dict[str, bytes]:
    g = hostile_graph()
    paths = [write_gexf(g, tmp / "network.gexf", "2020-01-02", 'desc & "quotes" <x>'),
             write_graphml(g, tmp / "network.graphml"), *write_gephi_csv(g, tmp)]
    return {p.name: p.read_bytes() for p in paths}


def test_exports_are_byte_identical_to_the_per_attribute_writers(tmp_path):
    for name, data in _written(tmp_path).items():
        assert data == (GOLDEN / name).read_bytes(), name


@pytest.fixture(scope="module")
def case_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hostile_case(tmp_path_factory)


def test_graph_times_are_formatted_as_iso_utc(case_out):
    with Store(case_out / "case.duckdb", read_only=True) as s:
        g = build_graph(s.con)
        fused = {(a, b): (f, la) for a, b, f, la in s.execute(
            "SELECT source, target, first_ms, last_ms FROM fused_edges")}
        created = dict(s.execute("SELECT account_id, min(created_ms) FROM accounts GROUP BY 1"))
    checked = 0
    for e in g.edges:
        if (e["source"], e["target"]) in fused:
            f, la = fused[(e["source"], e["target"])]
            assert (e["first_ts"], e["last_ts"]) == (iso_utc(f), iso_utc(la))
            checked += 1
    assert checked > 0
    assert all(n["created_at"] == iso_utc(created.get(n["id"]))[:10] for n in g.nodes)
