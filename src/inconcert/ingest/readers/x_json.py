"""Pieces shared by the X/Twitter readers: JSON values with line numbers, exact ids, X times,
client names, mention entities and what a collection turned out to supply.

JSON comes as one value per line (JSONL, twarc), as one document (possibly pretty-printed and
far larger than the head), as an array of values, or as pretty-printed values one after another.
`iter_json` yields every unit-level value with the line it starts on: the elements of a
top-level array, otherwise each top-level value. Line-oriented input is read line by line so a
malformed line is quarantined and the rest is kept; a document is decoded incrementally, so a
top-level array is never held whole.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from ...errors import InputError
from ...normalize import norm_handle
from ...timeutil import parse_time
from ..entities import entities
from ..registry import Bad
from ..source import Head, Source, has_bad_bytes, iter_lines
from ..times import post_time
from ..values import ident

PLATFORM = "x"
CHUNK = 1 << 20
# A decoding error this far before the end of the buffer is a syntax error, not a value that
# continues in the next chunk (so a malformed document fails without reading all of it).
_MARGIN = 1 << 20
_WS = re.compile(r"[ \t\r\n]*")
_SURROGATE = re.compile("[\ud800-\udfff]")
_LONE_ESCAPE = re.compile(r"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
                          r"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}")
_TAG = re.compile(r"<[^>]*>")
_HREF = re.compile(r"""href\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
_DIGITS = re.compile(r"\d{1,20}")
_KEY = re.compile(r'"([A-Za-z_][\w.]*)"\s*:')
_LIST_FIRST = re.compile(r'\{\s*"(data|statuses)"\s*:\s*\[\s*')


@dataclass(slots=True)
class Value:
    """One JSON value of the input: where it starts, the decoded value and its text."""

    line: int
    obj: Any
    raw: str


def iter_json(src: Source, head: Head) -> Iterator[Value | Bad]:
    """Every unit-level JSON value of a source (array elements are units), or a Bad for a line
    that is not JSON. Raises InputError when a document (not a line) is malformed."""
    if _line_oriented(head):
        yield from _lines(src)
        return
    with src.open_text() as f:
        yield from _stream(_Stream(f, src.display))


def _line_oriented(head: Head) -> bool:
    """JSONL unless the input opens like a pretty-printed document: a first line that opens a
    value without closing it, then a line that goes on with it (a JSONL file whose first line
    is broken is still JSONL, and so is a file of garbage lines)."""
    lines = [ln.strip() for ln in head.text.split("\n", 40)[:40] if ln.strip()]
    if len(lines) < 2 or not lines[0].startswith(("{", "[")) or _parses(lines[0]):
        return True
    return _parses(lines[1]) or not lines[1].startswith(('"', "{", "[", "}", "]"))


def _parses(s: str) -> bool:
    try:
        json.loads(s)
    except (ValueError, RecursionError):
        return False
    return True


def _lines(src: Source) -> Iterator[Value | Bad]:
    for n, line in iter_lines(src):
        s = line.strip()
        if not s:
            continue
        if not s.isascii() and has_bad_bytes(s):
            yield Bad(n, "undecodable bytes (not UTF-8) in this line",
                      s.encode("utf-8", "replace").decode())
            continue
        try:
            obj = _fix_escaped_surrogates(json.loads(s), s)
        except ValueError as e:
            yield Bad(n, f"not valid JSON ({_msg(e)})", s)
            continue
        except RecursionError:
            yield Bad(n, "JSON nested too deeply", s)
            continue
        if isinstance(obj, list):
            for item in obj:
                yield Value(n, item, s)
        else:
            yield Value(n, obj, s)


def _msg(e: ValueError) -> str:
    return e.msg if isinstance(e, json.JSONDecodeError) else str(e)


def _fix_escaped_surrogates(obj: Any, raw: str) -> Any:
    """Lone surrogates written as `\\udXXX` escapes (X cuts text inside emoji pairs) become U+FFFD:
    they are valid JSON but cannot be stored as UTF-8 text. Paired escapes (every emoji in
    ASCII-only JSON) decode to one character and need nothing."""
    if ("\\ud" not in raw and "\\uD" not in raw) or not _LONE_ESCAPE.search(raw):
        return obj
    return _walk_fix(obj)


def _walk_fix(obj: Any) -> Any:
    if isinstance(obj, str):
        return _SURROGATE.sub("\ufffd", obj) if _SURROGATE.search(obj) else obj
    if isinstance(obj, list):
        return [_walk_fix(x) for x in obj]
    if isinstance(obj, dict):
        return {_walk_fix(k): _walk_fix(v) for k, v in obj.items()}
    return obj


class _Stream:
    """Incremental decoding of JSON text from a file, counting lines."""

    def __init__(self, f: IO[str], display: str) -> None:
        self.f = f
        self.display = display
        self.buf = ""
        self.pos = 0
        self.line = 1
        self.eof = False
        self.dec = json.JSONDecoder()

    def _more(self, want: int = CHUNK) -> bool:
        data = self.f.read(max(want, CHUNK))
        if not data:
            self.eof = True
            return False
        self.buf = self.buf[self.pos:] + data
        self.pos = 0
        return True

    def peek(self) -> str:
        """The next non-blank character ('' at the end of the input)."""
        while True:
            end = _WS.match(self.buf, self.pos).end()  # type: ignore[union-attr]
            self.line += self.buf.count("\n", self.pos, end)
            self.pos = end
            if self.pos < len(self.buf) or not self._more():
                return self.buf[self.pos:self.pos + 1]

    def value(self) -> Value | Bad:
        start = self.line
        want = CHUNK
        while True:
            try:
                obj, end = self.dec.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as e:
                if self.eof or e.pos + _MARGIN < len(self.buf):
                    raise InputError(f"malformed JSON ({e.msg})", self.display,
                                     start + self.buf.count("\n", self.pos, e.pos)) from None
                want *= 2
                self._more(want)
                continue
            except RecursionError:
                raise InputError("JSON nested too deeply", self.display, start) from None
            if end == len(self.buf) and not self.eof:  # a number may go on in the next chunk
                self._more()
                continue
            break
        raw = self.buf[self.pos:end]
        self.line += raw.count("\n")
        self.pos = end
        if not raw.isascii() and has_bad_bytes(raw):
            return Bad(start, "undecodable bytes (not UTF-8) in this value",
                       raw.encode("utf-8", "replace").decode())
        try:
            return Value(start, _fix_escaped_surrogates(obj, raw), raw)
        except RecursionError:
            return Bad(start, "JSON nested too deeply", raw)

    def expect(self, chars: str, what: str) -> str:
        c = self.peek()
        if not c or c not in chars:
            found = repr(c) if c else "the end of the input"
            raise InputError(f"malformed JSON: expected {what}, found {found}", self.display,
                             self.line)
        self.pos += 1
        return c


def _stream(s: _Stream) -> Iterator[Value | Bad]:
    while c := s.peek():
        if c != "[":
            yield s.value()
            continue
        s.pos += 1
        if s.peek() == "]":
            s.pos += 1
            continue
        while True:
            if not s.peek():
                raise InputError("malformed JSON: the array is not closed", s.display, s.line)
            yield s.value()
            if s.expect(",]", "',' or ']' in an array") == "]":
                break


def head_values(head: Head, limit: int = 40) -> list[Any]:
    """Decoded JSON values from the head, for sniffing: up to `limit` complete lines of JSONL,
    the first elements of an array, or the first document. A document too large for the head
    gives `{"__keys_seen__": [...]}` with the keys it shows."""
    body = head.text.lstrip()
    if not body.startswith(("{", "[")):
        return []
    if _line_oriented(head):
        out: list[Any] = []
        lines = head.text.split("\n")
        if not head.complete:
            lines = lines[:-1]  # the last line may be cut by the head's end
        for ln in lines:
            s = ln.strip()
            if s.startswith(("{", "[")):
                try:
                    v = json.loads(s)
                except (ValueError, RecursionError):
                    continue
                out.extend(v if isinstance(v, list) else [v])
            if len(out) >= limit:
                break
        return out[:limit]
    dec = json.JSONDecoder()
    pos = 1 if body.startswith("[") else 0
    out = []
    m = _LIST_FIRST.match(body)
    if m and not head.complete:
        # A document too large for the head that opens with its list of tweets or statuses:
        # the first element stands for the document.
        try:
            return [{m.group(1): [dec.raw_decode(body, m.end())[0]]}]
        except (ValueError, RecursionError):
            return [{"__keys_seen__": sorted(set(_KEY.findall(body[:65536])))}]
    while len(out) < limit:
        pos = _WS.match(body, pos).end()  # type: ignore[union-attr]
        try:
            v, pos = dec.raw_decode(body, pos)
        except (ValueError, RecursionError):
            break
        out.append(v)
        pos = _WS.match(body, pos).end()  # type: ignore[union-attr]
        if body[pos:pos + 1] == ",":
            pos += 1
    return out or [{"__keys_seen__": sorted(set(_KEY.findall(body[:65536])))}]


def x_id(v: Any) -> str | None:
    """An X id (tweet, user, media) as its exact decimal string, or None when the value is not
    one (a float has already lost digits; `1.39E+18` is what a spreadsheet left of an id)."""
    s = ident(v)
    return s if s is not None and _DIGITS.fullmatch(s) else None


def x_time(value: Any) -> str | None:
    """X time text with its true precision: v2 writes `.000Z` milliseconds that are always zero
    (the time is to the second), so they are dropped and the time parses as second precision."""
    if not isinstance(value, str):
        return None
    s = value.strip()
    if not s:
        return None
    return s[:-5] + "Z" if s.endswith(".000Z") else s


def tweet_time(tid: str, created: Any, what: str = "tweet"
               ) -> tuple[int, str, str, int | None] | str:
    """(created_ms, precision, time source, declared_ms) of a tweet or status with id `tid`, or
    why its time cannot be had (the Snowflake time replaces `created_at` where they agree)."""
    declared = x_time(created)
    if created is not None and declared is None:
        return f"{what} {tid}: unparseable created_at {created!r}"
    try:
        return post_time(tid, declared)
    except ValueError:
        if declared:
            return f"{what} {tid}: unparseable created_at {created!r}"
        return f"{what} {tid} has no created_at and its id is not a Snowflake id"


def time_ms(value: Any) -> int | None:
    """Epoch ms of an X time (`created_at`, twarc's `retrieved_at`), or None when absent or
    unparseable."""
    s = x_time(value)
    try:
        return parse_time(s)[0] if s else None
    except ValueError:
        return None


def account_created(value: Any) -> tuple[int | None, str | None]:
    """(epoch ms, precision) of an account's `created_at`, or (None, None) when absent or
    unparseable (an account with a bad date is still an account)."""
    s = x_time(value)
    if s is None:
        return None, None
    try:
        return parse_time(s)
    except ValueError:
        return None, None


def client_name(source: Any) -> tuple[str | None, str | None]:
    """(client name, client URL) from an X `source`: v1.1 writes an HTML anchor
    (`<a href="http://twitter.com/download/iphone" rel="nofollow">Twitter for iPhone</a>`),
    v2 the bare name."""
    if not isinstance(source, str) or not source.strip():
        return None, None
    m = _HREF.search(source)
    name = html.unescape(_TAG.sub("", source)).strip()
    return (name or None), (m.group(1) if m else None)


def mention_entities(post_id: str, mentions: Iterable[tuple[str | None, str | None]]
                     ) -> list[dict[str, Any]]:
    """Mention entities from (handle, account id) pairs: `value` is the handle as written,
    `normalized` the account id when the source gives it, else the case-folded handle."""
    kept = [(h.strip().lstrip("@") if h else None, i) for h, i in mentions]
    kept = [(h, i) for h, i in kept if h or i]
    rows = entities(PLATFORM, post_id, mentions=[i or norm_handle(h or "") for h, i in kept],
                    mentions_are_ids=True)
    for row, (h, i) in zip(rows, kept, strict=True):
        row["value"] = h or i
    return rows


def with_original(own: dict[str, list], original: dict[str, list]) -> dict[str, list]:
    """A retweet's entities: its own, then the retweeted tweet's that it lacks. A retweet's text
    is cut ("RT @a: ...…"), so its own entities can be partial or absent; the union is the same
    whether or not the cut fell on an entity."""
    def key(x: Any) -> Any:
        if isinstance(x, tuple):  # (handle, account id) of a mention
            return x[1] or (x[0] or "").casefold()
        return x.casefold() if isinstance(x, str) else x

    out = {}
    for k, mine in own.items():
        have = {key(x) for x in mine}
        out[k] = mine + [x for x in original.get(k, []) if key(x) not in have]
    return out


def extra_json(values: dict[str, Any]) -> str | None:
    """Source-specific fields as JSON with sorted keys (None when there are none)."""
    kept = {k: v for k, v in values.items() if v not in (None, "", [], {})}
    return json.dumps(kept, ensure_ascii=False, sort_keys=True) if kept else None


def get(obj: Any, *path: str) -> Any:
    """`obj[a][b]...` when every step is a dict holding the key, else None (hostile JSON may put
    any type anywhere)."""
    for p in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(p)
    return obj


def dicts(v: Any) -> list[dict]:
    """The dict items of a JSON list (anything else in it, or a non-list, is ignored)."""
    return [x for x in v if isinstance(x, dict)] if isinstance(v, list) else []


def strings(v: Any) -> list[str]:
    """The non-empty string items of a JSON list."""
    return [x for x in v if isinstance(x, str) and x.strip()] if isinstance(v, list) else []


def str_or_none(v: Any) -> str | None:
    """A JSON value as stripped text, or None when it is not a non-empty string. (JSON has its
    own null, so words such as `none` or `N/A` are kept: they are somebody's name or place.)"""
    return (v.strip() or None) if isinstance(v, str) else None


class Tally:
    """Counts, while reading, of what a collection actually holds, so the dataset's capabilities
    say what this file supplies (fields depend on the request's `tweet.fields`/`expansions`)."""

    def __init__(self) -> None:
        self.posts = self.ms_posts = self.reshares = self.reshares_with_author = 0
        self.with_client = self.with_lang = 0
        self.authors = self.authors_created = self.authors_counts = self.authors_avatar = 0
        self.authors_profile = 0
        self.media_refs = self.media_resolved = 0
        self.skipped_refs = 0  # referenced tweets that could not be stored as auxiliary posts
        self.seen_authors: set[str] = set()

    def post(self, post: dict[str, Any]) -> None:
        """Count a stored (primary) post."""
        self.posts += 1
        self.ms_posts += post["time_precision"] in ("ms", "us")
        if post["kind"] == "reshare":
            self.reshares += 1
            self.reshares_with_author += post.get("ref_author_id") is not None
        self.with_client += post.get("client") is not None
        self.with_lang += post.get("lang") is not None

    def author(self, author_id: str, acc: dict[str, Any] | None) -> None:
        """Count a post's author once; `acc` is None when the file says nothing about it."""
        if author_id in self.seen_authors:
            return
        self.seen_authors.add(author_id)
        self.authors += 1
        if acc is None:
            return
        self.authors_created += acc.get("created_ms") is not None
        self.authors_counts += acc.get("followers") is not None
        self.authors_avatar += acc.get("avatar_url") is not None
        self.authors_profile += acc.get("handle") is not None

    def notes(self) -> list[str]:
        """What a user should know about the collection that is not a quarantined row."""
        if not self.skipped_refs:
            return []
        return [f"{self.skipped_refs} referenced tweets not stored as auxiliary posts "
                "(no author or no time)"]

    def capabilities(self) -> dict[str, str]:
        """Levels for the capabilities that depend on the data ('none' removes one)."""
        def level(have: int, of: int) -> str:
            return "full" if of and have == of else "partial" if have else "none"

        caps = {
            "post_time_ms": level(self.ms_posts, self.posts),
            "client": level(self.with_client, self.posts),
            "post_lang": level(self.with_lang, self.posts),
            "account_created": level(self.authors_created, self.authors),
            "account_counts": level(self.authors_counts, self.authors),
            "avatar": level(self.authors_avatar, self.authors),
            "account_profile": level(self.authors_profile, self.authors),
            "account_names": level(self.authors_profile, self.authors),
        }
        if self.reshares:
            caps["reshare_author"] = level(self.reshares_with_author, self.reshares)
        if self.media_refs:
            caps["media"] = level(self.media_resolved, self.media_refs)
        return caps
