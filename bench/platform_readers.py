"""`python -m bench.platform_readers`: ingest speed of the platform readers (Telegram, Bluesky,
Mastodon, Reddit, YouTube, Meta Content Library, CrowdTangle, TikTok).

For each reader, one generated file of N rows in the format's own layout (accounts, hashtags,
links, reshares, replies and comments mixed in, deterministic), ingested in this process into a
fresh case database; prints rows in, stored, quarantined, wall time and rows per second. The
files hold no malformed rows: this measures the ordinary path.
"""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from inconcert.ingest import ingest_paths
from inconcert.store import Store

ACCOUNTS = 5000
_TID = "234567abcdefghijklmnopqrstuvwxyz"


def _clock(i: int) -> str:
    return f"{(i // 3600) % 24:02d}:{(i // 60) % 60:02d}:{i % 60:02d}"


def telegram(path: Path, n: int) -> Path:
    msgs = []
    for i in range(1, n + 1):
        tag, url = f"#topic{i % 50}", f"https://example.org/{i % 300}"
        m: dict = {"id": i, "type": "message", "date": "2024-03-01T11:00:05",
                   "date_unixtime": str(1709290805 + i), "from": f"User {i % ACCOUNTS}",
                   "from_id": f"user{i % ACCOUNTS}", "text": [f"message {i} ", {
                       "type": "hashtag", "text": tag}, " ", {"type": "link", "text": url}],
                   "text_entities": [{"type": "plain", "text": f"message {i} "},
                                     {"type": "hashtag", "text": tag},
                                     {"type": "plain", "text": " "},
                                     {"type": "link", "text": url}]}
        if i % 7 == 0:
            m.update(forwarded_from="Chan", forwarded_from_id="channel99")
        elif i % 5 == 0:
            m["reply_to_message_id"] = i - 1
        msgs.append(m)
    out = path / "result.json"
    out.write_text(json.dumps({"name": "Big", "type": "public_supergroup", "id": 77,
                               "messages": msgs}, indent=1), encoding="utf-8")
    return out


def _tid(us: int) -> str:
    v, s = (us << 10) | 5, ""
    for _ in range(13):
        s, v = _TID[v & 31] + s, v >> 5
    return s


def bluesky(path: Path, n: int) -> Path:
    out = path / "jetstream.jsonl"
    posts: list[str] = []
    with open(out, "w", encoding="utf-8") as f:
        for i in range(n):
            did, us = f"did:plc:user{i % ACCOUNTS:05d}", 1725911162329308 + i * 1000
            rk = _tid(us)
            if i % 4 == 0 or not posts:
                coll, text = "app.bsky.feed.post", f"post {i} #tag{i % 40}"
                start = text.encode().index(b"#")
                rec: dict = {"text": text, "langs": ["en"], "createdAt": "2024-09-09T19:46:02Z",
                             "facets": [{"index": {"byteStart": start,
                                                   "byteEnd": len(text.encode())},
                                         "features": [{"$type": "app.bsky.richtext.facet#tag",
                                                       "tag": f"tag{i % 40}"}]}]}
                posts.append(f"at://{did}/{coll}/{rk}")
            else:
                coll = "app.bsky.feed.repost" if i % 4 == 1 else "app.bsky.feed.like"
                rec = {"createdAt": "2024-09-09T19:46:02Z",
                       "subject": {"cid": "x", "uri": posts[-1 - i % min(50, len(posts))]}}
            f.write(json.dumps({"did": did, "time_us": us, "kind": "commit", "commit": {
                "rev": rk, "operation": "create", "collection": coll, "rkey": rk,
                "record": {"$type": coll, **rec}, "cid": "bafy"}}) + "\n")
    return out


def mastodon(path: Path, n: int) -> Path:
    out = path / "statuses.json"
    with open(out, "w", encoding="utf-8") as f:
        f.write("[\n")
        for i in range(n):
            a = i % ACCOUNTS
            st = {"id": str(100000 + i), "created_at": f"2024-05-01T{_clock(i)}.123Z",
                  "uri": f"https://m.example/users/u{a}/statuses/{100000 + i}",
                  "content": f'<p>post {i} <a href="https://m.example/tags/t{i % 30}" '
                             f'class="mention hashtag" rel="tag">#t{i % 30}</a> '
                             f'<a href="https://ex.org/{i % 300}">link</a></p>',
                  "in_reply_to_id": str(100000 + i - 1) if i % 5 == 1 else None,
                  "language": "en", "reblog": None, "tags": [{"name": f"t{i % 30}"}],
                  "mentions": [], "media_attachments": [],
                  "account": {"id": str(a), "username": f"u{a}", "acct": f"u{a}",
                              "url": f"https://m.example/@u{a}", "display_name": f"U {a}",
                              "created_at": "2024-01-01T00:00:00.000Z", "note": "<p>bio</p>",
                              "followers_count": 1, "following_count": 2,
                              "statuses_count": 3}}
            if i % 4 == 3:
                st["reblog"] = {"id": "5", "created_at": "2024-05-01T11:00:00.000Z",
                                "uri": f"https://o.example/s/{i % 200}", "content": "<p>o</p>",
                                "account": {"id": "9", "acct": "o@o.example",
                                            "url": "https://o.example/@o"}}
            f.write(json.dumps(st) + (",\n" if i < n - 1 else "\n"))
        f.write("]\n")
    return out


def reddit(path: Path, n: int) -> Path:
    out = path / "RC_bench.ndjson"
    with open(out, "w", encoding="utf-8") as f:
        for i in range(n):
            base = {"author": f"user{i % ACCOUNTS}", "created_utc": 1700000000 + i,
                    "subreddit": "politics", "score": 1}
            if i % 10 == 0:
                base.update(id=f"s{i}", title=f"title {i}", is_self=True,
                            selftext=f"text https://ex.org/{i % 300}")
            else:
                sub = f"t3_s{i - i % 10}"
                base.update(id=f"c{i}", body=f"comment {i}", link_id=sub,
                            parent_id=sub if i % 3 else f"t1_c{i - 1}")
            f.write(json.dumps(base) + "\n")
    return out


def youtube_api(path: Path, n: int) -> Path:
    out = path / "commentThreads.jsonl"
    with open(out, "w", encoding="utf-8") as f:
        for page in range(0, n, 200):
            items = []
            for i in range(page, min(page + 200, n), 2):
                snip = {"videoId": f"vid{i % 500:08d}", "likeCount": 1,
                        "textOriginal": f"comment {i} #tag{i % 20} https://ex.org/{i % 300}",
                        "authorDisplayName": f"@u{i % ACCOUNTS}",
                        "authorChannelId": {"value": f"UC{i % ACCOUNTS:022d}"},
                        "publishedAt": f"2024-05-01T{_clock(i)}Z"}
                reply = dict(snip, parentId=f"Ug{i}",
                             authorChannelId={"value": f"UC{(i + 1) % ACCOUNTS:022d}"})
                items.append({"kind": "youtube#commentThread", "id": f"Ug{i}", "snippet": {
                    "channelId": "UCowner", "videoId": snip["videoId"], "totalReplyCount": 1,
                    "topLevelComment": {"kind": "youtube#comment", "id": f"Ug{i}",
                                        "snippet": snip}},
                    "replies": {"comments": [{"kind": "youtube#comment", "id": f"Ug{i}.r",
                                              "snippet": reply}]}})
            f.write(json.dumps({"kind": "youtube#commentThreadListResponse",
                                "items": items}) + "\n")
    return out


def _csv(out: Path, header: list[str], rows: Callable[[int], list], n: int) -> Path:
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        for i in range(n):
            w.writerow(rows(i))
    return out


def youtube_data_tools(path: Path, n: int) -> Path:
    header = ["id", "replyCount", "likeCount", "publishedAt", "authorName", "text",
              "authorChannelId", "authorChannelUrl", "isReply", "isReplyTo", "isReplyToName"]
    return _csv(path / "videoinfo_dQw4w9WgXcQ_2024_05_01-12_00_00_comments.csv", header,
                lambda i: [f"Ug{i}", "" if i % 2 else 1, 0, f"2024-05-01 {_clock(i)}",
                           f"@u{i % ACCOUNTS}", f"comment {i} #t{i % 9} https://ex.org/{i % 300}",
                           f"UC{i % ACCOUNTS:022d}", "", i % 2, f"Ug{i - 1}" if i % 2 else "",
                           ""], n)


def meta_content_library(path: Path, n: int) -> Path:
    header = ["id", "mcl_url", "creation_time", "text", "lang", "is_reshare", "shared_post_id",
              "link_url", "post_owner.id", "post_owner.name", "post_owner.username",
              "statistics.like_count", "statistics.share_count", "statistics.comment_count"]
    return _csv(path / "mcl_posts.csv", header,
                lambda i: [str(10**15 + i), f"https://www.facebook.com/{10**15 + i}",
                           f"2024-05-01T{_clock(i)}+0000",
                           "" if i % 5 == 0 else f"post {i} #tag{i % 30} https://ex.org/{i % 300}",
                           "en", "true" if i % 5 == 0 else "false",
                           str(10**15 + i - 1) if i % 5 == 0 else "", f"https://ex.org/{i % 300}",
                           str(9 * 10**15 + i % ACCOUNTS), f"Page {i % ACCOUNTS}",
                           f"page{i % ACCOUNTS}", 1, 2, 3], n)


def crowdtangle(path: Path, n: int) -> Path:
    header = ["Page Name", "User Name", "Facebook Id", "Page Created", "Followers at Posting",
              "Post Created", "Type", "Total Interactions", "Likes", "Comments", "Shares", "URL",
              "Message", "Link", "Final Link"]
    return _csv(path / "crowdtangle.csv", header,
                lambda i: [f"Page {i % ACCOUNTS}", f"page{i % ACCOUNTS}",
                           str(10**14 + i % ACCOUNTS), "2015-03-02 10:11:12 EST", 12,
                           f"2020-11-03 {_clock(i)} EST", "Link", 5, 1, 2, 3,
                           f"https://www.facebook.com/{10**14 + i % ACCOUNTS}/posts/{i}",
                           f"post {i} #tag{i % 30} http://bit.ly/{i % 300}",
                           f"https://bit.ly/{i % 300}", f"https://ex.org/{i % 300}"], n)


def tiktok(path: Path, n: int) -> Path:
    out = path / "videos.jsonl"
    with open(out, "w", encoding="utf-8") as f:
        for page in range(0, n, 100):
            videos = [{"id": 7250000000000000001 + i, "create_time": 1714564800 + i,
                       "username": f"u{i % ACCOUNTS}", "region_code": "US",
                       "video_description": f"video {i} #tag{i % 30} @u{(i + 1) % ACCOUNTS}",
                       "hashtag_names": [f"tag{i % 30}"], "music_id": 7100000000000000000 + i % 90,
                       "video_mention_list": [f"u{(i + 1) % ACCOUNTS}"], "like_count": 3,
                       "share_count": 1, "comment_count": 2, "view_count": 90}
                      for i in range(page, min(page + 100, n))]
            f.write(json.dumps({"data": {"videos": videos, "cursor": page, "has_more": True},
                                "error": {"code": "ok"}}) + "\n")
    return out


FORMATS: dict[str, Callable[[Path, int], Path]] = {
    "telegram": telegram, "bluesky-jetstream": bluesky, "mastodon": mastodon, "reddit": reddit,
    "youtube-api": youtube_api, "youtube-data-tools": youtube_data_tools,
    "meta-content-library": meta_content_library, "crowdtangle": crowdtangle,
    "tiktok-research": tiktok,
}


def main() -> None:
    """Generate one file per format and time its ingest."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--only", nargs="*", choices=sorted(FORMATS), default=None)
    args = ap.parse_args()
    print(f"{'format':22} {'rows in':>8} {'stored':>8} {'quar.':>6} {'seconds':>8} {'rows/s':>8}")
    for name in args.only or FORMATS:
        with tempfile.TemporaryDirectory() as tmp:
            path = FORMATS[name](Path(tmp), args.rows)
            t = time.perf_counter()
            with Store(Path(tmp) / "case.duckdb") as store:
                (res,) = ingest_paths(store, [path])
            dt = time.perf_counter() - t
            if res.format != name:
                raise SystemExit(f"{name}: the generated file was read as {res.format}")
            print(f"{name:22} {res.rows_in:8d} {res.rows_stored:8d} {res.rows_quarantined:6d} "
                  f"{dt:8.1f} {res.rows_in / dt:8,.0f}")


if __name__ == "__main__":
    main()
