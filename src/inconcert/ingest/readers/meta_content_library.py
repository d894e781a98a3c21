"""Meta Content Library (MCL) posts and comments, Facebook and Instagram: the web UI's CSV
download (dotted column names such as `post_owner.id`, `statistics.like_count`) and JSON from
the MCL API client (nested objects, or the same dotted names), one object per line or a JSON
array.

MCL ids are its own ("cannot be used to search on Meta's technologies") and are kept as written.
Field names follow Meta's data dictionary; the ones it leaves open are accepted under their
documented aliases (see docs/readers/meta-content-library.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from ...timeutil import parse_time
from ..csvread import csv_rows, raw_row
from ..entities import entities
from ..registry import Bad, ReadContext, Reader, Record, register
from ..source import Head, Source
from ..values import ident, parse_list, to_bool
from .values import count, in_range
from .x_json import extra_json, head_values, iter_json

PLATFORMS = ("facebook", "instagram")
_URL = re.compile(r"https?://[^\s<>\"]+")
_HASHTAG = re.compile(r"(?<![\w&])#(\w{1,100})")
_SIGNATURE = ("post_owner.id", "creation_time")
# Where a comment names what it comments on, and the comment it answers (dictionary wording
# differs between versions and products).
_COMMENTED = ("post_id", "parent_post_id", "commented_post_id")
_ANSWERED = ("parent_comment_id", "reply_to_comment_id", "parent_id")


def flatten(obj: Any, prefix: str = "", out: dict[str, Any] | None = None) -> dict[str, Any]:  # noqa: ANN401
    """Nested JSON objects as one level of dotted keys (`post_owner.id`), the form of the UI's
    CSV columns, so both inputs map alike. Lists stay values."""
    out = {} if out is None else out
    if isinstance(obj, dict):
        for k, v in obj.items():
            key = f"{prefix}{k}".lower()
            if isinstance(v, dict):
                flatten(v, key + ".", out)
            else:
                out[key] = v
    return out


def _cell(v: Any) -> str | None:  # noqa: ANN401
    """A cell or JSON scalar as stripped text (None when empty)."""
    if v is None or isinstance(v, bool | dict | list):
        return None
    s = str(v).strip()
    return s or None


def _first(row: dict[str, Any], *names: str) -> Any:  # noqa: ANN401
    return next((row[n] for n in names if row.get(n) not in (None, "")), None)


def _platform(row: dict[str, Any], default: str) -> str:
    named = (_cell(row.get("platform")) or "").lower()
    if named in PLATFORMS:
        return named
    for key in ("mcl_url", "url", "post_url", "link"):
        host = urlsplit(_cell(row.get(key)) or "").hostname or ""
        if host.endswith("instagram.com"):
            return "instagram"
        if host.endswith(("facebook.com", "fb.com")):
            return "facebook"
    return default


def _list(v: Any) -> list[str]:  # noqa: ANN401
    if isinstance(v, list):
        return [str(x) for x in v if isinstance(x, str | int) and str(x).strip()]
    return parse_list(v) if isinstance(v, str) else []


def _media(row: dict[str, Any]) -> list[dict[str, Any]]:
    items = row.get("multimedia")
    if isinstance(items, list):
        return [{"value": _cell(m.get("url")) or _cell(m.get("id")), "type": _cell(m.get("type"))}
                for m in items if isinstance(m, dict)]
    url = _cell(row.get("multimedia.url"))
    return [{"value": url, "type": _cell(row.get("multimedia.type"))}] if url else []


def mcl_post(row: dict[str, Any], line: int, default_platform: str
             ) -> tuple[dict, list[dict], dict] | str:
    """(post, entities, account) of one MCL row (flattened, lower-case keys), or the problem."""
    pid = ident(row.get("id"))
    if pid is None:
        return "no id"
    author = ident(row.get("post_owner.id"))
    if author is None:
        return f"post {pid} has no post_owner.id"
    created = _cell(row.get("creation_time"))
    if created is None:
        return f"post {pid} has no creation_time"
    try:
        ms, prec = parse_time(created)
    except ValueError:
        ms = prec = None
    if in_range(ms) is None or prec is None:
        return f"post {pid}: unparseable creation_time {created!r}"
    platform = _platform(row, default_platform)
    text = _cell(row.get("text"))
    post: dict[str, Any] = {
        "platform": platform, "post_id": pid, "author_id": author, "created_ms": ms,
        "time_precision": prec, "time_source": "declared", "declared_ms": ms, "text": text,
        "lang": _cell(row.get("lang")), "kind": "original", "source_line": line,
        "like_count": count(_first(row, "statistics.like_count",
                                    "statistics.reaction_count")),
        "reshare_count": count(row.get("statistics.share_count")),
        "reply_count": count(row.get("statistics.comment_count")),
    }
    shared = ident(row.get("shared_post_id"))
    commented = ident(_first(row, *_COMMENTED))
    answered = ident(_first(row, *_ANSWERED))
    if to_bool(row.get("is_reshare")) or shared:
        post.update(kind="reshare", ref_post_id=shared)
    elif answered:
        post.update(kind="reply", ref_post_id=answered, reply_to_post_id=answered,
                    root_post_id=commented)
    elif commented:
        post.update(kind="comment", ref_post_id=commented, reply_to_post_id=commented,
                    root_post_id=commented)
    post["extra"] = extra_json({
        "mcl_url": _cell(row.get("mcl_url")), "content_type": _cell(row.get("content_type")),
        "surface_id": _cell(row.get("surface.id")), "surface_name": _cell(row.get("surface.name")),
        "surface_type": _cell(row.get("surface.type")),
        "image_text": _cell(row.get("image_text")),
        "views": count(_first(row, "statistics.views", "statistics.view_count")),
        "reactions": count(row.get("statistics.reaction_count")),
        "modified_time": _cell(row.get("modified_time")),
        "is_branded_content": to_bool(row.get("is_branded_content")),
    })
    links = [u for u in (_cell(_first(row, "link_url", "link_attachment.link",
                                       "link_attachment.url")),) if u]
    links += [u.rstrip(".,;:!?)'") for u in _URL.findall(text or "")]
    tags = _list(row.get("hashtags")) or _HASHTAG.findall(text or "")
    ents = entities(platform, pid, hashtags=tags, urls=list(dict.fromkeys(links)),
                    media=_media(row))
    acc = {"platform": platform, "account_id": author, "id_is_hashed": False,
           "handle": _cell(row.get("post_owner.username")),
           "display_name": _cell(row.get("post_owner.name")),
           "extra": extra_json({"type": _cell(row.get("post_owner.type"))})}
    return post, ents, acc


def _looks_mcl(keys: Any) -> bool:  # noqa: ANN401
    names = {str(k).lower() for k in keys}
    return all(k in names for k in _SIGNATURE) and "id" in names


def _default_platform(src: Source) -> str:
    return "instagram" if "instagram" in src.name else "facebook"


@register
class MetaContentLibraryCsvReader(Reader):
    """Meta Content Library CSV download (Facebook or Instagram posts and comments)."""

    name = "meta-content-library"
    description = ("Meta Content Library CSV (id, creation_time, text, post_owner.*, "
                   "statistics.*; Facebook and Instagram)")
    platform = "facebook"
    unit = "posts"
    capabilities = {"post_text": "full", "post_time_s": "full", "hashtags": "full",
                    "urls": "partial", "account_names": "full", "post_lang": "partial"}
    file_capabilities = {"reshare_edges": "partial", "reply_edges": "full", "media": "partial"}

    def sniff(self, head: Head) -> int:
        return 95 if _looks_mcl(head.csv_header) else 0

    def read(self, src: Source, head: Head, ctx: ReadContext) -> Iterator[Record | Bad]:
        default = _default_platform(src)
        seen: set[tuple[str, str]] = set()
        for line, row in csv_rows(src, required=("id", *_SIGNATURE)):
            if isinstance(row, Bad):
                yield row
                continue
            yield _record(mcl_post(row, line, default), line, raw_row(row), seen, ctx)
        _platform_note(ctx, default)


@register
class MetaContentLibraryJsonReader(Reader):
    """Meta Content Library API results as JSON (nested or dotted fields)."""

    name = "meta-content-library-json"
    description = "Meta Content Library API JSON (posts or comments; lines or an array)"
    platform = "facebook"
    unit = "posts"
    capabilities = MetaContentLibraryCsvReader.capabilities
    file_capabilities = MetaContentLibraryCsvReader.file_capabilities

    def sniff(self, head: Head) -> int:
        for v in head_values(head, 5):
            if isinstance(v, dict) and _looks_mcl(flatten(v)):
                return 90
        return 0

    def read(self, src: Source, head: Head, ctx: ReadContext) -> Iterator[Record | Bad]:
        default = _default_platform(src)
        seen: set[tuple[str, str]] = set()
        for item in iter_json(src, head):
            if isinstance(item, Bad):
                yield item
                continue
            if not isinstance(item.obj, dict):
                yield Bad(item.line, "a value is not a JSON object", item.raw)
                continue
            row = flatten(item.obj)
            yield _record(mcl_post(row, item.line, default), item.line, item.raw, seen, ctx)
        _platform_note(ctx, default)


def _record(out: tuple[dict, list[dict], dict] | str, line: int, raw: str,
            seen: set[tuple[str, str]], ctx: ReadContext) -> Record | Bad:
    if isinstance(out, str):
        return Bad(line, out, raw)
    post, ents, acc = out
    if post["kind"] == "reshare":
        ctx.capabilities["reshare_edges"] = "partial"
    elif post["kind"] in ("comment", "reply"):
        ctx.capabilities["reply_edges"] = "full"
    if any(e["entity"] == "media" for e in ents):
        ctx.capabilities["media"] = "partial"
    key = (acc["platform"], acc["account_id"])
    accounts = [] if key in seen else [acc]
    seen.add(key)
    return Record(line, posts=[post], accounts=accounts, entities=ents, raw=raw)


def _platform_note(ctx: ReadContext, default: str) -> None:
    why = " (the file name says instagram)" if default == "instagram" else ""
    ctx.notes.append(f"platform from each row's platform column or URL host, else {default!r}"
                     f"{why}; ids are Meta Content Library ids")
