"""Rows whose two ends belong to one group: the join every stage needs for "edges inside a
network" (or a community, or a coordinated group), written once so that it cannot blow up.

Written as two joins, ``edges ⋈ members ON source`` and ``⋈ members ON target AND same group``,
DuckDB's join-order optimizer may first join the two copies of the members on the group alone:
the pairs of members of every group, 521 million rows for one network of 22,827 accounts. It
did, depending on its row estimates: `find_networks` spent 118 s, the group test's `_store`
759 of 1,005 profiled seconds and the verdict 107 s in that product on the 10^6 big-network
case (docs/benchmarks.md), where the same rows take a tenth of a second joined end by end.
A materialised CTE is a fence the optimizer does not reorder across (DuckDB's documented
`AS MATERIALIZED`): the first end's group is attached to every edge, then the second end is
matched on its account and that group.
"""

from __future__ import annotations


def same_group(edges: str, members: str, a: str, b: str, *, key: str = "account_id",
               group: str = "network_id", on_a: str = "", members_b: str | None = None,
               key_b: str | None = None) -> str:
    """A parenthesised subquery: every row of `edges` (a table name or a parenthesised query)
    whose end `a` is a member of some group in `members` and whose end `b` is a member of the
    same group in `members_b` (default `members`), with all of the edge's columns and the group
    as column `_group`. An edge is repeated once per group the two ends share, as the two plain
    joins would repeat it.

    `key` is the members' account column (`key_b` the second members' one) and `group` their
    group column. `on_a` adds conditions to the first end's join, written over the aliases `_e`
    (the edge) and `_m` (the member), e.g. ``"_m.part = _e.part"``.
    """
    second = members if members_b is None else members_b
    extra = f" AND ({on_a})" if on_a else ""
    return f"""(
        WITH _sg_first AS MATERIALIZED (
            SELECT _e.*, _m.{group} AS _group FROM {edges} _e
            JOIN {members} _m ON _m.{key} = _e.{a}{extra})
        SELECT _x.* FROM _sg_first _x
        JOIN {second} _o ON _o.{key_b or key} = _x.{b} AND _o.{group} = _x._group)"""
