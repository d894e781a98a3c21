"""Synthetic input in coordination-network-toolkit's CSV layout, for the benchmarks.

The cost of co-action detection is the number of account pairs acting on the same item within the
window, which is set by the popularity curve and the timing of reactions, not by the row count.
Items get i.i.d. Pareto popularity (shape 1, capped) and reactions a lognormal latency after each
item's birth (median 10 minutes, a tail of hours). Activity is stationary, one week per million
messages, so the pair count grows linearly with the size, as in a longer collection: about
1.4 M / 14 M / 130 M window pairs at 10^5 / 10^6 / 10^7 messages (W = 60 s), with a largest item
of ~3,000 retweets. `hot=True` raises the cap so that a few items gather tens of thousands of
retweets (about 10x the pairs: the quadratic case).

Workloads that stress the stages after detection (`WORKLOADS`, same layout and timing model):
`spam` (texts from a small vocabulary, so most are near-identical, as in bot floods; reshares
carry their original's text), `hashtags` (hashtag-only texts), `conversation` (40 % of the rows
replies within one thread), `small-accounts` (half a million accounts of about two posts) and
`big-network` (50,000 accounts in squads of 25 that reshare their squad's posts within seconds,
planted into half the rows: a report and exports with tens of thousands of flagged accounts).
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
WORKLOADS = ("normal", "hot", "spam", "hashtags", "conversation", "small-accounts",
             "big-network")
# Spam: talking points of TEMPLATE_WORDS words from a VOCABULARY-word vocabulary; each post
# swaps each word for a random one with probability SWAP.
VOCABULARY, N_TEMPLATES, TEMPLATE_WORDS, SWAP = 300, 40, 12, 0.1
# The big network: accounts, squad size, posts each squad reshares, seconds to reshare.
BIG_ACCOUNTS, SQUAD, SQUAD_POSTS, SQUAD_LATENCY_S = 50_000, 25, 10, 40


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


def _talking_points(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A vocabulary of VOCABULARY pronounceable words and N_TEMPLATES talking points (word
    indices), fixed by the seed."""
    cons, vow = np.array(list("bdfgklmnprstvz")), np.array(list("aeiou"))
    letters = [(cons, vow, cons, vow, cons)[j][rng.integers(0, (14, 5)[j % 2], VOCABULARY)]
               for j in range(5)]
    vocab = np.array(["".join(w) for w in zip(*letters, strict=True)])
    return vocab, rng.integers(0, VOCABULARY, (N_TEMPLATES, TEMPLATE_WORDS))


def _spam_texts(rng: np.random.Generator, points: tuple[np.ndarray, np.ndarray],
                size: int) -> pa.Array:
    """`size` near-identical texts: a popular talking point with a few words swapped."""
    vocab, templates = points
    words = templates[_popular(rng, N_TEMPLATES, size, CAP)]
    swap = rng.random(words.shape) < SWAP
    words = np.where(swap, rng.integers(0, VOCABULARY, words.shape), words)
    cols = [pa.array(vocab[words[:, j]]) for j in range(TEMPLATE_WORDS)]
    return pc.binary_join_element_wise(*cols, " ")


def _hashtag_texts(rng: np.random.Generator, size: int) -> pa.Array:
    """`size` texts of one to four hashtags (popular tags recur) and nothing else."""
    tags = [pc.binary_join_element_wise("#tag", _ids(0, _popular(rng, 2_000, size, CAP)), "")
            for _ in range(4)]
    k = rng.integers(1, 5, size)
    out = tags[0]
    for j in range(1, 4):
        out = _pick(k > j, pc.binary_join_element_wise(out, tags[j], " "), out)
    return out


def generate(path: Path, n: int, seed: int = 0, hot: bool = False,
             workload: str = "normal") -> dict[str, int]:
    """Write `n` messages to `path` (CSV with the peer's header); returns counts by kind.
    `workload` is one of WORKLOADS ("hot" is the same as `hot=True`)."""
    if workload not in WORKLOADS:
        raise ValueError(f"unknown workload {workload!r}: one of {', '.join(WORKLOADS)}")
    hot = hot or workload == "hot"
    rng = np.random.default_rng(seed)
    span = max(3_600, int(WEEK_S * n / 1_000_000))
    n_users = max(50, n // 20)
    sigma = 1.2
    if workload == "small-accounts":
        n_users, sigma = max(50, n // 2), 0.5
    activity = rng.lognormal(0.0, sigma, n_users)
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

    if workload == "spam":
        # Originals and reshares say one of a few talking points; a reshare carries the text
        # of the post it reshares (that post is outside the collection).
        points = _talking_points(rng)
        own = _spam_texts(rng, points, n)
        item_text = _spam_texts(rng, points, n_items).take(pa.array(item))
        message = _pick(is_original, own, message)
        message = _pick(is_repost, pc.binary_join_element_wise(
            "RT @src", item_id, ": ", item_text, ""), message)
    elif workload == "hashtags":
        message = _pick(is_original | is_reply, _hashtag_texts(rng, n), message)
        message = _pick(is_repost, pc.binary_join_element_wise(
            "RT @src", item_id, ": ", _hashtag_texts(rng, n_items).take(pa.array(item)), ""),
            message)
    elif workload == "conversation":
        # 40 % of the rows reply within one thread, each to an earlier post of the thread.
        in_thread = rng.random(n) < 0.4
        in_thread[np.argmin(t)] = True
        order = np.flatnonzero(in_thread)[np.argsort(t[in_thread], kind="stable")]
        rank = np.arange(order.size)
        parent = order[(rng.random(order.size) * np.maximum(rank, 1)).astype(np.int64)]
        reply_to = np.full(n, -1, dtype=np.int64)
        reply_to[order[1:]] = parent[1:]
        is_reply = reply_to >= 0
        reply_id = _pick(is_reply, _ids(1_000_000_000_000, np.maximum(reply_to, 0)), "")
        repost_id = _pick(is_reply, "", repost_id)
        message = _pick(is_reply, pc.binary_join_element_wise(
            "@user", user_id.take(pa.array(np.maximum(reply_to, 0))), " ",
            _spam_texts(rng, _talking_points(rng), n), ""), message)
    elif workload == "big-network":
        user_id, repost_id, reply_id, message, t, urls = _plant_squads(
            rng, n, span, user_id, repost_id, reply_id, message, t, urls)

    table = pa.table([message_id, user_id, pc.binary_join_element_wise("user", user_id, ""),
                      repost_id, reply_id, message, pa.array(t), urls], names=list(HEADER))
    path.parent.mkdir(parents=True, exist_ok=True)
    pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="needed"))
    return {"messages": n, "reposts": int(pc.sum(pc.not_equal(repost_id, "")).as_py() or 0),
            "replies": int(pc.sum(pc.not_equal(reply_id, "")).as_py() or 0),
            "originals": int(is_original.sum()),
            "users": int(pc.count_distinct(user_id).as_py())}


def _plant_squads(rng: np.random.Generator, n: int, span: int, user_id: pa.Array,
                  repost_id: pa.Array, reply_id: pa.Array, message: pa.Array, t: np.ndarray,
                  urls: pa.Array) -> tuple:
    """Overwrite the first rows with BIG_ACCOUNTS accounts in squads of SQUAD: each squad's
    seeder posts SQUAD_POSTS times and the other members reshare each post within
    SQUAD_LATENCY_S seconds (up to half the rows; the rest stay background)."""
    squads = min(BIG_ACCOUNTS // SQUAD, n // (2 * SQUAD * SQUAD_POSTS))
    rows = squads * SQUAD * SQUAD_POSTS
    squad = np.repeat(np.arange(squads), SQUAD * SQUAD_POSTS)
    post = np.tile(np.repeat(np.arange(SQUAD_POSTS), SQUAD), squads)
    member = np.tile(np.arange(SQUAD), squads * SQUAD_POSTS)
    birth = rng.integers(0, span, (squads, SQUAD_POSTS))[squad, post]
    seeder_row = np.flatnonzero(member == 0)
    seed_msg = np.repeat(seeder_row, SQUAD) + 1_000_000_000_000
    is_seed = member == 0
    delay = np.where(is_seed, 0, rng.integers(1, SQUAD_LATENCY_S, rows))
    planted_users = _ids(50_000_000, squad * SQUAD + member)
    planted_ref = _pick(is_seed, "", _ids(0, seed_msg))
    planted_text = _pick(is_seed, pc.binary_join_element_wise(
        "squad ", _ids(0, squad), " says point ", _ids(0, post), " loudly", ""),
        pc.binary_join_element_wise("RT @user", _ids(50_000_000, squad * SQUAD), ": squad ",
                                    _ids(0, squad), " says point ",
            _ids(0, post), " loudly", ""))

    def cat(head: pa.Array, col: pa.Array) -> pa.Array:
        return pa.concat_arrays([head.cast(pa.string()), col[rows:].cast(pa.string())])
    t = np.concatenate([START_S + birth + delay, t[rows:]])
    return (cat(planted_users, user_id), cat(planted_ref, repost_id),
            cat(pa.array([""] * rows), reply_id), cat(planted_text, message), t,
            cat(pa.array([""] * rows), urls))
