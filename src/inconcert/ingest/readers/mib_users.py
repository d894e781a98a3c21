"""MIB (Cresci et al.) `users.csv` profile snapshots: flattened Twitter v1.1 user objects.

The "Fame for sale" (2015) and later MIB releases ship one CSV of user profiles per group (34
columns: `id, name, screen_name, statuses_count, followers_count, friends_count, ...,
description, updated, dataset`). Booleans are `1` or empty (empty is unknown, not false),
`created_at` is Twitter's classic `Fri Apr 06 10:58:22 +0000 2007`, `updated` is when the
profile was collected. Columns without a canonical home are kept in `accounts.extra`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from ...timeutil import parse_time
from ..csvread import csv_rows, raw_row
from ..registry import Bad, ReadContext, Reader, Record, register
from ..source import Head, Source
from ..values import ident, text, to_bool, to_int

# Count columns: a value out of range quarantines its row.
_INTS = ("statuses_count", "followers_count", "friends_count", "favourites_count", "listed_count")
_MAPPED = {"id", "name", "screen_name", "statuses_count", "followers_count", "friends_count",
           "favourites_count", "listed_count", "created_at", "url", "lang", "location",
           "default_profile", "default_profile_image", "profile_image_url_https", "verified",
           "description", "updated"}


def _time(v: str | None) -> int | None:
    s = text(v)
    return parse_time(s)[0] if s else None


@register
class MIBUsersReader(Reader):
    """Profiles in the MIB users.csv layout (Cresci et al. 2015, 2017)."""

    name = "mib-users"
    description = "MIB / Cresci et al. users.csv profile snapshots (flattened v1.1 user objects)"
    unit = "accounts"
    capabilities = {"account_profile": "full", "account_names": "full",
                    "account_created": "full", "account_counts": "full"}

    def sniff(self, head: Head) -> int:
        cols = [c.lower() for c in head.csv_header]
        if cols[:3] == ["id", "name", "screen_name"] and {
                "followers_count", "friends_count", "default_profile_image"} <= set(cols):
            return 100
        return 0

    def read(self, src: Source, head: Head, ctx: ReadContext) -> Iterator[Record | Bad]:
        for line, row in csv_rows(src, required=("id", "screen_name", "created_at"),
                                  ints=_INTS):
            if isinstance(row, Bad):
                yield row
                continue
            uid = ident(row["id"])
            if not uid:
                yield Bad(line, "empty id", raw_row(row))
                continue
            try:
                created = text(row.get("created_at"))
                created_ms, created_prec = parse_time(created) if created else (None, None)
                observed = _time(row.get("updated"))
            except ValueError as e:
                yield Bad(line, str(e), raw_row(row))
                continue
            extra = {k: v for k, v in sorted(row.items()) if k not in _MAPPED and text(v)}
            yield Record(line, accounts=[{
                "platform": "x", "account_id": uid, "id_is_hashed": False,
                "handle": text(row.get("screen_name")), "display_name": text(row.get("name")),
                "description": text(row.get("description")),
                "location": text(row.get("location")), "url": text(row.get("url")),
                "lang": text(row.get("lang")), "created_ms": created_ms,
                "created_precision": created_prec,
                "avatar_url": text(row.get("profile_image_url_https")),
                "followers": to_int(row.get("followers_count")),
                "following": to_int(row.get("friends_count")),
                "posts_count": to_int(row.get("statuses_count")),
                "likes_count": to_int(row.get("favourites_count")),
                "listed_count": to_int(row.get("listed_count")),
                "verified": to_bool(row.get("verified")),
                "default_profile": to_bool(row.get("default_profile")),
                "default_profile_image": to_bool(row.get("default_profile_image")),
                "observed_ms": observed,
                "extra": json.dumps(extra, ensure_ascii=False, sort_keys=True) if extra else None,
            }])
