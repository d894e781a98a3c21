"""YouTube: Data API v3 JSON (`videos`, `commentThreads` with their `replies`, `comments`,
`channels`) and YouTube Data Tools' comments table (`videoinfo_..._comments.csv` / `.tab`).

A channel is an account, a video a post, a comment a post of kind `comment` that acts on its
video (so channels commenting on the same video share an item), a reply a post of kind `reply`
that acts on its parent comment. Mapping and traps: docs/readers/youtube.md.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from typing import Any

from ...errors import InputError
from ...timeutil import parse_time
from ..entities import entities
from ..registry import Bad, ReadContext, Reader, Record, register
from ..source import Head, Source, has_bad_bytes
from ..values import to_bool
from .html_text import html_text
from .values import count, in_range
from .x_json import (
    Value,
    dicts,
    extra_json,
    get,
    head_values,
    iter_json,
    str_or_none,
    strings,
)

PLATFORM = "youtube"
_URL = re.compile(r"https?://[^\s<>\"]+")
_HASHTAG = re.compile(r"(?<![\w&])#(\w{1,100})")
_KIND = re.compile(r'^\s*[\[{]?\s*\{?\s*"kind"\s*:\s*"youtube#', re.MULTILINE)
# YouTube Data Tools names its files videoinfo_[{channel id}_]{video id}_{Y_m_d-H_i_s}_comments
_YTDT_NAME = re.compile(r"videoinfo_(?:UC[\w-]{22}_)?([\w-]{11})_\d{4}_\d\d_\d\d-")
YTDT_COLUMNS = ("id", "replycount", "likecount", "publishedat", "authorname", "text",
                "authorchannelid", "authorchannelurl", "isreply", "isreplyto", "isreplytoname")
YTDT_REQUIRED = ("id", "publishedAt", "authorChannelId", "isReply")


def _when(value: Any) -> tuple[int, str] | None:  # noqa: ANN401 - any JSON value
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        ms, prec = parse_time(value)
    except ValueError:
        return None
    return (ms, prec) if in_range(ms) is not None else None


def text_entities(post_id: str, text: str | None) -> list[dict]:
    """Hashtags and URLs of a comment or description: YouTube gives them only inside the text."""
    if not text:
        return []
    urls = list(dict.fromkeys(u.rstrip(".,;:!?)'") for u in _URL.findall(text)))
    return entities(PLATFORM, post_id, hashtags=_HASHTAG.findall(text), urls=urls)


def _comment_text(snip: dict) -> str | None:
    original = snip.get("textOriginal")
    if isinstance(original, str) and original.strip():
        return original
    display = snip.get("textDisplay")
    # Anchors in textDisplay point at youtube.com/redirect; the URL itself is their text.
    return html_text(display)[0] if isinstance(display, str) else None


def _author(snip: dict) -> dict[str, Any] | None:
    cid = str_or_none(get(snip, "authorChannelId", "value"))
    if cid is None:
        return None
    name = str_or_none(snip.get("authorDisplayName"))
    return {"platform": PLATFORM, "account_id": cid, "id_is_hashed": False,
            # Since 2023 YouTube shows handles (`@name`) as the author's display name.
            "handle": name if name and name.startswith("@") else None,
            "display_name": name, "url": str_or_none(snip.get("authorChannelUrl")),
            "avatar_url": str_or_none(snip.get("authorProfileImageUrl"))}


def comment_post(c: dict, video: str | None, video_channel: str | None,
                 parent_author: str | None, line: int) -> tuple[dict, list[dict], dict] | str:
    """(post, entities, account) of a `youtube#comment`, or why it cannot be stored."""
    cid = str_or_none(c.get("id"))
    snip = c.get("snippet") if isinstance(c.get("snippet"), dict) else {}
    if cid is None:
        return "comment without an id"
    acc = _author(snip)
    if acc is None:
        return f"comment {cid} has no authorChannelId (its channel is gone)"
    when = _when(snip.get("publishedAt"))
    if when is None:
        what = "no" if snip.get("publishedAt") is None else "unparseable"
        return f"comment {cid}: {what} publishedAt {snip.get('publishedAt')!r}"
    ms, prec = when
    video = video or str_or_none(snip.get("videoId"))
    parent = str_or_none(snip.get("parentId"))
    text = _comment_text(snip)
    post: dict[str, Any] = {
        "platform": PLATFORM, "post_id": cid, "author_id": acc["account_id"], "created_ms": ms,
        "time_precision": prec, "time_source": "declared", "declared_ms": ms, "text": text,
        "kind": "reply" if parent else "comment", "root_post_id": video,
        "like_count": count(snip.get("likeCount")), "source_line": line,
    }
    target, target_author = (parent, parent_author) if parent else (video, video_channel)
    post.update(ref_post_id=target, reply_to_post_id=target, ref_author_id=target_author,
                reply_to_author_id=target_author)
    post["extra"] = extra_json({"updated_at": str_or_none(snip.get("updatedAt")),
                                "moderation_status": str_or_none(snip.get("moderationStatus"))})
    return post, text_entities(cid, text), acc


def video_post(v: dict, line: int) -> tuple[dict, list[dict]] | str:
    """(post, entities) of a `youtube#video`, or why it cannot be stored."""
    vid = str_or_none(v.get("id"))
    snip = v.get("snippet") if isinstance(v.get("snippet"), dict) else {}
    if vid is None:
        return "video without an id"
    channel = str_or_none(snip.get("channelId"))
    if channel is None:
        return f"video {vid} has no snippet.channelId"
    when = _when(snip.get("publishedAt"))
    if when is None:
        return f"video {vid}: no or unparseable publishedAt {snip.get('publishedAt')!r}"
    title, desc = str_or_none(snip.get("title")), str_or_none(snip.get("description"))
    text = "\n\n".join(p for p in (title, desc) if p) or None
    stats = v.get("statistics") if isinstance(v.get("statistics"), dict) else {}
    post = {
        "platform": PLATFORM, "post_id": vid, "author_id": channel, "created_ms": when[0],
        "time_precision": when[1], "time_source": "declared", "declared_ms": when[0],
        "text": text, "lang": str_or_none(snip.get("defaultAudioLanguage"))
        or str_or_none(snip.get("defaultLanguage")), "kind": "original",
        "like_count": count(stats.get("likeCount")),
        "reply_count": count(stats.get("commentCount")), "source_line": line,
        "extra": extra_json({"views": count(stats.get("viewCount")),
                             "tags": strings(snip.get("tags")),
                             "category_id": str_or_none(snip.get("categoryId")),
                             "duration": str_or_none(get(v, "contentDetails", "duration"))}),
    }
    return post, text_entities(vid, desc)


def channel_account(ch: dict) -> dict[str, Any] | None:
    """The canonical account of a `youtube#channel`."""
    cid = str_or_none(ch.get("id"))
    if cid is None:
        return None
    snip = ch.get("snippet") if isinstance(ch.get("snippet"), dict) else {}
    stats = ch.get("statistics") if isinstance(ch.get("statistics"), dict) else {}
    when = _when(snip.get("publishedAt"))
    hidden = to_bool(stats.get("hiddenSubscriberCount"))
    return {
        "platform": PLATFORM, "account_id": cid, "id_is_hashed": False,
        "handle": str_or_none(snip.get("customUrl")),
        "display_name": str_or_none(snip.get("title")),
        "description": str_or_none(snip.get("description")),
        "location": str_or_none(snip.get("country")),
        "created_ms": when[0] if when else None, "created_precision": when[1] if when else None,
        "avatar_url": str_or_none(get(snip, "thumbnails", "default", "url")),
        "followers": None if hidden else count(stats.get("subscriberCount")),
        "posts_count": count(stats.get("videoCount")),
        "extra": extra_json({"views": count(stats.get("viewCount")),
                             "subscribers_hidden": hidden}),
    }


def _items(obj: Any) -> list[Any]:  # noqa: ANN401
    """The resources of a list response (`items`), or the value itself when it is one."""
    if isinstance(obj, dict) and isinstance(obj.get("items"), list):
        return obj["items"]
    return [obj]


@register
class YouTubeApiReader(Reader):
    """YouTube Data API v3 responses: videos, comment threads, comments, channels."""

    name = "youtube-api"
    description = ("YouTube Data API v3 JSON (videos, commentThreads with replies, comments, "
                   "channels)")
    platform = PLATFORM
    unit = "posts"
    capabilities = {"post_text": "full", "post_time_s": "full", "reply_edges": "full",
                    "hashtags": "partial", "urls": "partial", "account_profile": "partial",
                    "account_names": "full", "avatar": "full"}
    file_capabilities = {"account_created": "full", "account_counts": "full"}

    def sniff(self, head: Head) -> int:
        for v in head_values(head, 5):
            kind = v.get("kind") if isinstance(v, dict) else None
            if isinstance(kind, str) and kind.startswith("youtube#"):
                return 95
        # A response too large to decode from the head still names its kind near the top.
        return 80 if _KIND.search(head.text[:4096]) else 0

    def read(self, src: Source, head: Head, ctx: ReadContext) -> Iterator[Record | Bad]:
        skipped: dict[str, int] = {}
        channels = 0
        for item in iter_json(src, head):
            if isinstance(item, Bad):
                yield item
                continue
            for res in _items(item.obj):
                kind = res.get("kind") if isinstance(res, dict) else None
                if kind == "youtube#commentThread":
                    yield from self._thread(res, item)
                elif kind == "youtube#comment":
                    out = comment_post(res, None, None, None, item.line)
                    yield _record(out, item)
                elif kind == "youtube#video":
                    v = video_post(res, item.line)
                    yield Bad(item.line, v, item.raw) if isinstance(v, str) else Record(
                        item.line, posts=[v[0]], entities=v[1], raw=item.raw,
                        accounts=[{"platform": PLATFORM, "account_id": v[0]["author_id"],
                                   "display_name": str_or_none(get(res, "snippet",
                                                                   "channelTitle"))}])
                elif kind == "youtube#channel":
                    acc = channel_account(res)
                    channels += acc is not None
                    yield Bad(item.line, "channel without an id", item.raw) if acc is None \
                        else Record(item.line, accounts=[acc], raw=item.raw)
                else:
                    what = kind if isinstance(kind, str) else "values without a youtube# kind"
                    skipped[what] = skipped.get(what, 0) + 1
                    yield Record(item.line, raw=item.raw)
        if skipped:
            ctx.notes.append("read but not stored: " + ", ".join(
                f"{n} {k}" for k, n in sorted(skipped.items())))
        if channels:
            ctx.capabilities.update(account_created="full", account_counts="full",
                                    account_profile="full")

    @staticmethod
    def _thread(t: dict, item: Value) -> Iterator[Record | Bad]:
        snip = t.get("snippet") if isinstance(t.get("snippet"), dict) else {}
        video = str_or_none(snip.get("videoId"))
        top = snip.get("topLevelComment")
        if not isinstance(top, dict):
            yield Bad(item.line, f"comment thread {t.get('id')!r} has no topLevelComment",
                      item.raw)
            return
        out = comment_post(top, video, str_or_none(snip.get("channelId")), None, item.line)
        yield _record(out, item, {"total_reply_count": count(snip.get("totalReplyCount"))})
        top_author = out[0]["author_id"] if isinstance(out, tuple) else None
        for reply in dicts(get(t, "replies", "comments")):
            yield _record(comment_post(reply, video, None, top_author, item.line), item)


def _record(out: tuple[dict, list[dict], dict] | str, item: Value,
            more: dict | None = None) -> Record | Bad:
    if isinstance(out, str):
        return Bad(item.line, out, item.raw)
    post, ents, acc = out
    if more:
        post["reply_count"] = more.get("total_reply_count")
    return Record(item.line, posts=[post], accounts=[acc], entities=ents, raw=item.raw)


@register
class YouTubeDataToolsReader(Reader):
    """YouTube Data Tools' video comments table (csv or tab)."""

    name = "youtube-data-tools"
    description = ("YouTube Data Tools comments table (id,replyCount,likeCount,publishedAt,"
                   "authorName,text,authorChannelId,...,isReply,isReplyTo,isReplyToName)")
    platform = PLATFORM
    unit = "posts"
    capabilities = {"post_text": "full", "post_time_s": "full", "reply_edges": "full",
                    "hashtags": "partial", "urls": "partial", "account_names": "full"}

    def sniff(self, head: Head) -> int:
        first = head.first_line.lstrip("\ufeff").lower()
        cols = tuple(c.strip().strip('"') for c in re.split(r"[,\t]", first))
        return 95 if cols[:len(YTDT_COLUMNS)] == YTDT_COLUMNS else 0

    def read(self, src: Source, head: Head, ctx: ReadContext) -> Iterator[Record | Bad]:
        m = _YTDT_NAME.search(src.member or src.path.name)  # video ids are case-sensitive
        video = m.group(1) if m else None
        if video is None:
            ctx.notes.append("the video id is not in the file name (YouTube Data Tools names "
                             "it videoinfo_<video id>_...): top-level comments name no video")
        ctx.notes.append("publishedAt has no time zone (the tool writes the server's local "
                         "time); read as UTC")
        sep = "\t" if "\t" in head.first_line else ","
        with src.open_text() as f:
            reader = csv.reader(f, delimiter=sep)
            header = [h.strip().lstrip("\ufeff").lower() for h in next(reader, [])]
            missing = [c for c in YTDT_REQUIRED if c.lower() not in header]
            if missing:
                raise InputError("missing required column" + "s" * (len(missing) > 1) + " "
                                 + ", ".join(repr(c) for c in missing), src.display, 1)
            prev = reader.line_num
            for rec in reader:
                line, prev = prev + 1, reader.line_num
                if not rec or rec == [""]:
                    continue
                raw = sep.join(rec)
                if len(rec) != len(header):
                    yield Bad(line, f"expected {len(header)} columns, found {len(rec)}", raw)
                    continue
                if has_bad_bytes(raw) or "\x00" in raw:
                    yield Bad(line, "NUL or undecodable bytes (not UTF-8) in this row",
                              raw.encode("utf-8", "replace").decode().replace("\x00", "\\0"))
                    continue
                yield self._row(dict(zip(header, rec, strict=True)), video, line, raw)

    @staticmethod
    def _row(row: dict[str, str], video: str | None, line: int, raw: str) -> Record | Bad:
        reply = to_bool(row.get("isreply")) or False
        parent = (row.get("isreplyto") or "").strip() or None
        c = {"id": row.get("id"), "snippet": {
            "authorChannelId": {"value": row.get("authorchannelid")},
            "authorDisplayName": row.get("authorname"),
            "authorChannelUrl": row.get("authorchannelurl"),
            "publishedAt": row.get("publishedat"), "textDisplay": row.get("text"),
            "likeCount": row.get("likecount"), "parentId": parent if reply else None}}
        out = comment_post(c, video, None, None, line)
        if isinstance(out, str):
            return Bad(line, out, raw)
        post, ents, acc = out
        if not reply:
            post["reply_count"] = count(row.get("replycount"))
        elif parent is None:
            return Bad(line, f"reply {post['post_id']} names no isReplyTo", raw)
        return Record(line, posts=[post], accounts=[acc], entities=ents, raw=raw)
