"""`inconcert export --disclosure DIR`: the flagged accounts and their posts in the
information-operations archive layout the platforms publish (X/Twitter's IO archive: a users
file and a tweets file), pseudonymised as the platforms do.

As in those archives, the id, handle and display name of every account with fewer than
`MIN_PUBLIC_FOLLOWERS` (5,000) followers — or an unknown count — become one hash (base64 of
SHA-256 over a salt and the id: 44 characters), their profile URL (which often holds the handle)
is left empty, and references to such accounts (reply and reshare authors, mentions) are hashed
the same way. Larger accounts keep their ids and names. The salt is what stops
anyone from hashing guessed ids to undo the pseudonyms: keep it secret; the same salt gives the
same hashes (and byte-identical files), so disclosures made with one salt can be joined.

The files are an exchange format for tools (`inconcert ingest` reads them back: ids, times to the
minute, texts, clients, replies, reshares, quotes, hashtags, URLs and mentions), and journalists
open them in spreadsheets, so they go through the formula guard like every CSV the tool writes:
ids are written exactly, a text that a spreadsheet would run (a reply starting with `@`, a
payload starting with `=`) gains a leading apostrophe.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from ..io_layout import TWEET_COLUMNS, USER_COLUMNS, list_cell
from ..safecsv import write_csv

MIN_PUBLIC_FOLLOWERS = 5000


def pseudonym(salt: str, account_id: str) -> str:
    """The disclosure's hash of an account id (44 characters of base64)."""
    digest = hashlib.sha256(f"{salt}\x00{account_id}".encode()).digest()
    return base64.b64encode(digest).decode("ascii")


def _minute(ms: int | None) -> str:
    """IO-archive time text (UTC, to the minute)."""
    if ms is None:
        return ""
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M")


def write_disclosure(con: duckdb.DuckDBPyConnection, out_dir: Path, salt: str,
                     name: str = "disclosure") -> list[Path]:
    """Write `<name>_users_csv_hashed.csv` and `<name>_tweets_csv_hashed.csv` for the case's
    flagged accounts; returns both paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    followers = dict(con.execute(
        "SELECT account_id, max(followers) FROM accounts GROUP BY 1").fetchall())

    def public(aid: str | None) -> bool:
        return aid is not None and (followers.get(aid) or 0) >= MIN_PUBLIC_FOLLOWERS

    def ref(aid: str | None) -> str:
        return "" if not aid else aid if public(aid) else pseudonym(salt, aid)

    cur = con.execute("""
        SELECT a.account_id, any_value(a.display_name), any_value(a.handle),
               any_value(a.location), any_value(a.description), any_value(a.url),
               max(a.followers), max(a.following), min(a.created_ms), any_value(a.lang)
        FROM accounts a JOIN verdicts v ON v.account_id = a.account_id AND v.flagged
        GROUP BY a.account_id ORDER BY a.account_id""")
    users: dict[str, list[str]] = {}
    for aid, dname, handle, loc, bio, url, fol, fing, created, lang in cur.fetchall():
        shown = ref(aid)
        hide = not public(aid)
        users[aid] = [shown, shown if hide else (dname or ""), shown if hide else (handle or ""),
                      loc or "", bio or "", "" if hide else (url or ""),
                      "" if fol is None else str(fol),
                      "" if fing is None else str(fing),
                      _minute(created)[:10], lang or ""]
    posts = _posts(con, sorted(users))
    upath = out_dir / f"{name}_users_csv_hashed.csv"
    tpath = out_dir / f"{name}_tweets_csv_hashed.csv"
    _write(upath, USER_COLUMNS, [users[a] for a in sorted(users, key=lambda a: users[a][0])])
    rows = []
    for p in posts:
        rows.append([p["post_id"], *users[p["author_id"]], p["lang"] or "", p["text"] or "",
                     _minute(p["created_ms"]), p["client"] or "",
                     ref(p["reply_to_author_id"]), p["reply_to_post_id"] or "",
                     p["quoted_post_id"] or "", "true" if p["kind"] == "reshare" else "false",
                     ref(p["ref_author_id"]) if p["kind"] == "reshare" else "",
                     (p["ref_post_id"] or "") if p["kind"] == "reshare" else "",
                     "absent", "absent", *(_count(p[c]) for c in (
                         "quote_count", "reply_count", "like_count", "reshare_count")),
                     list_cell(p["hashtags"]), list_cell(p["urls"]),
                     list_cell([ref(m) for m in p["mentions"]])])
    rows.sort(key=lambda r: (r[13], r[0]))
    _write(tpath, TWEET_COLUMNS, rows)
    return [upath, tpath]


def _count(v: int | None) -> str:
    return "" if v is None else str(v)


def _posts(con: duckdb.DuckDBPyConnection, authors: list[str]) -> list[dict[str, Any]]:
    cur = con.execute("""
        WITH e AS (
            SELECT platform, post_id,
                   list(value ORDER BY position) FILTER (WHERE entity = 'hashtag') AS hashtags,
                   list(value ORDER BY position) FILTER (WHERE entity = 'url') AS urls,
                   list(normalized ORDER BY position) FILTER (WHERE entity = 'mention')
                       AS mentions
            FROM post_entities GROUP BY ALL
        )
        SELECT p.post_id, p.author_id, p.created_ms, p.text, p.lang, p.client, p.kind,
               p.ref_post_id, p.ref_author_id, p.reply_to_post_id, p.reply_to_author_id,
               p.quoted_post_id, p.quote_count, p.reply_count, p.like_count, p.reshare_count,
               COALESCE(e.hashtags, []) AS hashtags, COALESCE(e.urls, []) AS urls,
               COALESCE(e.mentions, []) AS mentions
        FROM posts p LEFT JOIN e USING (platform, post_id)
        WHERE p.author_id IN (SELECT unnest(?)) ORDER BY p.created_ms, p.post_id""", [authors])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _write(path: Path, header: tuple[str, ...], rows: list[list[str]]) -> None:
    # Handles and display names hold the hash for small accounts, which the reader matches to
    # the id: an id-like cell is written exactly (`id_cell`), anything else is guarded.
    ids = {"tweetid", "userid", "in_reply_to_userid", "in_reply_to_tweetid",
           "quoted_tweet_tweetid", "retweet_userid", "retweet_tweetid", "user_screen_name",
           "user_display_name"}
    write_csv(path, header, rows, ids=ids)
