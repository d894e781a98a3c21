"""Telegram Desktop export (`result.json`): one chat (`{name, type, id, messages}`) or the whole
account (`chats.list[]` and `left_chats.list[]`, each a chat).

One unit is one message of `type: "message"`; service messages (joins, pins, ...) are read and
counted but stored as nothing (the dataset note says how many). The document is decoded
incrementally, message by message, so an export far larger than memory is never held whole and
every message keeps the line it starts on. Mapping and traps: docs/readers/telegram.md.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from ...errors import InputError
from ...normalize import norm_handle, norm_text
from ..entities import entities
from ..registry import Bad, ReadContext, Reader, Record, register
from ..source import Head, Source
from .values import in_range
from .x_json import Value, _Stream, extra_json, str_or_none

PLATFORM = "telegram"
# tdesktop writes this (or a similar "(... not included ...)" text) where a file was not exported.
_NOT_INCLUDED = "not included"
_CONTAINERS = ("chats", "left_chats")


def unix_seconds_ms(v: Any) -> int | None:  # noqa: ANN401 - any JSON value
    """Epoch ms of a `date_unixtime` (Unix seconds, written as a string), or None when it is not
    a plain non-negative integer."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return in_range(v * 1000) if v >= 0 else None
    if isinstance(v, str) and v.strip().isascii() and v.strip().isdigit() and len(v.strip()) < 13:
        return int(v.strip()) * 1000
    return None


def plain_text(text: Any) -> str | None:  # noqa: ANN401 - a string, or a list of parts
    """A message's text: tdesktop writes a string, or a list mixing strings and entity objects
    (`{type, text, ...}`) when the text has formatting or links."""
    if isinstance(text, str):
        return text or None
    if isinstance(text, list):
        parts = [p if isinstance(p, str) else p.get("text") if isinstance(p, dict) else None
                 for p in text]
        joined = "".join(p for p in parts if isinstance(p, str))
        return joined or None
    return None


def _text_entities(msg: dict) -> list[dict]:
    ents = msg.get("text_entities")
    if isinstance(ents, list):
        return [e for e in ents if isinstance(e, dict)]
    text = msg.get("text")
    return [e for e in text if isinstance(e, dict)] if isinstance(text, list) else []


def message_entities(post_id: str, msg: dict) -> tuple[list[dict], int]:
    """Entity rows of a message (hashtags, cashtags, links, mentions, exported media), and how
    many media files the export left out."""
    tags, cash, urls = [], [], []
    mentions: list[tuple[str, str]] = []
    for e in _text_entities(msg):
        kind, txt = e.get("type"), e.get("text") if isinstance(e.get("text"), str) else ""
        if kind == "hashtag":
            tags.append(txt)
        elif kind == "cashtag":
            cash.append(txt)
        elif kind == "link":
            urls.append(txt)
        elif kind == "text_link" and isinstance(e.get("href"), str):
            urls.append(e["href"])
        elif kind == "mention" and txt.strip("@ "):
            mentions.append((txt.strip().lstrip("@"), norm_handle(txt)))
        elif kind == "mention_name" and e.get("user_id") is not None:
            # from_id is written `user<id>`: the same key, so a mention names the account.
            mentions.append((txt.strip() or str(e["user_id"]), f"user{e['user_id']}"))
    media, missing = [], 0
    for key in ("photo", "file"):
        path = msg.get(key)
        if not isinstance(path, str) or not path.strip():
            continue
        if _NOT_INCLUDED in path:
            missing += 1
            continue
        kind = "photo" if key == "photo" else str_or_none(msg.get("media_type")) or "file"
        media.append({"value": path, "type": kind})
    rows = entities(PLATFORM, post_id, hashtags=tags, cashtags=cash, urls=urls, media=media)
    rows += [{"platform": PLATFORM, "post_id": post_id, "entity": "mention", "position": i,
              "value": v, "normalized": n} for i, (v, n) in enumerate(mentions)]
    return rows, missing


def forward_key(origin: str, text: str | None) -> str | None:
    """A stand-in id for the forwarded original, which the export does not name: forwards of one
    post from one origin carry its text, so origin and normalised text identify it."""
    norm = norm_text(text) if text else ""
    if not norm:
        return None
    return f"fwd:{origin}:{hashlib.sha1(norm.encode('utf-8')).hexdigest()[:16]}"


class _Walk:
    """The chats and messages of a tdesktop export, decoded incrementally."""

    def __init__(self, s: _Stream) -> None:
        self.s = s

    def _key(self) -> str:
        self.s.peek()  # value() decodes from the current position: skip the blanks first
        k = self.s.value()
        if isinstance(k, Bad) or not isinstance(k.obj, str):
            raise InputError("malformed JSON: expected a key", self.s.display, self.s.line)
        self.s.expect(":", "':' after a key")
        return k.obj

    def _object(self, inside: str | None, chat: dict) -> Iterator[tuple[dict, Value | Bad]]:
        """Walk one object: a chat (holding `messages`), a container of chats (`chats`,
        `left_chats`: their `list`), or the document itself."""
        s = self.s
        s.expect("{", "an object")
        if s.peek() == "}":
            s.pos += 1
            return
        while True:
            key = self._key()
            c = s.peek()
            if key == "messages" and c == "[":
                yield from self._array(lambda: self._messages(chat))
            elif key in _CONTAINERS and c == "{":
                yield from self._object(key, {})
            elif key == "list" and inside in _CONTAINERS and c == "[":
                yield from self._array(lambda: self._object(None, {}))
            else:
                v = s.value()
                if key in ("id", "name", "type") and isinstance(v, Value):
                    chat[key] = v.obj
            if s.expect(",}", "',' or '}' in an object") == "}":
                return

    def _messages(self, chat: dict) -> Iterator[tuple[dict, Value | Bad]]:
        yield chat, self.s.value()

    def _array(self, item: Any) -> Iterator[tuple[dict, Value | Bad]]:  # noqa: ANN401
        s = self.s
        s.expect("[", "an array")
        if s.peek() == "]":
            s.pos += 1
            return
        while True:
            if not s.peek():
                raise InputError("malformed JSON: the array is not closed", s.display, s.line)
            yield from item()
            if s.expect(",]", "',' or ']' in an array") == "]":
                return

    def messages(self) -> Iterator[tuple[dict, Value | Bad]]:
        """(chat fields, message) for every message of every chat."""
        yield from self._object(None, {})
        if self.s.peek():
            raise InputError("malformed JSON: more data after the export's document",
                             self.s.display, self.s.line)


@register
class TelegramReader(Reader):
    """Telegram Desktop `result.json`: messages of one chat or of all chats."""

    name = "telegram"
    description = "Telegram Desktop export result.json (one chat, or all chats)"
    platform = PLATFORM
    unit = "posts"
    capabilities = {
        "post_text": "full", "post_time_s": "full", "reply_edges": "full",
        "reshare_edges": "partial", "reshare_author": "partial", "hashtags": "full",
        "urls": "full", "mentions": "full", "account_names": "partial",
    }
    file_capabilities = {"media": "full"}  # only when media were exported

    def sniff(self, head: Head) -> int:
        t = head.text
        if not t.lstrip().startswith("{"):
            return 0
        if '"date_unixtime"' in t and '"messages"' in t:
            return 95
        if '"chats"' in t and '"list"' in t and '"personal_information"' in t:
            return 90
        return 0

    def read(self, src: Source, head: Head, ctx: ReadContext) -> Iterator[Record | Bad]:
        authors: dict[str, dict[str, str]] = {}  # chat id -> message id -> from_id
        known: set[str] = set()
        service = media_missing = media_kept = forwards_unmatched = 0
        with src.open_text() as f:
            for chat, item in _Walk(_Stream(f, src.display)).messages():
                if isinstance(item, Bad):
                    yield item
                    continue
                msg = item.obj
                if isinstance(msg, dict) and msg.get("type") not in (None, "message"):
                    service += 1
                    yield Record(item.line, raw=item.raw)
                    continue
                out = self._message(chat, msg, item, authors, known)
                if isinstance(out, Bad):
                    yield out
                    continue
                record, missing = out
                media_missing += missing
                media_kept += any(e["entity"] == "media" for e in record.entities)
                post = record.posts[0]
                forwards_unmatched += post["kind"] == "reshare" and post["ref_post_id"] is None
                yield record
        if service:
            ctx.notes.append(f"{service} service messages (joins, pins, calls ...) read but not "
                             "stored as posts")
        if media_missing:
            ctx.notes.append(f"{media_missing} media files were not included in the export "
                             "(no media hashes for them)")
        if media_kept:
            ctx.capabilities["media"] = "partial" if media_missing else "full"
        if forwards_unmatched:
            ctx.notes.append(f"{forwards_unmatched} forwards without text have no stand-in "
                             "original id (the export does not name the original)")

    @staticmethod
    def _message(chat: dict, msg: Any, item: Value, authors: dict[str, dict[str, str]],  # noqa: ANN401
                 known: set[str]) -> tuple[Record, int] | Bad:
        if not isinstance(msg, dict):
            return Bad(item.line, "a message is not a JSON object", item.raw)
        chat_id = chat.get("id")
        if isinstance(chat_id, bool) or not isinstance(chat_id, int | str):
            return Bad(item.line, "the chat of this message has no id", item.raw)
        mid = msg.get("id")
        if isinstance(mid, bool) or not isinstance(mid, int | str) or not str(mid).strip():
            return Bad(item.line, "message without an id", item.raw)
        author = str_or_none(msg.get("from_id"))
        if author is None:
            return Bad(item.line, f"message {mid} has no from_id", item.raw)
        if "date_unixtime" not in msg:
            return Bad(item.line, f"message {mid} has no date_unixtime (the offset-less `date` "
                       "is local time of the exporting machine, not used)", item.raw)
        ms = unix_seconds_ms(msg.get("date_unixtime"))
        if ms is None:
            return Bad(item.line, f"message {mid}: unparseable date_unixtime "
                       f"{msg.get('date_unixtime')!r}", item.raw)
        chat_key = str(chat_id)
        pid = f"{chat_key}/{mid}"
        body = plain_text(msg.get("text"))
        by_chat = authors.setdefault(chat_key, {})
        by_chat[str(mid)] = author
        post: dict[str, Any] = {
            "platform": PLATFORM, "post_id": pid, "author_id": author, "created_ms": ms,
            "time_precision": "s", "time_source": "declared", "declared_ms": ms,
            "text": body, "kind": "original", "source_line": item.line,
        }
        fwd_name = str_or_none(msg.get("forwarded_from"))
        fwd_id = str_or_none(msg.get("forwarded_from_id"))
        reply = msg.get("reply_to_message_id")
        if fwd_name is not None or fwd_id is not None or "forwarded_from" in msg:
            origin = fwd_id or fwd_name or "hidden"
            post.update(kind="reshare", ref_post_id=forward_key(origin, body),
                        ref_author_id=fwd_id)
        elif isinstance(reply, int | str) and not isinstance(reply, bool) and str(reply).strip():
            peer = str_or_none(msg.get("reply_to_peer_id"))
            target = f"{peer or chat_key}/{reply}"
            to_author = None if peer else by_chat.get(str(reply))
            post.update(kind="reply", ref_post_id=target, reply_to_post_id=target,
                        ref_author_id=to_author, reply_to_author_id=to_author)
        reactions = msg.get("reactions") if isinstance(msg.get("reactions"), list) else []
        post["extra"] = extra_json({
            "chat_name": str_or_none(chat.get("name")), "chat_type": str_or_none(chat.get("type")),
            "forwarded_from": fwd_name, "signature": str_or_none(msg.get("author")),
            "via_bot": str_or_none(msg.get("via_bot")),
            "edited_ms": unix_seconds_ms(msg.get("edited_unixtime")),
            "media_type": str_or_none(msg.get("media_type")),
            "reactions": [r for r in reactions if isinstance(r, dict)],
        })
        ents, missing = message_entities(pid, msg)
        accounts = []
        if author not in known:
            known.add(author)
            accounts.append({"platform": PLATFORM, "account_id": author, "id_is_hashed": False,
                             "display_name": str_or_none(msg.get("from"))})
        return Record(item.line, posts=[post], accounts=accounts, entities=ents,
                      raw=item.raw), missing
