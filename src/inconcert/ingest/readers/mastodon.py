"""Mastodon API statuses (`GET /api/v1/timelines/...`, `/accounts/:id/statuses`, streaming):
a JSON array of `Status` objects, arrays one after another, or one status per line.

Statuses are keyed on their `uri` (a status has a different `id` on every server that holds it)
and accounts on `user@domain`. A boost is a `reblog` wrapper: a reshare of the nested status,
which is stored too. `in_reply_to_id` is a server-local id, so the file is read twice: first to
learn which local id is which `uri`. Mapping and traps: docs/readers/mastodon.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from ...timeutil import parse_time
from ..entities import entities
from ..registry import Bad, ReadContext, Reader, Record, register
from ..source import Head, Source
from ..values import to_bool
from .html_text import html_text
from .values import count, in_range
from .x_json import dicts, extra_json, get, head_values, iter_json, str_or_none

PLATFORM = "mastodon"
DAY_MS = 86_400_000
# Mastodon serves every account without an avatar this image.
_DEFAULT_AVATAR = "/avatars/original/missing.png"


def account_key(acc: Any) -> str | None:  # noqa: ANN401 - any JSON value
    """`user@domain` of an account, lower-cased: `acct` is bare `user` for accounts local to
    the server that answered, so the domain then comes from the account's `url`."""
    if not isinstance(acc, dict):
        return None
    acct = str_or_none(acc.get("acct")) or str_or_none(acc.get("username"))
    if acct is None:
        return None
    return _key(acct, str_or_none(acc.get("url")) if "@" not in acct.lstrip("@") else None)


@lru_cache(maxsize=1 << 16)
def _key(acct: str, url: str | None) -> str | None:
    acct = acct.lstrip("@")
    if "@" not in acct:
        host = urlsplit(url or "").hostname
        if not host:
            return None
        acct = f"{acct}@{host}"
    return acct.casefold()


def _time_ms(v: Any) -> int | None:  # noqa: ANN401
    """Epoch ms of an ISO 8601 time, or None when absent, not a string or not a time."""
    if not isinstance(v, str) or not v.strip():
        return None
    try:
        return in_range(parse_time(v)[0])
    except ValueError:
        return None


def _ref(v: Any) -> str | None:  # noqa: ANN401
    """A local id as text (Mastodon writes ids as strings; a number is accepted)."""
    if isinstance(v, bool) or v is None:
        return None
    return str(v).strip() or None


def _nested(st: dict) -> list[dict]:
    """The statuses held inside a status: the boosted one and the quoted one."""
    out = [st["reblog"]] if isinstance(st.get("reblog"), dict) else []
    q = get(st, "quote", "quoted_status")
    if isinstance(q, dict):
        out.append(q)
    return out


class _Index:
    """Local ids seen in the file: status id -> uri, account id -> `user@domain`."""

    def __init__(self) -> None:
        self.uris: dict[str, str] = {}
        self.accounts: dict[str, str] = {}

    def add(self, st: Any) -> None:  # noqa: ANN401
        if not isinstance(st, dict):
            return
        sid, uri = _ref(st.get("id")), str_or_none(st.get("uri"))
        if sid and uri:
            self.uris.setdefault(sid, uri)
        for acc in [st.get("account"), *dicts(st.get("mentions"))]:
            aid, key = _ref(get(acc, "id")), account_key(acc)
            if aid and key:
                self.accounts.setdefault(aid, key)
        for n in _nested(st):
            self.add(n)


def mastodon_account(acc: dict, key: str) -> dict[str, Any]:
    """The canonical account of a Mastodon `Account`."""
    # The server truncates created_at to midnight: day precision, whatever it shows.
    created_ms = _time_ms(acc.get("created_at"))
    created_ms = created_ms // DAY_MS * DAY_MS if created_ms is not None else None
    avatar = str_or_none(acc.get("avatar"))
    note, _ = html_text(acc.get("note") if isinstance(acc.get("note"), str) else None)
    acct = str_or_none(acc.get("acct")) or key
    return {
        "platform": PLATFORM, "account_id": key, "id_is_hashed": False,
        "handle": acct if "@" in acct else key,
        "display_name": str_or_none(acc.get("display_name")), "description": note,
        "url": str_or_none(acc.get("url")), "created_ms": created_ms,
        "created_precision": "day" if created_ms is not None else None,
        "avatar_url": avatar,
        "default_profile_image": (_DEFAULT_AVATAR in avatar) if avatar else None,
        "followers": count(acc.get("followers_count")),
        "following": count(acc.get("following_count")),
        "posts_count": count(acc.get("statuses_count")),
        "extra": extra_json({
            "local_id": _ref(acc.get("id")), "bot": to_bool(acc.get("bot")),
            "locked": to_bool(acc.get("locked")), "group": to_bool(acc.get("group")),
            "last_status_at": str_or_none(acc.get("last_status_at")),
            "moved": account_key(acc.get("moved")),
            "fields": [{"name": f.get("name"), "value": html_text(f.get("value"))[0]}
                       for f in dicts(acc.get("fields")) if isinstance(f.get("value"), str)],
        }),
    }


@register
class MastodonReader(Reader):
    """Mastodon API `Status` objects: posts, boosts, replies, quotes."""

    name = "mastodon"
    description = "Mastodon API statuses (JSON array or lines; boosts, replies, quotes)"
    platform = PLATFORM
    unit = "posts"
    capabilities = {
        "post_text": "full", "post_time_ms": "full", "post_time_s": "full",
        "reshare_edges": "full", "reshare_author": "full", "reshare_time": "full",
        "reply_edges": "partial", "quote_edges": "full", "hashtags": "full", "urls": "full",
        "mentions": "full", "media": "full", "client": "partial", "post_lang": "full",
        "account_profile": "full", "account_names": "full", "account_created": "full",
        "account_counts": "full", "avatar": "full",
    }

    def sniff(self, head: Head) -> int:
        for v in head_values(head, 5):
            if isinstance(v, dict) and "uri" in v and isinstance(v.get("account"), dict) \
                    and "acct" in v["account"] and ("reblog" in v or "content" in v):
                return 95
        return 0

    def read(self, src: Source, head: Head, ctx: ReadContext) -> Iterator[Record | Bad]:
        idx = _Index()
        self.described: set[str] = set()
        for item in iter_json(src, head):
            if not isinstance(item, Bad):
                idx.add(item.obj)
        unresolved = 0
        for item in iter_json(src, head):
            if isinstance(item, Bad):
                yield item
                continue
            st = item.obj
            if not isinstance(st, dict):
                yield Bad(item.line, "a status is not a JSON object", item.raw)
                continue
            main = self._status(st, idx)
            if isinstance(main, str):
                yield Bad(item.line, main, item.raw)
                continue
            post, ents, accounts = main
            unresolved += post["kind"] == "reply" and post["reply_to_post_id"] is None
            post["source_line"] = item.line
            posts = [post]
            for n in _nested(st):
                aux = self._status(n, idx)
                if isinstance(aux, tuple):
                    posts.append(aux[0])
                    ents += aux[1]
                    accounts += aux[2]
            yield Record(item.line, posts=posts, accounts=accounts, entities=ents,
                         raw=item.raw)
        if unresolved:
            ctx.notes.append(f"{unresolved} replies answer a status that is not in the file: "
                             "its server-local id cannot name it (kept in extra.in_reply_to_id)")

    def _status(self, st: dict, idx: _Index) -> tuple[dict, list[dict], list[dict]] | str:
        """(post, entities, accounts) of one status, or why it cannot be stored."""
        uri = str_or_none(st.get("uri"))
        if uri is None:
            return f"status {_ref(st.get('id'))!r} has no uri"
        acc = st.get("account")
        author = account_key(acc)
        if author is None or not isinstance(acc, dict):
            return f"status {uri} has no account with an acct"
        created = st.get("created_at")
        if created is None:
            return f"status {uri} has no created_at"
        try:
            ms, prec = parse_time(created) if isinstance(created, str) else (None, None)
        except ValueError:
            ms = prec = None
        if in_range(ms) is None or prec is None:
            return f"status {uri}: unparseable created_at {created!r}"
        text, links = html_text(st.get("content") if isinstance(st.get("content"), str) else None)
        reply_id = _ref(st.get("in_reply_to_id"))
        reply_uri = idx.uris.get(reply_id) if reply_id else None
        reply_author = idx.accounts.get(_ref(st.get("in_reply_to_account_id")) or "")
        quote = st.get("quote") if isinstance(st.get("quote"), dict) else {}
        quoted = str_or_none(get(quote, "quoted_status", "uri")) or idx.uris.get(
            _ref(quote.get("quoted_status_id")) or "")
        post: dict[str, Any] = {
            "platform": PLATFORM, "post_id": uri, "author_id": author, "created_ms": ms,
            "time_precision": prec, "time_source": "declared", "declared_ms": ms,
            "text": text, "lang": str_or_none(st.get("language")),
            "client": str_or_none(get(st, "application", "name")), "kind": "original",
            "reply_to_post_id": reply_uri, "reply_to_author_id": reply_author,
            "quoted_post_id": quoted, "like_count": count(st.get("favourites_count")),
            "reshare_count": count(st.get("reblogs_count")),
            "reply_count": count(st.get("replies_count")),
            "quote_count": count(st.get("quotes_count")),
        }
        boosted = st.get("reblog") if isinstance(st.get("reblog"), dict) else None
        if boosted is not None:
            ref_ms = _time_ms(boosted.get("created_at"))
            post.update(kind="reshare", ref_post_id=str_or_none(boosted.get("uri")),
                        ref_author_id=account_key(boosted.get("account")),
                        ref_author_handle=str_or_none(get(boosted, "account", "acct")),
                        ref_created_ms=ref_ms, text=None)
        elif reply_id or reply_author:
            post.update(kind="reply", ref_post_id=reply_uri, ref_author_id=reply_author)
        elif quoted:
            post.update(kind="quote", ref_post_id=quoted,
                        ref_author_id=account_key(get(quote, "quoted_status", "account")))
        post["extra"] = extra_json({
            "local_id": _ref(st.get("id")), "url": str_or_none(st.get("url")),
            "in_reply_to_id": reply_id if reply_uri is None else None,
            "visibility": str_or_none(st.get("visibility")),
            "sensitive": to_bool(st.get("sensitive")),
            "spoiler_text": str_or_none(st.get("spoiler_text")),
            "edited_at": str_or_none(st.get("edited_at")),
        })
        ents: list[dict] = []
        if boosted is None:
            card = str_or_none(get(st, "card", "url"))
            urls = links + ([card] if card and card not in links else [])
            media = [{"value": str_or_none(m.get("url")) or str_or_none(m.get("remote_url")),
                      "type": str_or_none(m.get("type")), "alt": str_or_none(m.get("description"))}
                     for m in dicts(st.get("media_attachments"))]
            ents = entities(PLATFORM, uri, hashtags=[str(t.get("name")) for t in
                                                     dicts(st.get("tags")) if t.get("name")],
                            urls=urls, media=media)
            mentions = [(str_or_none(m.get("acct")), account_key(m))
                        for m in dicts(st.get("mentions"))]
            ents += [{"platform": PLATFORM, "post_id": uri, "entity": "mention", "position": i,
                      "value": v, "normalized": k}
                     for i, (v, k) in enumerate((v, k) for v, k in mentions if v and k)]
        if author in self.described:  # accounts repeat on every status: describe each once
            return post, ents, []
        self.described.add(author)
        return post, ents, [mastodon_account(acc, author)]
