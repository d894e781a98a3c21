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

from ...normalize import rt_handles
from ...timeutil import parse_time
from ..csvread import CsvBatch, csv_batches
from ..entities import entity_table
from ..registry import ReadContext, Reader, register
from ..source import Head, Source
from ..times import batch_times, snowflake_column
from ..values import ident_column, text
from ..writer import Batch

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

    def read(self, src: Source, head: Head, ctx: ReadContext) -> Iterator[Batch]:
        n_posts = n_snowflake = n_refs = n_ref_times = 0
        seen_accounts: set[str] = set()
        columns = COLUMNS
        if _index_column(tuple(c.lower() for c in head.csv_header)):
            columns = ("_index", *COLUMNS)  # a pandas index written in front: skip it
            ctx.notes.append("the first column is an index (no name, then the 8 columns): "
                             "ignored")
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
        ctx.notes.append("platform recorded as 'x': coordination-network-toolkit CSV files "
                         "mostly come from Twitter/X and do not say")
        if n_posts and n_snowflake == n_posts:
            ctx.capabilities["post_time_ms"] = "full"
        elif n_snowflake:
            ctx.capabilities["post_time_ms"] = "partial"
        if n_ref_times:
            # Snowflake ids of reshared and replied posts give their times exactly.
            ctx.capabilities["reshare_time"] = "full" if n_ref_times == n_refs else "partial"

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
