"""The per-network report queries as they were before they ran once for all networks (commit
a88450b, `report/networks.py` and `report/context.py::_extension`), kept as the oracle the
batched queries must reproduce exactly (tests/test_report_batched.py)."""

from __future__ import annotations

from typing import Any

import duckdb

from inconcert.report.charts import LATENCY_EDGES_S
from inconcert.timeutil import iso_utc

DAY_MS = 86_400_000
_MEMBERS = "SELECT account_id FROM memberships WHERE network_id = ?"


def bucket_ms(span_ms: int, max_bins: int = 120) -> int:
    """A bin width (hour, day, week or 30 days) that keeps a span within `max_bins` bins."""
    for width in (3_600_000, DAY_MS, 7 * DAY_MS, 30 * DAY_MS):
        if span_ms // width < max_bins:
            return width
    return max(30 * DAY_MS, span_ms // max_bins + 1)


def timeline(con: duckdb.DuckDBPyConnection, nid: str, margin_days: int = 7) -> dict[str, Any]:
    """Posts of the members per time bin over the network's active period (its first to last
    co-action, with `margin_days` either side), split into originals and reshares, replies and
    quotes; `outside` counts the members' posts before or after that period."""
    first, last = con.execute("SELECT first_ms, last_ms FROM networks WHERE network_id = ?",
                              [nid]).fetchall()[0]
    rows = con.execute(f"""
        SELECT created_ms, kind = 'original' FROM posts WHERE author_id IN ({_MEMBERS})
        ORDER BY created_ms""", [nid]).fetchall()
    if not rows:
        return {"bins": [], "width_ms": 0, "outside": 0}
    lo = rows[0][0] if first is None else max(rows[0][0], first - margin_days * DAY_MS)
    hi = rows[-1][0] if last is None else min(rows[-1][0], last + margin_days * DAY_MS)
    inside = [(ms, o) for ms, o in rows if lo <= ms <= hi]
    if not inside:
        lo, hi, inside = rows[0][0], rows[-1][0], rows
    width = bucket_ms(hi - lo)
    start = lo - lo % width
    n = (hi - start) // width + 1
    orig, other = [0] * n, [0] * n
    for ms, is_orig in inside:
        (orig if is_orig else other)[(ms - start) // width] += 1
    return {"width_ms": width, "outside": len(rows) - len(inside),
            "bins": [{"start": iso_utc(start + i * width), "original": orig[i],
                      "other": other[i]} for i in range(n)]}


def hour_of_week(con: duckdb.DuckDBPyConnection, nid: str) -> list[list[int]]:
    """7×24 post counts of the members (rows Monday..Sunday, columns hours, UTC)."""
    grid = [[0] * 24 for _ in range(7)]
    for dow, hour, n in con.execute(f"""
            SELECT isodow(epoch_ms(created_ms)), hour(epoch_ms(created_ms)), count(*)
            FROM posts WHERE author_id IN ({_MEMBERS}) GROUP BY ALL""", [nid]).fetchall():
        grid[dow - 1][hour] = n
    return grid


def creation_dates(con: duckdb.DuckDBPyConnection, nid: str) -> dict[str, Any]:
    """Histogram of the members' account creation dates, and how many have none."""
    rows = [r[1] for r in con.execute(f"""
        SELECT account_id, min(created_ms) FROM accounts
        WHERE account_id IN ({_MEMBERS}) AND created_ms IS NOT NULL
        GROUP BY account_id ORDER BY 2, 1""", [nid]).fetchall()]
    size = con.execute("SELECT count(*) FROM memberships WHERE network_id = ?",
                       [nid]).fetchall()[0][0]
    if not rows:
        return {"bins": [], "width_ms": 0, "unknown": size, "peak": None}
    width = bucket_ms(rows[-1] - rows[0], max_bins=60)
    start = rows[0] - rows[0] % width
    counts: dict[int, int] = {}
    for ms in rows:
        k = (ms - start) // width
        counts[k] = counts.get(k, 0) + 1
    n = (rows[-1] - start) // width + 1
    peak = max(counts.items(), key=lambda kv: (kv[1], -kv[0]))
    return {"width_ms": width, "unknown": size - len(rows),
            "bins": [{"start": iso_utc(start + i * width), "count": counts.get(i, 0)}
                     for i in range(n)],
            "peak": {"start": iso_utc(start + peak[0] * width), "count": peak[1]}}


def reshare_latency(con: duckdb.DuckDBPyConnection, nid: str) -> dict[str, Any] | None:
    """Counts of the members' reshares per latency bin (seconds after the original), or None
    when the case has no reshare latencies."""
    exists = con.execute("SELECT count(*) FROM information_schema.tables "
                         "WHERE table_name = 'reshares'").fetchall()[0][0]
    if not exists:
        return None
    lat = [r[0] for r in con.execute(f"""
        SELECT latency_ms FROM reshares WHERE amplifier IN ({_MEMBERS})
        AND latency_ms IS NOT NULL AND latency_ms >= 0 ORDER BY 1""", [nid]).fetchall()]
    if not lat:
        return None
    counts = [0] * len(LATENCY_EDGES_S)
    for ms in lat:
        i = 0
        while i + 1 < len(LATENCY_EDGES_S) and ms >= LATENCY_EDGES_S[i + 1] * 1000:
            i += 1
        counts[i] += 1
    return {"counts": counts, "n": len(lat), "median_s": round(lat[len(lat) // 2] / 1000, 1),
            "within_60s": sum(1 for x in lat if x < 60_000)}


def client_apps(con: duckdb.DuckDBPyConnection, nid: str, top: int = 10) -> list[dict[str, Any]]:
    """The apps the members posted with, most used first (`(unknown)` when not recorded)."""
    rows = con.execute(f"""
        SELECT COALESCE(client, '(unknown)'), count(*) FROM posts
        WHERE author_id IN ({_MEMBERS}) GROUP BY 1 ORDER BY 2 DESC, 1""", [nid]).fetchall()
    total = sum(n for _, n in rows) or 1
    out = [{"name": c, "count": n, "share": round(n / total, 4)} for c, n in rows[:top]]
    rest = sum(n for _, n in rows[top:])
    if rest:
        out.append({"name": f"({len(rows) - top} other apps)", "count": rest,
                    "share": round(rest / total, 4)})
    return out


def representative_posts(con: duckdb.DuckDBPyConnection, nid: str,
                         limit: int) -> list[dict[str, Any]]:
    """Texts the members wrote (not reshares), those posted by the most members first, with
    the earliest post carrying each text."""
    rows = con.execute(f"""
        WITH p AS (
            SELECT post_id, author_id, created_ms, text, kind,
                   lower(trim(regexp_replace(text, '\\s+', ' ', 'g'))) AS key
            FROM posts WHERE author_id IN ({_MEMBERS}) AND kind <> 'reshare'
                AND text IS NOT NULL AND length(trim(text)) > 0
        )
        SELECT key, count(DISTINCT author_id) AS n_accounts, count(*) AS n_posts,
               arg_min(post_id, (created_ms, post_id)), arg_min(author_id, (created_ms, post_id)),
               min(created_ms), arg_min(text, (created_ms, post_id)),
               arg_min(kind, (created_ms, post_id))
        FROM p GROUP BY key ORDER BY n_accounts DESC, n_posts DESC, key LIMIT ?""",
        [nid, limit]).fetchall()
    return [{"post_id": pid, "author_id": aid, "time": iso_utc(ms), "text": text, "kind": kind,
             "n_accounts": na, "n_posts": npo}
            for _, na, npo, pid, aid, ms, text, kind in rows]


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


def co_shared_items(con: duckdb.DuckDBPyConnection, nid: str, top: int,
                    min_accounts: int = 2) -> dict[str, list[dict[str, Any]]]:
    """Per kind (hashtag, url, domain, reshared post): the items shared by the most members,
    with how concentrated each is in the network (members using it / all accounts using it)
    and among flagged accounts anywhere (`flagged_share`: a campaign split into several
    networks still owns its domains)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for kind, sql in _ITEMS.items():
        rows = con.execute(f"""
            WITH used AS (SELECT DISTINCT * FROM ({sql}) AS u(author_id, item)),
            mine AS (SELECT item, count(*) AS n_members FROM used
                     WHERE author_id IN ({_MEMBERS}) GROUP BY item HAVING count(*) >= ?),
            allu AS (SELECT item, count(*) AS n_all,
                            count(*) FILTER (WHERE author_id IN (
                                SELECT account_id FROM verdicts WHERE flagged)) AS n_flagged
                     FROM used WHERE item IN (SELECT item FROM mine) GROUP BY item)
            SELECT mine.item, n_members, n_all, n_flagged FROM mine JOIN allu USING (item)
            ORDER BY n_members DESC, n_members / n_all DESC, item LIMIT ?""",
            [nid, min_accounts, top]).fetchall()
        out[kind] = [{"item": item, "n_members": nm, "n_all": na,
                      "concentration": round(nm / na, 4), "flagged_share": round(nf / na, 4)}
                     for item, nm, na, nf in rows]
    posts = [d["item"] for d in out["reshared post"]]
    if posts:
        texts = dict(con.execute(
            "SELECT post_id, min(text) FROM posts WHERE post_id IN (SELECT unnest(?)) "
            "GROUP BY post_id", [posts]).fetchall())
        for d in out["reshared post"]:
            d["text"] = texts.get(d["item"])
    return out


def _rows(con: duckdb.DuckDBPyConnection, table: str, nid: str, order: str) -> list[dict]:
    cur = con.execute(f"SELECT * FROM {table} WHERE network_id = ? ORDER BY {order}", [nid])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def stage_sections(con: duckdb.DuckDBPyConnection, nid: str, hostile_cut: float
                   ) -> dict[str, Any]:
    """`report/stages.py::stage_sections` before it read each table once: one network's
    rows by query, handles resolved for that network's accounts only."""
    from inconcert.report import stages
    from inconcert.report.names import resolve_handles

    tg = _rows(con, "targets", nid, "rank")
    src = _rows(con, "sources", nid, "rank")
    return {
        "narratives": stages.narratives(_rows(con, "narratives", nid,
                                              "n_posts DESC, narrative_id"), nid),
        "targets": stages.targets(tg, resolve_handles(
            con, [r["target"] for r in tg if r["target_kind"] == "account"]), hostile_cut),
        "sources": stages.sources(src, resolve_handles(
            con, [r["source"] for r in src if r["source_kind"] == "account"])),
    }


def match_rows(con: duckdb.DuckDBPyConnection, nid: str) -> list[dict]:
    """One network's rows of `matches`, by rank (the query `report/resemblance.py` ran per
    network)."""
    return _rows(con, "matches", nid, "rank")
