"""Bluesky Jetstream events, one JSON object per line:
`{did, time_us, kind: commit|identity|account, commit: {operation, collection, rkey, record, cid}}`.

Posts (with replies and quotes) and reposts become posts, likes and follows interactions with
their own times, identity events give handles and profile records names, bios and avatars.
Times: Jetstream's `time_us` (the observer's clock) first, then the record key's TID, and the
client-declared `createdAt` only when neither exists (it is always kept in `declared_ms`).
Mapping and traps: docs/readers/bluesky.md.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from ...timeutil import parse_time
from ..entities import entities
from ..registry import Bad, ReadContext, Reader, Record, register
from ..source import Head, Source
from .values import in_range
from .x_json import (
    Value,
    account_created,
    dicts,
    extra_json,
    get,
    head_values,
    iter_json,
    str_or_none,
    strings,
)

PLATFORM = "bluesky"
POST = "app.bsky.feed.post"
REPOST = "app.bsky.feed.repost"
LIKE = "app.bsky.feed.like"
FOLLOW = "app.bsky.graph.follow"
PROFILE = "app.bsky.actor.profile"
_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
_TID_VALUE = {c: i for i, c in enumerate(_TID_ALPHABET)}
_QUOTES = ("app.bsky.embed.record", "app.bsky.embed.recordWithMedia")


def tid_us(rkey: str | None) -> int | None:
    """Microseconds since the epoch in a TID record key (13 base32-sortable characters: the top
    bit zero, 53 bits of microseconds, 10 bits of clock id), or None when it is not a TID."""
    if not isinstance(rkey, str) or len(rkey) != 13 or rkey[0] not in "234567abcdefghij":
        return None
    n = 0
    for c in rkey:
        v = _TID_VALUE.get(c)
        if v is None:
            return None
        n = n * 32 + v
    return n >> 10


def uri_did(uri: str | None) -> str | None:
    """The DID in the authority of an AT-URI (`at://did:plc:x/collection/rkey`): the author."""
    if not isinstance(uri, str) or not uri.startswith("at://did:"):
        return None
    did = uri[5:].split("/", 1)[0]
    return did or None


def facet_parts(text: str, facets: Any) -> tuple[list[str], list[str], list[tuple[str, str]]]:  # noqa: ANN401
    """(tags, links, (mention text, DID)) of a post's facets. Facet offsets count UTF-8 bytes,
    so the text is sliced as bytes."""
    raw = text.encode("utf-8")
    tags, links, mentions = [], [], []
    for f in dicts(facets):
        start, end = get(f, "index", "byteStart"), get(f, "index", "byteEnd")
        ok = (type(start) is int and type(end) is int and 0 <= start <= end <= len(raw))
        span = raw[start:end].decode("utf-8", "replace") if ok else ""
        for feat in dicts(f.get("features")):
            t = feat.get("$type")
            if t == "app.bsky.richtext.facet#tag" and str_or_none(feat.get("tag")):
                tags.append(feat["tag"])
            elif t == "app.bsky.richtext.facet#link" and str_or_none(feat.get("uri")):
                links.append(feat["uri"])
            elif t == "app.bsky.richtext.facet#mention" and str_or_none(feat.get("did")):
                mentions.append((span.lstrip("@") or feat["did"], feat["did"].strip()))
    return tags, links, mentions


def _embed_parts(embed: Any) -> tuple[str | None, list[str], list[dict]]:  # noqa: ANN401
    """(quoted post URI, external link URIs, media) of a post's embed."""
    if not isinstance(embed, dict):
        return None, [], []
    t = embed.get("$type")
    quoted = None
    media_embed = embed
    if t == "app.bsky.embed.record":
        quoted = str_or_none(get(embed, "record", "uri"))
    elif t == "app.bsky.embed.recordWithMedia":
        quoted = str_or_none(get(embed, "record", "record", "uri"))
        media_embed = embed.get("media") if isinstance(embed.get("media"), dict) else {}
    links = [u for u in [str_or_none(get(media_embed, "external", "uri"))] if u]
    media = []
    for img in dicts(media_embed.get("images")):
        cid = str_or_none(get(img, "image", "ref", "$link"))
        if cid:
            media.append({"value": cid, "type": "image", "alt": str_or_none(img.get("alt"))})
    video = get(media_embed, "video", "ref", "$link")
    if isinstance(video, str) and video:
        media.append({"value": video, "type": "video", "alt": str_or_none(media_embed.get("alt"))})
    return quoted, links, media


@register
class JetstreamReader(Reader):
    """Bluesky Jetstream JSON lines: posts, reposts, likes, follows, identity and profile."""

    name = "bluesky-jetstream"
    description = "Bluesky Jetstream JSON lines (did,time_us,kind,commit): posts, reposts, likes"
    platform = PLATFORM
    unit = "posts"
    capabilities = {
        "post_text": "full", "post_time_ms": "full", "post_time_s": "full",
        "reshare_edges": "full", "reshare_author": "full", "reply_edges": "full",
        "quote_edges": "full", "like_edges": "full", "like_times": "full", "hashtags": "full",
        "urls": "full", "mentions": "full", "media": "full", "post_lang": "full",
    }
    file_capabilities = {"account_profile": "partial", "account_names": "partial",
                         "account_created": "partial"}

    def sniff(self, head: Head) -> int:
        for v in head_values(head, 5):
            if isinstance(v, dict) and "did" in v and "time_us" in v and "kind" in v:
                return 95
        return 0

    def read(self, src: Source, head: Head, ctx: ReadContext) -> Iterator[Record | Bad]:
        seen: dict[str, int] = {}  # interaction id -> line (the writer keys posts, not these)
        skipped: Counter[str] = Counter()
        self.handles = self.profiles = 0
        for item in iter_json(src, head):
            if isinstance(item, Bad):
                yield item
                continue
            out = self._event(item, skipped)
            if isinstance(out, Record) and out.interactions:
                iid = out.interactions[0]["interaction_id"]
                if iid in seen:
                    out = Bad(item.line, f"duplicate event for {iid!r} (first at line "
                              f"{seen[iid]})", item.raw)
                else:
                    seen[iid] = item.line
            yield out
        if skipped:
            ctx.notes.append("events read but not stored: " + ", ".join(
                f"{n} {what}" for what, n in sorted(skipped.items())))
        if self.handles:
            ctx.capabilities["account_names"] = "partial"
        if self.profiles:
            ctx.capabilities.update(account_profile="partial", account_created="partial")

    def _event(self, item: Value, skipped: Counter[str]) -> Record | Bad:
        ev, line = item.obj, item.line
        if not isinstance(ev, dict):
            return Bad(line, "an event is not a JSON object", item.raw)
        did = str_or_none(ev.get("did"))
        if did is None or not did.startswith("did:"):
            return Bad(line, "event without a did", item.raw)
        kind = ev.get("kind")
        t_us = ev.get("time_us")
        if "time_us" in ev and not (type(t_us) is int and t_us >= 0):
            return Bad(line, f"unparseable time_us {t_us!r}", item.raw)
        if kind == "identity":
            handle = str_or_none(get(ev, "identity", "handle"))
            if handle is None:
                skipped["identity events without a handle"] += 1
                return Record(line, raw=item.raw)
            self.handles += 1
            return Record(line, accounts=[{"platform": PLATFORM, "account_id": did,
                                           "id_is_hashed": False, "handle": handle}],
                          raw=item.raw)
        if kind == "account":
            skipped["account status events"] += 1
            return Record(line, raw=item.raw)
        if kind != "commit":
            return Bad(line, f"unknown event kind {kind!r}", item.raw)
        c = ev.get("commit")
        op = get(c, "operation")
        coll = str_or_none(get(c, "collection"))
        rkey = str_or_none(get(c, "rkey"))
        if op not in ("create", "update", "delete") or coll is None or rkey is None:
            return Bad(line, "commit without operation, collection or rkey", item.raw)
        if op == "delete":
            skipped["deletes"] += 1
            return Record(line, raw=item.raw)
        rec = c.get("record")
        if not isinstance(rec, dict):
            return Bad(line, f"commit {op} of {coll} without a record", item.raw)
        if coll == PROFILE:
            return self._profile(did, rec, line, item.raw)
        if op == "update" or coll not in (POST, REPOST, LIKE, FOLLOW):
            skipped[f"{op}s of {coll}" if op == "update" else coll] += 1
            return Record(line, raw=item.raw)
        uri = f"at://{did}/{coll}/{rkey}"
        when = self._time(t_us, rkey, rec.get("createdAt"))
        if isinstance(when, str):
            return Bad(line, f"{uri}: {when}", item.raw)
        ms, prec, source, declared = when
        extra = {"cid": str_or_none(c.get("cid")), "rev": str_or_none(c.get("rev"))}
        if coll in (LIKE, FOLLOW):
            target = (str_or_none(get(rec, "subject", "uri")) if coll == LIKE
                      else str_or_none(rec.get("subject")))
            if target is None:
                return Bad(line, f"{uri}: {coll} without a subject", item.raw)
            extra["via"] = str_or_none(get(rec, "via", "uri"))
            return Record(line, interactions=[{
                "platform": PLATFORM, "interaction_id": uri, "actor_id": did,
                "kind": "like" if coll == LIKE else "follow",
                "target_post_id": target if coll == LIKE else None,
                "target_author_id": uri_did(target) if coll == LIKE else target,
                "created_ms": ms, "time_precision": prec, "source_line": line,
                "extra": extra_json(extra)}], accounts=[_account(did)], raw=item.raw)
        post: dict[str, Any] = {
            "platform": PLATFORM, "post_id": uri, "author_id": did, "created_ms": ms,
            "time_precision": prec, "time_source": source, "declared_ms": declared,
            "kind": "original", "source_line": line,
        }
        ents: list[dict] = []
        if coll == REPOST:
            subject = str_or_none(get(rec, "subject", "uri"))
            if subject is None:
                return Bad(line, f"{uri}: repost without a subject", item.raw)
            extra["via"] = str_or_none(get(rec, "via", "uri"))
            post.update(kind="reshare", ref_post_id=subject, ref_author_id=uri_did(subject))
        else:
            body = rec.get("text") if isinstance(rec.get("text"), str) else ""
            tags, links, mentions = facet_parts(body, rec.get("facets"))
            quoted, ext_links, media = _embed_parts(rec.get("embed"))
            parent = str_or_none(get(rec, "reply", "parent", "uri"))
            langs = strings(rec.get("langs"))
            post.update(text=body or None, lang=langs[0] if langs else None,
                        quoted_post_id=quoted, reply_to_post_id=parent,
                        reply_to_author_id=uri_did(parent),
                        root_post_id=str_or_none(get(rec, "reply", "root", "uri")))
            if parent:
                post.update(kind="reply", ref_post_id=parent, ref_author_id=uri_did(parent))
            elif quoted:
                post.update(kind="quote", ref_post_id=quoted, ref_author_id=uri_did(quoted))
            ents = entities(PLATFORM, uri, hashtags=tags + strings(rec.get("tags")),
                            urls=links + ext_links, media=media)
            ents += [{"platform": PLATFORM, "post_id": uri, "entity": "mention", "position": i,
                      "value": v, "normalized": d} for i, (v, d) in enumerate(mentions)]
            extra["langs"] = langs[1:]
        post["extra"] = extra_json(extra)
        return Record(line, posts=[post], accounts=[_account(did)], entities=ents,
                      raw=item.raw)

    @staticmethod
    def _time(t_us: Any, rkey: str, created: Any  # noqa: ANN401
              ) -> tuple[int, str, str, int | None] | str:
        """(created_ms, precision, source, declared_ms), or why there is no time."""
        declared = None
        if isinstance(created, str) and created.strip():
            try:
                declared = in_range(parse_time(created)[0])
            except ValueError:
                declared = None
        if type(t_us) is int:
            ms = in_range(t_us // 1000)
            return (ms, "us", "received", declared) if ms is not None else \
                f"time_us {t_us} out of range"
        tid = tid_us(rkey)
        if tid is not None:
            return tid // 1000, "us", "tid", declared
        if declared is not None:
            return declared, parse_time(created)[1], "declared", declared
        if created is not None:
            return f"unparseable createdAt {created!r}"
        return "no time_us, no TID record key and no createdAt"

    def _profile(self, did: str, rec: dict, line: int, raw: str) -> Record:
        self.profiles += 1
        created_ms, created_prec = account_created(rec.get("createdAt"))
        acc = _account(did)
        acc.update(display_name=str_or_none(rec.get("displayName")),
                   description=str_or_none(rec.get("description")),
                   url=str_or_none(rec.get("website")),
                   created_ms=created_ms, created_precision=created_prec,
                   extra=extra_json({"avatar_cid": str_or_none(get(rec, "avatar", "ref", "$link")),
                                     "banner_cid": str_or_none(get(rec, "banner", "ref", "$link")),
                                     "pinned_post": str_or_none(get(rec, "pinnedPost", "uri"))}))
        return Record(line, accounts=[acc], raw=raw)


def _account(did: str) -> dict[str, Any]:
    return {"platform": PLATFORM, "account_id": did, "id_is_hashed": False}
