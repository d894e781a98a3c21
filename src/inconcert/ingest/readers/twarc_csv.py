"""twarc-csv (0.7.x) CSV: one X v2 tweet per row, expansions as dotted columns
(`author.username`, `referenced_tweets.retweeted.id`, `retweeted_user_id`, ...).

Each row is rebuilt as the v2 tweet it came from and mapped by the v2 reader's code, so the two
formats give the same rows. Traps handled (docs/readers/twarc.md): list cells are JSON-encoded;
hashtags, cashtags and mentions are pre-prefixed `#`, `$`, `@`; a link to attached media is
written as its `pic.twitter.com/...` display URL (not a shared URL); newlines in text are written
as the two characters `\\n`; counts went through pandas floats (`5.0`); `True`/`False`; a
retweet row carries the retweeted tweet's text, entities and metrics (`merge_retweets`); an id
a spreadsheet rounded (`1.49863E+18`) is refused, never guessed.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from ..csvread import csv_rows, raw_row
from ..registry import Bad, ReadContext, Reader, Record, register
from ..source import Head, Source
from ..values import parse_list, text
from .x_json import PLATFORM, Tally, dicts, time_ms, x_id
from .x_v2 import CAPABILITIES, REF_TYPES, Lookup, tweet_record

HEADER_START = ["id", "conversation_id", "referenced_tweets.replied_to.id"]
# (user id column, username column, reference type) of the users twarc-csv names per row.
REF_USERS = (("retweeted_user_id", "retweeted_username", "retweeted"),
             ("quoted_user_id", "quoted_username", "quoted"),
             ("in_reply_to_user_id", "in_reply_to_username", "replied_to"))
MEDIA_LINK_PREFIXES = ("pic.twitter.com/", "pic.x.com/")


def _cell(row: dict[str, str], col: str) -> str | None:
    return text(row.get(col))


def _json_list(cell: str | None) -> list[Any]:
    if not cell or not cell.strip().startswith("["):
        return []
    try:
        v = json.loads(cell)
    except ValueError:
        return []
    return v if isinstance(v, list) else []


def _unquote(cell: str) -> str:
    """A cell written by `--json-encode-text`: every string cell is a JSON string."""
    if len(cell) < 2 or cell[0] != '"' or cell[-1] != '"':
        return cell
    try:
        v = json.loads(cell)
    except ValueError:
        return cell
    return v if isinstance(v, str) else cell


class _Text:
    """Free-text cells: by default twarc-csv writes newlines as the two characters `\\n`; with
    `--json-encode-text` (rows already unquoted) they are real newlines."""

    def __init__(self, json_encoded: bool) -> None:
        self.json_encoded = json_encoded

    def __call__(self, cell: str | None) -> str | None:
        if cell is None or cell == "":
            return None
        return cell if self.json_encoded else cell.replace("\\n", "\n")


def _texts_json_encoded(head: Head) -> bool:
    try:
        rows = list(csv.DictReader(io.StringIO(head.text)))
    except csv.Error:
        return False
    if not head.complete:
        rows = rows[:-1]
    cells = [r.get("text") or "" for r in rows[:50] if r.get("text")]
    if not cells:
        return False
    for c in cells:
        if len(c) < 2 or not (c[0] == c[-1] == '"'):
            return False
        try:
            json.loads(c)
        except ValueError:
            return False
    return True


def row_tweet(row: dict[str, str], txt: _Text) -> tuple[dict[str, Any], Lookup]:
    """The v2 tweet a twarc-csv row was flattened from, and the lookup its columns give."""
    refs = [{"type": t, "id": _cell(row, f"referenced_tweets.{t}.id")} for t in REF_TYPES
            if _cell(row, f"referenced_tweets.{t}.id")]
    urls = [u for u in parse_list(row.get("entities.urls"))
            if not u.lower().startswith(MEDIA_LINK_PREFIXES)]
    tweet: dict[str, Any] = {
        "id": _cell(row, "id"),
        "author_id": _cell(row, "author_id") or _cell(row, "author.id"),
        "created_at": _cell(row, "created_at"), "text": txt(row.get("text")),
        "lang": _cell(row, "lang"), "source": _cell(row, "source"),
        "conversation_id": _cell(row, "conversation_id"),
        "in_reply_to_user_id": _cell(row, "in_reply_to_user_id"),
        "referenced_tweets": refs,
        "possibly_sensitive": _cell(row, "possibly_sensitive"),
        "reply_settings": _cell(row, "reply_settings"),
        "edit_history_tweet_ids": parse_list(row.get("edit_history_tweet_ids")),
        "public_metrics": {k: _cell(row, f"public_metrics.{k}") for k in (
            "like_count", "retweet_count", "reply_count", "quote_count", "impression_count")},
        "entities": {
            "hashtags": [{"tag": h.lstrip("#")} for h in parse_list(row.get("entities.hashtags"))],
            "cashtags": [{"tag": h.lstrip("$")} for h in parse_list(row.get("entities.cashtags"))],
            "mentions": [{"username": m.lstrip("@")}
                         for m in parse_list(row.get("entities.mentions"))],
            "urls": [{"expanded_url": u} for u in urls],
        },
        "attachments": {"media_keys": parse_list(row.get("attachments.media_keys"))},
        "geo": {"place_id": _cell(row, "geo.place_id"),
                "coordinates": {"coordinates": _json_list(row.get("geo.coordinates.coordinates"))}},
        "matching_rules": dicts(_json_list(row.get("matching_rules"))),
    }
    # The CSV names mentions by handle only; a few could be resolved through the users a row
    # names, which would mix ids and handles in one dataset.
    lk = Lookup(primary=frozenset({x_id(tweet["id"]) or ""}), resolve_handles=False,
                observed_ms=time_ms(_cell(row, "__twarc.retrieved_at")))
    lk.add_user({
        "id": _cell(row, "author.id"),
        "username": _cell(row, "author.username"), "name": txt(row.get("author.name")),
        "description": txt(row.get("author.description")),
        "location": txt(row.get("author.location")), "url": _cell(row, "author.url"),
        "created_at": _cell(row, "author.created_at"),
        "profile_image_url": _cell(row, "author.profile_image_url"),
        "protected": _cell(row, "author.protected"), "verified": _cell(row, "author.verified"),
        "pinned_tweet_id": _cell(row, "author.pinned_tweet_id"),
        "public_metrics": {k: _cell(row, f"author.public_metrics.{k}") for k in (
            "followers_count", "following_count", "tweet_count", "listed_count", "like_count")},
    })
    for uid_col, name_col, typ in REF_USERS:
        uid = _cell(row, uid_col)
        if uid:
            lk.add_user({"id": uid, "username": _cell(row, name_col)})
        rid = _cell(row, f"referenced_tweets.{typ}.id")
        if rid and x_id(rid):
            # What the row says about the referenced tweet: its id and author, no text.
            lk.tweets[x_id(rid) or ""] = {"id": rid, "author_id": uid}
    for m in dicts(_json_list(row.get("attachments.media"))):
        key = m.get("media_key")
        if isinstance(key, str):
            lk.media[key] = m
    return tweet, lk


@register
class TwarcCsvReader(Reader):
    """twarc-csv output: one X v2 tweet per row, expansions in dotted columns."""

    name = "twarc-csv"
    description = "twarc-csv CSV (0.7.x): X v2 tweets with author and reference columns"
    platform = PLATFORM
    unit = "posts"
    capabilities = CAPABILITIES

    def sniff(self, head: Head) -> int:
        cols = [c.lower() for c in head.csv_header]
        if cols[:3] == HEADER_START:
            return 100
        if {"id", "author_id", "created_at", "text"} <= set(cols) and any(
                c.startswith(("referenced_tweets.", "author.", "public_metrics.")) for c in cols):
            return 70
        return 0

    def read(self, src: Source, head: Head, ctx: ReadContext) -> Iterator[Record | Bad]:
        tally = Tally()
        txt = _Text(_texts_json_encoded(head))
        if txt.json_encoded:
            ctx.notes.append("text cells are JSON-encoded (--json-encode-text); decoded")
        for line, row in csv_rows(src, required=("id", "created_at")):
            if isinstance(row, Bad):
                yield row
                continue
            if txt.json_encoded:
                row = {k: _unquote(v) for k, v in row.items()}
            tweet, lk = row_tweet(row, txt)
            rec = tweet_record(line, tweet, lk, tally)
            if isinstance(rec, Bad):
                rec = Bad(line, rec.reason, raw_row(row))
            yield rec
        ctx.capabilities.update(tally.capabilities())
        ctx.notes += tally.notes()
