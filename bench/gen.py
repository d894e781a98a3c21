"""Synthetic input in coordination-network-toolkit's CSV layout, for the benchmarks.

The cost of co-action detection is the number of account pairs acting on the same item within the
window, which is set by the popularity curve and the timing of reactions, not by the row count.
Items get i.i.d. Pareto popularity (shape 1, capped) and reactions a lognormal latency after each
item's birth (median 10 minutes, a tail of hours). Activity is stationary, one week per million
messages, so the pair count grows linearly with the size, as in a longer collection: about
1.4 M / 14 M / 130 M window pairs at 10^5 / 10^6 / 10^7 messages (W = 60 s), with a largest item
of ~3,000 retweets. `hot=True` raises the cap so that a few items gather tens of thousands of
retweets (about 10x the pairs: the quadratic case).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

HEADER = ("message_id", "user_id", "username", "repost_id", "reply_id", "message", "timestamp",
          "urls")
START_S = 1_600_000_000
WEEK_S = 7 * 86_400
# Share of rows that are retweets and replies; the rest are original posts.
REPOST_SHARE = 0.6
REPLY_SHARE = 0.1
# Popularity caps (in multiples of the least popular item): ordinary and hot-item variants.
CAP = 3_000
CAP_HOT = 50_000


def _popular(rng: np.random.Generator, n_things: int, size: int, cap: float) -> np.ndarray:
    """`size` draws among `n_things` with capped Pareto(1) popularity."""
    weights = np.minimum(rng.pareto(1.0, n_things) + 1.0, cap)
    cdf = np.cumsum(weights)
    cdf /= cdf[-1]
    return np.minimum(np.searchsorted(cdf, rng.random(size), side="right"), n_things - 1)


def _ids(offset: int, values: np.ndarray) -> pa.Array:
    return pa.array(values.astype(np.int64) + offset).cast(pa.string())


def _pick(mask: np.ndarray, yes: pa.Array | str, no: pa.Array | str) -> pa.Array:
    return pc.if_else(pa.array(mask), yes, no)


def generate(path: Path, n: int, seed: int = 0, hot: bool = False) -> dict[str, int]:
    """Write `n` messages to `path` (CSV with the peer's header); returns counts by kind."""
    rng = np.random.default_rng(seed)
    span = max(3_600, int(WEEK_S * n / 1_000_000))
    n_users = max(50, n // 20)
    activity = rng.lognormal(0.0, 1.2, n_users)
    cdf = np.cumsum(activity)
    cdf /= cdf[-1]
    users = np.minimum(np.searchsorted(cdf, rng.random(n), side="right"), n_users - 1)

    kind = rng.random(n)
    is_repost = kind < REPOST_SHARE
    is_reply = (kind >= REPOST_SHARE) & (kind < REPOST_SHARE + REPLY_SHARE)
    is_original = kind >= REPOST_SHARE + REPLY_SHARE

    n_items = max(20, n // 15)
    item = _popular(rng, n_items, n, CAP_HOT if hot else CAP)
    # An account retweets a post once: a repeated (account, post) retweet becomes an original.
    key = users.astype(np.int64) * n_items + item
    first = np.zeros(n, dtype=bool)
    first[np.unique(np.where(is_repost, key, -1), return_index=True)[1]] = True
    is_original |= is_repost & ~first
    is_repost &= first
    item_birth = rng.integers(0, span, n_items)
    t = item_birth[item] + rng.lognormal(np.log(600.0), 1.8, n).astype(np.int64)

    # Originals: 20% copy a campaign text (varying case, spacing and @mentions, which the peer's
    # co_tweet ignores) near the text's birth; the rest are unique and posted at any time.
    n_texts = max(10, n // 200)
    copy = is_original & (rng.random(n) < 0.2)
    text_id = _popular(rng, n_texts, n, CAP)
    text_birth = rng.integers(0, span, n_texts)
    t_copy = text_birth[text_id] + rng.lognormal(np.log(120.0), 1.5, n).astype(np.int64)
    t = np.where(is_original, np.where(copy, t_copy, rng.integers(0, span, n)), t) + START_S

    # 60% of originals carry one or two URLs; the other cells are empty.
    n_urls = max(10, n // 50)
    has_url = is_original & (rng.random(n) < 0.6)
    two_urls = has_url & (rng.random(n) < 0.15)

    message_id = _ids(1_000_000_000_000, np.arange(n))
    user_id = _ids(100_000, users)
    item_id = _ids(9_000_000_000_000, item)
    repost_id = _pick(is_repost, item_id, "")
    reply_id = _pick(is_reply, item_id, "")

    mention = _ids(0, rng.integers(0, n_users, n))
    campaign = pc.binary_join_element_wise(
        _pick(rng.random(n) < 0.5, "@u", "@U"), mention,
        _pick(rng.random(n) < 0.5, " Campaign text ", " CAMPAIGN  text "), _ids(0, text_id), "")
    plain = pc.binary_join_element_wise("post ", message_id, " about topic ",
                                        _ids(0, rng.integers(0, 500, n)), "")
    message = _pick(copy, campaign, plain)
    message = _pick(is_reply, pc.binary_join_element_wise("@someone reply ", message_id, ""),
                    message)
    message = _pick(is_repost, pc.binary_join_element_wise("RT @src", item_id, ": shared", ""),
                    message)

    url1 = pc.binary_join_element_wise(
        "https://news", _ids(0, _popular(rng, n_urls, n, CAP)), ".example/a", "")
    url2 = pc.binary_join_element_wise(
        "https://news", _ids(0, _popular(rng, n_urls, n, CAP)), ".example/b", "")
    urls = _pick(has_url, _pick(two_urls, pc.binary_join_element_wise(url1, url2, " "), url1),
                 "")

    table = pa.table([message_id, user_id, pc.binary_join_element_wise("user", user_id, ""),
                      repost_id, reply_id, message, pa.array(t), urls], names=list(HEADER))
    path.parent.mkdir(parents=True, exist_ok=True)
    pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="needed"))
    return {"messages": n, "reposts": int(is_repost.sum()), "replies": int(is_reply.sum()),
            "originals": int(is_original.sum()), "users": int(np.unique(users).size)}
