"""X API v1.1 statuses: JSON lines (REST, streaming, twarc 1), a JSON array of statuses, or a
search response (`{"statuses": [...]}`). One unit is one status.

Traps handled (docs/readers/x-api-v11.md): `id_str` is used, never the numeric `id` a float
parser rounds; text is `full_text` › `extended_tweet.full_text` › `text`, with the entities of the
same object; a retweet's embedded `retweeted_status` (and any `quoted_status`) is stored as an
auxiliary post and its `user` as an account; `source` is an HTML anchor; stream notices
(`delete`, `limit`, ...) are counted, not read as tweets; and the first line is read like every
other (the peer tool loses it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
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
    time_ms,
    tweet_time,
    with_original,
    x_id,
)

_V11_TIME = re.compile(r"^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} [+-]\d{4} \d{4}$")
# Streaming API messages that are not statuses.
NOTICES = frozenset({"delete", "limit", "scrub_geo", "status_withheld", "user_withheld",
                     "disconnect", "warning", "friends", "friends_str", "event",
                     "direct_message", "control"})


def _id(obj: dict, key: str = "id") -> str | None:
    """`<key>_str` when the object has it (the number may have been rounded by whoever wrote
    the file), else the number, which Python's json reads exactly."""
    if f"{key}_str" in obj:
        return x_id(obj[f"{key}_str"])
    return x_id(obj.get(key))


def v11_account(u: dict[str, Any]) -> dict[str, Any] | None:
    """The canonical account of a v1.1 user object (None without a usable id)."""
    uid = _id(u)
    if uid is None:
        return None
    created_ms, created_prec = account_created(u.get("created_at"))
    expanded = [str_or_none(x.get("expanded_url"))
                for x in dicts(get(u, "entities", "url", "urls"))]
    return {
        "platform": PLATFORM, "account_id": uid, "id_is_hashed": False,
        "handle": str_or_none(u.get("screen_name")), "display_name": str_or_none(u.get("name")),
        "description": str_or_none(u.get("description")),
        "location": str_or_none(u.get("location")),
        "url": next((x for x in expanded if x), None) or str_or_none(u.get("url")),
        "lang": str_or_none(u.get("lang")),
        "created_ms": created_ms, "created_precision": created_prec,
        "avatar_url": (str_or_none(u.get("profile_image_url_https"))
                       or str_or_none(u.get("profile_image_url"))),
        "followers": to_int(u.get("followers_count")),
        "following": to_int(u.get("friends_count")),
        "posts_count": to_int(u.get("statuses_count")),
        "likes_count": to_int(u.get("favourites_count")),
        "listed_count": to_int(u.get("listed_count")),
        "verified": to_bool(u.get("verified")),
        "default_profile": to_bool(u.get("default_profile")),
        "default_profile_image": to_bool(u.get("default_profile_image")),
        "extra": extra_json({"protected": to_bool(u.get("protected")),
                             "time_zone": str_or_none(u.get("time_zone")),
                             "utc_offset": to_int(u.get("utc_offset")),
                             "geo_enabled": to_bool(u.get("geo_enabled")),
                             "withheld_in_countries": u.get("withheld_in_countries")}),
    }


def _text_and_entities(st: dict) -> tuple[str | None, dict, dict]:
    """The status's full text and the entities of the object that holds it."""
    if isinstance(st.get("full_text"), str):
        src = st
        body = st["full_text"]
    elif isinstance(get(st, "extended_tweet", "full_text"), str):
        src = st["extended_tweet"]
        body = src["full_text"]
    else:
        src = st
        body = st.get("text") if isinstance(st.get("text"), str) else None
    ents = src.get("entities") if isinstance(src.get("entities"), dict) else {}
    ext = src.get("extended_entities") if isinstance(src.get("extended_entities"), dict) else {}
    return body, ents, ext


def _entity_lists(st: dict) -> dict[str, list]:
    _, ents, _ = _text_and_entities(st)
    urls = []
    for u in dicts(ents.get("urls")):
        # Enterprise enrichment gives the final URL after redirects.
        best = next((v for v in (str_or_none(get(u, "unwound", "url")),
                                 str_or_none(u.get("expanded_url")), str_or_none(u.get("url")))
                     if v), None)
        if best:
            urls.append(best)
    return {
        "hashtags": [h["text"] for h in dicts(ents.get("hashtags"))
                     if isinstance(h.get("text"), str)],
        "cashtags": [h["text"] for h in dicts(ents.get("symbols"))
                     if isinstance(h.get("text"), str)],
        "urls": urls,
        "mentions": [(str_or_none(m.get("screen_name")), _id(m))
                     for m in dicts(ents.get("user_mentions"))],
    }


def _media(st: dict) -> list[dict[str, Any]]:
    """Attached media: `extended_entities` holds all of them, `entities` only the first."""
    _, ents, ext = _text_and_entities(st)
    return [{"value": str_or_none(m.get("media_url_https")) or str_or_none(m.get("media_url"))
             or _id(m), "type": str_or_none(m.get("type")),
             "alt": str_or_none(m.get("ext_alt_text"))}
            for m in dicts(ext.get("media") or ents.get("media"))]


def _created_ms(st: dict | None) -> int | None:
    """When an embedded status was written: its Snowflake time, else its `created_at`."""
    if st is None:
        return None
    sf = snowflake_ms(_id(st))
    return sf if sf is not None else time_ms(st.get("created_at"))


def _post(st: dict, line: int) -> tuple[dict[str, Any], list[dict], list[dict]] | str:
    """(post, entities, accounts) of one status, or why it cannot be stored."""
    tid = _id(st)
    if tid is None:
        return f"status without a usable id_str ({st.get('id_str', st.get('id'))!r})"
    user = st.get("user") if isinstance(st.get("user"), dict) else {}
    author = v11_account(user)
    if author is None:
        return f"status {tid} has no user id"
    when = tweet_time(tid, st.get("created_at"), "status")
    if isinstance(when, str):
        return when
    ms, prec, source, declared_ms = when
    body, _, _ = _text_and_entities(st)
    rs = st.get("retweeted_status") if isinstance(st.get("retweeted_status"), dict) else None
    qs = st.get("quoted_status") if isinstance(st.get("quoted_status"), dict) else None
    quoted = _id(st, "quoted_status_id") or (_id(qs) if qs else None)
    replied = _id(st, "in_reply_to_status_id")
    reply_user = _id(st, "in_reply_to_user_id")
    reply_handle = str_or_none(st.get("in_reply_to_screen_name"))
    client, client_url = client_name(st.get("source"))
    post: dict[str, Any] = {
        "platform": PLATFORM, "post_id": tid, "author_id": author["account_id"],
        "created_ms": ms, "time_precision": prec, "time_source": source,
        "declared_ms": declared_ms, "text": body, "lang": str_or_none(st.get("lang")),
        "client": client, "kind": "original", "reply_to_post_id": replied,
        "reply_to_author_id": reply_user, "source_line": line,
    }
    accounts = [author]
    if rs is not None:
        # The embedded original carries its own quote; the retweet quotes nothing itself.
        ra = v11_account(rs["user"]) if isinstance(rs.get("user"), dict) else None
        post.update(kind="reshare", ref_post_id=_id(rs),
                    ref_author_id=ra["account_id"] if ra else None,
                    ref_author_handle=(ra or {}).get("handle") or rt_handle(body),
                    ref_created_ms=_created_ms(rs))
    else:
        qa = v11_account(qs["user"]) if qs and isinstance(qs.get("user"), dict) else None
        post["quoted_post_id"] = quoted
        if replied or (reply_user and not quoted):
            post.update(kind="reply", ref_post_id=replied, ref_author_id=reply_user,
                        ref_author_handle=reply_handle, ref_created_ms=snowflake_ms(replied))
        elif quoted:
            post.update(kind="quote", ref_post_id=quoted,
                        ref_author_id=qa["account_id"] if qa else None,
                        ref_author_handle=qa["handle"] if qa else None,
                        ref_created_ms=_created_ms(qs) if qs else snowflake_ms(quoted))
        # A retweet reports the original's counts, not its own: they are not kept for it.
        post.update(like_count=to_int(st.get("favorite_count")),
                    reshare_count=to_int(st.get("retweet_count")),
                    reply_count=to_int(st.get("reply_count")),
                    quote_count=to_int(st.get("quote_count")))
    if reply_user:
        accounts.append({"platform": PLATFORM, "account_id": reply_user,
                         "handle": reply_handle})
    post["extra"] = extra_json({
        "client_url": client_url,
        "coordinates": get(st, "coordinates", "coordinates"),
        "place": str_or_none(get(st, "place", "full_name")),
        "place_country_code": str_or_none(get(st, "place", "country_code")),
        "possibly_sensitive": to_bool(st.get("possibly_sensitive")),
        "withheld_in_countries": st.get("withheld_in_countries"),
    })
    lists = _entity_lists(st)
    if rs is not None:
        lists = with_original(lists, _entity_lists(rs))
    ents = entities(PLATFORM, tid, hashtags=lists["hashtags"], urls=lists["urls"],
                    cashtags=lists["cashtags"], media=_media(st))
    ents += mention_entities(tid, lists["mentions"])
    for m in dicts(get(st, "entities", "user_mentions")):
        mid = _id(m)
        if mid:
            accounts.append({"platform": PLATFORM, "account_id": mid,
                             "handle": str_or_none(m.get("screen_name")),
                             "display_name": str_or_none(m.get("name"))})
    return post, ents, accounts


def status_record(line: int, st: dict, tally: Tally) -> Record | Bad:
    """The record of one status: its post, the embedded statuses (auxiliary posts), their
    entities and every account they carry; a Bad when a value is out of range."""
    try:
        return _status_record(line, st, tally)
    except BadValue as e:
        return Bad(line, str(e), json.dumps(st, ensure_ascii=False))


def _status_record(line: int, st: dict, tally: Tally) -> Record | Bad:
    res = _post(st, line)
    if isinstance(res, str):
        return Bad(line, res, json.dumps(st, ensure_ascii=False))
    post, ents, accounts = res
    tally.post(post)
    tally.author(post["author_id"], accounts[0])
    posts = [post]
    done = {post["post_id"]}
    todo = [x for x in (st.get("retweeted_status"), st.get("quoted_status"))
            if isinstance(x, dict)]
    while todo:
        emb = todo.pop(0)
        aux = _post(emb, line)
        if isinstance(aux, str):
            tally.skipped_refs += 1
            continue
        if aux[0]["post_id"] in done:
            continue
        done.add(aux[0]["post_id"])
        posts.append(aux[0])
        ents += aux[1]
        accounts += aux[2]
        todo += [x for x in (emb.get("retweeted_status"), emb.get("quoted_status"))
                 if isinstance(x, dict)]
    return Record(line, posts=posts, entities=ents, accounts=accounts)


def _is_status(v: Any) -> bool:
    return (isinstance(v, dict) and isinstance(v.get("user"), dict)
            and ("id_str" in v or "id" in v) and isinstance(v.get("created_at"), str)
            and _V11_TIME.match(v["created_at"].strip()) is not None)


@register
class XV11Reader(Reader):
    """X API v1.1 statuses as JSON lines or a JSON array."""

    name = "x-v1.1"
    description = "X API v1.1 statuses: JSON lines (REST, streaming, twarc 1) or a JSON array"
    platform = PLATFORM
    unit = "posts"
    capabilities = {
        "post_text": "full", "post_time_s": "full", "post_time_ms": "full",
        "reshare_edges": "full", "reshare_author": "full", "reshare_time": "full",
        "reply_edges": "full", "quote_edges": "full", "hashtags": "full", "urls": "full",
        "mentions": "full", "media": "full", "client": "full", "post_lang": "full",
        "account_profile": "full", "account_names": "full", "account_created": "full",
        "account_counts": "full", "avatar": "full",
    }

    def sniff(self, head: Head) -> int:
        for v in head_values(head):
            if _is_status(v) or (isinstance(v, dict) and isinstance(v.get("statuses"), list)
                                 and any(map(_is_status, v["statuses"]))):
                return 95
        return 0

    def read(self, src: Source, head: Head, ctx: ReadContext) -> Iterator[Record | Bad]:
        tally = Tally()
        notices: dict[str, int] = {}
        for v in iter_json(src, head):
            if isinstance(v, Bad):
                yield v
                continue
            obj = v.obj
            statuses = obj.get("statuses") if isinstance(obj, dict) else None
            for st in statuses if isinstance(statuses, list) else [obj]:
                if isinstance(st, dict) and "user" not in st and len(st) == 1 \
                        and next(iter(st)) in NOTICES:
                    notices[next(iter(st))] = notices.get(next(iter(st)), 0) + 1
                elif isinstance(st, dict):
                    yield status_record(v.line, st, tally)
                else:
                    yield Bad(v.line, "not an X API v1.1 status object", v.raw)
        ctx.capabilities.update(tally.capabilities())
        ctx.notes += tally.notes()
        if notices:
            ctx.notes.append("stream notices skipped (not statuses): " + ", ".join(
                f"{n} {k}" for k, n in sorted(notices.items())))
