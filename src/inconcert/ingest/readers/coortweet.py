"""CooRTweet (R package) inputs: its generic table and its multi-object example layout.

Generic: `object_id, account_id, content_id, timestamp_share`, one share per row. In the
package's `russian_coord_tweets` example the object is the retweeted tweet, so an object is read
as the id of the reshared post, unless it is a URL (a url entity) or a `#hashtag`.

Objects: `account_id, post_id, url_id, hashtag_id, domain_id, phash_id, timestamp`
(`german_elections`), one row per post and shared object. The first row of a post gives the
post, later rows add objects to it. Object ids are anonymised integers, not URLs or tags: they
are stored as entities whose `normalized` is `url_id:N`, `hashtag_id:N`, `domain_id:N` or (images)
`phash_id:N`, so co-link, co-hashtag, co-domain and co-image traces match them exactly.
Account ids prefixed `tw_`/`fb_` give the platform (x / facebook); ids stay as written.
See docs/readers/coortweet.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ...normalize import norm_hashtag, norm_url
from ..csvread import csv_rows, raw_row
from ..entities import entities
from ..registry import Bad, ReadContext, Reader, Record, register
from ..source import Head, Source
from ..times import post_time
from ..values import ident

GENERIC = ("object_id", "account_id", "content_id", "timestamp_share")
OBJECTS = ("account_id", "post_id", "url_id", "hashtag_id", "domain_id", "phash_id",
           "timestamp")
PREFIXES = {"tw_": "x", "fb_": "facebook"}
_URL = re.compile(r"^(https?://|www\.)", re.IGNORECASE)
# Objects-table column -> (entity kind, prefix of `normalized`)
_OBJECT_KINDS = {"url_id": ("url", "url_id"), "hashtag_id": ("hashtag", "hashtag_id"),
                 "domain_id": ("domain", "domain_id"), "phash_id": ("media", "phash_id")}


def platform_of(account_id: str) -> str:
    """The platform an account id's `tw_`/`fb_` prefix names (x when it has none)."""
    return PREFIXES.get(account_id[:3].lower(), "x")


@dataclass(slots=True)
class _Post:
    """What the first row of a post said, to check and extend it from later rows."""

    line: int
    account: str
    time: str
    objects: list[tuple[str, str]] = field(default_factory=list)  # (entity kind, value)


def _conflict(post_id: str, first: _Post, account: str, time: str) -> str | None:
    if first.account != account:
        return (f"post {post_id!r} was given at line {first.line} by account "
                f"{first.account!r}; this row says {account!r}")
    if first.time != time:
        return (f"post {post_id!r} was given at line {first.line} at time {first.time!r}; "
                f"this row says {time!r}")
    return None


@register
class CoorTweetReader(Reader):
    """CooRTweet's generic input (`prep_data`): who shared which object, and when."""

    name = "coortweet"
    description = "CooRTweet generic table (object_id,account_id,content_id,timestamp_share)"
    unit = "posts"
    capabilities = {"post_time_s": "full", "reshare_edges": "full"}
    file_capabilities = {"urls": "full", "hashtags": "full"}  # when objects are URLs or tags

    def sniff(self, head: Head) -> int:
        return 100 if tuple(c.lower() for c in head.csv_header) == GENERIC else 0

    def read(self, src: Source, head: Head, ctx: ReadContext) -> Iterator[Record | Bad]:
        posts: dict[str, _Post] = {}
        known: set[tuple[str, str]] = set()
        n_url = n_tag = 0
        for line, row in csv_rows(src, required=GENERIC):
            if isinstance(row, Bad):
                yield row
                continue
            account = ident(row["account_id"])
            pid = ident(row["content_id"])
            obj = (row["object_id"] or "").strip()
            t = row["timestamp_share"].strip()
            if not account or not pid:
                yield Bad(line, f"empty {'account_id' if not account else 'content_id'}",
                          raw_row(row))
                continue
            platform = platform_of(account)
            kind, value = self._object(obj)
            n_url += kind == "url"
            n_tag += kind == "hashtag"
            first = posts.get(pid)
            if first is not None:
                problem = _conflict(pid, first, account, t)
                if problem is None and kind == "reshare":
                    problem = f"duplicate post id {pid!r} (first at line {first.line})"
                if problem is not None:
                    yield Bad(line, problem, raw_row(row))
                    continue
                yield Record(line, entities=self._entities(platform, pid, first, kind, value),
                             raw=raw_row(row))
                continue
            try:
                ms, prec, source, declared = post_time(pid, t)
            except ValueError:
                yield Bad(line, f"unparseable timestamp_share {t!r}", raw_row(row))
                continue
            post = {"platform": platform, "post_id": pid, "author_id": account,
                    "created_ms": ms, "time_precision": prec, "time_source": source,
                    "declared_ms": declared, "kind": "original", "source_line": line}
            if kind == "reshare":
                post.update(kind="reshare", ref_post_id=value)
            first = posts[pid] = _Post(line, account, t)
            accounts = []
            if (platform, account) not in known:
                known.add((platform, account))
                accounts.append({"platform": platform, "account_id": account})
            yield Record(line, posts=[post], accounts=accounts,
                         entities=self._entities(platform, pid, first, kind, value),
                         raw=raw_row(row))
        if n_url:
            ctx.capabilities["urls"] = "full"
        if n_tag:
            ctx.capabilities["hashtags"] = "full"
        if len({p for p, _ in known}) > 1 or any(p != "x" for p, _ in known):
            ctx.notes.append("platforms from the tw_/fb_ prefixes of account ids")
        else:
            ctx.notes.append("platform recorded as 'x' (account ids carry no tw_/fb_ prefix)")

    @staticmethod
    def _object(obj: str) -> tuple[str | None, str | None]:
        """(kind, value) of an object: a URL, a #hashtag, or the id of the reshared post."""
        if not obj:
            return None, None
        if _URL.match(obj):
            return ("url", obj) if norm_url(obj) else ("reshare", obj)
        if obj.startswith("#") and norm_hashtag(obj):
            return "hashtag", obj
        return "reshare", obj

    @staticmethod
    def _entities(platform: str, pid: str, post: _Post, kind: str | None,
                  value: str | None) -> list[dict]:
        if kind not in ("url", "hashtag") or value is None or (kind, value) in post.objects:
            return []
        position = sum(k == kind for k, _ in post.objects)
        post.objects.append((kind, value))
        ents = entities(platform, pid, **{kind + "s": [value]})
        for e in ents:
            e["position"] = position
        return ents


@register
class CoorTweetObjectsReader(Reader):
    """CooRTweet's multi-object example layout: one row per post and shared object."""

    name = "coortweet-objects"
    description = ("CooRTweet posts x objects (account_id,post_id,url_id,hashtag_id,domain_id,"
                   "phash_id,timestamp; anonymised object ids)")
    unit = "posts"
    capabilities = {"post_time_s": "full", "urls": "full", "hashtags": "full",
                    "media": "partial", "media_hashes": "partial"}

    def sniff(self, head: Head) -> int:
        return 100 if tuple(c.lower() for c in head.csv_header) == OBJECTS else 0

    def read(self, src: Source, head: Head, ctx: ReadContext) -> Iterator[Record | Bad]:
        ctx.notes.append("object ids are anonymised: stored as url_id:N, hashtag_id:N, "
                         "domain_id:N and phash_id:N (an image cluster), matched exactly; "
                         "there is no text")
        posts: dict[tuple[str, str], _Post] = {}
        known: set[tuple[str, str]] = set()
        repeats = 0
        for line, row in csv_rows(src, required=OBJECTS):
            if isinstance(row, Bad):
                yield row
                continue
            account = ident(row["account_id"])
            pid = ident(row["post_id"])
            t = row["timestamp"].strip()
            if not account or not pid:
                yield Bad(line, f"empty {'account_id' if not account else 'post_id'}",
                          raw_row(row))
                continue
            platform = platform_of(account)
            first = posts.get((platform, pid))
            if first is not None:
                problem = _conflict(pid, first, account, t)
                if problem is not None:
                    yield Bad(line, problem, raw_row(row))
                    continue
                ents = self._entities(platform, pid, first, row)
                repeats += not ents
                yield Record(line, entities=ents, raw=raw_row(row))
                continue
            try:
                ms, prec, source, declared = post_time(pid, t, snowflake=False)
            except ValueError:
                yield Bad(line, f"unparseable timestamp {t!r}", raw_row(row))
                continue
            first = posts[(platform, pid)] = _Post(line, account, t)
            accounts = []
            if (platform, account) not in known:
                known.add((platform, account))
                accounts.append({"platform": platform, "account_id": account})
            yield Record(line, posts=[{
                "platform": platform, "post_id": pid, "author_id": account, "created_ms": ms,
                "time_precision": prec, "time_source": source, "declared_ms": declared,
                "kind": "original", "source_line": line}], accounts=accounts,
                entities=self._entities(platform, pid, first, row), raw=raw_row(row))
        if repeats:
            ctx.notes.append(f"{repeats} row{'s add' if repeats > 1 else ' adds'} no new "
                             "object to a post an earlier row gave (repeated rows); objects "
                             "are stored once")

    @staticmethod
    def _entities(platform: str, pid: str, post: _Post, row: dict[str, str]) -> list[dict]:
        """The row's objects that the post does not have yet, as entities."""
        out = []
        for col, (kind, prefix) in _OBJECT_KINDS.items():
            value = ident(row.get(col))
            if value is None or (kind, value) in post.objects:
                continue
            position = sum(k == kind for k, _ in post.objects)
            post.objects.append((kind, value))
            norm = f"{prefix}:{value}"
            ent = {"platform": platform, "post_id": pid, "entity": kind, "position": position,
                   "value": value, "normalized": norm}
            if kind == "media":
                ent.update(media_type="image", media_hash=norm)
            out.append(ent)
        return out
