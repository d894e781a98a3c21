"""`inconcert simulate --platform bluesky`: a Bluesky Jetstream capture with a like-only swarm.

The organic platform is drawn with the same generators as the X platform (people from the
regions, heavy-tailed volume, personal rhythms, Zipf-popular targets), plus what Bluesky adds:
**likes with their own times**, far more of them than reposts. Hard negatives: a viral post, a
fandom that reposts and likes its idol within seconds, a fandom that only likes its creator's
posts within seconds (the swarm's exact behaviour, in the open, around one author), and a circle
of friends who like each other's posts (many authors, minutes to hours later). The planted
operation: seeders post talking points and a pool of accounts that **never repost** likes them
in squads drawn per post, at a latency scale; its personas, hours and creation pattern come
from a drawn OperatorFamily, as the X operations' do. Written as Jetstream JSON lines (the
layout `bluesky-jetstream` reads, docs/readers/bluesky.md) with labels.csv and simulation.json.
See docs/simulator.md ("Bluesky").
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from ..errors import InputError
from . import negatives as neg
from .campaign import reach
from .core import (
    DAY_MS,
    HUMAN_WEEKDAY,
    HUMAN_WEEKEND,
    ORIGINAL,
    QUOTE,
    REPLY,
    RESHARE,
    Accounts,
    Posts,
    day_number,
    local_times,
    sessions,
)
from .families import operator_family
from .operation import _personas, _seeder_posts, _times  # the X operation's own generators
from .organic import activity_counts, choose_targets, compose, organic_activity
from .population import Handles, critic_accounts, organic_accounts
from .scenario import LAGS, SQUADS, Scenario
from .writer import LABEL_HEADER, sha256, write_sim_csv

JETSTREAM = "jetstream.jsonl"
LABELS = "labels.csv"
SUMMARY = "simulation.json"
INPUTS = (JETSTREAM,)
GROUND_TRUTH = (LABELS, SUMMARY)
FIRST_DAY = day_number(2024, 9, 2)
DAYS = 30
# The X generators draw accounts and histories up to 2021, so the platform is generated over
# a period starting 2021-03-01 and every time is moved by SHIFT days when written (a whole
# number of weeks: both days are Mondays, so weekends stay weekends).
GEN_FIRST_DAY = day_number(2021, 3, 1)
SHIFT = FIRST_DAY - GEN_FIRST_DAY
# Bluesky opened to the public on 2024-02-06; accounts were made from the invite-only beta
# (2023-02) on, most after the opening. In generation days:
BETA_DAY, OPEN_DAY = day_number(2023, 3, 1) - SHIFT, day_number(2024, 2, 6) - SHIFT
_B32 = "234567abcdefghijklmnopqrstuvwxyz"


@dataclass
class Likes:
    """Every simulated like: who, which post (index in Posts), when."""

    actor: list[np.ndarray] = field(default_factory=list)
    post: list[np.ndarray] = field(default_factory=list)
    ms: list[np.ndarray] = field(default_factory=list)

    def add(self, actor: np.ndarray, post: np.ndarray, ms: np.ndarray) -> None:
        """Append likes given as equal-length arrays."""
        self.actor.append(np.asarray(actor, np.int64))
        self.post.append(np.asarray(post, np.int64))
        self.ms.append(np.asarray(ms, np.int64))

    def column(self, name: str) -> np.ndarray:
        parts = getattr(self, name)
        return np.concatenate(parts) if parts else np.zeros(0, np.int64)


def parameters(scale: float) -> dict[str, int]:
    """Sizes at a scale (recorded in simulation.json)."""
    def n(x: float, floor: int) -> int:
        return max(floor, round(x * scale))

    return {"organic_accounts": n(1500, 120), "organic_posts": n(6000, 400),
            "organic_likes": n(30_000, 2000), "viral_events": n(1, 1),
            "viral_size": min(n(250, 30), 250), "fans": min(n(40, 12), 40),
            "like_fans": min(n(40, 12), 40), "circle": min(n(20, 10), 20),
            "amplifiers": n(45, 20), "seeders": n(7, 3), "days": DAYS}


@dataclass(frozen=True)
class Options:
    """The Bluesky platform's design (`--scenario` keys)."""

    campaign: bool = True
    lag: str = "minutes"
    squad: str = "8-15"
    profile_share: float = 0.5


def parse_options(text: str | None, campaign: bool = True) -> Options:
    """`--scenario` for the Bluesky platform: `lag=KEY`, `squad=KEY`, `profiles=SHARE` and
    `campaign=true|false`, comma-separated (the X presets do not apply)."""
    opts = Options(campaign=campaign)
    for part in (text or "").split(","):
        if not part.strip():
            continue
        key, sep, value = (x.strip() for x in part.partition("="))
        if not sep or key not in ("lag", "squad", "profiles", "campaign"):
            raise InputError(f"--platform bluesky takes --scenario keys lag, squad, profiles "
                             f"and campaign (got {part.strip()!r})")
        if key == "profiles":
            try:
                share = float(value)
            except ValueError:
                share = -1.0
            if not 0 <= share <= 1:
                raise InputError(f"profiles must be a share between 0 and 1 (got {value!r})")
            opts = replace(opts, profile_share=share)
        elif key == "campaign":
            if value not in ("true", "false"):
                raise InputError(f"campaign must be true or false (got {value!r})")
            opts = replace(opts, campaign=value == "true")
        else:
            opts = replace(opts, **{key: value})
    return opts


def simulate_bluesky(out_dir: Path, seed: int = 1, scale: float = 1.0, campaign: bool = True,
                     lag: str = "minutes", squad: str = "8-15",
                     profile_share: float = 0.5) -> list[Path]:
    """Write a Bluesky Jetstream capture with a like-only swarm into out_dir; returns the input
    file, then labels.csv and simulation.json.

    `lag` and `squad` are the swarm's latency scale and accounts per liked post (the keys of
    `--scenario`'s `lag` and `squad`); `profile_share` is the share of accounts that existed
    before the capture whose identity and profile events fall inside it (accounts created
    during the capture always have them)."""
    if not 0 < scale <= 100:
        raise InputError(f"--scale must be above 0 and at most 100 for bluesky (got {scale:g})")
    if lag not in LAGS or squad not in SQUADS:
        raise InputError(f"lag must be one of {', '.join(LAGS)} and squad one of "
                         f"{', '.join(SQUADS)}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    p = parameters(scale)
    first, last = GEN_FIRST_DAY, GEN_FIRST_DAY + DAYS
    acc, posts, likes, handles = Accounts(), Posts(), Likes(), Handles()
    none = np.zeros(0, np.int64)

    r = np.random.default_rng([seed, 20])
    plain = organic_accounts(r, acc, handles, p["organic_accounts"], last - 2)
    critics = critic_accounts(r, acc, handles)
    _bluesky_creation(r, acc, np.concatenate([plain, critics]), last - 2)
    who = np.concatenate([plain, critics])
    boost = np.zeros(len(who), np.int64)
    boost[len(plain):] = 20
    organic_activity(r, acc, posts, who, p["organic_posts"], first, last, none, boost)

    r = np.random.default_rng([seed, 21])
    for k in range(p["viral_events"]):
        start = posts.n
        neg.viral(r, acc, posts, plain, k, p["viral_size"], first, last)
        _like_post(r, acc, likes, posts, start, plain, 3 * p["viral_size"])
    start, n_acc = posts.n, len(acc)
    neg.fandom(r, acc, handles, posts, 0, p["fans"], none, first, last)
    fans = _new_accounts(acc, n_acc, "fan")
    _bluesky_creation(r, acc, np.arange(n_acc, len(acc)), first - 30)
    idol_posts = _posts_by(posts, start, acc, "idol")
    _fans_like(r, likes, posts, fans, idol_posts, 15.0)
    like_fans = _like_fandom(r, acc, handles, posts, likes, p["like_fans"], first, last)
    _circle(r, acc, handles, posts, likes, p["circle"], first, last)

    r = np.random.default_rng([seed, 22])
    _organic_likes(r, acc, posts, likes, np.concatenate([plain, critics, fans, like_fans]),
                   p["organic_likes"], first, last)

    size: dict[str, int] = {}
    if campaign:
        size = _swarm(np.random.default_rng([seed, 23]), acc, handles, posts, likes, p,
                      critics, plain, lag, squad, first, last)
    r = np.random.default_rng([seed, 24])
    files = _write(r, out_dir, acc, posts, likes, first, last, profile_share)
    summary = {
        "generator": "inconcert simulate --platform bluesky", "seed": seed, "scale": scale,
        "campaign": campaign, "lag": lag, "squad": squad, "profile_share": profile_share,
        "period": {"first_day": str(np.datetime64(first + SHIFT, "D")),
                   "last_day": str(np.datetime64(last - 1 + SHIFT, "D"))},
        "parameters": {**p, **size},
        "counts": _counts(files[0], out_dir / LABELS),
        "files": {f.name: sha256(f) for f in files},
    }
    (out_dir / SUMMARY).write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n",
                                   encoding="utf-8")
    return files + [out_dir / SUMMARY]


def _new_accounts(acc: Accounts, start: int, role: str) -> np.ndarray:
    return np.array([a for a in range(start, len(acc)) if acc.cols["role"][a] == role],
                    np.int64)


def _posts_by(posts: Posts, start: int, acc: Accounts, role: str) -> np.ndarray:
    author = posts.column("author")
    kind = posts.column("kind")
    idx = np.arange(start, posts.n)
    return idx[(kind[idx] == ORIGINAL)
               & np.array([acc.cols["role"][a] == role for a in author[idx]], bool)]


def _bluesky_creation(rng: np.random.Generator, acc: Accounts, who: np.ndarray,
                      last_day: int) -> None:
    """Creation times of the Bluesky era: a few from the invite-only beta, most after the
    public opening (the X generators draw 2008-2021)."""
    n = len(who)
    beta = rng.random(n) < 0.2
    lo = np.where(beta, BETA_DAY, OPEN_DAY)
    hi = np.where(beta, OPEN_DAY, last_day)
    day = lo + (rng.random(n) * (hi - lo)).astype(np.int64)
    ms = day * DAY_MS + rng.integers(0, DAY_MS, n)
    for a, m in zip(who.tolist(), ms.tolist(), strict=True):
        acc.cols["created_ms"][a] = m


def _latency_ms(rng: np.random.Generator, median_s: np.ndarray | float, sigma: float,
                n: int) -> np.ndarray:
    return (rng.lognormal(np.log(np.asarray(median_s) * 1000.0), sigma, n)).astype(
        np.int64) + 1500


def _like_post(rng: np.random.Generator, acc: Accounts, likes: Likes, posts: Posts,
               start: int, pool: np.ndarray, n: int) -> None:
    """The viral post (the first post from `start`) liked by n ordinary accounts: most within
    minutes, a long tail over hours, as its reposts."""
    post = start
    author = int(posts.column("author")[post])
    who = rng.choice(pool[pool != author], min(n, len(pool) - 1), replace=False)
    k = len(who)
    fast = rng.random(k) < 0.7
    lat = np.where(fast, rng.exponential(150_000, k), rng.lognormal(np.log(3.0e6), 1.2, k))
    likes.add(who, np.full(k, post), posts.column("ms")[post] + 2000 + lat.astype(np.int64))


def _fans_like(rng: np.random.Generator, likes: Likes, posts: Posts, fans: np.ndarray,
               idol_posts: np.ndarray, median_s: float) -> None:
    """Each fan likes a personal share of the idol's posts, most within seconds (a few fans
    are slower, minutes)."""
    keen = rng.beta(5, 2, len(fans))
    slow = rng.random(len(fans)) < 0.15
    does = rng.random((len(idol_posts), len(fans))) < keen[None, :]
    pi, fi = np.nonzero(does)
    lat = _latency_ms(rng, np.where(slow[fi], 12 * median_s, median_s), 0.9, len(pi))
    likes.add(fans[fi], idol_posts[pi], posts.column("ms")[idol_posts[pi]] + lat)


def _like_fandom(rng: np.random.Generator, acc: Accounts, handles: Handles, posts: Posts,
                 likes: Likes, n_fans: int, first_day: int, last_day: int) -> np.ndarray:
    """A creator posting most days and a fandom that only likes (never reposts) each post
    within seconds: a like-only swarm's behaviour, done in the open around one author.
    Returns the fans."""
    creator = organic_accounts(rng, acc, handles, 1, first_day - 60, "idol", "like-fandom-1")
    acc.cols["name"][creator[0]] = "Mika Sol ✏️"
    acc.cols["bio"][creator[0]] = "illustrator · comics every day · commissions closed"
    acc.cols["popularity"][creator[0]] = 2e4
    fans = organic_accounts(rng, acc, handles, n_fans, first_day - 30, "fan", "like-fandom-1")
    _bluesky_creation(rng, acc, np.concatenate([creator, fans]), first_day - 30)
    organic_activity(rng, acc, posts, fans, 6 * n_fans, first_day, last_day,
                     np.zeros(0, np.int64))
    days = np.arange(first_day, last_day)
    days = days[rng.random(len(days)) < 0.85]
    tz = acc.array("tz_min")[creator]
    ms = np.sort(local_times(rng, np.full(len(days), tz[0]), days, days + 1, HUMAN_WEEKDAY,
                             HUMAN_WEEKEND))
    texts = [str(rng.choice(("today's comic ✏️", "sketch dump 🖍️", "wip, more tomorrow",
                             "new page is up!", "thank you for 10k 💛", "doodle break")))
             for _ in range(len(ms))]
    ip = posts.add(ms, np.full(len(ms), creator[0]), ORIGINAL, texts, "en", "",
                   media=[("photo",)] * len(ms))
    _fans_like(rng, likes, posts, fans, ip, 25.0)
    return fans


def _circle(rng: np.random.Generator, acc: Accounts, handles: Handles, posts: Posts,
            likes: Likes, n: int, first_day: int, last_day: int) -> None:
    """A circle of friends who like most of each other's posts, minutes to hours later (many
    authors amplified by one group: self-amplification in the open)."""
    who = organic_accounts(rng, acc, handles, n, first_day - 30, "circle", "circle-1")
    _bluesky_creation(rng, acc, who, first_day - 30)
    start = posts.n
    organic_activity(rng, acc, posts, who, 12 * n, first_day, last_day, np.zeros(0, np.int64))
    mine = np.arange(start, posts.n)
    mine = mine[posts.column("kind")[mine] == ORIGINAL]
    author = posts.column("author")[mine]
    does = rng.random((len(mine), n)) < 0.5
    pi, fi = np.nonzero(does)
    keep = who[fi] != author[pi]
    pi, fi = pi[keep], fi[keep]
    lat = _latency_ms(rng, 1200.0, 1.3, len(pi))
    likes.add(who[fi], mine[pi], posts.column("ms")[mine[pi]] + lat)


def _organic_likes(rng: np.random.Generator, acc: Accounts, posts: Posts, likes: Likes,
                   who: np.ndarray, target: int, first_day: int, last_day: int) -> None:
    """Everyday likes: a heavy-tailed number per account, in scrolling sessions on the
    account's own hours, of posts chosen by their author's popularity after a lognormal delay
    (median 40 min; a tenth within two minutes)."""
    counts = activity_counts(rng, len(who), target, sigma=1.8)
    owner = np.repeat(np.arange(len(who)), counts)
    author = who[owner]
    tz = acc.array("tz_min")[author]
    shift = rng.normal(0, 60, len(who)).astype(np.int64)[owner]
    ms = local_times(rng, tz, np.full(len(owner), first_day), np.full(len(owner), last_day),
                     HUMAN_WEEKDAY, HUMAN_WEEKEND, 1.1, shift)
    ms = sessions(rng, owner, ms, 0.6, 40.0)
    ms = np.minimum(ms, last_day * DAY_MS - 1)
    kind = posts.column("kind")
    pool = np.flatnonzero((kind == ORIGINAL) | (kind == QUOTE))
    tg = choose_targets(rng, author, ms, pool, posts.column("author")[pool],
                        posts.column("ms")[pool], acc.array("popularity", np.float64),
                        2400.0, 2.0)
    ok = tg >= 0
    likes.add(author[ok], tg[ok], ms[ok])


def _swarm(rng: np.random.Generator, acc: Accounts, handles: Handles, posts: Posts,
           likes: Likes, p: dict[str, int], critics: np.ndarray, audience: np.ndarray,
           lag: str, squad: str, first_day: int, last_day: int) -> dict[str, int]:
    """The operation: seeders post talking points, a pool that never reposts likes them in
    squads drawn per post; cover is small talk and likes of popular posts; ordinary people
    like and repost a few talking points hours later."""
    fam = operator_family(rng)
    # Bluesky accounts: none older than the beta, none hijacked from an X-era history.
    fam = replace(fam, created_from=BETA_DAY, hijacked_share=0.0)
    n_seed, n_amp = p["seeders"], p["amplifiers"]
    camp_lo = first_day + 2
    who = _personas(rng, acc, handles, fam, n_seed + n_amp, camp_lo)
    roles = ["seeder"] * n_seed + ["amplifier"] * n_amp
    for j, a in enumerate(who.tolist()):
        acc.cols["label"][a] = "campaign"
        acc.cols["role"][a] = roles[j]
        acc.cols["group"][a] = "campaign"
        acc.cols["tz_min"][a] = fam.tz_min
        t = [x for x in acc.cols["traits"][a].split(";") if x]
        acc.cols["traits"][a] = ";".join(t + (["like_only"] if j >= n_seed else []))
    start_day = np.full(len(who), camp_lo, np.int64)
    seeds = _seeder_posts(rng, acc, posts, fam, Scenario(families="random"), who[:n_seed],
                          start_day[:n_seed], last_day, critics)[0]
    amps = who[n_seed:]
    lo_k, hi_k = SQUADS[squad]
    med_s, sigma = LAGS[lag]
    keen = rng.lognormal(0, 0.5, n_amp)
    pace = rng.lognormal(0, fam.lag_sigma_extra, n_amp)
    src_l, amp_l = [], []
    for i in range(len(seeds)):
        k = min(int(rng.integers(lo_k, hi_k + 1)), n_amp)
        g = np.log(keen) - np.log(-np.log(rng.random(n_amp)))  # Gumbel top-k by keenness
        squad_i = np.argpartition(-g, k - 1)[:k]
        src_l.extend([i] * k)
        amp_l.extend(squad_i.tolist())
    src, amp = np.array(src_l, np.int64), np.array(amp_l, np.int64)
    lat = rng.lognormal(np.log(med_s * 1000), sigma, len(src)) * pace[amp]
    likes.add(amps[amp], seeds[src], posts.column("ms")[seeds[src]] + lat.astype(np.int64)
              + 2000)
    # cover on the operator's hours: a little small talk, likes of popular posts
    counts = rng.poisson(2, len(who))
    owner = np.repeat(np.arange(len(who)), counts)
    ms = _times(rng, fam, start_day[owner], np.full(len(owner), last_day))
    langs = [acc.cols["lang"][who[j]] for j in owner]
    posts.add(ms, who[owner], ORIGINAL, compose(rng, langs), langs, "")
    counts = rng.poisson(8, len(who))
    owner = np.repeat(np.arange(len(who)), counts)
    ms = _times(rng, fam, start_day[owner], np.full(len(owner), last_day))
    kind = posts.column("kind")
    pool = np.flatnonzero((kind == ORIGINAL) & (acc.array("popularity", np.float64)[
        posts.column("author")] > 50))
    tg = choose_targets(rng, who[owner], ms, pool, posts.column("author")[pool],
                        posts.column("ms")[pool], acc.array("popularity", np.float64),
                        3600.0, 1.5)
    likes.add(who[owner][tg >= 0], tg[tg >= 0], ms[tg >= 0])
    # real people who come across the talking points: likes and a few reposts, hours later
    n = rng.poisson(1.0, len(seeds))
    s = np.repeat(seeds, n)
    fans = audience[rng.integers(0, len(audience), len(s))]
    likes.add(fans, s, posts.column("ms")[s] + rng.lognormal(np.log(1.8e6), 1.2, len(s)
                                                                  ).astype(np.int64))
    reach(rng, acc, posts, seeds, audience)
    return {"campaign_accounts": len(who), "seeder_posts": len(seeds),
            "swarm_likes": len(src)}


# ---- writing the capture ----------------------------------------------------------------

def _did(h: bytes) -> str:
    return "did:plc:" + "".join(_B32[b & 31] for b in h[:24])


def _cid(seed_bytes: bytes) -> str:
    h = hashlib.sha256(seed_bytes).digest()
    return "bafyrei" + "".join(_B32[b & 31] for b in h + h[:20])[:52]


def _tid(us: int, clock: int) -> str:
    v, s = (us << 10) | clock, ""
    for _ in range(13):
        s, v = _B32[v & 31] + s, v >> 5
    return s


def _iso(ms: int) -> str:
    return str(np.datetime64(ms, "ms")) + "Z"


def _facets(text: str, tags: list[str], dids: dict[str, str]) -> list[dict]:
    """Tag and mention facets at UTF-8 byte offsets, as Bluesky clients write them."""
    raw = text.encode("utf-8")
    out: list[dict] = []
    for tag in tags:
        pos = raw.find(f"#{tag}".encode())
        if pos >= 0:
            out.append({"index": {"byteStart": pos, "byteEnd": pos + len(tag.encode()) + 1},
                        "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": tag}]})
    for handle, did in dids.items():
        pos = raw.find(f"@{handle}".encode())
        if pos >= 0:
            out.append({"index": {"byteStart": pos, "byteEnd": pos + len(handle.encode()) + 1},
                        "features": [{"$type": "app.bsky.richtext.facet#mention",
                                      "did": did}]})
    return sorted(out, key=lambda f: f["index"]["byteStart"])


def _text_and_links(text: str, urls: list[str] | None) -> tuple[str, list[dict]]:
    """Replace the X generator's t.co links with Bluesky's shortened display text and a link
    facet to the full address."""
    parts = text.split(" https://t.co/")
    body = parts[0]
    facets: list[dict] = []
    for j, tail in enumerate(parts[1:]):
        rest = tail[10:]
        if urls and j < len(urls):
            shown = urls[j].split("://", 1)[-1]
            shown = shown if len(shown) <= 30 else shown[:27] + "..."
            start = len(body.encode()) + 1
            body += " " + shown
            facets.append({"index": {"byteStart": start, "byteEnd": start + len(shown.encode())},
                           "features": [{"$type": "app.bsky.richtext.facet#link",
                                         "uri": urls[j]}]})
        body += rest
    return body, facets


def _write(rng: np.random.Generator, out_dir: Path, acc: Accounts, posts: Posts, likes: Likes,
           first_day: int, last_day: int, profile_share: float) -> list[Path]:
    """The capture as Jetstream lines in time order, and labels.csv for every account in it."""
    n_acc = len(acc)
    keys = rng.integers(0, 2**63 - 1, n_acc, dtype=np.int64).tolist()
    did = [_did(hashlib.sha256(f"{k}".encode()).digest()) for k in keys]
    clock = rng.integers(0, 1024, n_acc).tolist()
    bsky = [f"{h.lower()}.bsky.social" for h in acc.cols["handle"]]
    off = SHIFT * DAY_MS
    lo_ms, hi_ms = first_day * DAY_MS + off, last_day * DAY_MS + off
    ms = posts.column("ms") + off
    author = posts.column("author")
    kind = posts.column("kind")
    ref = posts.column("ref")
    written = posts.column("written") & (ms >= lo_ms) & (ms < hi_ms)
    # the stream sees an event a fraction of a second after the client wrote it
    p_us = (ms + rng.lognormal(np.log(300), 0.6, posts.n).astype(np.int64)) * 1000 + \
        rng.integers(0, 1000, posts.n)
    coll = np.where(kind == RESHARE, "app.bsky.feed.repost", "app.bsky.feed.post")
    rkey = [_tid(int(u), clock[a]) for u, a in zip(p_us.tolist(), author.tolist(), strict=True)]
    uri = [f"at://{did[a]}/{c}/{k}" for a, c, k in zip(author.tolist(), coll.tolist(), rkey,
                                                         strict=True)]
    cid = [_cid(u.encode()) for u in uri]
    root = ref.copy()
    for _ in range(8):  # replies to replies: walk up to the thread's first post
        up = (root >= 0) & (kind[np.maximum(root, 0)] == REPLY) & (ref[np.maximum(root, 0)] >= 0)
        if not up.any():
            break
        root[up] = ref[root[up]]
    events: list[tuple[int, str]] = []
    active = np.zeros(n_acc, bool)
    for i in np.flatnonzero(written).tolist():
        a = int(author[i])
        active[a] = True
        rec: dict = {"$type": str(coll[i]), "createdAt": _iso(int(ms[i]))}
        r = int(ref[i])
        if kind[i] == RESHARE:
            rec["subject"] = {"cid": cid[r], "uri": uri[r]}
        else:
            text = posts.text[i] or ""
            if kind[i] == REPLY and text.startswith("@"):
                text = text.split(" ", 1)[-1]
            if kind[i] == QUOTE:
                text = text.rsplit(" https://t.co/", 1)[0]
            ments = {bsky[m]: did[m] for m in posts.mentions[i] or []}
            for m in posts.mentions[i] or []:
                text = text.replace(f"@{acc.cols['handle'][m]}", f"@{bsky[m]}")
            text, links = _text_and_links(text, posts.urls[i])
            rec["text"] = text
            rec["langs"] = [posts.lang[i]]
            facets = sorted(links + _facets(text, posts.hashtags[i] or [], ments),
                            key=lambda f: f["index"]["byteStart"])
            if facets:
                rec["facets"] = facets
            if kind[i] == REPLY:
                rt = int(root[i])
                rec["reply"] = {"parent": {"cid": cid[r], "uri": uri[r]},
                                "root": {"cid": cid[rt], "uri": uri[rt]}}
            elif kind[i] == QUOTE:
                rec["embed"] = {"$type": "app.bsky.embed.record",
                                "record": {"cid": cid[r], "uri": uri[r]}}
            elif posts.media[i]:
                rec["embed"] = {"$type": "app.bsky.embed.images", "images": [{
                    "alt": "", "image": {"$type": "blob", "ref": {"$link": _cid(
                        f"img{uri[i]}".encode())}, "mimeType": "image/jpeg",
                        "size": 100_000 + int(p_us[i] % 300_000)}}]}
        events.append((int(p_us[i]), _commit(did[a], int(p_us[i]), str(coll[i]), rkey[i],
                                             rec, cid[i])))
    l_actor, l_post, l_ms = likes.column("actor"), likes.column("post"), likes.column("ms") + off
    keep = (l_ms >= lo_ms) & (l_ms < hi_ms) & written[l_post]
    l_us = (l_ms + rng.lognormal(np.log(300), 0.6, len(l_ms)).astype(np.int64)) * 1000 + \
        rng.integers(0, 1000, len(l_ms))
    for a, t, u in zip(l_actor[keep].tolist(), l_post[keep].tolist(), l_us[keep].tolist(),
                       strict=True):
        active[a] = True
        k = _tid(u, clock[a])
        rec = {"$type": "app.bsky.feed.like", "createdAt": _iso(u // 1000),
               "subject": {"cid": cid[t], "uri": uri[t]}}
        events.append((u, _commit(did[a], u, "app.bsky.feed.like", k, rec,
                                  _cid(f"{did[a]}{k}".encode()))))
    events += _profiles(rng, acc, did, bsky, active, lo_ms, hi_ms, profile_share)
    events.sort()
    path = out_dir / JETSTREAM
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(line + "\n" for _, line in events)
    order = sorted(np.flatnonzero(active).tolist(), key=lambda a: did[a])
    c = acc.cols
    write_sim_csv(out_dir / LABELS, LABEL_HEADER, ([did[a], c["label"][a], c["role"][a],
                                                   c["group"][a], c["traits"][a]] for a in order))
    return [path, out_dir / LABELS]


def _commit(did: str, us: int, coll: str, rkey: str, rec: dict, cid: str,
            operation: str = "create") -> str:
    # a repository revision is a TID of the commit's own time
    return json.dumps({"did": did, "time_us": us, "kind": "commit", "commit": {
        "rev": _tid(us - 200, 0), "operation": operation, "collection": coll, "rkey": rkey,
        "record": rec, "cid": cid}}, ensure_ascii=False, separators=(",", ":"))


def _profiles(rng: np.random.Generator, acc: Accounts, did: list[str], bsky: list[str],
              active: np.ndarray, lo_ms: int, hi_ms: int, share: float) -> list[tuple[int, str]]:
    """Identity and profile events: at creation for accounts made during the capture; for a
    `share` of older accounts, a profile edit at a random moment of it (Jetstream shows only
    what happens while it listens)."""
    out: list[tuple[int, str]] = []
    created = acc.array("created_ms") + SHIFT * DAY_MS
    edit = rng.random(len(acc)) < share
    when = rng.integers(lo_ms, hi_ms, len(acc))
    for a in np.flatnonzero(active).tolist():
        new = lo_ms <= created[a] < hi_ms
        if not (new or edit[a]):
            continue
        t_ms = int(created[a]) if new else int(when[a])
        us = t_ms * 1000 + 500
        out.append((us, json.dumps({"did": did[a], "time_us": us, "kind": "identity",
                                    "identity": {"did": did[a], "handle": bsky[a],
                                                 "seq": us // 1000, "time": _iso(t_ms)}},
                                   ensure_ascii=False, separators=(",", ":"))))
        rec = {"$type": "app.bsky.actor.profile", "displayName": acc.cols["name"][a],
               "description": acc.cols["bio"][a], "createdAt": _iso(int(created[a]))}
        if acc.cols["url"][a]:
            rec["website"] = acc.cols["url"][a]
        out.append((us + 1000, _commit(did[a], us + 1000, "app.bsky.actor.profile", "self",
                                       rec, _cid(f"profile{did[a]}{us}".encode()),
                                       "create" if new else "update")))
    return out


def _counts(jsonl: Path, labels: Path) -> dict[str, object]:
    """Events by collection and accounts by label/role, for simulation.json."""
    events: Counter[str] = Counter()
    with open(jsonl, encoding="utf-8") as f:
        for line in f:
            ev = json.loads(line)
            events[ev["commit"]["collection"] if ev["kind"] == "commit" else ev["kind"]] += 1
    roles: Counter[str] = Counter()
    with open(labels, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            roles[f"{row['label']}/{row['role']}"] += 1
    return {"events": dict(sorted(events.items())), "accounts_by_role": dict(sorted(
        roles.items())), "accounts": sum(roles.values())}

