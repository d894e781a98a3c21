"""accounts.csv, networks.csv, edges.csv and findings.json: the contract, hostile cells, exact ids
and byte-identical repeat runs."""

from __future__ import annotations

import csv
import hashlib
import json

from inconcert import __version__, config
from inconcert.ingest import ingest_paths
from inconcert.networks import assign_roles, find_networks, fuse_edges
from inconcert.networks.communities import describe_networks
from inconcert.outputs.accounts import account_rows, write_accounts
from inconcert.outputs.edges import HEADER, edge_rows, write_edges
from inconcert.outputs.findings import write_findings
from inconcert.outputs.networks import network_rows, write_networks
from inconcert.safecsv import write_csv
from inconcert.verdict import judge

from .conftest import FIXTURES
from .test_networks import build_case, clique

BIG_ID = "1196659470232772609123"  # more digits than a float keeps
CAMPAIGN = [BIG_ID, "+hashedid=", "c2", "c3", "c4"]


def _write(tmp_path, name):
    out = tmp_path / name
    out.mkdir()
    cfg = config.load()
    edges = clique(CAMPAIGN, {"co_reshare": (6, 1e-9), "co_text": (3, 1.234567891e-7)})
    sig = [(a, s, 0.9) for a in CAMPAIGN for s in ("batch_creation", "persona_mismatch")]
    accounts = [{"account_id": a, "handle": f"@h{i}" if i else "=cmd|' /C calc'!A0"}
                for i, a in enumerate(CAMPAIGN)]
    with build_case(tmp_path / f"{name}.duckdb", edges, [], sig, accounts) as s:
        ingest_paths(s, [FIXTURES / "io/campaign_users_csv_hashed.csv"])
        fuse_edges(s.con, cfg)
        find_networks(s.con, cfg)
        assign_roles(s.con, cfg)
        describe_networks(s.con, cfg)
        judge(s.con, cfg)
        a, n, e = account_rows(s.con), network_rows(s.con), edge_rows(s.con)
        return [write_accounts(a, out / "accounts.csv"), write_networks(n, out / "networks.csv"),
                write_edges(e, out / "edges.csv"),
                write_findings(s, cfg, a, n, e, out / "findings.json")]


def _csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_accounts_csv_contract_exact_ids_and_neutralised_cells(tmp_path):
    paths = _write(tmp_path, "out")
    rows = _csv(paths[0])
    assert list(rows[0])[:9] == ["account_id", "handle", "network_id", "role",
                                 "coordination_score", "inauthenticity_score", "score",
                                 "flagged", "signals"]
    by_id = {r["account_id"]: r for r in rows}
    assert BIG_ID in by_id  # exact, never through a float
    # A hashed id that begins with '+' joins back to the archive: written exactly.
    assert "+hashedid=" in by_id and "'+hashedid=" not in by_id
    edges = _csv(paths[2])
    assert "+hashedid=" in {e["source"] for e in edges} | {e["target"] for e in edges}
    assert by_id[BIG_ID]["handle"] == "'=cmd|' /C calc'!A0"
    assert by_id[BIG_ID]["flagged"] == "true" and by_id[BIG_ID]["network_id"] == "N001"
    assert by_id["c2"]["signals"].split(";") == ["co_reshare", "co_text", "batch_creation",
                                                 "persona_mismatch"]
    # accounts only in the ingested users file are in the case too, unflagged
    assert by_id["987654321"]["flagged"] == "false" and by_id["987654321"]["network_id"] == ""
    assert {r["flagged"] for r in rows} == {"true", "false"}


def test_networks_and_edges_csv(tmp_path):
    paths = _write(tmp_path, "out")
    nets = _csv(paths[1])
    assert [(n["network_id"], n["size"], n["traces"]) for n in nets] == [
        ("N001", "5", "co_reshare;co_text")]
    assert nets[0]["first_seen"] == "1970-01-01T00:00:01.000Z"
    edges = _csv(paths[2])
    assert len(edges) == 2 * 10
    e = next(x for x in edges if x["trace"] == "co_text")
    assert e["p_value"] == "1.23457e-07" and e["examples"] == "co_text-item"
    assert e["network_id"] == "N001" and e["last_ts"] == "1970-01-01T00:00:02.000Z"


def test_findings_json_holds_parameters_version_inputs_and_evidence(tmp_path):
    paths = _write(tmp_path, "out")
    doc = json.loads(paths[3].read_text(encoding="utf-8"))
    assert doc["inconcert_version"] == __version__
    # Leiden's partition for a seed depends on the igraph/leidenalg release: the versions that
    # made the result are part of it.
    from importlib.metadata import version

    assert doc["libraries"]["leidenalg"] == version("leidenalg")
    assert doc["libraries"]["igraph"] == version("igraph")
    assert set(doc["libraries"]) >= {"duckdb", "numpy", "scipy", "pyarrow"}
    assert doc["parameters"] == config.load().as_dict()
    sha = hashlib.sha256((FIXTURES / "io/campaign_users_csv_hashed.csv").read_bytes()
                         ).hexdigest()
    assert [i["sha256"] for i in doc["inputs"]] == [sha]
    assert doc["inputs_digest"] == hashlib.sha256(sha.encode()).hexdigest()
    assert doc["summary"]["flagged"] == 5 and doc["summary"]["networks"] == 1
    acc = {a["account_id"]: a for a in doc["accounts"]}
    assert acc[BIG_ID]["evidence"][0] == {"signal": "batch_creation", "strength": 0.9,
                                          "disarm": ["T0150.008"], "evidence": {"why": 1}}
    assert len(doc["edges"]) == 20 and doc["networks"][0]["network_id"] == "N001"


def test_same_input_and_parameters_give_identical_bytes(tmp_path):
    first = [p.read_bytes() for p in _write(tmp_path, "one")]
    second = [p.read_bytes() for p in _write(tmp_path, "two")]
    assert first == second


def test_id_columns_stay_exact_only_when_they_cannot_run(tmp_path):
    path = tmp_path / "ids.csv"
    rows = [["+abc/def==", "+abc/def=="], ["=cmd|' /C calc'!A0", "=cmd|' /C calc'!A0"],
            ["=A1", "-12"], ["@handle", "@handle"]]
    write_csv(path, ("account_id", "text"), rows, ids=("account_id",))
    got = [(r["account_id"], r["text"]) for r in _csv(path)]
    assert got == [("+abc/def==", "'+abc/def=="),
                   ("'=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
                   ("'=A1", "-12"), ("'@handle", "'@handle")]


def _edge_row(rng, i):
    texts = ["+hashed=", "=cmd|' /C calc'!A0", "-1", " =x", "a,b", 'q"uote', "line\nfeed",
             "cr\rx", "", "＝fullwidth", "@handle", "12345678901234567890", "ok"]
    return {"source": rng.choice(texts) + str(i), "target": rng.choice(texts),
            "trace": rng.choice(["co_reshare", "co_text", "-trace"]),
            "weight": rng.choice([0.5, 1.0, 1e-07, 0.123457, 2.0]),
            "count": rng.choice([1, 2, 10 ** 12]),
            "p_value": rng.choice([None, 1.23457e-300, 0.05, 1.0]),
            "first_ts": rng.choice([None, "2020-01-01T00:00:00.000Z"]),
            "last_ts": "2020-01-02T00:00:00.000Z",
            "examples": rng.sample(texts, rng.randint(0, 3)),
            "significant": rng.choice([True, False]),
            "network_id": rng.choice([None, "N001", "=N2"])}


def test_edges_csv_is_written_as_write_csv_writes_its_rows(tmp_path):
    import random
    rng = random.Random(7)
    ids = ("source", "target", "network_id")
    for n, rows in [(0, []), (1, [_edge_row(rng, 0) | {"network_id": None}]),
                    (3000, [_edge_row(rng, i) for i in range(3000)])]:
        write_edges(rows, tmp_path / "edges.csv")
        write_csv(tmp_path / "ref.csv", HEADER,
                  ([";".join(r[h]) if h == "examples" else r[h] for h in HEADER] for r in rows),
                  ids=ids)
        got = (tmp_path / "edges.csv").read_bytes()
        assert got == (tmp_path / "ref.csv").read_bytes(), n
        assert len(_csv(tmp_path / "edges.csv")) == n
