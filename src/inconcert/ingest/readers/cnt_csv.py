"""coordination-network-toolkit CSV (QUT Digital Observatory): 8 columns, order matters.

`message_id, user_id, username, repost_id, reply_id, message, timestamp, urls`. Column names are
ignored (as the toolkit ignores them), so renamed or headerless files read with `--format
cnt-csv`: the first record is a header unless its `timestamp` cell holds a time. Traps handled
(see docs/readers/cnt-csv.md): an empty `urls` cell is never a URL (the toolkit 1.5.2 turns it
into the URL `''`); urls are space-separated; trailing empty columns may be left out; ids stay
text; `timestamp` is Unix seconds (a fraction allowed), replaced by the Snowflake time of
`message_id` only where the two agree.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import pyarrow.compute as pc

from ...normalize import _RE2_RT_HANDLE_ASCII, rt_handles
from ...store import Store
from ...timeutil import MIN_SNOWFLAKE_ID, SNOWFLAKE_EPOCH_MS, parse_time
from ..csvread import CsvBatch, csv_batches
from ..duckcsv import VIEW, RawCsv, load_csv
from ..entities import entity_table, url_cells
from ..registry import Bad, ReadContext, Reader, register
from ..source import Head, Source
from ..times import batch_times, declared_times, snowflake_column
from ..values import ident_column, text
from ..writer import Batch, DatasetWriter

PLATFORM = "x"
COLUMNS = ("message_id", "user_id", "username", "repost_id", "reply_id", "message",
           "timestamp", "urls")


def _index_column(cols: tuple[str, ...]) -> bool | None:
    """True for the canonical header behind an unnamed index column (pandas' `to_csv`
    default), None for the canonical header itself, False otherwise."""
    if cols == COLUMNS:
        return None
    return cols[1:] == COLUMNS and cols[0] in ("", "unnamed: 0", "index")


def _is_header(first: list[str]) -> bool:
    """A first record is the header unless it holds data: a time in its timestamp cell, or a
    numeric message id (so a first data row with a broken time is quarantined, not skipped)."""
    if first and first[0].strip().isdigit():
        return False
    try:
        parse_time(first[6] if len(first) > 6 else "")
    except ValueError:
        return True
    return False


_INDEX_NOTE = "the first column is an index (no name, then the 8 columns): ignored"


def _columns(head: Head) -> tuple[str, ...]:
    """The layout's columns, after a pandas index written in front (skipped) if there is one."""
    if _index_column(tuple(c.lower() for c in head.csv_header)):
        return ("_index", *COLUMNS)
    return COLUMNS


def _finish(ctx: ReadContext, n_posts: int, n_snowflake: int, n_refs: int,
            n_ref_times: int) -> None:
    """The notes and per-file capabilities, from the counts of the posts the reader gave."""
    ctx.notes.append("platform recorded as 'x': coordination-network-toolkit CSV files "
                     "mostly come from Twitter/X and do not say")
    if n_posts and n_snowflake == n_posts:
        ctx.capabilities["post_time_ms"] = "full"
    elif n_snowflake:
        ctx.capabilities["post_time_ms"] = "partial"
    if n_ref_times:
        # Snowflake ids of reshared and replied posts give their times exactly.
        ctx.capabilities["reshare_time"] = "full" if n_ref_times == n_refs else "partial"


@register
class CntCsvReader(Reader):
    """The coordination-network-toolkit's CSV input (and its exports)."""

    name = "cnt-csv"
    description = ("coordination-network-toolkit CSV: message_id,user_id,username,repost_id,"
                   "reply_id,message,timestamp,urls (names ignored; --format for renamed or "
                   "headerless files)")
    unit = "posts"
    capabilities = {"post_text": "full", "post_time_s": "full", "reshare_edges": "full",
                    "reply_edges": "full", "urls": "full", "account_names": "partial",
                    "account_profile": "partial"}
    # Set per file: Snowflake message ids give millisecond times and reshare times.
    file_capabilities = {"post_time_ms": "full", "reshare_time": "full"}

    def sniff(self, head: Head) -> int:
        return 0 if _index_column(tuple(c.lower() for c in head.csv_header)) is False else 90

    def bulk_load(self, store: Store, src: Source, head: Head) -> _Bulk | None:
        columns = _columns(head)
        if len(head.csv_header) != len(columns):
            return None
        raw = load_csv(store, src, len(columns), _Bulk.computed(columns), pad=True)
        return _Bulk(raw, columns) if raw is not None else None

    def read(self, src: Source, head: Head, ctx: ReadContext) -> Iterator[Batch]:
        n_posts = n_snowflake = n_refs = n_ref_times = 0
        seen_accounts: set[str] = set()
        columns = _columns(head)
        if columns != COLUMNS:
            ctx.notes.append(_INDEX_NOTE)
        for cb in csv_batches(src, required=("message_id", "user_id", "timestamp"),
                              positional=columns, is_header=_is_header):
            batch = self._batch(cb, seen_accounts)
            posts = batch.posts
            n_posts += posts.num_rows
            n_snowflake += pc.sum(pc.equal(posts.column("time_source"),
                                           "snowflake")).as_py() or 0
            refs = pc.is_valid(posts.column("ref_post_id"))
            n_refs += pc.sum(refs).as_py() or 0
            n_ref_times += pc.sum(pc.is_valid(posts.column("ref_created_ms"))).as_py() or 0
            yield batch
        _finish(ctx, n_posts, n_snowflake, n_refs, n_ref_times)

    @staticmethod
    def _batch(cb: CsvBatch, seen_accounts: set[str]) -> Batch:
        # Column-wise (Arrow): per-cell Python only for ids that are not plain digits and for
        # texts holding a character on which Arrow's Unicode tables and Python's disagree.
        ids = ident_column(cb.column("message_id"))
        users = ident_column(cb.column("user_id"))
        times = batch_times(cb, (("message_id", ids), ("user_id", users)), ids, "timestamp")
        keep = pa.array(times.keep, pa.int64())
        cb = cb.take(times.keep)
        ids, users = ids.take(keep), users.take(keep)
        n = len(ids)
        reposts = ident_column(cb.column("repost_id"))
        replies = ident_column(cb.column("reply_id"))
        texts = cb.column("message")
        reshare = pc.is_valid(reposts)
        reply = pc.and_(pc.invert(reshare), pc.is_valid(replies))
        kind = pc.if_else(reshare, "reshare", pc.if_else(reply, "reply", "original"))
        ref = pc.if_else(reshare, reposts, replies)
        handles = pc.if_else(reshare, rt_handles(texts), pa.scalar(None, pa.string()))
        posts = pa.table({
            "platform": pa.array([PLATFORM] * n, pa.string()),
            "post_id": ids, "author_id": users,
            "created_ms": pa.array(times.created_ms, pa.int64()),
            "time_precision": times.precision, "time_source": times.source,
            "declared_ms": pa.array(times.declared_ms, pa.int64()),
            "text": texts, "kind": kind, "ref_post_id": ref, "ref_author_handle": handles,
            "ref_created_ms": snowflake_column(ref),
            "reply_to_post_id": replies,
            "source_line": pa.array(cb.lines, pa.int64()),
        })
        ents = entity_table(PLATFORM, ids, urls=cb.column("urls"), parse=str.split)
        # Each account once, from its first row (in row order), unless an earlier batch gave it.
        first = pa.table({"u": users, "i": pa.array(range(n), pa.int64())}) \
            .group_by("u", use_threads=False).aggregate([("i", "min")]).sort_by("i_min")
        names = cb.column("username").take(first.column("i_min")).to_pylist()
        accounts = []
        for uid, name in zip(first.column("u").to_pylist(), names, strict=True):
            if uid not in seen_accounts:
                seen_accounts.add(uid)
                accounts.append({"platform": PLATFORM, "account_id": uid, "handle": text(name)})
        return Batch(posts, cb.lines, ents, accounts, times.bad, cb.raw)


# Short names of the layout's columns in SQL.
_NAMES = (("message_id", "mid"), ("user_id", "uid"), ("username", "uname"), ("repost_id", "rep"),
          ("reply_id", "rpl"), ("message", "msg"), ("timestamp", "ts"), ("urls", "urls"))
_POSTS = ("platform", "post_id", "author_id", "created_ms", "time_precision", "time_source",
          "declared_ms", "text", "kind", "ref_post_id", "ref_author_handle", "ref_created_ms",
          "reply_to_post_id", "dataset_id", "source_line")


def _snowflake_sql(col: str) -> str:
    """`snowflake_ms` of an id column in SQL (ids of 1-19 ASCII digits; null for others)."""
    # TRY_CAST: DuckDB may reorder the terms of a conjunction.
    v = f"TRY_CAST({col} AS UBIGINT)"
    return (f"CASE WHEN regexp_full_match({col}, '[0-9]{{1,19}}') AND {v} >= {MIN_SNOWFLAKE_ID} "
            f"AND {v} < {1 << 63} THEN CAST({v} >> 22 AS BIGINT) + {SNOWFLAKE_EPOCH_MS} END")


class _Bulk:
    """A cnt-csv source loaded by DuckDB, stored with the rules of `CntCsvReader._batch` and
    the writer's checks expressed in SQL. Ids of ASCII digits (or empty) are their own ids; a
    file with any other id, a field over `max_field` or a post another source already stored
    goes through the reader's own path instead."""

    def __init__(self, raw: RawCsv, columns: tuple[str, ...]) -> None:
        self.raw = raw
        self.columns = columns
        self.con = raw.store.con
        self.registered: list[str] = []
        self.joined = False  # whether `_cnt` joins a lookup table (and so loses row order)

    @staticmethod
    def computed(columns: tuple[str, ...]) -> list[tuple[str, str]]:
        """The columns `load_csv` stores with the fields: each costly expression (regular
        expressions, casts) once, as DuckDB repeats a view's expressions wherever a later one
        uses them."""
        k = len(columns) - len(COLUMNS)
        c = {name: f"c{k + i}" for i, name in enumerate(COLUMNS)}
        ref = (f"CASE WHEN {c['repost_id']} <> '' THEN {c['repost_id']} "
               f"WHEN {c['reply_id']} <> '' THEN {c['reply_id']} END")
        return [("td", f"regexp_full_match({c['timestamp']}, '[0-9]{{1,18}}')"),
                ("sf", _snowflake_sql(c["message_id"])),
                ("simple", f"regexp_full_match({c['message_id']}, '[0-9]{{0,19}}') "
                           f"AND regexp_full_match({c['user_id']}, '[0-9]*') "
                           f"AND regexp_full_match({c['repost_id']}, '[0-9]{{0,19}}') "
                           f"AND regexp_full_match({c['reply_id']}, '[0-9]{{0,19}}')"),
                ("ref", ref), ("ref_sf", _snowflake_sql(ref))]

    def _register(self, name: str, table: pa.Table) -> None:
        self.con.register(name, table)
        self.registered.append(name)

    def close(self) -> None:
        """Drop the temporary tables and views (again after a rollback, which undoes a drop
        made inside the transaction)."""
        self.raw.store.execute("DROP VIEW IF EXISTS _cnt")
        for name in self.registered:
            self.con.unregister(name)
        self.registered = []
        self.raw.drop()

    def store(self, ctx: ReadContext, writer: DatasetWriter) -> bool:
        """Store the rows (see `BulkLoad.store`)."""
        st = self.raw.store
        k = len(self.columns) - len(COLUMNS)
        c = {name: f"c{k + i}" for i, name in enumerate(COLUMNS)}
        start = 1 if _is_header(self.raw.first()) else 0
        # Time cells other than plain Unix seconds or milliseconds, each parsed once.
        odd = self.con.sql(f"SELECT DISTINCT {c['timestamp']} AS cell FROM {VIEW} "
                           f"WHERE line > {start} AND NOT td").to_arrow_table()
        times = declared_times(odd.column("cell"), "timestamp")
        if pc.any(pc.equal(times.column("status"), 3)).as_py():
            return False
        # A join does not keep its input's order (posts are stored in row order, as the
        # batches store them): only files with time cells to look up take one.
        m = {"reason": "NULL::VARCHAR", "ms": "NULL::BIGINT", "precision": "NULL::VARCHAR",
             "unit_ms": "NULL::BIGINT", "status": "NULL::TINYINT"}
        join = ""
        if times.num_rows:
            self._register("_cnt_times", times)
            m = {col: f"m.{col}" for col in m}
            join = f"LEFT JOIN _cnt_times m ON m.cell = d.{c['timestamp']}"
            self.joined = True
        lo, hi = writer.window
        max_id = writer.limits.max_id
        st.execute(f"""CREATE OR REPLACE TEMP VIEW _cnt AS
            WITH t AS (
                SELECT d.line, {', '.join(f'd.{c[a]} AS {b}' for a, b in _NAMES)},
                    d.td, d.sf, d.simple, d.ref, d.ref_sf, {m['reason']} AS m_reason,
                    CASE WHEN td THEN TRY_CAST(ts AS BIGINT) * (CASE WHEN strlen(ts) >= 13
                         THEN 1 ELSE 1000 END) ELSE {m['ms']} END AS ms,
                    CASE WHEN td THEN (CASE WHEN strlen(ts) >= 13 THEN 'ms' ELSE 's' END)
                         ELSE {m['precision']} END AS prec,
                    CASE WHEN td THEN 1000 ELSE {m['unit_ms']} END AS unit,
                    CASE WHEN td THEN 0 ELSE {m['status']} END AS status,
                    rep <> '' AS reshare
                FROM {VIEW} d {join} WHERE d.line > {start}
            ), u AS (
                SELECT *,
                    coalesce(status = 0 AND ms - 1000 <= sf AND sf < ms + unit + 1000, false)
                        AS agree,
                    coalesce(sf IS NOT NULL AND status = 1, false) AS unchecked
                FROM t
            ), v AS (
                SELECT *, mid <> '' AND uid <> '' AND (status = 0 OR unchecked) AS reader_ok,
                       CASE WHEN agree OR unchecked THEN sf ELSE ms END AS created
                FROM u
            )
            SELECT *, reader_ok AND created BETWEEN {lo} AND {hi} AND strlen(mid) <= {max_id}
                      AND strlen(uid) <= {max_id} AS screened
            FROM v""")
        if self.raw.longest > writer.limits.max_field:
            return False  # the reader's path quarantines the row with the field's length
        (n, not_simple, n_posts, n_sf, n_refs, n_ref_times, n_screened, n_ids) = st.execute("""
            SELECT count(*),
                count(*) FILTER (NOT simple),
                count(*) FILTER (reader_ok),
                count(*) FILTER (reader_ok AND agree AND NOT unchecked),
                count(*) FILTER (reader_ok AND ref IS NOT NULL),
                count(*) FILTER (reader_ok AND ref_sf IS NOT NULL),
                count(*) FILTER (screened),
                count(DISTINCT mid) FILTER (screened)
            FROM _cnt""")[0]
        if not_simple:
            return False  # ids `ident` rewrites: the reader's path
        if writer.check_db and st.execute(
                "SELECT count(*) FROM _cnt JOIN posts p ON p.platform = 'x' "
                "AND p.post_id = _cnt.mid WHERE screened")[0][0]:
            return False  # posts other sources stored: quarantined by the writer's path
        bad = self._bad(writer, n - n_screened, n_ids < n_screened)
        self._store_posts(writer.dataset_id, [b.line for b in bad
                                              if b.reason.startswith("duplicate post id")])
        accounts = [{"platform": PLATFORM, "account_id": a, "handle": text(name)}
                    for a, name in st.execute(
                        "SELECT uid, arg_min(uname, line) FROM _cnt WHERE reader_ok "
                        "GROUP BY uid ORDER BY min(line)")]
        if self.columns != COLUMNS:
            ctx.notes.append(_INDEX_NOTE)
        _finish(ctx, n_posts, n_sf, n_refs, n_ref_times)
        writer.add_stored(n, PLATFORM, bad, accounts)
        return True

    def _bad(self, writer: DatasetWriter, n_bad: int, dups: bool) -> list[Bad]:
        """The rows the reader's and the writer's checks refuse, with their reasons: no id, no
        time, a time outside the window or an id over `max_id` (`n_bad` of them), then, when
        `dups` says some rows share a post id, every row of a post after its first."""
        st = self.raw.store
        why: dict[int, str] = {}
        if n_bad:
            max_id = writer.limits.max_id
            for line, mid, ok, created, reason in st.execute(
                    "SELECT line, mid, reader_ok, created, CASE WHEN mid = '' THEN "
                    "'empty message_id' WHEN uid = '' THEN 'empty user_id' ELSE m_reason END "
                    "FROM _cnt WHERE NOT screened"):
                if not ok:
                    why[line] = reason
                elif len(mid) > max_id:
                    why[line] = f"post_id of {len(mid):,} characters, more than {max_id}"
                else:
                    why[line] = (writer._time_problem("post time", created)
                                 or f"author_id longer than {max_id} characters")
        for mid, first, lines in st.execute(
                "SELECT mid, min(line), list(line ORDER BY line) FROM _cnt WHERE screened "
                "GROUP BY mid HAVING count(*) > 1") if dups else ():
            for line in lines[1:]:
                why[line] = f"duplicate post id {mid!r} (first at line {first})"
        return [Bad(line, why[line], self.raw.raw(fields))
                for line, fields in self.raw.cells(sorted(why))]

    def _store_posts(self, dataset_id: str, dups: list[int]) -> None:
        """Insert the stored rows' posts and URL entities, in row order as the batches store
        them."""
        st = self.raw.store
        where = "screened"
        if dups:
            self._register("_cnt_dups", pa.table({"line": pa.array(dups, pa.int64())}))
            where += " AND line NOT IN (SELECT line FROM _cnt_dups)"
        # Handles of retweets whose text is not ASCII: Arrow's exact rules (rt_handles), once
        # per distinct text; ASCII ones by the same expression in SQL.
        wide = self.con.sql(
            "SELECT DISTINCT msg FROM _cnt WHERE reshare AND strlen(msg) <> length(msg)"
        ).to_arrow_table().column("msg")
        other = "NULL"
        if len(wide):
            self._register("_cnt_rt", pa.table({"msg": wide, "handle": rt_handles(wide)}))
            other = "(SELECT handle FROM _cnt_rt WHERE _cnt_rt.msg = _cnt.msg)"
        handle = (f"CASE WHEN NOT reshare THEN NULL WHEN strlen(msg) = length(msg) THEN "
                  f"nullif(regexp_extract(msg, '{_RE2_RT_HANDLE_ASCII}', 1), '') ELSE "
                  f"{other} END")
        # Sorting costs as much as the insert: asked for only where a join lost the order.
        order = " ORDER BY line" if self.joined or dups or len(wide) else ""
        st.execute(f"""INSERT INTO posts ({', '.join(_POSTS)})
            SELECT '{PLATFORM}', mid, uid, created,
                CASE WHEN agree OR unchecked THEN 'ms' ELSE prec END,
                CASE WHEN unchecked THEN 'snowflake-unchecked' WHEN agree THEN 'snowflake'
                     ELSE 'declared' END,
                CASE WHEN unchecked THEN NULL ELSE ms END, msg,
                CASE WHEN reshare THEN 'reshare' WHEN rpl <> '' THEN 'reply' ELSE 'original' END,
                ref, {handle}, ref_sf, nullif(rpl, ''), ?, line
            FROM _cnt WHERE {where}{order}""", [dataset_id])
        cells = self.con.sql(
            f"SELECT DISTINCT urls FROM _cnt WHERE {where} AND urls <> ''").to_arrow_table()
        self._register("_cnt_urls", url_cells(cells.column("urls")))
        st.execute(f"""INSERT INTO post_entities (platform, post_id, entity, position, value,
                                                 normalized)
            SELECT '{PLATFORM}', mid, 'url', u.position, u.value, u.normalized
            FROM _cnt JOIN _cnt_urls u ON u.cell = _cnt.urls WHERE {where}
            ORDER BY line, u.position""")
