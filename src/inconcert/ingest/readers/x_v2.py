"""X API v2 JSON: response pages (`data` + `includes` + `meta` [+ `errors`]) and tweets flattened
by twarc2 (`author`, `in_reply_to_user`, `referenced_tweets[].author` inlined, `__twarc` added).

Input may be one document (pretty-printed or not), an array of pages or tweets, or JSON lines
(twarc2 raw output, one page per line; `twarc2 flatten` output, one tweet per line). Each line is
recognised on its own, so a file mixing pages and flattened tweets reads as one. One unit is one
tweet in `data`. Referenced tweets found in `includes.tweets` (or inlined) become auxiliary posts,
`includes.users` accounts, `includes.media` media entities of the posts whose
`attachments.media_keys` name them. Mapping and traps: docs/readers/x-api-v2.md.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ...normalize import rt_handle
from ...timeutil import snowflake_ms
from ..entities import entities
from ..registry import Bad, ReadContext, Reader, Record, register
from ..source import Head, Source
from ..values import BadValue, to_bool, to_int
from .x_json import (
    PLATFORM,
    Tally,
    account_created,
    client_name,
    dicts,
    extra_json,
    get,
    head_values,
    iter_json,
    mention_entities,
    str_or_none,
    strings,
    time_ms,
    tweet_time,
    with_original,
    x_id,
)

REF_TYPES = ("retweeted", "quoted", "replied_to")
_PAGE_KEYS = frozenset({"data", "includes", "meta", "errors", "__twarc", "matching_rules"})
CAPABILITIES = {
    "post_text": "full", "post_time_s": "full", "post_time_ms": "full",
    "reshare_edges": "full", "reshare_author": "full", "reshare_time": "full",
    "reply_edges": "full", "quote_edges": "full", "hashtags": "full", "urls": "full",
    "mentions": "full", "media": "full", "client": "full", "post_lang": "full",
    "account_profile": "full", "account_names": "full", "account_created": "full",
    "account_counts": "full", "avatar": "full",
}


def v2_account(u: dict[str, Any], observed_ms: int | None) -> dict[str, Any] | None:
    """The canonical account of a v2 user object (None without a usable id)."""
    uid = x_id(u.get("id"))
    if uid is None:
        return None
    pm = u.get("public_metrics") if isinstance(u.get("public_metrics"), dict) else {}
    created_ms, created_prec = account_created(u.get("created_at"))
    avatar = str_or_none(u.get("profile_image_url"))
    # `url` is a t.co link; the profile's real link is in entities.url.
    expanded = [str_or_none(x.get("expanded_url"))
                for x in dicts(get(u, "entities", "url", "urls"))]
    return {
        "platform": PLATFORM, "account_id": uid, "id_is_hashed": False,
        "handle": str_or_none(u.get("username")), "display_name": str_or_none(u.get("name")),
        "description": str_or_none(u.get("description")),
        "location": str_or_none(u.get("location")),
        "url": next((x for x in expanded if x), None) or str_or_none(u.get("url")),
        "created_ms": created_ms, "created_precision": created_prec,
        "avatar_url": avatar,
        "followers": to_int(pm.get("followers_count")),
        "following": to_int(pm.get("following_count")),
        "posts_count": to_int(pm.get("tweet_count")),
        "likes_count": to_int(pm.get("like_count")),
        "listed_count": to_int(pm.get("listed_count")),
        "verified": to_bool(u.get("verified")),
        # v2 has no default_profile_image flag; X serves every default avatar from this path.
        "default_profile_image": ("/default_profile_images/" in avatar) if avatar else None,
        "observed_ms": observed_ms,
        "extra": extra_json({"protected": to_bool(u.get("protected")),
                             "verified_type": str_or_none(u.get("verified_type")),
                             "pinned_tweet_id": x_id(u.get("pinned_tweet_id")),
                             "withheld": u.get("withheld")}),
    }


@dataclass
class Lookup:
    """What a tweet's references resolve against: a page's `includes`, or what twarc2 inlined."""

    users: dict[str, dict] = field(default_factory=dict)
    by_name: dict[str, str] = field(default_factory=dict)  # case-folded username -> user id
    tweets: dict[str, dict] = field(default_factory=dict)
    media: dict[str, dict] = field(default_factory=dict)
    primary: frozenset[str] = frozenset()  # ids of the tweets that are units themselves
    # Resolve mentioned handles to ids through the users held; off where only some could be
    # (a dataset's mentions are then all ids or all handles, never a mix of the two).
    resolve_handles: bool = True
    observed_ms: int | None = None
    _accounts: dict[str, dict | None] = field(default_factory=dict)

    def add_user(self, u: Any) -> None:
        """Hold a user object (the first one seen for an id wins)."""
        uid = x_id(u.get("id")) if isinstance(u, dict) else None
        if uid is None:
            return
        self.users.setdefault(uid, u)
        name = str_or_none(u.get("username"))
        if name:
            self.by_name.setdefault(name.casefold(), uid)

    def account(self, uid: str | None) -> dict | None:
        """The canonical account of a held user (mapped once per lookup), or None."""
        if uid is None or uid not in self.users:
            return None
        if uid not in self._accounts:
            self._accounts[uid] = v2_account(self.users[uid], self.observed_ms)
        return self._accounts[uid]

    def handle(self, uid: str | None) -> str | None:
        """The username of a held user, or None."""
        return str_or_none(self.users[uid].get("username")) if uid in self.users else None

    def author_of(self, tid: str | None) -> str | None:
        """The author id of a held tweet, or None."""
        t = self.tweets.get(tid) if tid else None
        return _author_id(t) if t else None

    def created_ms(self, tid: str | None) -> int | None:
        """When a referenced tweet was written: its Snowflake time, else its `created_at`."""
        sf = snowflake_ms(tid)
        if sf is not None or not tid or tid not in self.tweets:
            return sf
        return time_ms(self.tweets[tid].get("created_at"))


def _author_id(t: dict) -> str | None:
    return x_id(t.get("author_id")) or x_id(get(t, "author", "id"))


def page_lookup(page: dict) -> Lookup:
    """Lookup tables of one response page."""
    inc = page.get("includes") if isinstance(page.get("includes"), dict) else {}
    data = page.get("data")
    tweets = dicts(data if isinstance(data, list) else [data])
    lk = Lookup(observed_ms=time_ms(get(page, "__twarc", "retrieved_at")),
                primary=frozenset(i for i in (x_id(t.get("id")) for t in tweets) if i))
    for u in dicts(inc.get("users")):
        lk.add_user(u)
    for t in dicts(inc.get("tweets")) + tweets:
        tid = x_id(t.get("id"))
        if tid:
            lk.tweets.setdefault(tid, t)
    for m in dicts(inc.get("media")):
        key = str_or_none(m.get("media_key"))
        if key:
            lk.media.setdefault(key, m)
    return lk


def flat_lookup(tweet: dict) -> Lookup:
    """Lookup tables from the objects twarc2 inlined into a flattened tweet."""
    lk = Lookup(observed_ms=time_ms(get(tweet, "__twarc", "retrieved_at")),
                primary=frozenset({x_id(tweet.get("id")) or ""}))
    stack = [tweet]
    while stack:
        t = stack.pop()
        lk.add_user(t.get("author"))
        lk.add_user(t.get("in_reply_to_user"))
        for m in dicts(get(t, "entities", "mentions")):
            if m.get("id") is not None and len(m) > 4:  # a mention merged with its user object
                lk.add_user(m)
        for m in dicts(get(t, "attachments", "media")):
            key = str_or_none(m.get("media_key"))
            if key:
                lk.media.setdefault(key, m)
        for r in dicts(t.get("referenced_tweets")):
            rid = x_id(r.get("id"))
            if rid and rid not in lk.tweets and len(r) > 2:  # more than {type, id}: inlined
                lk.tweets[rid] = r
                stack.append(r)
    return lk


def _refs(t: dict) -> dict[str, str]:
    out: dict[str, str] = {}
    for r in dicts(t.get("referenced_tweets")):
        rid, typ = x_id(r.get("id")), r.get("type")
        if rid and typ in REF_TYPES and typ not in out:
            out[typ] = rid
    return out


def _entity_lists(t: dict) -> dict[str, list]:
    ents = t.get("entities") if isinstance(t.get("entities"), dict) else {}
    urls = []
    for u in dicts(ents.get("urls")):
        if u.get("media_key") is not None:
            continue  # the link to attached media: the media entity stands for it
        best = next((v for v in (str_or_none(u.get(k)) for k in
                                 ("unwound_url", "expanded_url", "url")) if v), None)
        if best:
            urls.append(best)
    return {
        "hashtags": [h["tag"] for h in dicts(ents.get("hashtags"))
                     if isinstance(h.get("tag"), str)],
        "cashtags": [h["tag"] for h in dicts(ents.get("cashtags"))
                     if isinstance(h.get("tag"), str)],
        "urls": urls,
        "mentions": [(str_or_none(m.get("username")), x_id(m.get("id")))
                     for m in dicts(ents.get("mentions"))],
    }


def _post(t: dict, lk: Lookup, line: int, tally: Tally | None
          ) -> tuple[dict[str, Any], list[dict[str, Any]], list[str]] | str:
    """(post, entities, account ids it names) for a v2 tweet, or why it cannot be stored."""
    tid = x_id(t.get("id"))
    if tid is None:
        return f"tweet without a usable id ({t.get('id')!r})"
    aid = _author_id(t)
    if aid is None:
        return f"tweet {tid} has no author_id (request the author_id expansion)"
    when = tweet_time(tid, t.get("created_at"), "tweet")
    if isinstance(when, str):
        return when
    ms, prec, source, declared_ms = when
    body = t.get("text") if isinstance(t.get("text"), str) else None
    refs = _refs(t)
    rt, quoted, replied = refs.get("retweeted"), refs.get("quoted"), refs.get("replied_to")
    reply_user = x_id(t.get("in_reply_to_user_id")) or (lk.author_of(replied) if replied else None)
    pm = t.get("public_metrics") if isinstance(t.get("public_metrics"), dict) else {}
    client, _ = client_name(t.get("source"))
    post: dict[str, Any] = {
        "platform": PLATFORM, "post_id": tid, "author_id": aid, "created_ms": ms,
        "time_precision": prec, "time_source": source, "declared_ms": declared_ms,
        "text": body, "lang": str_or_none(t.get("lang")), "client": client, "kind": "original",
        "reply_to_post_id": replied, "reply_to_author_id": reply_user,
        "quoted_post_id": quoted, "root_post_id": x_id(t.get("conversation_id")),
        "source_line": line,
    }
    if rt:
        kind, ref, ref_author = "reshare", rt, lk.author_of(rt)
    elif replied:
        kind, ref, ref_author = "reply", replied, reply_user
    elif quoted:
        kind, ref, ref_author = "quote", quoted, lk.author_of(quoted)
    elif reply_user:  # a reply to an account whose tweet is not named
        kind, ref, ref_author = "reply", None, reply_user
    else:
        kind, ref, ref_author = "original", None, None
    if kind != "original":
        post.update(kind=kind, ref_post_id=ref, ref_author_id=ref_author,
                    ref_author_handle=lk.handle(ref_author) or (rt_handle(body) if rt else None),
                    ref_created_ms=lk.created_ms(ref))
    if not rt:
        # A retweet reports the retweeted tweet's metrics, not its own: they are not its counts.
        post.update(like_count=to_int(pm.get("like_count")),
                    reshare_count=to_int(pm.get("retweet_count")),
                    reply_count=to_int(pm.get("reply_count")),
                    quote_count=to_int(pm.get("quote_count")))
    edits = strings(t.get("edit_history_tweet_ids"))
    post["extra"] = extra_json({
        "possibly_sensitive": to_bool(t.get("possibly_sensitive")),
        "reply_settings": str_or_none(t.get("reply_settings")),
        "impression_count": None if rt else to_int(pm.get("impression_count")),
        "bookmark_count": None if rt else to_int(pm.get("bookmark_count")),
        "edit_history_tweet_ids": edits if len(edits) > 1 else None,
        "place_id": str_or_none(get(t, "geo", "place_id")),
        "coordinates": get(t, "geo", "coordinates", "coordinates"),
        "withheld": t.get("withheld"),
        "matching_rules": [str_or_none(r.get("tag")) or x_id(r.get("id"))
                           for r in dicts(t.get("matching_rules"))],
    })
    lists = _entity_lists(t)
    if rt and rt in lk.tweets:
        lists = with_original(lists, _entity_lists(lk.tweets[rt]))
    mentions = [(h, i or (lk.by_name.get(h.casefold()) if h and lk.resolve_handles else None))
                for h, i in lists["mentions"]]
    keys = strings(get(t, "attachments", "media_keys"))
    media = [lk.media[k] for k in keys if k in lk.media]
    if tally is not None:
        tally.media_refs += len(keys)
        tally.media_resolved += len(media)
    ents = entities(PLATFORM, tid, hashtags=lists["hashtags"], urls=lists["urls"],
                    cashtags=lists["cashtags"],
                    media=[{"value": str_or_none(m.get("url"))
                            or str_or_none(m.get("preview_image_url"))
                            or str_or_none(m.get("media_key")),
                            "type": str_or_none(m.get("type")),
                            "alt": str_or_none(m.get("alt_text"))} for m in media])
    ents += mention_entities(tid, mentions)
    named = [aid, post.get("ref_author_id"), reply_user] + [i for _, i in mentions]
    return post, ents, [u for u in named if u]


def tweet_record(line: int, t: dict, lk: Lookup, tally: Tally, where: str = "") -> Record | Bad:
    """The record of one v2 tweet: its post, the referenced tweets the lookup holds (auxiliary
    posts), their entities and the accounts they name; a Bad when a value is out of range."""
    try:
        return _tweet_record(line, t, lk, tally, where)
    except BadValue as e:
        return Bad(line, where + str(e), json.dumps(t, ensure_ascii=False))


def _tweet_record(line: int, t: dict, lk: Lookup, tally: Tally, where: str) -> Record | Bad:
    res = _post(t, lk, line, tally)
    if isinstance(res, str):
        return Bad(line, where + res, json.dumps(t, ensure_ascii=False))
    post, ents, named = res
    tally.post(post)
    tally.author(post["author_id"], lk.account(post["author_id"]))
    posts = [post]
    done = {post["post_id"]}
    todo = list(_refs(t).values())
    while todo:
        rid = todo.pop(0)
        ref = lk.tweets.get(rid)
        if rid in done or rid in lk.primary or ref is None or "text" not in ref:
            continue  # a unit itself, or only an id (twarc-csv names no more)
        done.add(rid)
        aux = _post(ref, lk, line, None)
        if isinstance(aux, str):
            tally.skipped_refs += 1
            continue
        posts.append(aux[0])
        ents += aux[1]
        named += aux[2]
        todo += list(_refs(ref).values())
    accounts = [a for a in (lk.account(u) for u in dict.fromkeys(named)) if a]
    return Record(line, posts=posts, entities=ents, accounts=accounts)


def _kind(v: Any) -> str | None:
    """What a JSON value is: a v2 `page`, a twarc2 `flat` tweet, a `bare` v2 tweet, or None."""
    if not isinstance(v, dict):
        return None
    if "__keys_seen__" in v:  # a document larger than the head: judge by its keys
        keys = set(v["__keys_seen__"])
        return "page" if "data" in keys and keys & {"includes", "meta"} else None
    if isinstance(v.get("data"), list | dict) or (v and set(v) <= _PAGE_KEYS):
        return "page"
    if "id" in v and "user" not in v and "id_str" not in v and ("text" in v or "author_id" in v):
        if "author" in v or "__twarc" in v:
            return "flat"
        if "author_id" in v or "edit_history_tweet_ids" in v:
            return "bare"
    return None


def _first_kind(head: Head) -> str | None:
    return next((k for k in map(_kind, head_values(head)) if k), None)


class _V2Reader(Reader):
    """Shared reading of v2 pages and flattened tweets (the two registered names below)."""

    platform = PLATFORM
    unit = "posts"
    capabilities = CAPABILITIES

    def read(self, src: Source, head: Head, ctx: ReadContext) -> Iterator[Record | Bad]:
        tally = Tally()
        api_errors = 0
        for v in iter_json(src, head):
            if isinstance(v, Bad):
                yield v
                continue
            kind = _kind(v.obj)
            if kind == "page":
                api_errors += len(dicts(v.obj.get("errors")))
                lk = page_lookup(v.obj)
                yield from page_records(v.line, v.obj, v.raw, lk, tally)
            elif kind in ("flat", "bare"):
                lk = flat_lookup(v.obj)
                yield tweet_record(v.line, v.obj, lk, tally)
            else:
                yield Bad(v.line, "not an X API v2 page or tweet object", v.raw)
        ctx.capabilities.update(tally.capabilities())
        if api_errors:
            ctx.notes.append(f"{api_errors} API error objects in the pages (tweets or users "
                             "the API could not return: deleted, suspended or protected)")
        ctx.notes += tally.notes()



def page_records(line: int, page: dict, raw: str, lk: Lookup, tally: Tally
                 ) -> list[Record | Bad]:
    """The records of one page, in order. Users of `includes` that no tweet names ride on the
    first record, so every included user is stored."""
    data = page.get("data")
    if data is None:
        return []
    if not isinstance(data, list | dict):
        return [Bad(line, "`data` is neither a tweet nor a list of tweets", raw)]
    tweets = data if isinstance(data, list) else [data]
    out: list[Record | Bad] = []
    named: set[str] = set()
    for i, t in enumerate(tweets):
        where = f"data[{i}]: " if isinstance(data, list) else ""
        if not isinstance(t, dict):
            out.append(Bad(line, where + "not a tweet object", json.dumps(t)))
            continue
        rec = tweet_record(line, t, lk, tally, where)
        if isinstance(rec, Record):
            named.update(a["account_id"] for a in rec.accounts)
        out.append(rec)
    first = next((r for r in out if isinstance(r, Record)), None)
    if first is not None:
        first.accounts += [a for a in (lk.account(u) for u in lk.users if u not in named) if a]
    return out


@register
class XV2Reader(_V2Reader):
    """X API v2 response pages: one document, an array of pages, or twarc2 raw JSON lines."""

    name = "x-v2"
    description = ("X API v2 JSON pages (data/includes/meta): a document, an array, or JSON "
                   "lines (twarc2 raw output)")

    def sniff(self, head: Head) -> int:
        return 90 if _first_kind(head) == "page" else 0


@register
class Twarc2FlatReader(_V2Reader):
    """Tweets flattened by twarc2 (one per line, expansions inlined); pages mixed in are read."""

    name = "twarc2-flat"
    description = ("twarc2 flattened JSON lines (one X v2 tweet per line, author and "
                   "referenced tweets inlined)")

    def sniff(self, head: Head) -> int:
        kind = _first_kind(head)
        return 90 if kind == "flat" else 60 if kind == "bare" else 0
