"""Writes the simulated platform: IO-archive tweets and users CSVs (every cell quoted, list cells
as `['a', 'b']`, `true`/`false`, `absent` coordinates), the media manifest and the ground truth."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from ..io_layout import TWEET_COLUMNS, USER_COLUMNS, list_cell
from ..safecsv import write_csv
from ..timeutil import SNOWFLAKE_EPOCH_MS
from .core import DAY_MS, MINUTE_MS, QUOTE, REPLY, RESHARE, Accounts, Posts, rt_text, unique_ids

CHUNK = 100_000
_OPTS = pcsv.WriteOptions(quoting_style="all_valid", batch_size=8192)
LABEL_HEADER = ("account_id", "label", "role", "group", "traits")
# The id columns of the CSVs the simulator writes through safecsv: join keys to the platform
# files and to a run's accounts.csv, so they are written exactly (`safecsv.id_cell`), not with
# the apostrophe that neutralises free text. A hashed account id can begin with `+`.
SIM_IDS = frozenset({"account_id", "post_id", "persona_id", "group"})


def write_sim_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """A simulator CSV (labels, ground truth, manifest) through safecsv, the columns named in
    SIM_IDS kept exact; returns the number of rows."""
    return write_csv(path, header, rows, ids=SIM_IDS)


def finish_ids(acc: Accounts, posts: Posts) -> tuple[np.ndarray, np.ndarray]:
    """Unique user ids and Snowflake post ids (the low bits come from the post itself, not from
    a shared random stream, so adding posts elsewhere leaves these ids unchanged)."""
    uid = unique_ids(acc.array("uid"))
    ms = posts.column("ms")
    author_uid = uid[posts.column("author")]
    machine = ((ms * 2654435761 + author_uid) >> 7) & 1023
    ids = unique_ids(((ms - SNOWFLAKE_EPOCH_MS) << 22) | (machine << 12))
    return uid, ids


def _dates(ms: np.ndarray) -> pa.Array:
    return pa.array(np.datetime_as_string((ms // DAY_MS).astype("datetime64[D]"), unit="D"))


def account_columns(acc: Accounts, uid: np.ndarray) -> dict[str, pa.Array]:
    """The ten users-file columns for every account, as Arrow string arrays."""
    return {
        "userid": pa.array(uid).cast(pa.string()),
        "user_display_name": pa.array(acc.cols["name"], pa.string()),
        "user_screen_name": pa.array(acc.cols["handle"], pa.string()),
        "user_reported_location": pa.array(acc.cols["location"], pa.string()),
        "user_profile_description": pa.array(acc.cols["bio"], pa.string()),
        "user_profile_url": pa.array(acc.cols["url"], pa.string()),
        "follower_count": pa.array(acc.array("followers")).cast(pa.string()),
        "following_count": pa.array(acc.array("following")).cast(pa.string()),
        "account_creation_date": _dates(acc.array("created_ms")),
        "account_language": pa.array(acc.cols["lang"], pa.string()),
    }


def engagement(rng: np.random.Generator, acc: Accounts, posts: Posts) -> dict[str, np.ndarray]:
    """Counts at collection time: reshares, replies and quotes seen in the data plus unseen
    ones and likes that grow with the author's audience; reshares themselves count nothing."""
    kind = posts.column("kind")
    ref = posts.column("ref")
    written = posts.column("written")
    n = posts.n
    out = {}
    for name, k in (("retweet_count", RESHARE), ("reply_count", REPLY), ("quote_count", QUOTE)):
        sel = (kind == k) & written & (ref >= 0)
        out[name] = np.bincount(ref[sel], minlength=n).astype(np.int64)
    followers = acc.array("followers")[posts.column("author")]
    likes = np.floor(rng.lognormal(np.log1p(followers * 0.004), 1.0)).astype(np.int64)
    extra_rt = np.floor(likes * rng.uniform(0, 0.25, n)).astype(np.int64)
    is_rt = kind == RESHARE
    out["like_count"] = np.where(is_rt, 0, likes)
    out["retweet_count"] = np.where(is_rt, 0, out["retweet_count"] + extra_rt)
    return out


def write_tweets(path: Path, acc: Accounts, posts: Posts, uid: np.ndarray, ids: np.ndarray,
                 counts: dict[str, np.ndarray]) -> np.ndarray:
    """Write the written posts in id (time) order, in chunks; returns their post indices."""
    written = posts.column("written")
    order = np.flatnonzero(written)
    order = order[np.argsort(ids[order], kind="stable")]
    author = posts.column("author")
    kind = posts.column("kind")
    ref = posts.column("ref")
    ms = posts.column("ms")
    acc_cols = account_columns(acc, uid)
    ids_s = pa.array(ids).cast(pa.string())
    uid_s = acc_cols["userid"]
    ref_written = np.where(ref >= 0, written[np.maximum(ref, 0)], False)
    handles = acc.cols["handle"]
    uid_s_l = uid_s.to_pylist()
    schema = pa.schema([(c, pa.string()) for c in TWEET_COLUMNS])
    with pcsv.CSVWriter(str(path), schema, write_options=_OPTS) as w:
        for lo in range(0, len(order), CHUNK):
            rows = order[lo: lo + CHUNK]
            a = pa.array(author[rows])
            k = kind[rows]
            r = np.maximum(ref[rows], 0)
            r_arr = pa.array(r)
            ref_id = ids_s.take(r_arr)
            ref_uid = uid_s.take(pa.array(author[r]))
            empty = pa.array([""] * len(rows), pa.string())
            is_rt = pa.array(k == RESHARE)
            is_reply = pa.array(k == REPLY)
            minutes = np.datetime_as_string((ms[rows] // MINUTE_MS).astype("datetime64[m]"),
                                            unit="m")
            rows_l = rows.tolist()
            ref_l = ref[rows].tolist()
            ref_author = author[r].tolist()
            texts = [t if t is not None else rt_text(handles[ra], posts.text[rf])
                     for t, rf, ra in zip([posts.text[i] for i in rows_l], ref_l, ref_author,
                                          strict=True)]
            mentions = [([ra] + (posts.mentions[rf] or [])) if kk == RESHARE
                        else posts.mentions[i]
                        for i, rf, ra, kk in zip(rows_l, ref_l, ref_author, k.tolist(),
                                                 strict=True)]
            url_cells = [posts.urls[i] for i in rows_l]
            for j in np.flatnonzero(k == QUOTE).tolist():
                q = int(ref[rows_l[j]])
                link = f"https://twitter.com/{handles[author[q]]}/status/{ids[q]}"
                url_cells[j] = [link] + (url_cells[j] or [])
            cols = {
                "tweetid": ids_s.take(pa.array(rows)),
                **{c: acc_cols[c].take(a) for c in USER_COLUMNS},
                "tweet_language": pa.array([posts.lang[i] for i in rows_l], pa.string()),
                "tweet_text": pa.array(texts, pa.string()),
                "tweet_time": pc.replace_substring(pa.array(minutes), "T", " "),
                "tweet_client_name": pa.array([posts.client[i] for i in rows_l], pa.string()),
                "in_reply_to_userid": pc.if_else(is_reply, ref_uid, empty),
                "in_reply_to_tweetid": pc.if_else(is_reply, ref_id, empty),
                "quoted_tweet_tweetid": pc.if_else(pa.array(k == QUOTE), ref_id, empty),
                "is_retweet": pc.if_else(is_rt, "true", "false"),
                # the original's author is known only when the original is in the collection
                "retweet_userid": pc.if_else(pa.array((k == RESHARE) & ref_written[rows]),
                                             ref_uid, empty),
                "retweet_tweetid": pc.if_else(is_rt, ref_id, empty),
                "latitude": pa.array(["absent"] * len(rows), pa.string()),
                "longitude": pa.array(["absent"] * len(rows), pa.string()),
                **{c: pa.array(counts[c][rows]).cast(pa.string())
                   for c in ("quote_count", "reply_count", "like_count", "retweet_count")},
                "hashtags": pa.array([list_cell(posts.hashtags[i]) for i in rows_l],
                                     pa.string()),
                "urls": pa.array([list_cell(u) for u in url_cells], pa.string()),
                "user_mentions": pa.array([list_cell([uid_s_l[x] for x in m]) if m else "[]"
                                           for m in mentions], pa.string()),
            }
            w.write_table(pa.table([cols[c] for c in TWEET_COLUMNS], schema=schema))
    return order


def write_users(path: Path, acc: Accounts, uid: np.ndarray) -> np.ndarray:
    """Write the collection's accounts (not the external ones), in user-id order."""
    written = np.flatnonzero(np.asarray(acc.cols["written"], bool))
    order = written[np.argsort(uid[written], kind="stable")]
    cols = account_columns(acc, uid)
    idx = pa.array(order)
    table = pa.table([cols[c].take(idx) for c in USER_COLUMNS], names=list(USER_COLUMNS))
    pcsv.write_csv(table, str(path), write_options=_OPTS)
    return order


def write_labels(path: Path, acc: Accounts, uid: np.ndarray, order: np.ndarray) -> int:
    """Ground truth per account: label, role, group and `;`-separated traits."""
    c = acc.cols
    return write_sim_csv(path, LABEL_HEADER, ([str(uid[a]), c["label"][a], c["role"][a],
                                               c["group"][a], c["traits"][a]] for a in order))


def write_campaign_posts(path: Path, posts: Posts, ids: np.ndarray, order: np.ndarray) -> int:
    """Ground truth per campaign text: post id, narrative, language, template."""
    rows = ([str(ids[i]), posts.truth[i][0], posts.lang[i], posts.truth[i][1]]
            for i in order if posts.truth[i] is not None)
    return write_sim_csv(path, ("post_id", "narrative", "language", "template"), rows)


def write_manifest(path: Path, rows: list[tuple[int, str, str, str]], ids: np.ndarray) -> int:
    """The media manifest: one row per image attached to a post."""
    return write_sim_csv(path, ("post_id", "platform", "path", "type", "alt"),
                         ([str(ids[i]), "x", rel, typ, alt] for i, rel, typ, alt in
                          sorted(rows, key=lambda r: (int(ids[r[0]]), r[1]))))


def sha256(path: Path) -> str:
    """Hex digest of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
