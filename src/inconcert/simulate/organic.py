"""Organic activity, vectorised: heavy-tailed volume, personal rhythms, Zipf-popular targets.

Each account posts a lognormal number of times in its own time zone and rhythm, in bursts; each
post is an original, reshare, reply or quote by the account's own mix; the targets of reshares,
replies and quotes are chosen author first, by popularity, then the author's latest post before a
latency drawn for the kind of action.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import lexicon as lx
from .core import (
    DAY_MS,
    HUMAN_WEEKDAY,
    HUMAN_WEEKEND,
    OFFICE_WEEKDAY,
    ORIGINAL,
    QUOTE,
    REPLY,
    RESHARE,
    Accounts,
    Posts,
    local_times,
    sessions,
    tco,
    weighted_choice,
)

_TAG_W = 1.0 / np.arange(1, len(lx.HASHTAGS) + 1)
_DOMAIN_W = 1.0 / np.arange(1, len(lx.DOMAINS) + 1) ** 0.8
_KEY = np.int64(1) << 40  # author index * _KEY + ms offset: a sortable (author, time) key
LATENCY = {RESHARE: (7200.0, 1.8), REPLY: (2400.0, 1.6), QUOTE: (10800.0, 1.7)}


def compose(rng: np.random.Generator, langs: Sequence[str]) -> list[str]:
    """Everyday post texts in each post's language, in a few sentence shapes."""
    n = len(langs)
    out = [""] * n
    by_lang: dict[str, list[int]] = {}
    for i, lang in enumerate(langs):
        by_lang.setdefault(lang, []).append(i)
    for lang in sorted(by_lang):
        idx = by_lang[lang]
        if lang == "und":
            for i in idx:
                out[i] = "".join(rng.choice(("😂", "🔥", "❤️", "🙏", "😭", "👀", "💯"),
                                            int(rng.integers(1, 4))))
            continue
        p = lx.PHRASES.get(lang, lx.PHRASES["en"])
        k = len(idx)
        o = rng.integers(0, len(p["open"]), k)
        t = rng.integers(0, len(p["topic"]), k)
        c = rng.integers(0, len(p["close"]), k)
        e = rng.integers(0, len(p["emoji"]), k)
        shape = rng.integers(0, 10, k)
        for j, i in enumerate(idx):
            op, tp, cl, em = p["open"][o[j]], p["topic"][t[j]], p["close"][c[j]], p["emoji"][e[j]]
            s = shape[j]
            if s < 5:
                out[i] = f"{op} {tp} {cl}{em}"
            elif s < 8:
                out[i] = f"{tp[0].upper()}{tp[1:]} {cl}{em}"
            elif s < 9:
                out[i] = f"{op} {tp}{em}"
            else:
                out[i] = f"{op}\n{tp} {cl}{em}"
    return out


def decorate(rng: np.random.Generator, texts: list[str], p_tag: float, p_url: float
             ) -> tuple[list[str], list[list[str] | None], list[list[str] | None]]:
    """Add organic hashtags (Zipf over common tags) and links (t.co in text, expanded in urls)."""
    n = len(texts)
    tags: list[list[str] | None] = [None] * n
    urls: list[list[str] | None] = [None] * n
    has_tag = np.flatnonzero(rng.random(n) < p_tag)
    picks = weighted_choice(rng, _TAG_W, 2 * len(has_tag))
    two = rng.random(len(has_tag)) < 0.25
    for j, i in enumerate(has_tag):
        t = [lx.HASHTAGS[picks[2 * j]]]
        if two[j] and picks[2 * j + 1] != picks[2 * j]:
            t.append(lx.HASHTAGS[picks[2 * j + 1]])
        tags[i] = t
        texts[i] += "".join(f" #{x}" for x in t)
    has_url = np.flatnonzero(rng.random(n) < p_url)
    doms = weighted_choice(rng, _DOMAIN_W, len(has_url))
    links = tco(rng, len(has_url))
    tokens = tco(rng, len(has_url))
    for j, i in enumerate(has_url):
        urls[i] = [f"https://www.{lx.DOMAINS[doms[j]]}/{tokens[j][-8:]}"]
        texts[i] += " " + links[j]
    return texts, tags, urls


def choose_targets(rng: np.random.Generator, actor: np.ndarray, t: np.ndarray,
                   pool_post: np.ndarray, pool_author: np.ndarray, pool_ms: np.ndarray,
                   author_weight: np.ndarray, median_s: float, sigma: float,
                   tries: int = 4) -> np.ndarray:
    """For each action (actor, time), a post from the pool it acts on, or -1.

    The target's author is drawn by popularity (never the actor), then that author's latest pool
    post written at least a lognormal latency before the action.
    """
    out = np.full(len(actor), -1, np.int64)
    if len(pool_post) == 0 or len(actor) == 0:
        return out
    authors, inv = np.unique(pool_author, return_inverse=True)
    base = int(min(pool_ms.min(), t.min())) - DAY_MS
    order = np.lexsort((pool_ms, inv))
    inv_s = inv[order]
    keys = inv_s * _KEY + (pool_ms[order] - base)
    post_s = pool_post[order]
    w = author_weight[authors]
    todo = np.arange(len(actor))
    for _ in range(tries):
        if len(todo) == 0:
            break
        a = weighted_choice(rng, w, len(todo))
        lat = rng.lognormal(np.log(median_s * 1000), sigma, len(todo)).astype(np.int64) + 1000
        pos = np.searchsorted(keys, a * _KEY + (t[todo] - lat - base), side="right") - 1
        ok = (pos >= 0) & (inv_s[np.maximum(pos, 0)] == a) & (authors[a] != actor[todo])
        out[todo[ok]] = post_s[pos[ok]]
        todo = todo[~ok]
    return out


def activity_counts(rng: np.random.Generator, n_accounts: int, target: int,
                    sigma: float = 1.5) -> np.ndarray:
    """Posts per account: lognormal weights, so a few accounts write much of the total."""
    w = rng.lognormal(0.0, sigma, n_accounts)
    n = rng.poisson(w / w.sum() * max(target - n_accounts, 0)) + 1
    n[rng.random(n_accounts) < 0.04] = 0  # some accounts only appear in the users file
    return n


def account_windows(rng: np.random.Generator, acc: Accounts, who: np.ndarray, first_day: int,
                    last_day: int) -> tuple[np.ndarray, np.ndarray]:
    """Active days per account: the whole period for most, part of it for some, never before
    the account existed."""
    created_day = acc.array("created_ms")[who] // DAY_MS + 1
    lo = np.maximum(np.full(len(who), first_day), created_day)
    hi = np.full(len(who), last_day)
    part = rng.random(len(who)) < 0.25
    span = last_day - first_day
    a = first_day + (rng.random(len(who)) * span * 0.6).astype(np.int64)
    b = a + 7 + (rng.random(len(who)) * span * 0.6).astype(np.int64)
    lo = np.where(part, np.maximum(lo, a), lo)
    hi = np.where(part, np.minimum(hi, b), hi)
    hi = np.maximum(hi, np.minimum(lo + 1, last_day))
    lo = np.minimum(lo, hi - 1)
    return lo, hi


def external_posts(rng: np.random.Generator, acc: Accounts, posts: Posts, ext: np.ndarray,
                   n_posts: int, first_day: int, last_day: int) -> np.ndarray:
    """Originals of the external accounts (not written; referenced by reshares and replies)."""
    counts = activity_counts(rng, len(ext), n_posts, sigma=1.0)
    counts = np.maximum(counts, 1)
    author = np.repeat(ext, counts)
    tz = acc.array("tz_min")[author]
    ms = local_times(rng, tz, first_day, last_day, HUMAN_WEEKDAY, HUMAN_WEEKEND)
    n = len(author)
    s = rng.integers(0, len(lx.HEADLINE_SUBJECTS), n)
    v = rng.integers(0, len(lx.HEADLINE_VERBS), n)
    o = rng.integers(0, len(lx.HEADLINE_OBJECTS), n)
    tl = rng.integers(0, len(lx.HEADLINE_TAILS), n)
    texts = [f"{lx.HEADLINE_SUBJECTS[s[i]]} {lx.HEADLINE_VERBS[v[i]]} "
             f"{lx.HEADLINE_OBJECTS[o[i]]}{lx.HEADLINE_TAILS[tl[i]]}" for i in range(n)]
    casual = compose(rng, ["en"] * n)
    texts = [texts[i] if rng.random() < 0.5 else casual[i] for i in range(n)]
    texts, tags, urls = decorate(rng, texts, 0.2, 0.35)
    return posts.add(ms, author, ORIGINAL, texts, "en", "Twitter Web App", written=False,
                     hashtags=tags, urls=urls)


def post_lang(rng: np.random.Generator, account_lang: np.ndarray) -> list[str]:
    """A post's language: the account's, now and then English or undetermined."""
    u = rng.random(len(account_lang))
    return [("und" if u[i] < 0.03 else "en" if u[i] < 0.08 else str(a))
            for i, a in enumerate(account_lang)]


def organic_activity(rng: np.random.Generator, acc: Accounts, posts: Posts, who: np.ndarray,
                     target: int, first_day: int, last_day: int, pool_extra: np.ndarray,
                     boost: np.ndarray | None = None,
                     windows: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Posts of ordinary accounts `who` (about `target` of them) over [first_day, last_day).

    `pool_extra` are posts outside this group that the accounts may reshare or answer (external
    originals); `boost` is a floor on chosen accounts' volume (prominent people post more);
    `windows` gives each account's active days instead of drawing them.
    """
    counts = activity_counts(rng, len(who), target)
    if boost is not None:
        counts = np.maximum(counts, boost)
    lo, hi = windows if windows is not None else account_windows(rng, acc, who, first_day,
                                                                  last_day)
    owner = np.repeat(np.arange(len(who)), counts)
    author = who[owner]
    tz = acc.array("tz_min")[author]
    shift = rng.normal(0, 60, len(who)).astype(np.int64)[owner]
    ms = local_times(rng, tz, lo[owner], hi[owner], HUMAN_WEEKDAY, HUMAN_WEEKEND, 1.1, shift)
    office = np.asarray(acc.cols["rhythm"], dtype=object)[author] == "office"
    if office.any():
        # office workers post during their working day (start hour of their own), on weekdays
        o = np.flatnonzero(office)
        start = acc.array("office_start")[author[o]]
        ms[o] = local_times(rng, tz[o], lo[owner[o]], hi[owner[o]], OFFICE_WEEKDAY,
                            OFFICE_WEEKDAY, 0.15, (start - 9) * 60 + shift[o] // 2)
    ms = sessions(rng, owner, ms, 0.35, 240.0)
    ms = np.minimum(ms, last_day * DAY_MS - 1)
    mix = rng.dirichlet([4.0, 3.5, 2.0, 0.5], len(who))
    cdf = np.cumsum(mix, axis=1)[owner]
    kind = (rng.random(len(owner))[:, None] > cdf).sum(axis=1).astype(np.int8)
    kind = np.minimum(kind, QUOTE)

    pop = acc.array("popularity", np.float64)
    orig = np.flatnonzero(kind == ORIGINAL)
    pool_post = np.concatenate([orig, np.asarray(pool_extra, np.int64) + (1 << 40)])
    ext_author = posts.column("author")[pool_extra] if len(pool_extra) else np.zeros(0, np.int64)
    ext_ms = posts.column("ms")[pool_extra] if len(pool_extra) else np.zeros(0, np.int64)
    pool_author = np.concatenate([author[orig], ext_author])
    pool_ms = np.concatenate([ms[orig], ext_ms])
    targets = np.full(len(owner), -1, np.int64)
    for k in (RESHARE, REPLY, QUOTE):
        sel = np.flatnonzero(kind == k)
        med, sig = LATENCY[k]
        targets[sel] = choose_targets(rng, author[sel], ms[sel], pool_post, pool_author,
                                      pool_ms, pop, med, sig)
    kind[(kind != ORIGINAL) & (targets < 0)] = ORIGINAL
    # originals first (they get indices the actions refer to), then actions in time order
    orig = np.flatnonzero(kind == ORIGINAL)
    alang = np.asarray(acc.cols["lang"], dtype=object)
    clients = acc.cols["client"]
    langs = post_lang(rng, alang[author[orig]])
    texts, tags, urls = decorate(rng, compose(rng, langs), 0.15, 0.10)
    mentions, texts = _mentions(rng, texts, pool_extra, posts, acc, 0.05)
    media: list[tuple[str, ...] | None] = [("photo",) if u < 0.03 else None
                                           for u in rng.random(len(orig))]
    cl = _clients(rng, [clients[a] for a in author[orig]])
    first = posts.add(ms[orig], author[orig], ORIGINAL, texts, langs, cl, hashtags=tags,
                      urls=urls, mentions=mentions, media=media)
    local_to_global = np.full(len(owner), -1, np.int64)
    local_to_global[orig] = first
    act = np.flatnonzero(kind != ORIGINAL)
    tg = targets[act]
    ref = np.where(tg >= (1 << 40), tg - (1 << 40), local_to_global[np.minimum(tg, len(owner) - 1)])
    add_actions(rng, acc, posts, author[act], ms[act], kind[act], ref)
    return np.concatenate([first, np.arange(posts.n - len(act), posts.n)])


def _clients(rng: np.random.Generator, primary: list[str]) -> list[str]:
    # People mostly post from one app, sometimes from another.
    alt = rng.random(len(primary)) < 0.1
    other = [lx.CLIENTS_NOW[i][0] for i in rng.integers(0, 3, len(primary))]
    return [other[i] if alt[i] else p for i, p in enumerate(primary)]


def _mentions(rng: np.random.Generator, texts: list[str], pool_extra: np.ndarray, posts: Posts,
              acc: Accounts, p: float) -> tuple[list[list[int] | None], list[str]]:
    n = len(texts)
    out: list[list[int] | None] = [None] * n
    if len(pool_extra) == 0:
        return out, texts
    ext_authors = np.unique(posts.column("author")[pool_extra])
    w = acc.array("popularity", np.float64)[ext_authors]
    sel = np.flatnonzero(rng.random(n) < p)
    who = ext_authors[weighted_choice(rng, w, len(sel))]
    for j, i in enumerate(sel):
        out[i] = [int(who[j])]
        texts[i] = f"{texts[i]} @{acc.cols['handle'][who[j]]}"
    return out, texts


def add_actions(rng: np.random.Generator, acc: Accounts, posts: Posts, author: np.ndarray,
                ms: np.ndarray, kind: np.ndarray, ref: np.ndarray,
                clients: Sequence[str] | None = None,
                reply_texts: Sequence[str] | None = None) -> np.ndarray:
    """Reshares, replies and quotes of existing posts, with texts and entities as the platform
    shows them. A reshare's text (`RT @handle:` and the original) and mentions are derived from
    its original when written, so they are not stored twice."""
    handles = acc.cols["handle"]
    langs_acc = acc.cols["lang"]
    n = len(author)
    ref_l = np.asarray(ref, np.int64).tolist()
    ref_author = posts.column("author")[np.asarray(ref, np.int64)].tolist()
    author_l = np.asarray(author, np.int64).tolist()
    kind_l = np.asarray(kind).tolist()
    u = rng.random(n).tolist()
    qlinks = tco(rng, n)
    texts: list[str | None] = [None] * n
    langs: list[str] = [""] * n
    tags: list[list[str] | None] = [None] * n
    urls: list[list[str] | None] = [None] * n
    ments: list[list[int] | None] = [None] * n
    for i in range(n):
        r = ref_l[i]
        if kind_l[i] == RESHARE:
            langs[i] = posts.lang[r]
            tags[i] = posts.hashtags[r]
            urls[i] = posts.urls[r]
            continue
        lang = langs_acc[author_l[i]]
        if reply_texts is not None:
            body = reply_texts[i]
        else:
            p = lx.PHRASES.get(lang, lx.PHRASES["en"])
            body = (p["reply"][int(u[i] * len(p["reply"]))]
                    + p["emoji"][int(u[i] * 97) % len(p["emoji"])])
        if kind_l[i] == REPLY:
            texts[i] = f"@{handles[ref_author[i]]} {body}"
            ments[i] = [ref_author[i]]
        else:
            texts[i] = f"{body} {qlinks[i]}"
        langs[i] = lang
    if clients is None:
        clients = _clients(rng, [acc.cols["client"][a] for a in author_l])
    return posts.add(ms, author, kind, texts, langs, list(clients), ref=ref, hashtags=tags,
                     urls=urls, mentions=ments)
