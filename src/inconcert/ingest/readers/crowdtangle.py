"""CrowdTangle historical CSV exports (CrowdTangle closed in August 2024; researchers still hold
its exports): Facebook Pages and Groups exports, and the Instagram export.

A post is keyed by its `URL`; the account is the Page or Group (`Facebook Id`), or for Instagram
the `User Name` (the export has no account id). Times carry the dashboard's time-zone
abbreviation (`2020-11-03 18:34:01 EST`), converted to UTC. Mapping and traps:
docs/readers/crowdtangle.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ...timeutil import parse_time
from ..csvread import csv_rows, raw_row
from ..entities import entities
from ..registry import Bad, ReadContext, Reader, Record, register
from ..source import Head, Source
from ..values import ident, text
from .values import count, in_range
from .x_json import extra_json

_URL = re.compile(r"https?://[^\s<>\"]+")
_HASHTAG = re.compile(r"(?<![\w&])#(\w{1,100})")
_ZONED = re.compile(r"^(.*\d)\s+([A-Z]{2,5})$")
# Abbreviations the CrowdTangle dashboard writes, with their UTC offsets. Ambiguous ones (IST is
# India, Ireland or Israel) are not guessed.
ZONES = {"UTC": "+00:00", "GMT": "+00:00", "EST": "-05:00", "EDT": "-04:00", "CST": "-06:00",
         "CDT": "-05:00", "MST": "-07:00", "MDT": "-06:00", "PST": "-08:00", "PDT": "-07:00",
         "AKST": "-09:00", "AKDT": "-08:00", "HST": "-10:00", "WET": "+00:00", "WEST": "+01:00",
         "BST": "+01:00", "CET": "+01:00", "CEST": "+02:00", "EET": "+02:00", "EEST": "+03:00",
         "MSK": "+03:00", "JST": "+09:00", "KST": "+09:00", "AEST": "+10:00", "AEDT": "+11:00"}
FB_ALIASES = {"group name": "page name", "created": "post created"}
IG_COLUMNS = ("account", "user name", "followers at posting", "created", "type", "likes",
              "comments", "url")


def zoned_time(value: str) -> tuple[int, str]:
    """(epoch ms UTC, precision) of a CrowdTangle time, converting its zone abbreviation.
    ValueError for an unknown abbreviation or a value that is not a time."""
    v = value.strip()
    m = _ZONED.match(v)
    if m:
        zone = ZONES.get(m.group(2))
        if zone is None:
            raise ValueError(f"unknown time zone {m.group(2)!r}")
        v = m.group(1) + zone
    ms, prec = parse_time(v)
    if in_range(ms) is None:
        raise ValueError(f"time out of range {value!r}")
    return ms, prec


def _text_entities(platform: str, pid: str, body: str | None, links: list[str]) -> list[dict]:
    urls = links + [u.rstrip(".,;:!?)'") for u in _URL.findall(body or "")]
    return entities(platform, pid, hashtags=_HASHTAG.findall(body or ""),
                    urls=list(dict.fromkeys(u for u in urls if u)))


def _created(row: dict[str, str], what: str, pid: str) -> tuple[int, str] | str:
    cell = (row.get(what) or "").strip()
    if not cell:
        date, clock = (row.get("post created date") or "").strip(), \
            (row.get("post created time") or "").strip()
        cell = f"{date} {clock}".strip()
    if not cell:
        return f"post {pid} has no {what!r}"
    try:
        return zoned_time(cell)
    except ValueError as e:
        return f"post {pid}: unparseable {what!r} {cell!r} ({e})"


@register
class CrowdTangleReader(Reader):
    """CrowdTangle historical CSV, Facebook Pages or Groups."""

    name = "crowdtangle"
    description = ("CrowdTangle historical CSV, Facebook Pages/Groups (Page Name, Message, "
                   "Post Created, ...)")
    platform = "facebook"
    unit = "posts"
    capabilities = {"post_text": "full", "post_time_s": "full", "urls": "full",
                    "hashtags": "partial", "account_profile": "partial", "account_names": "full",
                    "account_created": "full", "account_counts": "full"}

    def sniff(self, head: Head) -> int:
        cols = {FB_ALIASES.get(c.lower(), c.lower()) for c in head.csv_header}
        need = {"page name", "message", "post created", "total interactions"}
        return 95 if need <= cols else 0

    def read(self, src: Source, head: Head, ctx: ReadContext) -> Iterator[Record | Bad]:
        known: set[str] = set()
        group = any(c.lower() == "group name" for c in head.csv_header)
        if group:
            ctx.notes.append("a Groups export names the group, not the member who posted: the "
                             "account of every post is the group")
        for line, row in csv_rows(src, required=("facebook id", "url", "post created"),
                                  header_aliases=FB_ALIASES):
            if isinstance(row, Bad):
                yield row
                continue
            yield self._row(row, line, known)

    @staticmethod
    def _row(row: dict[str, str], line: int, known: set[str]) -> Record | Bad:
        pid = text(row.get("url"))
        author = ident(row.get("facebook id"))
        if pid is None or author is None:
            return Bad(line, "empty URL" if pid is None else "empty Facebook Id", raw_row(row))
        when = _created(row, "post created", pid)
        if isinstance(when, str):
            return Bad(line, when, raw_row(row))
        body = text(row.get("message"))
        post: dict[str, Any] = {
            "platform": "facebook", "post_id": pid, "author_id": author, "created_ms": when[0],
            "time_precision": when[1], "time_source": "declared", "declared_ms": when[0],
            "text": body, "kind": "original", "source_line": line,
            "like_count": count(row.get("likes")), "reshare_count": count(row.get("shares")),
            "reply_count": count(row.get("comments")),
            "extra": extra_json({
                "type": text(row.get("type")),
                "total_interactions": count(row.get("total interactions")),
                "image_text": text(row.get("image text")),
                "link_text": text(row.get("link text")),
                "description": text(row.get("description")),
                "views": count(row.get("post views")),
                "sponsor": text(row.get("sponsor name"))}),
        }
        links = [u for u in (text(row.get("link")), text(row.get("final link"))) if u]
        accounts = []
        if author not in known:
            known.add(author)
            created = text(row.get("page created"))
            try:
                cms, cprec = zoned_time(created) if created else (None, None)
            except ValueError:
                cms = cprec = None
            accounts.append({
                "platform": "facebook", "account_id": author, "id_is_hashed": False,
                "handle": text(row.get("user name")), "display_name": text(row.get("page name")),
                "description": text(row.get("page description")),
                "location": text(row.get("page admin top country")),
                "created_ms": cms, "created_precision": cprec,
                "followers": count(row.get("followers at posting")
                                    or row.get("likes at posting")),
                "extra": extra_json({"category": text(row.get("page category"))})})
        return Record(line, posts=[post], accounts=accounts,
                      entities=_text_entities("facebook", pid, body, links), raw=raw_row(row))


@register
class CrowdTangleInstagramReader(Reader):
    """CrowdTangle historical CSV, Instagram accounts."""

    name = "crowdtangle-instagram"
    description = "CrowdTangle historical CSV, Instagram (Account, User Name, Created, Photo, ...)"
    platform = "instagram"
    unit = "posts"
    capabilities = {"post_text": "full", "post_time_s": "full", "hashtags": "partial",
                    "urls": "partial", "account_names": "full", "account_counts": "full"}

    def sniff(self, head: Head) -> int:
        cols = [c.lower() for c in head.csv_header]
        return 90 if all(c in cols for c in IG_COLUMNS) and "photo" in cols else 0

    def read(self, src: Source, head: Head, ctx: ReadContext) -> Iterator[Record | Bad]:
        ctx.notes.append("the Instagram export has no account ids: accounts are keyed by "
                         "user name, which an account can change")
        known: set[str] = set()
        for line, row in csv_rows(src, required=("user name", "url", "created")):
            if isinstance(row, Bad):
                yield row
                continue
            pid, author = text(row.get("url")), text(row.get("user name"))
            if pid is None or author is None:
                yield Bad(line, "empty URL" if pid is None else "empty User Name", raw_row(row))
                continue
            when = _created(row, "created", pid)
            if isinstance(when, str):
                yield Bad(line, when, raw_row(row))
                continue
            body = "\n\n".join(p for p in (text(row.get("title")), text(row.get("description")))
                               if p) or None
            post = {"platform": "instagram", "post_id": pid, "author_id": author,
                    "created_ms": when[0], "time_precision": when[1], "time_source": "declared",
                    "declared_ms": when[0], "text": body, "kind": "original",
                    "source_line": line, "like_count": count(row.get("likes")),
                    "reply_count": count(row.get("comments")),
                    "extra": extra_json({"type": text(row.get("type")),
                                         "views": count(row.get("views")),
                                         "photo": text(row.get("photo"))})}
            accounts = []
            if author not in known:
                known.add(author)
                accounts.append({"platform": "instagram", "account_id": author,
                                 "id_is_hashed": False, "handle": author,
                                 "display_name": text(row.get("account")),
                                 "followers": count(row.get("followers at posting"))})
            links = [u for u in (text(row.get("link")),) if u and u != pid]
            yield Record(line, posts=[post], accounts=accounts,
                         entities=_text_entities("instagram", pid, body, links), raw=raw_row(row))
