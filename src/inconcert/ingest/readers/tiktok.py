"""TikTok Research API: video query results (`/v2/research/video/query/`) and video comments
(`/v2/research/video/comment/list/`), as whole responses (`{data: {videos | comments, cursor,
has_more}, error}`), one per line or as an array, or as the bare video and comment objects.

Accounts are keyed by `username`: the Research API gives no account id. Comments carry no author
in the API; a comment is stored only when its object names one (`username`), otherwise it is
quarantined with that reason. Mapping and traps: docs/readers/tiktok.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..entities import entities
from ..registry import Bad, ReadContext, Reader, Record, register
from ..source import Head, Source
from ..values import ident, to_bool
from .values import count, in_range
from .x_json import Value, extra_json, get, head_values, iter_json, str_or_none, strings

PLATFORM = "tiktok"


def _kind(obj: Any) -> str | None:  # noqa: ANN401
    """`video`, `comment` or None for an object of the Research API."""
    if not isinstance(obj, dict):
        return None
    if "video_id" in obj or "parent_comment_id" in obj:
        return "comment"
    if any(k in obj for k in ("video_description", "region_code", "hashtag_names", "music_id")):
        return "video"
    return None


def _objects(v: Any) -> tuple[list[Any], str | None]:  # noqa: ANN401
    """The video or comment objects of one input value, and the response's error, if any."""
    if isinstance(v, dict) and isinstance(v.get("data"), dict):
        data = v["data"]
        items = data.get("videos", data.get("comments", []))
        code = get(v, "error", "code")
        err = None if code in (None, "ok") else f"{code}: {get(v, 'error', 'message')}"
        return (items if isinstance(items, list) else [items]), err
    return [v], None


def _seconds_ms(v: Any) -> int | None:  # noqa: ANN401
    """Epoch ms of a `create_time` (Unix seconds, an integer)."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int) and v >= 0:
        return in_range(v * 1000)
    if isinstance(v, str) and v.strip().isascii() and v.strip().isdigit():
        return int(v.strip()) * 1000
    return None


@register
class TikTokResearchReader(Reader):
    """TikTok Research API videos and comments."""

    name = "tiktok-research"
    description = "TikTok Research API JSON (video query results, video comments)"
    platform = PLATFORM
    unit = "posts"
    capabilities = {"post_text": "full", "post_time_s": "full", "hashtags": "full",
                    "mentions": "full", "account_names": "full"}
    file_capabilities = {"reply_edges": "partial"}

    def sniff(self, head: Head) -> int:
        for v in head_values(head, 5):
            items, _ = _objects(v)
            if any(_kind(x) for x in items[:3]):
                return 90
            # A document too large (or too broken) to decode from the head: its keys.
            keys = v.get("__keys_seen__") if isinstance(v, dict) else None
            if keys and _kind(dict.fromkeys(keys)):
                return 80
        return 0

    def read(self, src: Source, head: Head, ctx: ReadContext) -> Iterator[Record | Bad]:
        errors: list[str] = []
        known: set[str] = set()
        comments = 0
        for item in iter_json(src, head):
            if isinstance(item, Bad):
                yield item
                continue
            objs, err = _objects(item.obj)
            if err:
                errors.append(f"line {item.line}: {err}")
            for obj in objs:
                kind = _kind(obj)
                if kind == "video":
                    out = self._video(obj, item)
                elif kind == "comment":
                    out = self._comment(obj, item)
                    comments += isinstance(out, Record)
                else:
                    out = Bad(item.line, "neither a TikTok video nor a comment object", item.raw)
                if isinstance(out, Record):
                    author = out.posts[0]["author_id"]
                    if author not in known:
                        known.add(author)
                        out.accounts.append({"platform": PLATFORM, "account_id": author,
                                             "id_is_hashed": False, "handle": author})
                yield out
        if errors:
            ctx.notes.append("responses reporting an error: " + "; ".join(errors[:5]))
        if comments:
            ctx.capabilities["reply_edges"] = "partial"

    @staticmethod
    def _video(v: dict, item: Value) -> Record | Bad:
        vid = ident(v.get("id"))
        if vid is None:
            return Bad(item.line, "video without an id", item.raw)
        author = str_or_none(v.get("username"))
        if author is None:
            return Bad(item.line, f"video {vid} has no username (request the username field)",
                       item.raw)
        ms = _seconds_ms(v.get("create_time"))
        if ms is None:
            what = "no" if v.get("create_time") is None else "unparseable"
            return Bad(item.line, f"video {vid}: {what} create_time {v.get('create_time')!r}",
                       item.raw)
        body = str_or_none(v.get("video_description"))
        post = {
            "platform": PLATFORM, "post_id": vid, "author_id": author, "created_ms": ms,
            "time_precision": "s", "time_source": "declared", "declared_ms": ms,
            "text": body, "kind": "original", "source_line": item.line,
            "like_count": count(v.get("like_count")),
            "reshare_count": count(v.get("share_count")),
            "reply_count": count(v.get("comment_count")),
            "extra": extra_json({
                "region_code": str_or_none(v.get("region_code")),
                "music_id": ident(v.get("music_id")), "views": count(v.get("view_count")),
                "voice_to_text": str_or_none(v.get("voice_to_text")),
                "video_duration": count(v.get("video_duration")),
                "playlist_id": ident(v.get("playlist_id")),
                "effect_ids": [ident(e) for e in v.get("effect_ids") or [] if ident(e)]
                if isinstance(v.get("effect_ids"), list) else None,
                "is_stem_verified": to_bool(v.get("is_stem_verified"))}),
        }
        ents = entities(PLATFORM, vid, hashtags=strings(v.get("hashtag_names")),
                        mentions=strings(v.get("video_mention_list")))
        return Record(item.line, posts=[post], entities=ents, raw=item.raw)

    @staticmethod
    def _comment(c: dict, item: Value) -> Record | Bad:
        cid = ident(c.get("id"))
        if cid is None:
            return Bad(item.line, "comment without an id", item.raw)
        author = str_or_none(c.get("username"))
        if author is None:
            return Bad(item.line, f"comment {cid} has no author: the Research API does not give "
                       "comment authors, so it cannot be attributed", item.raw)
        ms = _seconds_ms(c.get("create_time"))
        if ms is None:
            return Bad(item.line, f"comment {cid}: no or unparseable create_time "
                       f"{c.get('create_time')!r}", item.raw)
        video, parent = ident(c.get("video_id")), ident(c.get("parent_comment_id"))
        # Top-level comments name their video as parent: only another id is a reply.
        reply = parent is not None and parent != video
        target = parent if reply else video
        post = {"platform": PLATFORM, "post_id": cid, "author_id": author, "created_ms": ms,
                "time_precision": "s", "time_source": "declared", "declared_ms": ms,
                "text": str_or_none(c.get("text")), "kind": "reply" if reply else "comment",
                "ref_post_id": target, "reply_to_post_id": target, "root_post_id": video,
                "like_count": count(c.get("like_count")),
                "reply_count": count(c.get("reply_count")), "source_line": item.line}
        return Record(item.line, posts=[post], raw=item.raw)
