"""Exports: networkx reads the GEXF and GraphML back with labels and weights, the GEXF follows
the 1.3 structure and namespaces, Gephi CSVs are spreadsheet-safe with exact ids, Parquet keeps
string ids and typed UTC times with run metadata, the STIX bundle validates, and indicators are
defanged. Uses the poisoned simulated case of test_report.py."""

from __future__ import annotations

import csv
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from stix2validator import ValidationOptions, validate_file

from inconcert.exports.defang import defang
from inconcert.exports.xmltext import xml_attr
from inconcert.store import Store

from .test_report import EVIL_TAG, JS_URL, PAYLOADS, hostile_case

GEXF = "{http://gexf.net/1.3}"
VIZ = "{http://gexf.net/1.3/viz}"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
GEXF_TYPES = {"integer", "long", "double", "float", "boolean", "string", "liststring"}


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hostile_case(tmp_path_factory)


def _fused(out: Path) -> tuple[dict[tuple[str, str], float], dict[str, str]]:
    with Store(out / "case.duckdb", read_only=True) as s:
        w = {(a, b): x for a, b, x in s.execute("SELECT source, target, weight FROM fused_edges")}
        handles = dict(s.execute("SELECT account_id, min(handle) FROM accounts GROUP BY 1"))
    return w, handles


def _clean(text: str) -> str:
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f]", "", text)


def test_networkx_reads_gexf_with_labels_and_weights(out):
    weights, handles = _fused(out)
    g = nx.read_gexf(out / "exports" / "network.gexf")
    assert weights
    for (a, b), w in weights.items():
        assert g[a][b]["weight"] == pytest.approx(w, rel=1e-5)
    # Edges beyond the fused graph only link amplifiers to seeders of their own network.
    extra = [d for a, b, d in g.edges(data=True) if (min(a, b), max(a, b)) not in weights]
    assert all(d["kind"] == "amplification" and d["network"] for d in extra)
    for node, d in g.nodes(data=True):
        assert d["label"] == _clean(handles.get(node) or node)
        assert isinstance(d["account_id"], str) and d["account_id"] == node
        assert isinstance(d["flagged"], bool)
    assert any(PAYLOADS[1] in d["label"] for _, d in g.nodes(data=True))


def test_networkx_reads_graphml_with_labels_and_weights(out):
    weights, handles = _fused(out)
    g = nx.read_graphml(out / "exports" / "network.graphml")
    for (a, b), w in weights.items():
        assert g[a][b]["weight"] == pytest.approx(w, rel=1e-5)
    for node, d in g.nodes(data=True):
        assert d["label"] == _clean(handles.get(node) or node)
        assert d["account_id"] == node


def test_gexf_structure_and_namespaces(out):
    text = (out / "exports" / "network.gexf").read_text(encoding="utf-8")
    assert f'xmlns:xsi="{XSI}"' in text
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == GEXF + "gexf" and root.get("version") == "1.3"
    assert root.get(f"{{{XSI}}}schemaLocation") == "http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd"
    meta = root.find(GEXF + "meta")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", meta.get("lastmodifieddate"))
    graph = root.find(GEXF + "graph")
    assert [c.tag for c in graph] == [GEXF + "attributes", GEXF + "attributes", GEXF + "nodes",
                                      GEXF + "edges"]
    declared = {}
    for attrs in graph.findall(GEXF + "attributes"):
        ids = {a.get("id"): a.get("type") for a in attrs}
        assert set(ids.values()) <= GEXF_TYPES
        declared[attrs.get("class")] = ids
    nodes = {n.get("id") for n in graph.iter(GEXF + "node")}
    for n in graph.iter(GEXF + "node"):
        assert n.get("label")
        assert n.find(VIZ + "color") is not None and n.find(VIZ + "position") is not None
        float(n.find(VIZ + "size").get("value"))
        for av in n.iter(GEXF + "attvalue"):
            assert av.get("for") in declared["node"]
    for e in graph.iter(GEXF + "edge"):
        assert e.get("source") in nodes and e.get("target") in nodes
        float(e.get("weight"))
        for av in e.iter(GEXF + "attvalue"):
            assert av.get("for") in declared["edge"]


def test_xml_attr_drops_characters_xml_cannot_hold():
    assert xml_attr('a\x00b\x1f<"&\n') == "ab&lt;&quot;&amp;&#10;"
    ET.fromstring(f'<x a="{xml_attr(chr(0xFFFE) + "ok" + chr(0xD800))}"/>')


def _csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_gephi_csv_headers_safe_cells_and_exact_ids(out):
    nodes = _csv(out / "exports" / "network_nodes.csv")
    edges = _csv(out / "exports" / "network_edges.csv")
    assert list(nodes[0])[:2] == ["Id", "Label"]
    assert list(edges[0])[:6] == ["Source", "Target", "Type", "Id", "Label", "Weight"]
    weights, _ = _fused(out)
    assert {(e["Source"], e["Target"]) for e in edges} >= set(weights)
    assert {e["Type"] for e in edges} == {"Undirected"}
    for row in nodes + edges:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
    assert any(r["display_name"].startswith("'=HYPERLINK") for r in nodes)


def test_parquet_keeps_string_ids_typed_times_and_metadata(out):
    pq_dir = out / "exports" / "parquet"
    acc = pq.read_table(pq_dir / "accounts.parquet")
    assert acc.schema.field("account_id").type == pa.string()
    assert acc.schema.field("created_ts").type == pa.timestamp("us", tz="UTC")
    with Store(out / "case.duckdb", read_only=True) as s:
        ids = sorted(r[0] for r in s.execute("SELECT account_id FROM accounts"))
        n_posts = s.count("posts")
    assert sorted(acc.column("account_id").to_pylist()) == ids
    assert pq.read_metadata(pq_dir / "posts.parquet").num_rows == n_posts
    meta = pq.read_schema(pq_dir / "verdicts.parquet").metadata
    assert meta[b"inconcert_version"]
    assert "report" in json.loads(meta[b"parameters"])
    paths = pq.read_table(pq_dir / "datasets.parquet").column("path").to_pylist()
    assert paths and all("/" not in p for p in paths)


def test_stix_bundle_validates(out):
    path = out / "exports" / "stix_bundle.json"
    result = validate_file(str(path), ValidationOptions(version="2.1"))
    assert result.is_valid, [str(e) for o in result.object_results for e in o.errors]
    bundle = json.loads(path.read_text(encoding="utf-8"))
    kinds = {o["type"] for o in bundle["objects"]}
    assert {"identity", "user-account", "indicator", "attack-pattern", "relationship",
            "campaign", "report"} <= kinds
    with Store(out / "case.duckdb", read_only=True) as s:
        n_flagged = s.execute("SELECT count(*) FROM verdicts WHERE flagged")[0][0]
    accounts = [o for o in bundle["objects"] if o["type"] == "user-account"]
    assert len(accounts) == n_flagged
    patterns = [o for o in bundle["objects"] if o["type"] == "attack-pattern"]
    assert all(re.fullmatch(r"T\d{4}(\.\d{3})?",
                            p["external_references"][0]["external_id"]) for p in patterns)


def test_indicators_csv_layout_defanged_and_safe(out):
    path = out / "exports" / "indicators.csv"
    with open(path, encoding="utf-8") as f:
        assert f.readline().strip() == "Tactic,Technique,Procedure,Indicator"
    rows = _csv(path)
    assert rows
    text = path.read_text(encoding="utf-8")
    assert "http://" not in text and "https://" not in text and JS_URL not in text
    assert all(re.match(r"T\d{4}", r["Technique"]) for r in rows)
    for r in rows:
        assert not r["Indicator"].startswith(("=", "+", "@", "-")), r
    # The campaign's own domain is an indicator, defanged.
    domains = [r["Indicator"] for r in rows if "co-shared domain" in r["Procedure"]]
    assert domains and all("[.]" in d and "." not in d.replace("[.]", "") for d in domains)
    # The planted hostile hashtag is used by flagged accounts only: an indicator, kept as text.
    tags = [r["Indicator"] for r in rows if "co-shared hashtag" in r["Procedure"]]
    assert "#" + EVIL_TAG.lower() in tags or EVIL_TAG.lower() in tags


@pytest.mark.parametrize(("raw", "want"), [
    ("https://www.example.com/a.b?x=1", "hxxps://www[.]example[.]com/a.b?x=1"),
    ("http://evil.example", "hxxp://evil[.]example"),
    ("example.co.uk/path", "example[.]co[.]uk/path"),
    ("HTTPS://A.B", "hxxps://A[.]B"),
    ("ftp://files.example.org/x", "fxp://files[.]example[.]org/x"),
])
def test_defang(raw, want):
    assert defang(raw) == want


def test_disclosure_round_trips_through_ingest_with_small_accounts_hashed(out, tmp_path):
    from typer.testing import CliRunner

    from inconcert.cli import app
    from inconcert.exports.disclosure import MIN_PUBLIC_FOLLOWERS, pseudonym
    from inconcert.safecsv import safe_cell

    disc = tmp_path / "disclosure"
    res = CliRunner().invoke(app, ["export", str(out), "--disclosure", str(disc),
                                   "--salt", "test-salt"])
    assert res.exit_code == 0, res.output
    users, tweets = sorted(disc.iterdir())[1], sorted(disc.iterdir())[0]
    with Store(out / "case.duckdb", read_only=True) as s:
        flagged = dict(s.execute("""SELECT v.account_id, max(a.followers) FROM verdicts v
            JOIN accounts a USING (account_id) WHERE v.flagged GROUP BY 1"""))
        posts = {r[0]: r[1:] for r in s.execute(
            "SELECT post_id, author_id, text, created_ms // 60000, kind, ref_post_id FROM posts "
            "WHERE author_id IN (SELECT account_id FROM verdicts WHERE flagged)")}
    assert flagged and posts
    shown = {a: (a if (f or 0) >= MIN_PUBLIC_FOLLOWERS else pseudonym("test-salt", a))
             for a, f in flagged.items()}
    back = tmp_path / "back.duckdb"
    res = CliRunner().invoke(app, ["ingest", str(users), str(tweets), "--db", str(back)])
    assert res.exit_code == 0, res.output
    with Store(back, read_only=True) as s:
        accounts = dict(s.execute("SELECT account_id, any_value(handle) FROM accounts "
                                  "GROUP BY 1"))
        got = {r[0]: r[1:] for r in s.execute(
            "SELECT post_id, author_id, text, created_ms // 60000, kind, ref_post_id FROM posts")}
    assert set(accounts) == set(shown.values())
    # Hashed accounts keep no name: not the original handle, not the hash either.
    assert all(accounts[shown[a]] is None for a in shown if shown[a] != a)
    assert set(got) == set(posts)
    for pid, (author, text, minute, kind, ref) in posts.items():
        # the formula guard's apostrophe is the one change a text may carry
        assert got[pid] == (shown[author], safe_cell(text), minute, kind, ref), pid
    # Same salt, same bytes; another salt, other hashes.
    again = tmp_path / "again"
    CliRunner().invoke(app, ["export", str(out), "--disclosure", str(again), "--salt",
                             "test-salt"])
    assert (again / tweets.name).read_bytes() == tweets.read_bytes()
    assert pseudonym("other", next(iter(flagged))) not in tweets.read_text(encoding="utf-8")
