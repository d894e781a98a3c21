"""Edges inside one group (`inconcert.samegroup`): the rows every stage's "inside a network"
join must give, and a plan that never pairs up a group's members on the group alone."""

import json

import duckdb
import pyarrow as pa

from inconcert.samegroup import same_group


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(f"SELECT * FROM {sql} ORDER BY ALL").fetchall()


def test_only_edges_whose_two_ends_share_a_group_once_per_shared_group():
    con = duckdb.connect()
    con.execute("""CREATE TABLE m AS SELECT * FROM (VALUES
        ('a', 'N1'), ('b', 'N1'), ('c', 'N2'), ('d', NULL), ('e', NULL),
        ('x', 'G1'), ('x', 'G2'), ('y', 'G1'), ('y', 'G2')) t(account_id, network_id)""")
    con.execute("""CREATE TABLE e AS SELECT * FROM (VALUES
        ('a', 'b', 1), ('b', 'a', 2), ('a', 'c', 3), ('d', 'e', 4), ('a', 'z', 5),
        ('x', 'y', 6)) t(source, target, w)""")
    assert _rows(con, same_group("e", "m", "source", "target")) == [
        ("a", "b", 1, "N1"), ("b", "a", 2, "N1"), ("x", "y", 6, "G1"), ("x", "y", 6, "G2")]


def test_a_condition_on_the_first_end_and_other_members_for_the_second():
    con = duckdb.connect()
    con.execute("""CREATE TABLE gm AS SELECT * FROM (VALUES
        (1, 0, 10, true), (1, 0, 11, false), (1, 0, 12, true), (2, 1, 10, true),
        (2, 1, 11, true)) t(group_id, part, aid, core)""")
    con.execute("""CREATE TABLE pr AS SELECT * FROM (VALUES
        (0, 11, 12), (0, 11, 10), (1, 11, 10), (1, 12, 10)) t(part, u, v)""")
    got = _rows(con, same_group("pr", "gm", "u", "v", key="aid", group="group_id",
                                on_a="_m.part = _e.part",
                                members_b="(SELECT * FROM gm WHERE core)"))
    # 11 is not core in group 1, but only the second end must be; 12 is in no group of part 1.
    assert got == [(0, 11, 10, 1), (0, 11, 12, 1), (1, 11, 10, 2)]


def _join_conditions(node: dict, out: list) -> list:
    conditions = node.get("extra_info", {}).get("Conditions")
    if conditions is not None:
        out.append(conditions if isinstance(conditions, list) else [conditions])
    for child in node.get("children", []):
        _join_conditions(child, out)
    return out


def test_no_join_pairs_members_on_their_group_alone():
    # Members without statistics (an Arrow table, as find_networks registers) and one group of
    # half the accounts: joined end by end as two plain joins, DuckDB 2.0 first joins the two
    # copies of the members on the group, 10,000² rows before any edge is read.
    con = duckdb.connect()
    n = 20_000
    con.register("members", pa.table({
        "account_id": [f"a{i}" for i in range(n)],
        "network_id": ["N1" if i < n // 2 else f"N{i}" for i in range(n)]}))
    con.execute("CREATE TABLE edges AS SELECT 'a' || (i % 20000) AS source, "
                "'a' || ((i * 7) % 20000) AS target FROM range(200000) t(i)")
    sql = f"SELECT source FROM {same_group('edges', 'members', 'source', 'target')}"
    plan = json.loads(con.execute(f"EXPLAIN (FORMAT json) {sql}").fetchall()[0][1])
    joins = [c for root in plan for c in _join_conditions(root, [])]
    assert joins, "the plan has joins"
    for conditions in joins:
        assert any("account_id" in c for c in conditions), conditions
    ends = [(i % n, (i * 7) % n) for i in range(200_000)]
    inside = sum(1 for s, t in ends if (s < n // 2 and t < n // 2) or s == t)
    assert con.execute(f"SELECT count(*) FROM ({sql})").fetchall() == [(inside,)]
