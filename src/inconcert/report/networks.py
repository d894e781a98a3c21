"""Per-network data for the report: activity, schedule, creation dates, reshare latency,
client apps, representative posts and co-shared items, as plain lists and dicts.

All times are UTC. Queries take the members from `memberships`; each function is a pure function
of the case database and answers for every network at once (`{network_id: ...}`, a network
without data gets the empty value), in a few queries whatever the number of networks.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import duckdb
import pyarrow as pa

from ..timeutil import iso_utc
from .charts import LATENCY_EDGES_S

DAY_MS = 86_400_000
# (network, member) pairs; a member of two networks counts for both.
_MEMBERS = "(SELECT DISTINCT network_id, account_id FROM memberships)"


def bucket_ms(span_ms: int, max_bins: int = 120) -> int:
    """A bin width (hour, day, week or 30 days) that keeps a span within `max_bins` bins."""
    for width in (3_600_000, DAY_MS, 7 * DAY_MS, 30 * DAY_MS):
        if span_ms // width < max_bins:
            return width
    return max(30 * DAY_MS, span_ms // max_bins + 1)


def _networks(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("SELECT network_id FROM networks ORDER BY 1").fetchall()]


def _with(con: duckdb.DuckDBPyConnection, name: str, columns: dict[str, list], sql: str,
          params: list | None = None) -> list[tuple]:
    """Run `sql` with a per-network table `name` (from `columns`) registered beside it."""
    con.register(name, pa.table(columns))
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.unregister(name)


def timelines(con: duckdb.DuckDBPyConnection, margin_days: int = 7) -> dict[str, dict[str, Any]]:
    """Per network: posts of the members per time bin over the network's active period (its
    first to last co-action, with `margin_days` either side), split into originals and
    reshares, replies and quotes; `outside` counts the members' posts before or after that
    period."""
    span = {nid: (first, last, lo, hi, n) for nid, first, last, lo, hi, n in con.execute(f"""
        SELECT n.network_id, n.first_ms, n.last_ms, min(p.created_ms), max(p.created_ms),
               count(*)
        FROM networks n JOIN {_MEMBERS} m USING (network_id)
        JOIN posts p ON p.author_id = m.account_id GROUP BY ALL""").fetchall()}
    out: dict[str, dict[str, Any]] = {nid: {"bins": [], "width_ms": 0, "outside": 0}
                                      for nid in _networks(con)}
    if not span:
        return out
    bounds: dict[str, tuple[int, int]] = {}
    for nid, (first, last, lo, hi, _) in span.items():
        bounds[nid] = (lo if first is None else max(lo, first - margin_days * DAY_MS),
                       hi if last is None else min(hi, last + margin_days * DAY_MS))
    sql = f"""
        SELECT b.nid, count(*) FROM _bounds b JOIN {_MEMBERS} m ON m.network_id = b.nid
        JOIN posts p ON p.author_id = m.account_id
        WHERE p.created_ms BETWEEN b.lo AND b.hi GROUP BY 1"""
    ids = sorted(bounds)
    inside = dict(_with(con, "_bounds", {"nid": ids, "lo": [bounds[n][0] for n in ids],
                                         "hi": [bounds[n][1] for n in ids]}, sql))
    for nid in ids:
        if not inside.get(nid):  # nothing in the active period: the whole activity instead
            bounds[nid] = span[nid][2:4]
            inside[nid] = span[nid][4]
    width = {nid: bucket_ms(hi - lo) for nid, (lo, hi) in bounds.items()}
    start = {nid: lo - lo % width[nid] for nid, (lo, _) in bounds.items()}
    counts: dict[str, dict[int, tuple[int, int]]] = defaultdict(dict)
    for nid, k, orig, other in _with(con, "_bounds", {
            "nid": ids, "lo": [bounds[n][0] for n in ids], "hi": [bounds[n][1] for n in ids],
            "start": [start[n] for n in ids], "width": [width[n] for n in ids]}, f"""
            SELECT b.nid, (p.created_ms - b.start) // b.width,
                   count(*) FILTER (WHERE p.kind = 'original'),
                   count(*) FILTER (WHERE p.kind IS DISTINCT FROM 'original')
            FROM _bounds b JOIN {_MEMBERS} m ON m.network_id = b.nid
            JOIN posts p ON p.author_id = m.account_id
            WHERE p.created_ms BETWEEN b.lo AND b.hi GROUP BY ALL"""):
        counts[nid][k] = (orig, other)
    for nid in ids:
        lo, hi = bounds[nid]
        w, s = width[nid], start[nid]
        c = counts[nid]
        out[nid] = {"width_ms": w, "outside": span[nid][4] - inside[nid],
                    "bins": [{"start": iso_utc(s + i * w), "original": c.get(i, (0, 0))[0],
                              "other": c.get(i, (0, 0))[1]} for i in range((hi - s) // w + 1)]}
    return out


def hours_of_week(con: duckdb.DuckDBPyConnection) -> dict[str, list[list[int]]]:
    """Per network: 7×24 post counts of the members (rows Monday..Sunday, columns hours,
    UTC)."""
    out = {nid: [[0] * 24 for _ in range(7)] for nid in _networks(con)}
    for nid, dow, hour, n in con.execute(f"""
            SELECT m.network_id, isodow(epoch_ms(p.created_ms)), hour(epoch_ms(p.created_ms)),
                   count(*)
            FROM {_MEMBERS} m JOIN posts p ON p.author_id = m.account_id
            GROUP BY ALL""").fetchall():
        if nid in out:
            out[nid][dow - 1][hour] = n
    return out


def creation_dates(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    """Per network: histogram of the members' account creation dates, and how many have
    none."""
    size = dict(con.execute("SELECT network_id, count(*) FROM memberships GROUP BY 1"
                            ).fetchall())
    created = f"""
        SELECT m.network_id AS nid, a.account_id, min(a.created_ms) AS ms
        FROM {_MEMBERS} m JOIN accounts a ON a.account_id = m.account_id
        WHERE a.created_ms IS NOT NULL GROUP BY ALL"""
    span = {nid: (lo, hi, n) for nid, lo, hi, n in con.execute(
        f"SELECT nid, min(ms), max(ms), count(*) FROM ({created}) GROUP BY 1").fetchall()}
    out = {nid: {"bins": [], "width_ms": 0, "unknown": size.get(nid, 0), "peak": None}
           for nid in _networks(con)}
    ids = sorted(span)
    width = {nid: bucket_ms(span[nid][1] - span[nid][0], max_bins=60) for nid in ids}
    start = {nid: span[nid][0] - span[nid][0] % width[nid] for nid in ids}
    counts: dict[str, dict[int, int]] = defaultdict(dict)
    if ids:
        for nid, k, n in _with(con, "_bins", {"nid": ids, "start": [start[n] for n in ids],
                                              "width": [width[n] for n in ids]}, f"""
                SELECT c.nid, (c.ms - b.start) // b.width, count(*)
                FROM ({created}) c JOIN _bins b ON b.nid = c.nid GROUP BY ALL"""):
            counts[nid][k] = n
    for nid in ids:
        w, s, c = width[nid], start[nid], counts[nid]
        peak = max(c.items(), key=lambda kv: (kv[1], -kv[0]))
        out[nid] = {"width_ms": w, "unknown": size.get(nid, 0) - span[nid][2],
                    "bins": [{"start": iso_utc(s + i * w), "count": c.get(i, 0)}
                             for i in range((span[nid][1] - s) // w + 1)],
                    "peak": {"start": iso_utc(s + peak[0] * w), "count": peak[1]}}
    return out


def reshare_latencies(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any] | None]:
    """Per network: counts of the members' reshares per latency bin (seconds after the
    original), or None when the case (or the network) has no reshare latencies."""
    out: dict[str, dict[str, Any] | None] = {nid: None for nid in _networks(con)}
    exists = con.execute("SELECT count(*) FROM information_schema.tables "
                         "WHERE table_name = 'reshares'").fetchall()[0][0]
    if not exists:
        return out
    # A latency's bin is the number of bin edges (after the first) it reaches.
    bin_sql = " + ".join(f"(l.latency_ms >= {e * 1000})::INT" for e in LATENCY_EDGES_S[1:])
    rows = con.execute(f"""
        WITH l AS (
            SELECT m.network_id, r.latency_ms,
                   row_number() OVER (PARTITION BY m.network_id ORDER BY r.latency_ms) - 1
                       AS i,
                   count(*) OVER (PARTITION BY m.network_id) AS n
            FROM {_MEMBERS} m JOIN reshares r ON r.amplifier = m.account_id
            WHERE r.latency_ms IS NOT NULL AND r.latency_ms >= 0),
        bins AS (SELECT network_id, b, count(*) AS c
                 FROM (SELECT l.network_id, {bin_sql} AS b FROM l) GROUP BY ALL),
        tot AS (SELECT network_id, count(*) AS n,
                       count(*) FILTER (WHERE latency_ms < 60000) AS w60,
                       max(latency_ms) FILTER (WHERE i = n // 2) AS med
                FROM l GROUP BY 1)
        SELECT t.network_id, list(b.b ORDER BY b.b), list(b.c ORDER BY b.b), t.n, t.med, t.w60
        FROM tot t JOIN bins b USING (network_id)
        GROUP BY t.network_id, t.n, t.med, t.w60""").fetchall()
    for nid, bins, cs, n, med, w60 in rows:
        if nid not in out:
            continue
        counts = [0] * len(LATENCY_EDGES_S)
        for b, c in zip(bins, cs, strict=True):
            counts[b] = c
        out[nid] = {"counts": counts, "n": n, "median_s": round(med / 1000, 1),
                    "within_60s": int(w60)}
    return out


def client_apps(con: duckdb.DuckDBPyConnection, top: int = 10
                ) -> dict[str, list[dict[str, Any]]]:
    """Per network: the apps the members posted with, most used first (`(unknown)` when not
    recorded)."""
    by_net: dict[str, list[tuple[str, int]]] = {nid: [] for nid in _networks(con)}
    for nid, client, n in con.execute(f"""
            SELECT m.network_id, COALESCE(p.client, '(unknown)') AS c, count(*) AS n
            FROM {_MEMBERS} m JOIN posts p ON p.author_id = m.account_id
            GROUP BY ALL ORDER BY 1, n DESC, c""").fetchall():
        by_net.setdefault(nid, []).append((client, n))
    out = {}
    for nid, rows in by_net.items():
        total = sum(n for _, n in rows) or 1
        apps = [{"name": c, "count": n, "share": round(n / total, 4)} for c, n in rows[:top]]
        rest = sum(n for _, n in rows[top:])
        if rest:
            apps.append({"name": f"({len(rows) - top} other apps)", "count": rest,
                         "share": round(rest / total, 4)})
        out[nid] = apps
    return out


def representative_posts(con: duckdb.DuckDBPyConnection, limit: int
                         ) -> dict[str, list[dict[str, Any]]]:
    """Per network: texts the members wrote (not reshares), those posted by the most members
    first, with the earliest post carrying each text."""
    out: dict[str, list[dict[str, Any]]] = {nid: [] for nid in _networks(con)}
    for nid, na, npo, pid, aid, ms, text, kind in con.execute(f"""
        WITH p AS (
            SELECT m.network_id, p.post_id, p.author_id, p.created_ms, p.text, p.kind,
                   lower(trim(regexp_replace(p.text, '\\s+', ' ', 'g'))) AS key
            FROM {_MEMBERS} m JOIN posts p ON p.author_id = m.account_id
            WHERE p.kind <> 'reshare' AND p.text IS NOT NULL AND length(trim(p.text)) > 0
        ), k AS (
            SELECT network_id, key, count(DISTINCT author_id) AS n_accounts,
                   count(*) AS n_posts, arg_min(post_id, (created_ms, post_id)) AS pid,
                   arg_min(author_id, (created_ms, post_id)) AS aid, min(created_ms) AS ms,
                   arg_min(text, (created_ms, post_id)) AS text,
                   arg_min(kind, (created_ms, post_id)) AS kind
            FROM p GROUP BY network_id, key
            QUALIFY row_number() OVER (PARTITION BY network_id
                                       ORDER BY n_accounts DESC, n_posts DESC, key) <= ?)
        SELECT network_id, n_accounts, n_posts, pid, aid, ms, text, kind FROM k
        ORDER BY network_id, n_accounts DESC, n_posts DESC, key""", [limit]).fetchall():
        out.setdefault(nid, []).append({"post_id": pid, "author_id": aid, "time": iso_utc(ms),
                                        "text": text, "kind": kind, "n_accounts": na,
                                        "n_posts": npo})
    return out


_ITEMS = {
    "hashtag": "SELECT p.author_id, '#' || e.normalized FROM post_entities e JOIN posts p "
               "USING (platform, post_id) WHERE e.entity = 'hashtag' AND e.normalized <> ''",
    "url": "SELECT p.author_id, e.normalized FROM post_entities e JOIN posts p "
           "USING (platform, post_id) WHERE e.entity = 'url' AND e.normalized <> ''",
    "domain": "SELECT p.author_id, split_part(e.normalized, '/', 1) FROM post_entities e "
              "JOIN posts p USING (platform, post_id) WHERE e.entity = 'url' "
              "AND e.normalized <> ''",
    "reshared post": "SELECT author_id, ref_post_id FROM posts WHERE kind = 'reshare' "
                     "AND ref_post_id IS NOT NULL",
}


def co_shared_items(con: duckdb.DuckDBPyConnection, top: int, min_accounts: int = 2
                    ) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Per network, per kind (hashtag, url, domain, reshared post): the items shared by the
    most members, with how concentrated each is in the network (members using it / all
    accounts using it) and among flagged accounts anywhere (`flagged_share`: a campaign split
    into several networks still owns its domains)."""
    out: dict[str, dict[str, list[dict[str, Any]]]] = {
        nid: {kind: [] for kind in _ITEMS} for nid in _networks(con)}
    for kind, sql in _ITEMS.items():
        for nid, item, nm, na, nf in con.execute(f"""
            WITH used AS (SELECT DISTINCT * FROM ({sql}) AS u(author_id, item)),
            mine AS (SELECT m.network_id, u.item, count(*) AS n_members
                     FROM used u JOIN {_MEMBERS} m ON m.account_id = u.author_id
                     GROUP BY ALL HAVING count(*) >= ?),
            allu AS (SELECT item, count(*) AS n_all,
                            count(*) FILTER (WHERE author_id IN (
                                SELECT account_id FROM verdicts WHERE flagged)) AS n_flagged
                     FROM used WHERE item IN (SELECT item FROM mine) GROUP BY item)
            SELECT mine.network_id, mine.item, n_members, n_all, n_flagged
            FROM mine JOIN allu USING (item)
            QUALIFY row_number() OVER (PARTITION BY mine.network_id
                                       ORDER BY n_members DESC, n_members / n_all DESC,
                                                mine.item) <= ?
            ORDER BY mine.network_id, n_members DESC, n_members / n_all DESC, mine.item""",
                [min_accounts, top]).fetchall():
            out.setdefault(nid, {k: [] for k in _ITEMS})[kind].append({
                "item": item, "n_members": nm, "n_all": na,
                "concentration": round(nm / na, 4), "flagged_share": round(nf / na, 4)})
    posts = sorted({d["item"] for v in out.values() for d in v["reshared post"]})
    if posts:
        texts = dict(con.execute(
            "SELECT post_id, min(text) FROM posts WHERE post_id IN (SELECT unnest(?)) "
            "GROUP BY post_id", [posts]).fetchall())
        for v in out.values():
            for d in v["reshared post"]:
                d["text"] = texts.get(d["item"])
    return out
