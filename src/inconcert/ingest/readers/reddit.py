"""Reddit submissions and comments as the Pushshift dumps and Arctic Shift write them: one
Reddit API object per line (NDJSON), plain or compressed (`.zst` with the dumps' long window,
`.gz`, `.zip`).

Posts are keyed by fullname (`t3_` submissions, `t1_` comments), the form `parent_id` and
`link_id` use, so a comment names its parent exactly. Accounts are keyed by username.
Mapping and traps: docs/readers/reddit.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..entities import entities
from ..registry import Bad, ReadContext, Reader, Record, register
from ..source import Head, Source
from ..times import post_time
from ..values import ident, to_bool
from .values import count, in_range
from .x_json import dicts, extra_json, head_values, iter_json, str_or_none

PLATFORM = "reddit"
# What Reddit writes in place of a removed author or text.
GONE = frozenset({"[deleted]", "[removed]"})
_URL = re.compile(r"https?://[^\s()<>\[\]]+")


def fullname(prefix: str, v: Any) -> str | None:  # noqa: ANN401 - any JSON value
    """`t3_abc` / `t1_abc` for an id given bare (`abc`) or already prefixed."""
    s = ident(v)
    if s is None:
        return None
    return s if s.startswith(("t1_", "t3_")) else f"{prefix}{s}"


def _seconds(v: Any) -> str:  # noqa: ANN401 - int, float or string
    """`created_utc` as text. Older dumps write whole seconds as floats (`1700000200.0`): they
    are seconds, not milliseconds."""
    s = str(v).strip()
    head, dot, tail = s.partition(".")
    return head if dot and head.isdigit() and tail.strip("0") == "" else s


def _is_comment(obj: dict) -> bool:
    return "body" in obj or ("parent_id" in obj and "title" not in obj)


@register
class RedditReader(Reader):
    """Reddit Pushshift / Arctic Shift dumps: submissions and comments, one per line."""

    name = "reddit"
    description = "Reddit Pushshift / Arctic Shift NDJSON (submissions and comments; .zst too)"
    platform = PLATFORM
    unit = "posts"
    capabilities = {
        "post_text": "full", "post_time_s": "full", "reply_edges": "full", "urls": "full",
        "account_names": "full",
    }
    file_capabilities = {"reshare_edges": "full", "reshare_author": "full",
                         "account_created": "partial"}

    def sniff(self, head: Head) -> int:
        for v in head_values(head, 5):
            if isinstance(v, dict) and "subreddit" in v and "created_utc" in v \
                    and ("body" in v or "title" in v):
                return 95
        return 0

    def read(self, src: Source, head: Head, ctx: ReadContext) -> Iterator[Record | Bad]:
        described: set[str] = set()
        crossposts = created = 0
        for item in iter_json(src, head):
            if isinstance(item, Bad):
                yield item
                continue
            obj = item.obj
            if not isinstance(obj, dict):
                yield Bad(item.line, "a line is not a JSON object", item.raw)
                continue
            out = self._post(obj, item.line)
            if isinstance(out, str):
                yield Bad(item.line, out, item.raw)
                continue
            post, ents = out
            crossposts += post["kind"] == "reshare"
            accounts = []
            author = post["author_id"]
            if author not in described:
                described.add(author)
                acc = self._account(obj, author)
                created += acc["created_ms"] is not None
                accounts.append(acc)
            yield Record(item.line, posts=[post], accounts=accounts, entities=ents,
                         raw=item.raw)
        if crossposts:
            ctx.capabilities.update(reshare_edges="full", reshare_author="full")
        if created:
            ctx.capabilities["account_created"] = "partial"

    @staticmethod
    def _post(obj: dict, line: int) -> tuple[dict, list[dict]] | str:
        """(post, entities) of a submission or comment, or why it cannot be stored."""
        comment = _is_comment(obj)
        pid = fullname("t1_" if comment else "t3_", obj.get("name") or obj.get("id"))
        if pid is None:
            return "no id"
        author = str_or_none(obj.get("author"))
        if author is None:
            return f"{pid} has no author"
        if author in GONE:
            return f"{pid}: author {author} (no account to attribute it to)"
        created = obj.get("created_utc")
        if created is None or isinstance(created, bool | dict | list):
            return f"{pid}: no created_utc" if created is None else \
                f"{pid}: unparseable created_utc {created!r}"
        try:
            ms, prec, source, declared = post_time(None, _seconds(created), snowflake=False)
        except ValueError:
            return f"{pid}: unparseable created_utc {created!r}"
        if in_range(ms) is None:
            return f"{pid}: created_utc {created!r} out of range"
        post: dict[str, Any] = {
            "platform": PLATFORM, "post_id": pid, "author_id": author, "created_ms": ms,
            "time_precision": prec, "time_source": source, "declared_ms": declared,
            "kind": "original", "source_line": line,
        }
        links: list[str] = []
        if comment:
            parent = fullname("t1_", obj.get("parent_id"))
            if parent is None:
                return f"{pid}: comment without parent_id"
            body = str_or_none(obj.get("body"))
            text = None if body in GONE else body
            post.update(kind="comment" if parent.startswith("t3_") else "reply",
                        ref_post_id=parent, reply_to_post_id=parent,
                        root_post_id=fullname("t3_", obj.get("link_id")), text=text)
        else:
            title = str_or_none(obj.get("title")) or ""
            body = str_or_none(obj.get("selftext"))
            text = "\n\n".join(p for p in (title, body if body not in GONE else None) if p)
            post.update(text=text or None, reply_count=count(obj.get("num_comments")))
            url = str_or_none(obj.get("url"))
            if url and not to_bool(obj.get("is_self")):
                links.append(url)
            parent = fullname("t3_", obj.get("crosspost_parent"))
            if parent:
                origin = dicts(obj.get("crosspost_parent_list"))
                post.update(kind="reshare", ref_post_id=parent,
                            ref_author_id=str_or_none(origin[0].get("author")) if origin
                            else None)
        links += [u.rstrip(".,;:!?'\"*") for u in _URL.findall(post.get("text") or "")]
        post["extra"] = extra_json({
            "subreddit": str_or_none(obj.get("subreddit")),
            "subreddit_id": str_or_none(obj.get("subreddit_id")),
            "score": count(obj.get("score")), "permalink": str_or_none(obj.get("permalink")),
            "domain": str_or_none(obj.get("domain")),
            "removed": body in GONE if body else None,
            "over_18": to_bool(obj.get("over_18")),
        })
        return post, entities(PLATFORM, pid, urls=list(dict.fromkeys(links)))

    @staticmethod
    def _account(obj: dict, author: str) -> dict[str, Any]:
        created = obj.get("author_created_utc")
        try:
            created_ms = post_time(None, _seconds(created), snowflake=False)[0] \
                if isinstance(created, int | float | str) and not isinstance(created, bool) \
                else None
        except ValueError:
            created_ms = None
        created_ms = in_range(created_ms)
        return {"platform": PLATFORM, "account_id": author, "id_is_hashed": False,
                "handle": author, "created_ms": created_ms,
                "created_precision": "s" if created_ms is not None else None,
                "extra": extra_json({"fullname": str_or_none(obj.get("author_fullname"))})}
