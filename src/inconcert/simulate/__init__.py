"""`inconcert simulate`: a synthetic platform in the Twitter IO-archive layout, with a planted
pro-Beijing amplification campaign, hard negatives and ground truth.

`simulate()` returns the data inputs first (tweets, users, media manifest) and then the ground
truth (labels, campaign posts, simulation.json); `input_files()` and `ground_truth_files()` tell
them apart. See docs/simulator.md.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from . import campaign as camp
from . import negatives as neg
from .core import KIND_NAMES, ORIGINAL, Accounts, Posts, day_number
from .families import OperatorFamily, OrganicFamily, operator_family, organic_family, with_overrides
from .media import write_media
from .operation import operation
from .organic import external_posts, organic_activity
from .population import (
    CRITIC_POSTS,
    Handles,
    critic_accounts,
    external_accounts,
    organic_accounts,
)
from .scenario import GRID, Scenario
from .scenario import normalise as normalise_scenario
from .scenario import parse as parse_scenario
from .writer import (
    engagement,
    finish_ids,
    sha256,
    write_campaign_posts,
    write_labels,
    write_manifest,
    write_tweets,
    write_users,
)

TWEETS = "simulated_tweets_csv_unhashed.csv"
USERS = "simulated_users_csv_unhashed.csv"
MANIFEST = "media_manifest.csv"
LABELS = "labels.csv"
CAMPAIGN_POSTS = "campaign_posts.csv"
SUMMARY = "simulation.json"
INPUTS = (TWEETS, USERS, MANIFEST)
GROUND_TRUTH = (LABELS, CAMPAIGN_POSTS, SUMMARY)
FIRST_DAY = day_number(2021, 3, 1)
HASHTAG_DAY = 53  # days after the start: 2021-04-23, World Book Day, in the classic period
DAYS = 90
MAX_SCALE = 1000.0

__all__ = ["GRID", "GROUND_TRUTH", "INPUTS", "Scenario", "ground_truth_files", "input_files",
           "parse_scenario", "simulate"]


def input_files(paths: list[Path]) -> list[Path]:
    """The data inputs among simulate()'s files (what a user would ingest)."""
    return [p for p in paths if p.name in INPUTS]


def ground_truth_files(paths: list[Path]) -> list[Path]:
    """The ground-truth files among simulate()'s files (never ingested)."""
    return [p for p in paths if p.name in GROUND_TRUTH]


def _rng(seed: int, part: int) -> np.random.Generator:
    # One stream per part of the platform, so the organic part does not depend on the campaign.
    return np.random.default_rng([seed, part])


def _n(x: float, floor: int) -> int:
    return max(floor, round(x))


def parameters(scale: float, negatives: float = 1.0) -> dict[str, int]:
    """The sizes used at a scale (recorded in simulation.json); `negatives` multiplies the
    number of hard negatives (viral posts, fandoms, newsrooms, hashtag-day and returning
    accounts)."""
    s = scale
    g = negatives
    return {
        "organic_accounts": _n(3300 * s, 60), "external_accounts": _n(300 * s, 20),
        "external_posts": _n(2500 * s, 150), "organic_posts": _n(10_000 * s, 200),
        "viral_events": round(g * _n(2 * s, 1)), "viral_size": _n(350 * min(s, 1.0), 15),
        "fandoms": round(g * _n(s, 1)), "fans": _n(45 * min(s, 1.0), 8),
        "newsrooms": round(g * _n(s, 1)),
        "hashtag_day_accounts": round(g * _n(250 * s, 10)),
        "returning_accounts": round(g * _n(15 * s, 2)),
        "critic_posts_floor": _n(50 * min(s, 1.0), 5), "days": DAYS,
    }


# Written organic accounts per unit of scale, and all accounts with the classic campaign
# (measured at scale 1): they convert a campaign share into population sizes.
ORGANIC_PER_SCALE = 3373
ACCOUNTS_PER_SCALE = 3477


def operation_sizes(sc: Scenario, scale: float) -> tuple[int, int, float]:
    """(seeders, amplifiers, organic scale) of a scenario's operation at a scale.

    A `pool` fixes the amplifiers; a `share` without a pool fixes the operation's part of
    about 3,477 x scale accounts; with both, the organic population is sized to the share.
    """
    def seeders_for(total: int) -> int:
        return sc.seeders if sc.seeders is not None else max(2, round(0.12 * total))

    if sc.pool is not None:
        n_seed = sc.seeders if sc.seeders is not None else max(2, round(sc.pool * 0.14))
        n_total = n_seed + sc.pool
        org = scale if sc.share is None else n_total * (1 - sc.share) / sc.share / \
            ORGANIC_PER_SCALE
        return n_seed, sc.pool, org
    if sc.share is not None:
        n_total = max(3, round(sc.share * ACCOUNTS_PER_SCALE * scale))
        n_seed = min(seeders_for(n_total), n_total - 1)
        org = scale * (1 - sc.share) * ACCOUNTS_PER_SCALE / ORGANIC_PER_SCALE
        return n_seed, n_total - n_seed, org
    n_total = camp.size_for(round(ORGANIC_PER_SCALE * scale)).n
    n_seed = seeders_for(n_total)
    return n_seed, n_total - n_seed, scale


def simulate(out_dir: Path, seed: int = 1, scale: float = 1.0, campaign: bool = True,
             scenario: Scenario | str | None = None,
             operator: dict[str, Any] | None = None,
             organic: dict[str, Any] | None = None, start: str | None = None
             ) -> list[Path]:
    """Write a synthetic platform into out_dir; returns inputs first, then ground truth.

    `scenario` (a Scenario or the text of `--scenario`) chooses the operation and the strength
    of the hard negatives; without it the classic platform is written. `operator` and
    `organic` replace particulars of the randomised families (OperatorFamily and
    OrganicFamily fields), for the scenario's operation and organic population. `start`
    (YYYY-MM-DD, 2016 on) moves the 90-day period (default 2021-03-01).
    """
    if not 0 < scale <= MAX_SCALE:
        raise InputError(f"--scale must be above 0 and at most {MAX_SCALE:g} (got {scale:g})")
    sc = parse_scenario(scenario, campaign) if not isinstance(scenario, Scenario) else (
        normalise_scenario(scenario if campaign else replace(scenario, campaign=False)))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    random = sc.families == "random"
    op_fam = with_overrides(operator_family(_rng(seed, 10)), operator) if random else None
    org_fam = with_overrides(organic_family(_rng(seed, 11)), organic) if random else None
    n_seed = n_amp = 0
    org_scale = scale
    if random:  # without the campaign too, so the control keeps the same organic platform
        n_seed, n_amp, org_scale = operation_sizes(sc, scale)
    p = parameters(org_scale, sc.negatives)
    first = _start_day(start)
    last = first + DAYS
    acc, posts, handles = Accounts(), Posts(), Handles()

    r = _rng(seed, 0)
    plain = organic_accounts(r, acc, handles, p["organic_accounts"], last - 5, family=org_fam)
    critics = critic_accounts(r, acc, handles)
    ext = external_accounts(r, acc, handles, p["external_accounts"])

    r = _rng(seed, 1)
    ext_posts = external_posts(r, acc, posts, ext, p["external_posts"], first, last)
    who = np.concatenate([plain, critics])
    boost = np.zeros(len(who), np.int64)
    boost[len(plain):] = p["critic_posts_floor"]
    organic_activity(r, acc, posts, who, p["organic_posts"], first, last, ext_posts, boost)
    _critics_write_about_their_work(r, posts, critics)

    r = _rng(seed, 2)
    viral_pool = plain[: max(len(plain) * 2 // 3, 1)]
    for k in range(p["viral_events"]):
        neg.viral(r, acc, posts, viral_pool, k, min(p["viral_size"], len(viral_pool) // 2),
                  first, last)
    # The classic platform's first newsroom is the UTC+8 one (its office hours overlap
    # Beijing's); with random families, which idol and newsroom come first is drawn.
    fan0, news0 = (int(x) for x in _rng(seed, 12).integers(0, 3, 2)) if random else (0, 0)
    for k in range(p["fandoms"]):
        neg.fandom(r, acc, handles, posts, fan0 + k, p["fans"], ext_posts, first, last)
    for k in range(p["newsrooms"]):
        neg.newsroom(r, acc, handles, posts, news0 + k, plain, first, last,
                     min(org_scale, 1.0))
    free = plain[len(viral_pool):]
    free = free[[acc.cols["role"][a] == "organic" for a in free]]
    day = first + HASHTAG_DAY
    if p["hashtag_day_accounts"]:
        neg.hashtag_day(r, acc, posts, free[: p["hashtag_day_accounts"]], day, "WorldBookDay")
    if p["returning_accounts"]:
        neg.returning(r, acc, handles, posts, p["returning_accounts"], ext_posts, first, last,
                      drift=random)

    size: camp.CampaignSize | dict[str, int] | None = None
    if sc.campaign and op_fam is not None:
        size = operation(_rng(seed, 3), acc, handles, posts, sc, op_fam, n_seed, n_amp,
                         critics, ext_posts, plain, first, last)
    elif sc.campaign:
        n_org = sum(acc.cols["written"])
        size = camp.size_for(n_org)
        camp.campaign(_rng(seed, 3), acc, handles, posts, size, critics, ext_posts, plain,
                      first, last)
    return _write(out_dir, seed, scale, sc.campaign, p, size, acc, posts, sc, op_fam, org_fam,
                  first)


def _start_day(start: str | None) -> int:
    if start is None:
        return FIRST_DAY
    try:
        d = int(np.datetime64(start, "D").astype(np.int64))
    except ValueError:
        raise InputError(f"start {start!r} is not a date (YYYY-MM-DD)") from None
    # hijacked and returning accounts have histories in 2011-2015, before the period
    if not day_number(2016, 1, 1) <= d <= day_number(2035, 1, 1):
        raise InputError(f"start {start} must be between 2016-01-01 and 2035-01-01")
    return d


def _critics_write_about_their_work(rng: np.random.Generator, posts: Posts,
                                    critics: np.ndarray) -> None:
    author = posts.column("author")
    kind = posts.column("kind")
    for k, c in enumerate(critics):
        mine = np.flatnonzero((author == c) & (kind == ORIGINAL))
        for i in mine[rng.random(len(mine)) < 0.6]:
            texts = CRITIC_POSTS[k % len(CRITIC_POSTS)]
            posts.text[i] = texts[int(rng.integers(0, len(texts)))]
            posts.lang[i] = "zh" if posts.text[i][0] >= "\u4e00" else "en"


def _write(out_dir: Path, seed: int, scale: float, campaign: bool, p: dict[str, int],
           size: camp.CampaignSize | dict[str, int] | None, acc: Accounts, posts: Posts,
           sc: Scenario, op_fam: OperatorFamily | None, org_fam: OrganicFamily | None,
           first: int) -> list[Path]:
    uid, ids = finish_ids(acc, posts)
    counts = engagement(_rng(seed, 5), acc, posts)
    tweets, users = out_dir / TWEETS, out_dir / USERS
    order = write_tweets(tweets, acc, posts, uid, ids, counts)
    acc_order = write_users(users, acc, uid)
    rows = write_media(seed, out_dir, posts.media, posts.column("written"))
    n_manifest = write_manifest(out_dir / MANIFEST, rows, ids)
    write_labels(out_dir / LABELS, acc, uid, acc_order)
    n_truth = write_campaign_posts(out_dir / CAMPAIGN_POSTS, posts, ids, order)
    files = [tweets, users, out_dir / MANIFEST, out_dir / LABELS, out_dir / CAMPAIGN_POSTS]
    summary = _summary(seed, scale, campaign, p, size, acc, posts, order, acc_order,
                       n_manifest, n_truth, rows, out_dir, files, first)
    if replace(sc, campaign=True) != Scenario():
        summary["scenario"] = sc.as_dict()
    if op_fam is not None and sc.campaign:
        summary["operator_family"] = _plain(asdict(op_fam))
    if org_fam is not None:
        summary["organic_family"] = _plain(asdict(org_fam))
    (out_dir / SUMMARY).write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n",
                                   encoding="utf-8")
    return files + [out_dir / SUMMARY]


def _plain(d: dict[str, Any]) -> dict[str, Any]:
    # tuples of pairs become lists, so the summary is plain JSON
    return json.loads(json.dumps(d))


def _summary(seed: int, scale: float, campaign: bool, p: dict[str, int],
             size: camp.CampaignSize | dict[str, int] | None, acc: Accounts, posts: Posts,
             order: np.ndarray,
             acc_order: np.ndarray, n_manifest: int, n_truth: int,
             rows: list[tuple[int, str, str, str]], out_dir: Path,
             files: list[Path], first: int) -> dict:
    c = acc.cols
    labels = np.asarray(c["label"], dtype=object)
    author = posts.column("author")[order]
    kind = posts.column("kind")[order]
    media_files = sorted({r[1] for r in rows})
    return {
        "generator": "inconcert simulate", "seed": seed, "scale": scale, "campaign": campaign,
        "period": {"first_day": str(np.datetime64(first, "D")),
                   "last_day": str(np.datetime64(first + DAYS - 1, "D"))},
        "parameters": {**p, **(size if isinstance(size, dict) else
                               {"campaign_accounts": size.n, "seeders": size.seeders,
                                "hybrids": size.hybrids, "hijacked": size.hijacked}
                               if size else {})},
        "counts": {
            "accounts": len(acc_order),
            "accounts_by_label": dict(sorted(Counter(labels[acc_order]).items())),
            "accounts_by_role": dict(sorted(Counter(
                f"{c['label'][a]}/{c['role'][a]}" for a in acc_order).items())),
            "posts": len(order),
            "posts_by_kind": {KIND_NAMES[k]: int(v) for k, v in
                              sorted(Counter(kind.tolist()).items())},
            "posts_by_label": dict(sorted(Counter(labels[author]).items())),
            "media_manifest_rows": n_manifest, "media_files": len(media_files),
            "campaign_posts": n_truth,
        },
        "files": {**{f.name: sha256(f) for f in files},
                  "media/": _dir_digest(out_dir, media_files)},
    }


def _dir_digest(out_dir: Path, rels: list[str]) -> str:
    import hashlib

    h = hashlib.sha256()
    for rel in rels:
        h.update(f"{rel} {sha256(out_dir / rel)}\n".encode())
    return h.hexdigest()
