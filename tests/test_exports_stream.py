"""The network exports written column-wise: byte-identical to the per-attribute writers they
replaced (golden files written by commit a88450b from the same hand-made graph of hostile
strings; the two Gephi CSV files rewritten once when safecsv began quoting every cell of a row
that holds a carriage return, issue 15), and to the per-row writers of commit 2aaf69c on a
random graph of hostile texts and edge-case numbers (exports/random); the column functions
equal the per-value ones (`xml_attr`, `write_csv`); the account graph's times formatted by
DuckDB exactly as `iso_utc` does."""

from __future__ import annotations

import random
from pathlib import Path

import pyarrow as pa
import pytest

from inconcert.arrowtext import text_column
from inconcert.exports.gephi_csv import write_gephi_csv
from inconcert.exports.gexf import write_gexf
from inconcert.exports.graph import (
    EDGE_SCHEMA,
    NODE_SCHEMA,
    OUTSIDE,
    PALETTE,
    AccountGraph,
    build_graph,
)
from inconcert.exports.graphml import write_graphml
from inconcert.exports.xmltext import xml_attr, xml_attr_column
from inconcert.safecsv import write_csv, write_csv_columns
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
    nodes, edges = [], []
    for i in range(12):
        text = NASTY[i % len(NASTY)]
        net = ("N001", "N002", None)[i % 3]
        nodes.append({
            "id": f"{i:03d}{text[:3]}", "label": text or f"acc{i}",
            "account_id": f"{i:03d}{text[:3]}",
            "platform": "x", "display_name": text, "created_at": "2020-01-0" + str(i % 9 + 1),
            "followers": None if i % 4 == 0 else i * 1000, "n_posts": i, "n_reshares": i // 2,
            "network": net or "", "role": ("seeder", "amplifier", "")[i % 3],
            "flagged": i % 2 == 0, "score": None if i % 5 == 0 else i / 7,
            "coordination_score": 0.1 * i, "inauthenticity_score": 1e-7 * i,
            "signals": f"sig{i};{text}", "color": g.color(net), "size": 2.0 + i / 3,
            "x": i * 1.5 - 3.25, "y": -i / 9, })
    ids = [n["id"] for n in nodes]
    for i in range(12):
        text = NASTY[(i + 3) % len(NASTY)]
        edges.append({
            "source": ids[i], "target": ids[(i * 5 + 1) % 12], "weight": i / 3 + 0.5,
            "kind": ("co_reshare;" + text) if i % 3 else "amplification", "n_traces": i % 4,
            "n_shared_items": i * 2, "p_value": None if i % 3 == 0 else 10.0 ** -i,
            "first_ts": f"2020-01-01T00:00:0{i % 10}.000Z", "last_ts": "",
            "example_item_ids": f"{i};{text}", "network": ("N001", "N002", "")[i % 3]})
    g.nodes = pa.Table.from_pylist(nodes, NODE_SCHEMA)
    g.edges = pa.Table.from_pylist(edges, EDGE_SCHEMA)
    return g


# Pieces of the random graph's texts: control characters, markup, CDATA ends, formulas and
# their fullwidth forms, quotes, commas, line ends, bidirectional marks and overrides,
# non-characters, emoji and combining marks.
PIECES = ["a", "Z", "7", "_", ".", ":", "/", "=", "+", "-", "@", "\t", "\r", "\n", "\r\n", '"',
          "'", ",", ";", " ", "<", ">", "&", "]]>", "=cmd|' /C calc'!A0", "＝", "＋", "－", "＠",
          "\u202e", "\u200f", "\u2066", "\u061c", "\x00", "\x08", "\x0b", "\x1f", "\x7f", "\x85",
          "\ufdd0", "\ufffe", "\U0010ffff", "😀", "e\u0301", "漢", "\u2028", "\ufeff", "-1.5"]
FLOATS = [0.0, -0.0, 1e-07, -1e-07, 2.0, 0.5703125, 1e16, 123456.789, -3.25]


def random_hostile_graph(seed: int = 11, n_nodes: int = 30, n_edges: int = 60
                         ) -> tuple[list[str], list[dict], list[dict]]:
    """Networks, node rows and edge rows of a random graph whose texts are drawn from PIECES
    and whose numbers include nulls, signed zeros, tiny and huge values (plain dicts, the rows
    the per-row writers took; the golden files under exports/random were written from them
    by the writers of commit 2aaf69c)."""
    rng = random.Random(seed)

    def text() -> str:
        return "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 5)))

    def real() -> float | None:
        return rng.choice([None, *FLOATS, rng.random(), -rng.random() * 1e3])

    networks = ["N001", "N002", "N003"]
    nodes = []
    for i in range(n_nodes):
        aid = f"{i:03d}" + text()
        net = rng.choice([*networks, ""])
        nodes.append({
            "id": aid, "label": text() or aid, "account_id": aid, "platform": text(),
            "display_name": text(), "created_at": text()[:10],
            "followers": rng.choice([None, 0, -1, 10 ** 12, i]), "n_posts": i,
            "n_reshares": i // 2, "network": net, "role": text(), "flagged": rng.random() < .5,
            "score": real(), "coordination_score": real(), "inauthenticity_score": real(),
            "signals": text(), "color": PALETTE[networks.index(net)] if net else OUTSIDE,
            "size": real() or 1.0, "x": real() or 0.0, "y": real() or 0.0})
    nodes.sort(key=lambda n: n["id"])
    ids = [n["id"] for n in nodes]
    edges = []
    for _ in range(n_edges):
        edges.append({
            "source": rng.choice(ids), "target": rng.choice(ids), "weight": real(),
            "kind": text(), "n_traces": rng.randint(0, 4), "n_shared_items": rng.randint(0, 99),
            "p_value": real(), "first_ts": text(), "last_ts": text(),
            "example_item_ids": text(), "network": rng.choice([*networks, ""])})
    edges.sort(key=lambda e: (e["source"], e["target"]))
    return networks, nodes, edges


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
    for e in g.edges.to_pylist():
        if (e["source"], e["target"]) in fused:
            f, la = fused[(e["source"], e["target"])]
            assert (e["first_ts"], e["last_ts"]) == (iso_utc(f), iso_utc(la))
            checked += 1
    assert checked > 0
    assert all(n["created_at"] == iso_utc(created.get(n["id"]))[:10] for n in g.nodes.to_pylist())


def test_column_writers_equal_the_per_row_writers_on_a_random_hostile_graph(tmp_path):
    networks, nodes, edges = random_hostile_graph()
    g = AccountGraph(pa.Table.from_pylist(nodes, NODE_SCHEMA),
                     pa.Table.from_pylist(edges, EDGE_SCHEMA), networks)
    paths = [write_gexf(g, tmp_path / "network.gexf", "2020-01-02", 'desc & "quotes" <x>'),
             write_graphml(g, tmp_path / "network.graphml"), *write_gephi_csv(g, tmp_path)]
    for p in paths:
        assert p.read_bytes() == (GOLDEN / "random" / p.name).read_bytes(), p.name


def _hostile_texts(n: int, seed: int) -> list[str | None]:
    rng = random.Random(seed)
    return [None if rng.random() < 0.05 else
            "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 6))) for _ in range(n)]


def test_xml_attr_column_equals_xml_attr_value_by_value():
    texts = _hostile_texts(20_000, 1)
    got = xml_attr_column(pa.array(texts, pa.string())).to_pylist()
    assert got == [None if t is None else xml_attr(t) for t in texts]


def test_a_lone_surrogate_cannot_reach_the_column_writers():
    # Arrow strings are UTF-8: a graph column cannot hold what only the per-value xml_attr
    # has to strip.
    with pytest.raises((pa.ArrowException, UnicodeError)):
        pa.array(["a\ud800b"], pa.string())
    assert xml_attr("a\ud800b") == "ab"


@pytest.mark.parametrize("seed", range(3))
def test_csv_columns_equal_write_csv_row_by_row(tmp_path, seed):
    rng = random.Random(seed)
    n = 5_000
    cols = {"id": _hostile_texts(n, seed), "text": _hostile_texts(n, seed + 10),
            "int": [rng.choice([None, 0, -7, 10 ** 15, rng.randint(-99, 99)]) for _ in range(n)],
            "real": [rng.choice([None, *FLOATS, float("inf"), float("-inf"), -rng.random()])
                     for _ in range(n)],
            "flag": [rng.choice([None, True, False]) for _ in range(n)]}
    header = list(cols)
    rows = list(zip(*cols.values(), strict=True))
    write_csv(tmp_path / "rows.csv", header, rows, ids=("id",))
    assert write_csv_columns(tmp_path / "cols.csv", header, [pa.array(c) for c in cols.values()],
                             ids=("id",)) == n
    assert (tmp_path / "cols.csv").read_bytes() == (tmp_path / "rows.csv").read_bytes()
    for name, col in cols.items():  # one column alone: an empty cell is quoted
        write_csv(tmp_path / "rows.csv", [name], [[v] for v in col], ids=("id",))
        write_csv_columns(tmp_path / "cols.csv", [name], [pa.array(col)], ids=("id",))
        assert (tmp_path / "cols.csv").read_bytes() == (tmp_path / "rows.csv").read_bytes()


def test_float_texts_are_the_repr_of_each_value():
    # Taken once per distinct value: 0.0 and -0.0, and NaN, keep their own text.
    vals = [None, *FLOATS, float("nan"), float("inf"), -0.0, 0.0, *FLOATS] * 3
    col = pa.chunked_array([vals[:7], vals[7:]], pa.float64())
    assert text_column(col).to_pylist() == [None if v is None else repr(v) for v in vals]
