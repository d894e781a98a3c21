"""Twitter/X Information Operations archive: users CSV (10 columns), tweets CSV (30 or 31).

Traps handled (see docs/readers.md): hashed and numeric ids side by side, tested per value;
hashed names equal to the hashed id (dropped, they are not names); `absent` coordinates; list
cells as `['a', 'b']` or `[a, b]`; `true`/`True`; empty `retweet_userid` on retweets (the author
handle comes from the `RT @handle:` prefix); minute-precision `tweet_time` replaced by the
Snowflake time of `tweetid` where the two agree.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.compute as pc

from ...normalize import rt_handles
from ...timeutil import parse_time
from ..csvread import CsvBatch, csv_batches, csv_rows, raw_row
from ..entities import entity_table
from ..registry import Bad, ReadContext, Reader, Record, register
from ..source import Head, Source
from ..times import batch_times, snowflake_column
from ..values import ident_column, is_hashed, per_value, text, to_bool, to_int
from ..writer import Batch

PLATFORM = "x"
# Count columns: a value out of range quarantines its row.
_USER_INTS = ("follower_count", "following_count")
_TWEET_INTS = ("like_count", "retweet_count", "reply_count", "quote_count")
USER_COLUMNS = ("userid", "user_display_name", "user_screen_name", "user_reported_location",
                "user_profile_description", "user_profile_url", "follower_count",
                "following_count", "account_creation_date", "account_language")


def account_from_row(row: dict[str, str]) -> dict:
    """The account described by the user columns of a users or tweets row."""
    uid = row["userid"].strip()
    hashed = is_hashed(uid)
    handle = text(row.get("user_screen_name"))
    name = text(row.get("user_display_name"))
    created_ms = created_prec = None
    created = text(row.get("account_creation_date"))
    if created:
        try:
            created_ms, created_prec = parse_time(created)
        except ValueError:
            created_ms = None
    return {
        "platform": PLATFORM, "account_id": uid, "id_is_hashed": hashed,
        # A hashed account's names are its hashed id: not names, so not kept as names.
        "handle": None if handle == uid else handle,
        "display_name": None if name == uid else name,
        "description": text(row.get("user_profile_description")),
        "location": text(row.get("user_reported_location")),
        "url": text(row.get("user_profile_url")),
        "lang": text(row.get("account_language")),
        "created_ms": created_ms, "created_precision": created_prec,
        "followers": to_int(row.get("follower_count")),
        "following": to_int(row.get("following_count")),
    }


@register
class IOUsersReader(Reader):
    """Users file of a Twitter/X information-operations archive."""

    name = "io-users"
    description = "Twitter/X information-operations archive, users CSV"
    unit = "accounts"
    capabilities = {"account_profile": "full", "account_names": "partial",
                    "account_created": "full", "account_counts": "full"}
    file_capabilities = {"ids_hashed": "full"}

    def sniff(self, head: Head) -> int:
        cols = [c.lower() for c in head.csv_header]
        if cols[:2] == ["userid", "user_display_name"] and "tweetid" not in cols \
                and "account_creation_date" in cols:
            return 100
        return 0

    def read(self, src: Source, head: Head, ctx: ReadContext) -> Iterator[Record | Bad]:
        hashed = 0
        for line, row in csv_rows(src, required=("userid",), ints=_USER_INTS):
            if isinstance(row, Bad):
                yield row
                continue
            uid = row["userid"].strip()
            if not uid:
                yield Bad(line, "empty userid", raw_row(row))
                continue
            acc = account_from_row(row)
            created = text(row.get("account_creation_date"))
            if created and acc["created_ms"] is None:
                yield Bad(line, f"unparseable account_creation_date {created!r}", raw_row(row))
                continue
            hashed += acc["id_is_hashed"]
            yield Record(line, accounts=[acc])
        if hashed:
            ctx.capabilities["ids_hashed"] = "full"


@register
class IOTweetsReader(Reader):
    """Tweets file of a Twitter/X information-operations archive (30 or 31 columns)."""

    name = "io-tweets"
    description = "Twitter/X information-operations archive, tweets CSV (30 or 31 columns)"
    unit = "posts"
    capabilities = {
        "post_text": "full", "post_time_s": "full", "reshare_edges": "full",
        "reshare_author": "partial", "reshare_time": "full", "reply_edges": "full",
        "quote_edges": "full", "hashtags": "full", "urls": "full", "mentions": "full",
        "client": "full", "post_lang": "full", "account_profile": "full",
        "account_names": "partial", "account_created": "full", "account_counts": "full",
    }
    # Set per file: Snowflake times where they agree with tweet_time; hashed ids when present.
    file_capabilities = {"post_time_ms": "full", "ids_hashed": "full"}

    def sniff(self, head: Head) -> int:
        cols = [c.lower() for c in head.csv_header]
        return 100 if cols[:3] == ["tweetid", "userid", "user_display_name"] else 0

    def read(self, src: Source, head: Head, ctx: ReadContext) -> Iterator[Batch]:
        n_snowflake = n_posts = hashed = 0
        seen_accounts: set[str] = set()
        for cb in csv_batches(src, required=("tweetid", "userid", "tweet_time"),
                              ints=_USER_INTS + _TWEET_INTS):
            batch = self._batch(cb, seen_accounts)
            n_posts += batch.posts.num_rows
            n_snowflake += pc.sum(pc.equal(batch.posts.column("time_source"),
                                           "snowflake")).as_py() or 0
            hashed += sum(bool(a["id_is_hashed"]) for a in batch.accounts)
            yield batch
        if n_posts and n_snowflake == n_posts:
            ctx.capabilities["post_time_ms"] = "full"
        elif n_snowflake:
            ctx.capabilities["post_time_ms"] = "partial"
            ctx.notes.append(f"{n_posts - n_snowflake} of {n_posts} posts keep their "
                             "minute-precision tweet_time (Snowflake time disagreed or absent)")
        if hashed:
            ctx.capabilities["ids_hashed"] = "full"

    @staticmethod
    def _batch(cb: CsvBatch, seen_accounts: set[str]) -> Batch:
        """The posts, entities and new accounts of a batch of tweet rows, built as columns."""
        # Column-wise (Arrow): per-cell Python only for ids that are not plain digits and for
        # texts holding a character on which Arrow's Unicode tables and Python's disagree.
        tids = ident_column(cb.column("tweetid"))
        uids = ident_column(cb.column("userid"))
        times = batch_times(cb, (("tweetid", tids), ("userid", uids)), tids, "tweet_time")
        keep = pa.array(times.keep, pa.int64())
        cb = cb.take(times.keep)
        tids, uids = tids.take(keep), uids.take(keep)
        n = len(tids)
        texts = cb.column("tweet_text")
        rt_ids = ident_column(cb.column("retweet_tweetid"))
        rt_users = ident_column(cb.column("retweet_userid"))
        quoted = ident_column(cb.column("quoted_tweet_tweetid"))
        reply_posts = ident_column(cb.column("in_reply_to_tweetid"))
        reply_users = ident_column(cb.column("in_reply_to_userid"))
        is_rt = pa.array(per_value(cb.column("is_retweet"), to_bool), pa.bool_())
        reshare = pc.or_(pc.fill_null(is_rt, False), pc.is_valid(rt_ids))
        reply = pc.and_(pc.invert(reshare),
                        pc.or_(pc.is_valid(reply_posts), pc.is_valid(reply_users)))
        none = pa.scalar(None, pa.string())
        kind = pc.if_else(reshare, "reshare", pc.if_else(
            reply, "reply", pc.if_else(pc.is_valid(quoted), "quote", "original")))
        ref_post = pc.if_else(reshare, rt_ids, pc.if_else(reply, reply_posts, quoted))
        ref_author = pc.if_else(reshare, rt_users, pc.if_else(reply, reply_users, none))
        ref_handle = pc.if_else(reshare, rt_handles(texts), none)
        extra: list[str | None] = [None] * n
        for k in ("latitude", "longitude", "poll_choices"):
            if k not in cb.names:
                continue
            for i, v in enumerate(per_value(cb.column(k), text)):
                if v:
                    e = json.loads(extra[i]) if extra[i] else {}
                    e[k] = v
                    extra[i] = json.dumps(e, ensure_ascii=False, sort_keys=True)
        posts = pa.table({
            "platform": pa.array([PLATFORM] * n, pa.string()),
            "post_id": tids, "author_id": uids,
            "created_ms": pa.array(times.created_ms, pa.int64()),
            "time_precision": times.precision, "time_source": times.source,
            "declared_ms": pa.array(times.declared_ms, pa.int64()),
            "text": texts,
            "lang": per_value(cb.column("tweet_language"), text),
            "client": per_value(cb.column("tweet_client_name"), text),
            "kind": kind, "ref_post_id": ref_post, "ref_author_id": ref_author,
            "ref_author_handle": ref_handle,
            "ref_created_ms": snowflake_column(ref_post),
            "reply_to_post_id": reply_posts, "reply_to_author_id": reply_users,
            "quoted_post_id": quoted,
            "like_count": pa.array(per_value(cb.column("like_count"), to_int), pa.int64()),
            "reshare_count": pa.array(per_value(cb.column("retweet_count"), to_int),
                                      pa.int64()),
            "reply_count": pa.array(per_value(cb.column("reply_count"), to_int), pa.int64()),
            "quote_count": pa.array(per_value(cb.column("quote_count"), to_int), pa.int64()),
            "source_line": pa.array(cb.lines, pa.int64()),
            "extra": pa.array(extra, pa.string()),
        })
        ents = entity_table(PLATFORM, tids, hashtags=cb.column("hashtags"),
                            urls=cb.column("urls"), mentions=cb.column("user_mentions"),
                            mentions_are_ids=True)
        accounts = [account_from_row(row)
                    for _, row in cb.first_rows(uids.to_pylist(), seen_accounts)]
        return Batch(posts, cb.lines, ents, accounts, times.bad, cb.raw)
