"""Roles: seeder, amplifier or hybrid, and the seeders that co-action alone never sees.

A seeder's posts are what a network amplifies. Co-reshare links the accounts that reshare the same
posts, so the author of those posts has no co-action edge of her own: she would be missed. Here
every account whose posts are reshared by at least `roles.min_amplifiers` distinct members of one
network, with at least `roles.min_network_share` of all the reshares it receives coming from
network members, joins that network as a seeder (`joined_by = 'amplified'`). The share guard keeps
a popular organic account, reshared by thousands and by a few network members among them, out.

Symmetrically, an account outside every network that reshares the posts of at least
`roles.amplifier_min_seeders` members of one network (seeders included), at least
`roles.amplifier_min_reshares` times, with at least `min_network_share` of all its reshares going
to network members, joins that network as an amplifier (`joined_by = 'amplifying'`): its
co-reshare edges may each be too thin to be significant, but what it reshares is the networks'
output. Either way the account joins the network it exchanges most reshares with.

Within a network (reshares counted between members only):
- seeder: reshared by at least `min_amplifiers` members, or the first poster of at least
  `min_first_posts` items that members copied (identical or near-identical text), and reshares
  no member's posts;
- hybrid: a seeder that also reshares members' posts;
- amplifier: every other member — it reshares, likes or copies what the network spreads (that is
  what put it in the network).
"""

from __future__ import annotations

import dataclasses

import duckdb

from .. import config
from ..config import Config
from ..samegroup import same_group


@config.section("roles")
@dataclasses.dataclass
class RolesParams:
    """Seeder expansion and role labels."""

    min_amplifiers: int = config.param(
        2, "distinct network members who must reshare an account's posts for it to count as a "
           "seeder of that network (and to join it when outside every network)")
    min_network_share: float = config.param(
        0.5, "share of all the reshares an outside account receives (or makes) that must come "
             "from (or go to) network members for it to join a network as seeder (amplifier)")
    seeder_attach_scale: float = config.param(
        2.0, "distinct amplifying members at which a seeder's attachment reaches 63%")
    amplifier_min_seeders: int = config.param(
        2, "distinct network members an outside account must reshare to join as an amplifier")
    amplifier_min_reshares: int = config.param(
        3, "reshares of network members' posts an outside account must make to join as an "
           "amplifier")
    amplifier_attach_scale: float = config.param(
        5.0, "reshares of other members' posts at which a member's attachment reaches 63%")
    copy_traces: list = config.param(
        ["co_text", "near_text", "semantic_copy"],
        "traces whose items are named by their earliest post: the author of such an item, copied "
        "inside the network, posted first")
    min_first_posts: int = config.param(
        2, "copied items a member must have posted first to count as a seeder")


def _join(con: duckdb.DuckDBPyConnection, outsider: str, member: str, min_members: int,
          min_reshares: int, min_share: float, joined_by: str) -> int:
    """Add accounts outside every network that networks' members reshare (outsider =
    'seeder') or that reshare networks' members (outsider = 'amplifier'), each to the one
    network it exchanges most reshares with, when that exchange involves at least `min_members`
    distinct members and `min_reshares` reshares, and reshares with members of any network are
    at least `min_share` of all the outsider's reshares (received or made). A campaign split into
    several networks shares its seeders, so the share counts every network."""
    before = con.execute("SELECT count(*) FROM memberships").fetchall()[0][0]
    con.execute(f"""
        INSERT INTO memberships
        WITH outside AS (
            SELECT a.{outsider} AS account_id, m.network_id,
                   count(DISTINCT a.{member}) AS members, sum(a.n_reshares) AS with_net
            FROM amplification a JOIN memberships m ON m.account_id = a.{member}
            WHERE a.seeder <> a.amplifier
              AND a.{outsider} NOT IN (SELECT account_id FROM memberships)
            GROUP BY a.{outsider}, m.network_id
        ),
        total AS (
            SELECT {outsider} AS account_id, sum(n_reshares) AS n FROM amplification
            WHERE seeder <> amplifier GROUP BY {outsider}
        ),
        ranked AS (
            SELECT o.*, t.n, sum(o.with_net) OVER (PARTITION BY o.account_id) AS with_nets,
                   row_number() OVER (PARTITION BY o.account_id
                                      ORDER BY o.with_net DESC, o.members DESC,
                                               o.network_id) AS r
            FROM outside o JOIN total t USING (account_id)
        )
        SELECT account_id, network_id, '{joined_by}', 0.0, 0.0, NULL, 0, 0, 0, 0, 0
        FROM ranked
        WHERE r = 1 AND members >= ? AND with_net >= ? AND with_nets >= ? * n
        ORDER BY account_id
    """, [min_members, min_reshares, min_share]).fetchall()
    return con.execute("SELECT count(*) FROM memberships").fetchall()[0][0] - before


def _count_first_posts(con: duckdb.DuckDBPyConnection, p: RolesParams) -> None:
    """`first_posts`: copied items (examples of copy-trace evidence between two members of one
    network) that the member posted first."""
    if not p.copy_traces:
        return
    marks = ", ".join("?" for _ in p.copy_traces)
    con.execute(f"""
        UPDATE memberships SET first_posts = f.n
        FROM (
            WITH items AS (
                SELECT DISTINCT t._group AS network_id, x.item
                FROM {same_group(f"(SELECT source, target, examples FROM fused_evidence "
                                 f"WHERE trace IN ({marks}))", "memberships", "source", "target")
                      } t,
                     unnest(json_extract_string(t.examples, '$[*]')) AS x(item)
            )
            SELECT m.account_id, count(DISTINCT i.item) AS n
            FROM items i JOIN posts po ON po.post_id = i.item
            JOIN memberships m ON m.account_id = po.author_id AND m.network_id = i.network_id
            GROUP BY m.account_id
        ) f
        WHERE memberships.account_id = f.account_id
    """, list(p.copy_traces)).fetchall()


def assign_roles(con: duckdb.DuckDBPyConnection, cfg: Config) -> dict[str, int]:
    """Add amplified seeders to `memberships` and label every member's role.

    Fills `reshares_received` / `amplifiers` (reshares of the member's posts by other members,
    and how many members made them), `reshares_made` / `fast_made` (the member's reshares of
    other members' posts), `role`, and raises `attachment` to reflect how many members amplify a
    seeder and how much a member reshares the others. Returns counts:
    `{"joined": n, "seeder": n, "amplifier": n, "hybrid": n}`.
    """
    p: RolesParams = cfg.section("roles")
    has_amp = bool(con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'amplification'"
    ).fetchall()[0][0])
    joined = 0
    if has_amp:
        # Seeders first: an outside account resharing a joined seeder is amplifying the network.
        joined += _join(con, "seeder", "amplifier", p.min_amplifiers, p.min_amplifiers,
                        p.min_network_share, "amplified")
        joined += _join(con, "amplifier", "seeder", p.amplifier_min_seeders,
                        p.amplifier_min_reshares, p.min_network_share, "amplifying")
    if has_amp:
        inside = same_group("(SELECT * FROM amplification WHERE amplifier <> seeder)",
                            "memberships", "seeder", "amplifier")
        con.execute(f"""
            UPDATE memberships SET reshares_received = r.n, amplifiers = r.k
            FROM (SELECT seeder AS account_id, sum(n_reshares) AS n,
                         count(DISTINCT amplifier) AS k
                  FROM {inside} GROUP BY seeder) r
            WHERE memberships.account_id = r.account_id
        """).fetchall()
        con.execute(f"""
            UPDATE memberships SET reshares_made = r.n, fast_made = r.f
            FROM (SELECT amplifier AS account_id, sum(n_reshares) AS n, sum(n_fast) AS f
                  FROM {inside} GROUP BY amplifier) r
            WHERE memberships.account_id = r.account_id
        """).fetchall()
    _count_first_posts(con, p)
    con.execute("""
        UPDATE memberships SET role = CASE
            WHEN (amplifiers >= $1 OR first_posts >= $2) AND reshares_made > 0 THEN 'hybrid'
            WHEN amplifiers >= $1 OR first_posts >= $2 THEN 'seeder'
            ELSE 'amplifier' END
    """, [p.min_amplifiers, p.min_first_posts]).fetchall()
    con.execute("""
        UPDATE memberships SET attachment = greatest(attachment, 1 - exp(-amplifiers / ?))
        WHERE role IN ('seeder', 'hybrid')
    """, [p.seeder_attach_scale]).fetchall()
    con.execute("""
        UPDATE memberships SET attachment = greatest(attachment, 1 - exp(-reshares_made / ?))
    """, [p.amplifier_attach_scale]).fetchall()
    counts = dict(con.execute(
        "SELECT role, count(*) FROM memberships GROUP BY role ORDER BY role").fetchall())
    return {"joined": joined, **{r: int(counts.get(r, 0)) for r in ("seeder", "amplifier",
                                                                      "hybrid")}}
