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

from ...normalize import rt_handle
from ...timeutil import parse_time, snowflake_ms
from ..common import (
    csv_rows,
    entities,
    ident,
    is_hashed,
    parse_list,
    post_time,
    raw_row,
    text,
    to_bool,
    to_int,
)
from ..registry import Bad, ReadContext, Reader, Record, register
from ..source import Head, Source

PLATFORM = "x"
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

    def sniff(self, head: Head) -> int:
        cols = [c.lower() for c in head.csv_header]
        if cols[:2] == ["userid", "user_display_name"] and "tweetid" not in cols \
                and "account_creation_date" in cols:
            return 100
        return 0

    def read(self, src: Source, head: Head, ctx: ReadContext) -> Iterator[Record | Bad]:
        hashed = 0
        for line, row in csv_rows(src, required=("userid",)):
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

    def sniff(self, head: Head) -> int:
        cols = [c.lower() for c in head.csv_header]
        return 100 if cols[:3] == ["tweetid", "userid", "user_display_name"] else 0

    def read(self, src: Source, head: Head, ctx: ReadContext) -> Iterator[Record | Bad]:
        n_snowflake = n_posts = hashed = 0
        seen_accounts: set[str] = set()
        for line, row in csv_rows(src, required=("tweetid", "userid", "tweet_time")):
            if isinstance(row, Bad):
                yield row
                continue
            rec = self._record(line, row)
            if isinstance(rec, Record):
                n_posts += 1
                n_snowflake += rec.posts[0]["time_source"] == "snowflake"
                uid = rec.posts[0]["author_id"]
                # Account columns repeat on every tweet row: take them once.
                if uid not in seen_accounts:
                    seen_accounts.add(uid)
                    acc = account_from_row(row)
                    hashed += bool(acc["id_is_hashed"])
                    rec.accounts.append(acc)
            yield rec
        if n_posts and n_snowflake == n_posts:
            ctx.capabilities["post_time_ms"] = "full"
        elif n_snowflake:
            ctx.capabilities["post_time_ms"] = "partial"
            ctx.notes.append(f"{n_posts - n_snowflake} of {n_posts} posts keep their "
                             "minute-precision tweet_time (Snowflake time disagreed or absent)")
        if hashed:
            ctx.capabilities["ids_hashed"] = "full"

    @staticmethod
    def _record(line: int, row: dict[str, str]) -> Record | Bad:
        tid = ident(row["tweetid"])
        uid = ident(row["userid"])
        if not tid:
            return Bad(line, "empty tweetid", raw_row(row))
        if not uid:
            return Bad(line, "empty userid", raw_row(row))
        try:
            ms, prec, source, declared = post_time(tid, row.get("tweet_time"))
        except ValueError:
            return Bad(line, f"unparseable tweet_time {row.get('tweet_time', '')!r}",
                       raw_row(row))
        body = row.get("tweet_text") or ""
        rt_id = ident(row.get("retweet_tweetid"))
        quoted = ident(row.get("quoted_tweet_tweetid"))
        reply_post = ident(row.get("in_reply_to_tweetid"))
        reply_user = ident(row.get("in_reply_to_userid"))
        is_rt = to_bool(row.get("is_retweet")) or bool(rt_id)
        post = {
            "platform": PLATFORM, "post_id": tid, "author_id": uid, "created_ms": ms,
            "time_precision": prec, "time_source": source, "declared_ms": declared,
            "text": body, "lang": text(row.get("tweet_language")),
            "client": text(row.get("tweet_client_name")), "kind": "original",
            "reply_to_post_id": reply_post, "reply_to_author_id": reply_user,
            "quoted_post_id": quoted,
            "like_count": to_int(row.get("like_count")),
            "reshare_count": to_int(row.get("retweet_count")),
            "reply_count": to_int(row.get("reply_count")),
            "quote_count": to_int(row.get("quote_count")), "source_line": line,
        }
        if is_rt:
            post.update(kind="reshare", ref_post_id=rt_id,
                        ref_author_id=ident(row.get("retweet_userid")),
                        ref_author_handle=rt_handle(body), ref_created_ms=snowflake_ms(rt_id))
        elif reply_post or reply_user:
            post.update(kind="reply", ref_post_id=reply_post, ref_author_id=reply_user,
                        ref_created_ms=snowflake_ms(reply_post))
        elif quoted:
            post.update(kind="quote", ref_post_id=quoted, ref_created_ms=snowflake_ms(quoted))
        extra = {}
        for k in ("latitude", "longitude", "poll_choices"):
            v = text(row.get(k))
            if v:
                extra[k] = v
        if extra:
            post["extra"] = json.dumps(extra, ensure_ascii=False, sort_keys=True)
        ents = entities(PLATFORM, tid, hashtags=parse_list(row.get("hashtags")),
                        urls=parse_list(row.get("urls")),
                        mentions=parse_list(row.get("user_mentions")), mentions_are_ids=True)
        return Record(line, posts=[post], entities=ents)
