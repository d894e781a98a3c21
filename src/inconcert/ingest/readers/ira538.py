"""FiveThirtyEight / Clemson IRA tweets, their per-author re-split, the author roster and NBC's
reconstructed IRA users.

Traps handled (see docs/readers/ira538.md): `external_author_id` is float-rounded for many
accounts (`906000000000000000`), so accounts key on `alt_external_id`, never on it; publish times
are minute precision in an undocumented time zone (read as UTC; the Snowflake time of `tweet_id`
replaces them where the two agree, which also tests the assumption); the re-split has no tweet
ids, so each post gets a synthetic id `ira538:<digest>` from (author, publish_date, content,
occurrence) that cannot collide with a real id; retweets carry the retweeted text but no target
id; per-tweet follower/following/update counts go to the post's `extra`, a per-account series.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.compute as pc

from ...normalize import rt_handle
from ...timeutil import parse_time
from ..csvread import CsvBatch, csv_batches, csv_rows, raw_row
from ..entities import entity_table
from ..registry import Bad, ReadContext, Reader, Record, register
from ..source import Head, Source
from ..times import batch_times
from ..values import ident, idents, per_value, text, to_bool, to_int
from ..writer import Batch

PLATFORM = "x"
ORIGINAL = ("external_author_id", "author", "content", "region", "language", "publish_date",
            "harvested_date", "following", "followers", "updates", "post_type", "account_type",
            "retweet", "account_category", "new_june_2018", "alt_external_id", "tweet_id",
            "article_url", "tco1_step1", "tco2_step1", "tco3_step1")
SPLIT = ("author_id", "content", "region", "language", "publish_date", "following",
         "followers", "updates", "post_type", "retweet")
AUTHORS = ("author_id", "author", "external_author_id", "account_type", "account_category",
           "new_june_2018", "congress_2017_id", "in_congress_2017", "in_congress_2018")
NBC_USERS = frozenset({"id", "location", "name", "followers_count", "statuses_count",
                       "time_zone", "verified", "lang", "screen_name", "description",
                       "created_at", "favourites_count", "friends_count", "listed_count"})
SYNTHETIC_PREFIX = "ira538:"
# Count columns of the NBC users file: a value out of range quarantines its row.
_NBC_INTS = ("followers_count", "friends_count", "statuses_count", "favourites_count",
             "listed_count")
UTC_NOTE = ("publish_date has minute precision and an undocumented time zone; read as UTC")
# The files name languages in English; posts.lang holds codes elsewhere (ISO 639-1, as X does).
LANGUAGES = {
    "english": "en", "russian": "ru", "german": "de", "ukrainian": "uk", "bulgarian": "bg",
    "uzbek": "uz", "serbian": "sr", "italian": "it", "macedonian": "mk", "spanish": "es",
    "french": "fr", "arabic": "ar", "norwegian": "no", "vietnamese": "vi",
    "farsi (persian)": "fa", "dutch": "nl", "estonian": "et", "romanian": "ro", "swedish": "sv",
    "portuguese": "pt", "albanian": "sq", "japanese": "ja", "icelandic": "is", "croatian": "hr",
    "catalan": "ca", "lithuanian": "lt", "turkish": "tr", "latvian": "lv", "polish": "pl",
    "finnish": "fi", "kurdish": "ku", "hungarian": "hu", "malay": "ms", "czech": "cs",
    "tagalog (filipino)": "tl", "slovenian": "sl", "hindi": "hi", "somali": "so",
    "indonesian": "id", "slovak": "sk", "hebrew": "he", "danish": "da", "korean": "ko",
    "greek": "el", "pushto": "ps", "thai": "th", "urdu": "ur", "simplified chinese": "zh",
    "traditional chinese": "zh", "bengali": "bn", "language undefined": None,
}
# Minute-precision times name no reshared or quoted post: no post_time_s, no reshare edges.
_TWEET_CAPS = {"post_text": "full", "post_lang": "full", "account_counts": "full"}


def language_code(name: str | None) -> str | None:
    """ISO 639-1 code of a language the files name in English (the name itself when unknown)."""
    t = text(name)
    if t is None:
        return None
    return LANGUAGES.get(t.lower(), t)


def _kinds(post_types: list[str], retweets: list[str]) -> list[str]:
    """`R`/`RETWEET` is a reshare, `Q`/`QUOTE_TWEET` a quote (its `retweet` flag is also 1);
    without a type, `retweet` = 1 still marks a reshare."""
    out = []
    for t, rt in zip(post_types, retweets, strict=True):
        t = t.strip().upper()
        if t in ("R", "RETWEET"):
            out.append("reshare")
        elif t in ("Q", "QUOTE_TWEET", "QUOTE"):
            out.append("quote")
        else:
            out.append("reshare" if to_bool(rt) else "original")
    return out


def _counts_extra(cb: CsvBatch, region: bool = True) -> list[str]:
    """The account's counters at the time of each tweet (a per-account series) as JSON."""
    fol = per_value(cb.column("following"), to_int)
    fwr = per_value(cb.column("followers"), to_int)
    upd = per_value(cb.column("updates"), to_int)
    reg = per_value(cb.column("region"), text) if region else [None] * len(cb)
    out = []
    for a, b, c, r in zip(fol, fwr, upd, reg, strict=True):
        e = {"followers": b, "following": a, "updates": c}
        if r:
            e["region"] = r
        out.append(json.dumps({k: v for k, v in e.items() if v is not None}, sort_keys=True,
                              ensure_ascii=False))
    return out


def _ref_handles(kind: list[str], texts: pa.Array) -> list[str | None]:
    rows = [i for i, k in enumerate(kind) if k == "reshare"]
    out: list[str | None] = [None] * len(kind)
    for i, body in zip(rows, texts.take(pa.array(rows, pa.int64())).to_pylist(), strict=True):
        out[i] = rt_handle(body)
    return out


@register
class IraTweetsReader(Reader):
    """FiveThirtyEight IRA tweets in their original 21 columns (`IRAhandle_tweets_N.csv`)."""

    name = "ira538"
    description = ("FiveThirtyEight/Clemson IRA tweets, original 21 columns "
                   "(external_author_id,author,content,...)")
    unit = "posts"
    capabilities = {**_TWEET_CAPS, "urls": "partial", "account_names": "full",
                    "account_profile": "partial"}
    # Set per file: Snowflake times where publish_date agrees; authors from `RT @x:` texts.
    file_capabilities = {"post_time_ms": "full", "post_time_s": "full",
                         "reshare_author": "partial"}

    def sniff(self, head: Head) -> int:
        cols = [c.lower() for c in head.csv_header]
        return 100 if cols[:4] == list(ORIGINAL[:4]) else 0

    def read(self, src: Source, head: Head, ctx: ReadContext) -> Iterator[Batch]:
        ctx.notes.append(UTC_NOTE)
        n_posts = n_snowflake = handles = 0
        seen: set[str] = set()
        for cb in csv_batches(src, required=("alt_external_id", "tweet_id", "publish_date"),
                              ints=("following", "followers", "updates")):
            batch = self._batch(cb, seen)
            n_posts += batch.posts.num_rows
            handles += pc.sum(pc.is_valid(batch.posts.column("ref_author_handle"))).as_py() or 0
            n_snowflake += pc.sum(pc.equal(batch.posts.column("time_source"),
                                           "snowflake")).as_py() or 0
            yield batch
        if handles:
            ctx.capabilities["reshare_author"] = "partial"  # only from `RT @handle:` texts
        if n_snowflake:
            level = "full" if n_snowflake == n_posts else "partial"
            ctx.capabilities["post_time_ms"] = ctx.capabilities["post_time_s"] = level
            ctx.notes.append(f"{n_snowflake} of {n_posts} publish dates agree with the "
                             "Snowflake time of tweet_id (so they are UTC) and were replaced "
                             "by it")

    @staticmethod
    def _batch(cb: CsvBatch, seen: set[str]) -> Batch:
        ids = idents(cb.values("tweet_id"))
        # Never external_author_id: float rounding has merged accounts in it.
        users = idents(cb.values("alt_external_id"))
        times = batch_times(cb, (("tweet_id", ids), ("alt_external_id", users)), ids,
                            "publish_date")
        cb = cb.take(times.keep)
        ids = [ids[i] for i in times.keep]
        users = [users[i] for i in times.keep]
        n = len(ids)
        kind = _kinds(cb.values("post_type"), cb.values("retweet"))
        texts = cb.column("content")
        extra = _counts_extra(cb)
        harvested = per_value(cb.column("harvested_date"), text)
        for i, h in enumerate(harvested):
            if h:
                e = json.loads(extra[i])
                e["harvested_date"] = h
                extra[i] = json.dumps(e, sort_keys=True, ensure_ascii=False)
        posts = pa.table({
            "platform": pa.array([PLATFORM] * n, pa.string()), "post_id": ids,
            "author_id": users, "created_ms": pa.array(times.created_ms, pa.int64()),
            "time_precision": times.precision, "time_source": times.source,
            "declared_ms": pa.array(times.declared_ms, pa.int64()), "text": texts,
            "lang": per_value(cb.column("language"), language_code), "kind": kind,
            "ref_author_handle": _ref_handles(kind, texts),
            "source_line": pa.array(cb.lines, pa.int64()), "extra": extra,
        })
        tco = [" ".join(x) for x in zip(cb.values("tco1_step1"), cb.values("tco2_step1"),
                                        cb.values("tco3_step1"), strict=True)]
        ents = entity_table(PLATFORM, ids, urls=pa.array(tco, pa.string()), parse=str.split)
        accounts = []
        for i, row in cb.first_rows(users, seen):
            acc_extra = {k: text(row.get(k)) for k in ("account_type", "account_category",
                                                      "new_june_2018")}
            accounts.append({
                "platform": PLATFORM, "account_id": users[i], "id_is_hashed": False,
                "handle": text(row.get("author")),
                "followers": to_int(row.get("followers")),
                "following": to_int(row.get("following")),
                "posts_count": to_int(row.get("updates")),
                "observed_ms": times.created_ms[i],
                "extra": json.dumps({k: v for k, v in acc_extra.items() if v is not None},
                                    sort_keys=True, ensure_ascii=False)})
        return Batch(posts, cb.lines, ents, accounts, times.bad, cb.raw)


@register
class IraSplitReader(Reader):
    """The per-author re-split of the IRA tweets (bet4a/russian-troll-tweets-by-author)."""

    name = "ira538-split"
    description = ("IRA tweets re-split per author (author_id,content,region,language,"
                   "publish_date,...; no tweet ids)")
    unit = "posts"
    capabilities = dict(_TWEET_CAPS)
    file_capabilities = {"reshare_author": "partial"}  # from `RT @x:` texts, when any

    def sniff(self, head: Head) -> int:
        cols = [c.lower() for c in head.csv_header]
        return 100 if cols[:5] == list(SPLIT[:5]) else 0

    def read(self, src: Source, head: Head, ctx: ReadContext) -> Iterator[Batch]:
        ctx.notes.append(UTC_NOTE)
        ctx.notes.append("no tweet ids: post ids are synthetic, "
                         f"{SYNTHETIC_PREFIX}<sha256 of author, publish_date, content and "
                         "occurrence>; retweets name no target post")
        occurrences: dict[bytes, int] = {}
        handles = 0
        for cb in csv_batches(src, required=("author_id", "content", "publish_date"),
                              ints=("following", "followers", "updates")):
            batch = self._batch(cb, occurrences)
            handles += pc.sum(pc.is_valid(batch.posts.column("ref_author_handle"))).as_py() or 0
            yield batch
        if handles:
            ctx.capabilities["reshare_author"] = "partial"  # only from `RT @handle:` texts

    @staticmethod
    def _batch(cb: CsvBatch, occurrences: dict[bytes, int]) -> Batch:
        # author_id is a handle (sometimes with the account id appended), not a number.
        users = [v.strip() or None for v in cb.values("author_id")]
        dates = cb.values("publish_date")
        texts = cb.values("content")
        ids: list[str | None] = []
        for user, date, body in zip(users, dates, texts, strict=True):
            if not user:
                ids.append(None)
                continue
            key = hashlib.sha256("\x1f".join((user, date.strip(), body)).encode(
                "utf-8", "surrogatepass")).digest()
            k = occurrences.get(key, 0)
            occurrences[key] = k + 1
            # Identical rows are kept apart by their occurrence: without tweet ids, two equal
            # tweets in the same minute cannot be told from a repeated row.
            ids.append(SYNTHETIC_PREFIX + hashlib.sha256(key + str(k).encode()).hexdigest()[:32])
        times = batch_times(cb, (("author_id", users),), ids, "publish_date", snowflake=False)
        cb = cb.take(times.keep)
        ids = [ids[i] for i in times.keep]
        users = [users[i] for i in times.keep]
        n = len(ids)
        # The files' times are whole minutes written with seconds (`2016-09-01 00:02:00`).
        precision = ["minute" if p == "s" and ms % 60_000 == 0 else p
                     for p, ms in zip(times.precision, times.created_ms, strict=True)]
        kind = _kinds(cb.values("post_type"), cb.values("retweet"))
        content = cb.column("content")
        posts = pa.table({
            "platform": pa.array([PLATFORM] * n, pa.string()), "post_id": ids,
            "author_id": users, "created_ms": pa.array(times.created_ms, pa.int64()),
            "time_precision": precision, "time_source": times.source,
            "declared_ms": pa.array(times.declared_ms, pa.int64()), "text": content,
            "lang": per_value(cb.column("language"), language_code), "kind": kind,
            "ref_author_handle": _ref_handles(kind, content),
            "source_line": pa.array(cb.lines, pa.int64()), "extra": _counts_extra(cb),
        })
        accounts = [{"platform": PLATFORM, "account_id": u, "id_is_hashed": False}
                    for u in dict.fromkeys(users)]
        return Batch(posts, cb.lines, None, accounts, times.bad, cb.raw)


@register
class IraAuthorsReader(Reader):
    """The re-split's `authors.csv`: one row per IRA account, with Linvill & Warren's roles."""

    name = "ira538-authors"
    description = "IRA author roster (author_id,author,external_author_id,account_type,...)"
    unit = "accounts"
    capabilities = {"account_names": "full"}

    def sniff(self, head: Head) -> int:
        cols = [c.lower() for c in head.csv_header]
        return 100 if cols[:5] == list(AUTHORS[:5]) else 0

    def read(self, src: Source, head: Head, ctx: ReadContext) -> Iterator[Record | Bad]:
        ctx.notes.append("roles (account_category, account_type) kept in accounts.extra; "
                         "external_author_id is float-rounded for many accounts and is kept "
                         "only as text in extra")
        for line, row in csv_rows(src, required=("author_id", "author")):
            if isinstance(row, Bad):
                yield row
                continue
            uid = ident(row["author_id"])
            if not uid:
                yield Bad(line, "empty author_id", raw_row(row))
                continue
            extra = {k: text(row.get(k)) for k in AUTHORS[2:]}
            yield Record(line, accounts=[{
                "platform": PLATFORM, "account_id": uid, "id_is_hashed": False,
                "handle": text(row.get("author")),
                "extra": json.dumps({k: v for k, v in extra.items() if v is not None},
                                    sort_keys=True, ensure_ascii=False)}], raw=raw_row(row))


@register
class NbcUsersReader(Reader):
    """NBC News' 2018 reconstruction of IRA user profiles (`users.csv`, 14 columns)."""

    name = "ira-nbc-users"
    description = "NBC News IRA users (id,location,name,...,created_at,...; 14 columns)"
    unit = "accounts"
    capabilities = {"account_profile": "partial", "account_names": "full",
                    "account_created": "partial", "account_counts": "partial"}

    def sniff(self, head: Head) -> int:
        return 100 if {c.lower() for c in head.csv_header} == NBC_USERS else 0

    def read(self, src: Source, head: Head, ctx: ReadContext) -> Iterator[Record | Bad]:
        ctx.notes.append("accounts keyed by screen_name, as the IRA re-split keys its tweets "
                         "(author_id); NBC's numeric id is in extra.nbc_user_id (it repeats "
                         "across renamed handles)")
        for line, row in csv_rows(src, required=("screen_name", "created_at"), ints=_NBC_INTS):
            if isinstance(row, Bad):
                yield row
                continue
            handle = text(row["screen_name"])
            if not handle:
                yield Bad(line, "empty screen_name", raw_row(row))
                continue
            created = precision = None
            if text(row["created_at"]):  # some rows hold only the id and the handle
                try:
                    created, precision = parse_time(row["created_at"])
                except ValueError:
                    yield Bad(line, f"unparseable created_at {row['created_at']!r}",
                              raw_row(row))
                    continue
            extra = {"nbc_user_id": ident(row.get("id")), "time_zone": text(row.get("time_zone"))}
            yield Record(line, accounts=[{
                "platform": PLATFORM, "account_id": handle, "id_is_hashed": False,
                "handle": handle, "display_name": text(row.get("name")),
                "description": text(row.get("description")),
                "location": text(row.get("location")), "lang": text(row.get("lang")),
                "created_ms": created, "created_precision": precision,
                "followers": to_int(row.get("followers_count")),
                "following": to_int(row.get("friends_count")),
                "posts_count": to_int(row.get("statuses_count")),
                "likes_count": to_int(row.get("favourites_count")),
                "listed_count": to_int(row.get("listed_count")),
                "verified": to_bool(row.get("verified")),
                "extra": json.dumps({k: v for k, v in extra.items() if v is not None},
                                    sort_keys=True, ensure_ascii=False)}], raw=raw_row(row))
