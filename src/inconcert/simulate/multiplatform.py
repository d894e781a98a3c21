"""`inconcert simulate --platform multi`: one operation across X, Facebook, YouTube and Telegram.

The X platform is the one `inconcert simulate` writes (IO-archive layout, an operation drawn
from the randomised families, hard negatives). The operation's accounts then take on other
platforms, each in the export format its reader reads:

- **Facebook** (Meta Content Library CSV): the seeders' Pages post the same talking points and
  links minutes to hours after X; amplifier profiles reshare them (`shared_post_id`) in squads.
- **YouTube** (Data API v3 JSON: videos, commentThreads, channels): seeder channels upload
  videos on the talking points; amplifier channels comment on them in squads.
- **Telegram** (Desktop export of all chats, `result.json`): seeder channels post the talking
  points; amplifier users forward them into public groups in squads.

Each platform has its own organic population (ordinary people's posts, reshares/forwards and
comments at lognormal delays, heavy-tailed activity) and hard negatives (a newsroom syndicating
one link over its Pages, a viral post, a fan club commenting on its idol's uploads within a
minute, a breaking-news forward wave). **Look-alikes**: organic accounts on the other platforms
that carry the display name of an X account (ordinary X users, and some of the operation's
personas) and the default avatar, but are other people; and organic people who really are the
same person on two platforms. Ground truth: one labels file per platform and `personas.csv`
(which accounts are one persona). See docs/simulator.md ("One operation on four platforms").
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..safecsv import write_csv
from ..timeutil import SNOWFLAKE_EPOCH_MS
from .core import DAY_MS, HUMAN_WEEKDAY, HUMAN_WEEKEND, day_number, local_times
from .organic import activity_counts, compose
from .writer import LABEL_HEADER, sha256, write_sim_csv

PLATFORMS = ("x", "facebook", "youtube", "telegram")
PERSONAS = "personas.csv"
SUMMARY = "simulation.json"
DEFAULT_AVATAR = "https://yt3.ggpht.com/ytc/default-user=s88-c-k-c0x00ffffff-no-rj"
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_COMMENTS = ("So true 👏", "Finally someone says it", "Share this everywhere!", "100% agree",
             "The media will never show you this", "Wake up people", "Facts.", "Thank you 🙏",
             "This needs more views", "Exactly what I've been saying")
_ORGANIC_COMMENTS = ("great video", "lol", "who's watching in 2021?", "thanks for this",
                     "I disagree with the second part", "my dog loves this", "first time here",
                     "can you do one on gardening?", "the music 😍", "haha same", "so helpful",
                     "this aged well", "underrated channel", "where is this?")


@dataclass
class Account:
    """One account on one platform."""

    platform: str
    account_id: str
    name: str
    handle: str
    label: str = "organic"
    role: str = "organic"
    group: str = ""
    traits: str = ""
    bio: str = ""
    url: str = ""
    avatar: str = DEFAULT_AVATAR
    created_ms: int = 0
    tz_min: int = 0
    persona: str = ""   # persona id (personas.csv); empty: this account is its own persona
    kind: str = ""      # operation | same_person | lookalike (personas.csv)


@dataclass
class Platform:
    """Accounts and rows of one platform while it is generated."""

    accounts: list[Account] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)


@dataclass
class XCase:
    """What the other platforms take from the written X platform."""

    accounts: list[dict]                 # users file rows with their label and role
    points: list[tuple[int, str, str, str]]  # (ms, seeder uid, text, url) of talking points
    period: tuple[int, int]              # first and last day


def simulate_multiplatform(out_dir: Path, seed: int = 1, scale: float = 1.0) -> list[Path]:
    """Write the four platforms' exports under out_dir/inputs/<platform>/ and the ground truth
    under out_dir/truth/ (labels_<platform>.csv, personas.csv, simulation.json); returns the
    input files, then the ground-truth files."""
    from . import simulate

    out_dir = Path(out_dir)
    inputs, truth = out_dir / "inputs", out_dir / "truth"
    truth.mkdir(parents=True, exist_ok=True)
    xdir = inputs / "x"
    xfiles = simulate(xdir, seed=seed, scale=scale, scenario="random")
    x = _read_x(xdir)
    # The X ground truth moves out of the input folder, so `inconcert run out_dir/inputs` reads
    # exports only.
    for p in xfiles:
        if p.name in ("labels.csv", "campaign_posts.csv", "simulation.json"):
            shutil.move(str(p), truth / ("labels_x.csv" if p.name == "labels.csv" else
                                         f"x_{p.name}"))
    rng = np.random.default_rng([seed, 40])
    ops = [a for a in x.accounts if a["label"] == "campaign"]
    plain = [a for a in x.accounts if a["label"] == "organic" and a["role"] == "organic"]
    fb = _facebook(np.random.default_rng([seed, 41]), x, ops, scale)
    yt = _youtube(np.random.default_rng([seed, 42]), x, ops, scale)
    tg = _telegram(np.random.default_rng([seed, 43]), x, ops, scale)
    plats = {"facebook": fb, "youtube": yt, "telegram": tg}
    _lookalikes(rng, plats, plain, ops)
    files = [inputs / "facebook" / "mcl_facebook_posts.csv",
             inputs / "youtube" / "youtube_api.jsonl",
             inputs / "telegram" / "result.json"]
    _write_facebook(files[0], fb)
    _write_youtube(files[1], yt)
    _write_telegram(files[2], tg, x.period)
    labels = []
    for name, plat in plats.items():
        path = truth / f"labels_{name}.csv"
        write_sim_csv(path, LABEL_HEADER,
                      ([a.account_id, a.label, a.role, a.group, a.traits]
                       for a in sorted(plat.accounts, key=lambda a: a.account_id)))
        labels.append(path)
    n_personas = _write_personas(truth / PERSONAS, x, plats)
    x_inputs = [p for p in xfiles if p.parent == xdir and p.exists()]
    summary = {
        "generator": "inconcert simulate --platform multi", "seed": seed, "scale": scale,
        "accounts": {"x": len(x.accounts), **{k: len(v.accounts) for k, v in plats.items()}},
        "campaign_accounts": {"x": len(ops), **{k: sum(a.label == "campaign" for a in
                                                       v.accounts) for k, v in plats.items()}},
        # rows of each export: posts, videos and comments, messages
        "rows": {k: sum(len(c["messages"]) for c in v.rows) if k == "telegram"
                 else len(v.rows) for k, v in plats.items()},
        "personas": n_personas,
        "lookalikes": sum(a.kind == "lookalike" for v in plats.values() for a in v.accounts),
        "files": {str(p.relative_to(out_dir)): sha256(p) for p in x_inputs + files + labels
                  + [truth / PERSONAS]},
    }
    (truth / SUMMARY).write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n",
                                 encoding="utf-8")
    return x_inputs + files + [truth / "labels_x.csv", truth / "x_campaign_posts.csv",
                               truth / "x_simulation.json"] + labels + [truth / PERSONAS,
                                                                        truth / SUMMARY]


# ---- reading the X platform back --------------------------------------------------------

def _read_x(xdir: Path) -> XCase:
    with open(xdir / "labels.csv", newline="", encoding="utf-8") as f:
        labels = {r["account_id"]: r for r in csv.DictReader(f)}
    with open(xdir / "simulated_users_csv_unhashed.csv", newline="", encoding="utf-8") as f:
        users = [{**r, **labels[r["userid"]]} for r in csv.DictReader(f)]
    with open(xdir / "campaign_posts.csv", newline="", encoding="utf-8") as f:
        campaign_posts = {r["post_id"] for r in csv.DictReader(f)}
    seeders = {u["userid"] for u in users if u["role"] == "seeder"}
    points = []
    first = last = None
    with open(xdir / "simulated_tweets_csv_unhashed.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            ms = (int(r["tweetid"]) >> 22) + SNOWFLAKE_EPOCH_MS
            day = ms // DAY_MS
            if r["tweet_time"] >= "2016":  # the period, not the old histories
                first = day if first is None else min(first, day)
                last = day if last is None else max(last, day)
            if r["tweetid"] in campaign_posts and r["userid"] in seeders:
                urls = r["urls"].strip("[]").replace("'", "").split(", ")
                text = " ".join(w for w in r["tweet_text"].split() if
                                not w.startswith("https://t.co/"))
                points.append((ms, r["userid"], text, urls[0] if urls[0] else ""))
    if first is None or last is None:
        raise ValueError(f"{xdir}: the X platform has no posts in its period")
    return XCase(users, sorted(points), (int(first), int(last) + 1))


# ---- shared pieces ---------------------------------------------------------------------

def _code(rng: np.random.Generator, n: int) -> str:
    return "".join(_ALNUM[i] for i in rng.integers(0, 64, n))


def _iso(ms: int) -> str:
    return str(np.datetime64(int(ms) // 1000, "s")) + "Z"


def _stem(handle: str) -> str:
    """A handle without its trailing digits: what a person keeps across platforms."""
    return handle.rstrip("0123456789").lower() or handle.lower()


def _people(rng: np.random.Generator, platform: str, n: int, role: str = "organic",
            group: str = "") -> list[Account]:
    """n ordinary people of a platform, drawn with the X generator's names and habits."""
    from .core import Accounts
    from .population import Handles, organic_accounts

    acc = Accounts()
    # created up to 2020-12-04 (the X generator's years end in 2021), before the X period
    who = organic_accounts(rng, acc, Handles(), n, day_number(2020, 12, 4))
    c = acc.cols
    out = []
    for a in who.tolist():
        out.append(Account(platform, "", c["name"][a], c["handle"][a], role=role, group=group,
                           bio=c["bio"][a], created_ms=int(c["created_ms"][a]),
                           tz_min=int(c["tz_min"][a]),
                           avatar=DEFAULT_AVATAR if rng.random() < 0.3 else
                           f"https://img.example/{platform}/{_code(rng, 16)}.jpg"))
    return out


def _times(rng: np.random.Generator, accounts: list[Account], counts: np.ndarray,
           period: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """(owner index, ms) of each account's actions on its own hours over the period."""
    owner = np.repeat(np.arange(len(accounts)), counts)
    tz = np.array([accounts[i].tz_min for i in owner], np.int64)
    ms = local_times(rng, tz, np.full(len(owner), period[0]), np.full(len(owner), period[1]),
                     HUMAN_WEEKDAY, HUMAN_WEEKEND)
    return owner, ms


def _squads(rng: np.random.Generator, n_posts: int, pool: int, lo: int, hi: int
            ) -> list[np.ndarray]:
    """For each post, the pool members who act on it (drawn per post, some keener)."""
    keen = rng.lognormal(0, 0.5, pool)
    out = []
    for _ in range(n_posts):
        k = min(int(rng.integers(lo, hi + 1)), pool)
        g = np.log(keen) - np.log(-np.log(rng.random(pool)))
        out.append(np.argpartition(-g, k - 1)[:k] if k else np.zeros(0, np.int64))
    return out


def _lag_ms(rng: np.random.Generator, n: int, median_s: float = 240.0) -> np.ndarray:
    # the X operations' `minutes` scale (scenario.LAGS), times a personal pace
    return (rng.lognormal(np.log(median_s * 1000), 0.8, n)).astype(np.int64) + 2000


def _operation_accounts(rng: np.random.Generator, platform: str, ops: list[dict],
                        p_seeder: float, p_amp: float,
                        id_of: Callable[[np.random.Generator], str]) -> list[Account]:
    """The operation's personas on another platform: the same display name, handle stem and
    profile link as on X (a share of them on this platform)."""
    out = []
    for u in ops:
        p = p_seeder if u["role"] == "seeder" else p_amp
        if rng.random() >= p:
            continue
        stem = _stem(u["user_screen_name"])
        # set up on this platform days to months after the X account, each on its own day
        x_created = int(np.datetime64(u["account_creation_date"], "D").astype(np.int64))
        created = (x_created + int(rng.lognormal(np.log(30), 1.0))) * DAY_MS + int(
            rng.integers(0, DAY_MS))
        out.append(Account(platform, id_of(rng), u["user_display_name"], stem,
                           label="campaign", role=u["role"], group="campaign",
                           traits=u["traits"], bio=u["user_profile_description"],
                           url=u["user_profile_url"], tz_min=0,
                           avatar=f"https://img.example/persona/{u['userid']}.jpg",
                           created_ms=created, persona=f"P{u['userid']}", kind="operation"))
    return out


# ---- Facebook (Meta Content Library CSV) ------------------------------------------------

def _fb_id(rng: np.random.Generator) -> str:
    return "615" + "".join(str(d) for d in rng.integers(0, 10, 11))


def _facebook(rng: np.random.Generator, x: XCase, ops: list[dict], scale: float) -> Platform:
    plat = Platform()
    period = x.period
    people = _people(rng, "facebook", max(150, round(600 * scale)))
    for a in people:
        a.account_id = _fb_id(rng)
    op = _operation_accounts(rng, "facebook", ops, 1.0, 0.5, _fb_id)
    plat.accounts = people + op
    pop = {a.account_id: w for a, w in zip(people, rng.pareto(1.2, len(people)) + 1,
                                           strict=True)}
    posts: list[dict] = []

    def post(owner: Account, ms: int, text: str, link: str = "", shared: dict | None = None
             ) -> dict:
        row = {"id": "1208" + "".join(str(d) for d in rng.integers(0, 10, 15)),
               "creation_time": int(ms // 1000), "text": text if not shared else "",
               "link_url": link, "owner": owner, "shared": shared["id"] if shared else "",
               "likes": int(rng.lognormal(2, 1.5))}
        posts.append(row)
        return row

    counts = activity_counts(rng, len(people), round(3000 * scale))
    owner, ms = _times(rng, people, counts, period)
    order = np.argsort(ms, kind="stable")
    originals: list[dict] = []
    for j in order.tolist():
        a = people[owner[j]]
        if originals and rng.random() < 0.3:
            # a reshare of a popular Page's earlier post, hours later
            w = np.array([pop.get(o["owner"].account_id, 1.0) for o in originals[-200:]])
            src = originals[-200:][int(rng.choice(len(w), p=w / w.sum()))]
            post(a, max(int(ms[j]), src["creation_time"] * 1000 + 600_000), "", shared=src)
        else:
            text = compose(rng, ["en"])[0]
            link = (f"https://www.example-news.com/{_code(rng, 8)}" if rng.random() < 0.2
                    else "")
            originals.append(post(a, int(ms[j]), text, link))
    # hard negative: a newsroom's Pages post each headline and link within a minute
    brand = [Account("facebook", _fb_id(rng), f"Daily Lantern {d}", f"dailylantern{d.lower()}",
                     role="newsroom", group="newsroom-1", tz_min=-300)
             for d in ("News", "Politics", "World", "Metro", "Business")]
    plat.accounts += brand
    for day in range(period[0], period[1]):
        for _ in range(int(rng.integers(2, 5))):
            t = day * DAY_MS + int(rng.integers(13, 23)) * 3_600_000
            link = f"https://dailylantern.com/{_code(rng, 10)}"
            head = compose(rng, ["en"])[0]
            for b in rng.choice(len(brand), int(rng.integers(2, 5)), replace=False).tolist():
                post(brand[b], t + int(rng.integers(0, 55_000)), head, link)
    # hard negative: a viral post reshared by many within minutes
    viral = post(people[0], (period[0] + 10) * DAY_MS + 50_000_000,
                 "A stranger paid for my groceries today. Pass it on.")
    fans = rng.choice(len(people), min(len(people) - 1, max(40, round(120 * scale))),
                      replace=False)
    for i in fans.tolist():
        if i:
            people[i].role, people[i].group = "viral_resharer", "viral-1"
            post(people[i], viral["creation_time"] * 1000 + int(rng.exponential(150_000)),
                 "", shared=viral)
    # the operation: seeder Pages post the talking points, amplifiers reshare in squads
    seed_of = {a.persona: a for a in op if a.role == "seeder"}
    amps = [a for a in op if a.role != "seeder"]
    seeded = []
    for ms_x, uid, text, url in x.points:
        a = seed_of.get(f"P{uid}")
        if a is None or rng.random() >= 0.7:
            continue
        seeded.append(post(a, ms_x + int(rng.lognormal(np.log(3.6e6), 1.0)), text, url))
    if amps:
        for row, sq in zip(seeded, _squads(rng, len(seeded), len(amps), 3, 8), strict=True):
            for i, lag in zip(sq.tolist(), _lag_ms(rng, len(sq)).tolist(), strict=True):
                post(amps[i], row["creation_time"] * 1000 + lag, "", shared=row)
        for a in amps:  # cover: a few everyday posts
            for t in rng.integers(period[0] * DAY_MS, period[1] * DAY_MS, 3).tolist():
                post(a, t, compose(rng, ["en"])[0])
    plat.rows = sorted(posts, key=lambda r: (r["creation_time"], r["id"]))
    return plat


def _write_facebook(path: Path, plat: Platform) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    header = ("id", "mcl_url", "creation_time", "text", "lang", "content_type", "is_reshare",
              "shared_post_id", "link_url", "post_owner.id", "post_owner.name",
              "post_owner.username", "post_owner.type", "statistics.like_count",
              "statistics.share_count", "statistics.comment_count")
    write_csv(path, header, (
        [r["id"], f"https://www.facebook.com/{r['id']}",
         str(np.datetime64(r["creation_time"], "s")) + "+0000", r["text"], "en",
         "link" if r["link_url"] else "status", "true" if r["shared"] else "false",
         r["shared"], r["link_url"], r["owner"].account_id, r["owner"].name,
         r["owner"].handle, "page" if r["owner"].role in ("newsroom", "seeder") else "profile",
         r["likes"], 0, 0] for r in plat.rows), ids=("id", "shared_post_id", "post_owner.id"))


# ---- YouTube (Data API v3 JSON) ----------------------------------------------------------

def _yt_channel(rng: np.random.Generator) -> str:
    return "UC" + _code(rng, 22)


def _youtube(rng: np.random.Generator, x: XCase, ops: list[dict], scale: float) -> Platform:
    plat = Platform()
    period = x.period
    uploaders = _people(rng, "youtube", max(30, round(80 * scale)), "uploader")
    viewers = _people(rng, "youtube", max(120, round(500 * scale)))
    for a in uploaders + viewers:
        a.account_id = _yt_channel(rng)
    op = _operation_accounts(rng, "youtube", ops, 0.6, 0.4, _yt_channel)
    idol = Account("youtube", _yt_channel(rng), "Hana Yoon Official", "hanayoon",
                   role="idol", group="fanclub-1", tz_min=540)
    fans = _people(rng, "youtube", max(15, round(30 * scale)), "fan", "fanclub-1")
    for a in fans:
        a.account_id = _yt_channel(rng)
    plat.accounts = uploaders + viewers + op + [idol] + fans
    videos: list[dict] = []
    comments: list[dict] = []

    def video(owner: Account, ms: int, title: str, desc: str) -> dict:
        v = {"id": _code(rng, 11), "owner": owner, "ms": int(ms), "title": title,
             "desc": desc}
        videos.append(v)
        return v

    def comment(author: Account, v: dict, ms: int, text: str) -> None:
        comments.append({"id": "Ugz" + _code(rng, 23), "author": author, "video": v,
                         "ms": int(ms), "text": text})

    counts = rng.integers(1, 8, len(uploaders))
    owner, ms = _times(rng, uploaders, counts, period)
    for j in range(len(owner)):
        video(uploaders[owner[j]], int(ms[j]), compose(rng, ["en"])[0][:60],
              compose(rng, ["en"])[0])
    pop = rng.pareto(1.0, len(videos)) + 1
    counts = activity_counts(rng, len(viewers), round(2500 * scale))
    owner, ms = _times(rng, viewers, counts, period)
    vms = np.array([v["ms"] for v in videos])
    for j in range(len(owner)):
        # a popular video posted before, commented a lognormal delay later (median 3 h)
        t = int(ms[j])
        ok = np.flatnonzero(vms < t - 60_000)
        if len(ok) == 0:
            continue
        w = pop[ok] * np.exp(-(t - vms[ok]) / (3 * DAY_MS))
        v = videos[int(ok[int(rng.choice(len(ok), p=w / w.sum()))])]
        comment(viewers[owner[j]], v, t, str(rng.choice(_ORGANIC_COMMENTS)))
    # hard negative: a fan club comments on each upload within a minute or two
    for day in range(period[0] + 1, period[1], 3):
        v = video(idol, day * DAY_MS + 11 * 3_600_000, "New MV teaser 💜", "Out now!")
        for f in fans:
            if rng.random() < 0.8:
                comment(f, v, v["ms"] + int(rng.lognormal(np.log(40_000), 0.8)),
                        str(rng.choice(("first!! 💜", "QUEEN", "I love you", "omg omg"))))
    # the operation: seeder channels upload talking points, amplifiers comment in squads
    seed_of = {a.persona: a for a in op if a.role == "seeder"}
    amps = [a for a in op if a.role != "seeder"]
    seeded = []
    for ms_x, uid, text, url in x.points:
        a = seed_of.get(f"P{uid}")
        if a is None or rng.random() >= 0.5:
            continue
        seeded.append(video(a, ms_x + int(rng.lognormal(np.log(7.2e6), 1.0)), text[:90],
                            f"{text} {url}".strip()))
    if amps:
        for v, sq in zip(seeded, _squads(rng, len(seeded), len(amps), 3, 8), strict=True):
            for i, lag in zip(sq.tolist(), _lag_ms(rng, len(sq)).tolist(), strict=True):
                comment(amps[i], v, v["ms"] + lag, str(rng.choice(_COMMENTS)))
    plat.rows = videos + comments
    return plat


def _write_youtube(path: Path, plat: Platform) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    videos = [r for r in plat.rows if "title" in r]
    comments = sorted((r for r in plat.rows if "title" not in r),
                      key=lambda r: (r["ms"], r["id"]))
    v_items = [{"kind": "youtube#video", "id": v["id"], "snippet": {
        "publishedAt": _iso(v["ms"]), "channelId": v["owner"].account_id,
        "title": v["title"], "description": v["desc"], "channelTitle": v["owner"].name,
        "defaultAudioLanguage": "en"}, "statistics": {"viewCount": "100"}}
        for v in sorted(videos, key=lambda v: (v["ms"], v["id"]))]
    t_items = []
    for c in comments:
        a, v = c["author"], c["video"]
        top = {"kind": "youtube#comment", "id": c["id"], "snippet": {
            "channelId": v["owner"].account_id, "videoId": v["id"],
            "textDisplay": c["text"], "textOriginal": c["text"],
            "authorDisplayName": f"@{a.handle}", "authorProfileImageUrl": a.avatar,
            "authorChannelUrl": f"http://www.youtube.com/@{a.handle}",
            "authorChannelId": {"value": a.account_id}, "likeCount": 0,
            "publishedAt": _iso(c["ms"]), "updatedAt": _iso(c["ms"])}}
        t_items.append({"kind": "youtube#commentThread", "id": c["id"], "snippet": {
            "channelId": v["owner"].account_id, "videoId": v["id"], "topLevelComment": top,
            "totalReplyCount": 0, "isPublic": True}})
    channels = [{"kind": "youtube#channel", "id": a.account_id, "snippet": {
        "title": a.name, "description": " ".join(x for x in (a.bio, a.url) if x),
        "customUrl": f"@{a.handle}", "publishedAt": _iso(a.created_ms or 1_400_000_000_000),
        "thumbnails": {"default": {"url": a.avatar}}},
        "statistics": {"subscriberCount": "10", "hiddenSubscriberCount": False}}
        for a in sorted(plat.accounts, key=lambda a: a.account_id)]
    with open(path, "w", encoding="utf-8") as f:
        for kind, items in (("youtube#videoListResponse", v_items),
                            ("youtube#commentThreadListResponse", t_items),
                            ("youtube#channelListResponse", channels)):
            for lo in range(0, len(items), 100):  # pages of 100, as the API returns them
                f.write(json.dumps({"kind": kind, "items": items[lo: lo + 100]},
                                   ensure_ascii=False) + "\n")


# ---- Telegram (Desktop export, all chats) ----------------------------------------------

def _tg_user(rng: np.random.Generator) -> str:
    return "user" + str(int(rng.integers(10**8, 7 * 10**9)))


def _telegram(rng: np.random.Generator, x: XCase, ops: list[dict], scale: float) -> Platform:
    plat = Platform()
    period = x.period
    people = _people(rng, "telegram", max(150, round(500 * scale)))
    for a in people:
        a.account_id = _tg_user(rng)
    op = _operation_accounts(rng, "telegram", ops, 0.8, 0.6, _tg_user)
    for a in op:
        if a.role == "seeder":  # a seeder is a channel on Telegram
            a.account_id = "channel" + str(int(rng.integers(10**9, 2 * 10**9)))
    news = Account("telegram", "channel" + str(int(rng.integers(10**9, 2 * 10**9))),
                   "Breaking World News", "breakingworld", role="newsroom", group="news-1")
    plat.accounts = people + op + [news]
    chats: dict[str, dict] = {}

    def chat(name: str, kind: str, cid: int) -> dict:
        return chats.setdefault(name, {"name": name, "type": kind, "id": cid, "messages": []})

    def msg(c: dict, who: Account, ms: int, text: str, fwd: Account | None = None) -> None:
        m = {"type": "message", "date_unixtime": str(int(ms) // 1000), "from": who.name,
             "from_id": who.account_id, "text": text}
        if fwd is not None:
            m.update(forwarded_from=fwd.name, forwarded_from_id=fwd.account_id)
        c["messages"].append(m)

    groups = [chat(f"{g} Chat", "public_supergroup", 1_700_000_000 + k)
              for k, g in enumerate(("City", "Parents", "Football", "Crypto", "Expats"))]
    member = rng.integers(0, len(groups), len(people))
    counts = activity_counts(rng, len(people), round(4000 * scale))
    owner, ms = _times(rng, people, counts, period)
    for j in range(len(owner)):
        msg(groups[member[owner[j]]], people[owner[j]], int(ms[j]), compose(rng, ["en"])[0])
    # hard negative: a news channel's posts forwarded into the groups within minutes
    nc = chat(news.name, "public_channel", 1_600_000_001)
    for day in range(period[0], period[1]):
        for _ in range(int(rng.integers(3, 7))):
            t = day * DAY_MS + int(rng.integers(6, 22)) * 3_600_000
            text = "BREAKING: " + compose(rng, ["en"])[0]
            msg(nc, news, t, text)
            for i in rng.choice(len(people), int(rng.integers(2, 12)), replace=False).tolist():
                msg(groups[member[i]], people[i], t + int(rng.exponential(300_000)) + 5000,
                    text, fwd=news)
    # the operation: seeder channels post talking points, amplifiers forward them in squads
    seeders = [a for a in op if a.role == "seeder"]
    amps = [a for a in op if a.role != "seeder"]
    amp_group = rng.integers(0, len(groups), len(amps))
    seed_of = {a.persona: a for a in seeders}
    posted = []
    for ms_x, uid, text, url in x.points:
        a = seed_of.get(f"P{uid}")
        if a is None or rng.random() >= 0.8:
            continue
        c = chat(a.name, "public_channel", int(a.account_id[7:]))
        t = ms_x + int(rng.lognormal(np.log(1.8e6), 1.0))
        body = f"{text} {url}".strip()
        msg(c, a, t, body)
        posted.append((a, t, body))
    if amps:
        for (a, t, body), sq in zip(posted, _squads(rng, len(posted), len(amps), 3, 8),
                                    strict=True):
            for i, lag in zip(sq.tolist(), _lag_ms(rng, len(sq)).tolist(), strict=True):
                msg(groups[amp_group[i]], amps[i], t + lag, body, fwd=a)
        for i, a in enumerate(amps):  # cover: a little chat in their group
            for t in rng.integers(period[0] * DAY_MS, period[1] * DAY_MS, 3).tolist():
                msg(groups[amp_group[i]], a, t, compose(rng, ["en"])[0])
    plat.rows = list(chats.values())
    return plat


def _write_telegram(path: Path, plat: Platform, period: tuple[int, int]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    chats = []
    for c in sorted(plat.rows, key=lambda c: c["id"]):
        msgs = sorted(c["messages"], key=lambda m: (int(m["date_unixtime"]), m["from_id"]))
        for k, m in enumerate(msgs, start=1):
            m["id"] = k
            m["date"] = str(np.datetime64(int(m["date_unixtime"]), "s"))
            m["text_entities"] = [{"type": "plain", "text": m["text"]}]
        chats.append({**c, "messages": [{"id": m.pop("id"), **m} for m in msgs]})
    doc = {"about": "Here is the data you requested.",
           "personal_information": {"user_id": 1, "first_name": "Researcher"},
           "chats": {"about": "This page lists all chats from this export.", "list": chats}}
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


# ---- look-alikes and personas -----------------------------------------------------------

def _lookalikes(rng: np.random.Generator, plats: dict[str, Platform], plain: list[dict],
                ops: list[dict]) -> None:
    """Organic accounts that take an X account's display name and the default avatar but are
    other people (about 75 per platform, a tenth named as an operation persona), and organic
    people who are the same person on X and another platform (same name and handle stem)."""
    common = [u for u in plain if " " in u["user_display_name"]
              and u["user_display_name"].replace(" ", "").isalpha()]
    for plat in plats.values():
        organic = [a for a in plat.accounts if a.role == "organic" and a.kind == ""]
        pick = rng.choice(len(organic), min(len(organic), 85), replace=False).tolist()
        for k, i in enumerate(pick[:75]):
            a = organic[i]
            src = (ops[int(rng.integers(0, len(ops)))] if k % 10 == 0 and ops
                   else common[int(rng.integers(0, len(common)))])
            a.name, a.avatar, a.kind = src["user_display_name"], DEFAULT_AVATAR, "lookalike"
            a.traits = ";".join(t for t in (a.traits, "lookalike") if t)
        for i in pick[75:]:
            a = organic[i]
            src = common[int(rng.integers(0, len(common)))]
            a.name, a.handle = src["user_display_name"], _stem(src["user_screen_name"])
            a.persona, a.kind = f"P{src['userid']}", "same_person"
            a.traits = ";".join(t for t in (a.traits, "same_person") if t)


def _write_personas(path: Path, x: XCase, plats: dict[str, Platform]) -> int:
    """One row per account of a cross-platform persona (its X account included) and per
    look-alike (its own persona); returns the number of personas with two or more
    platforms."""
    rows = []
    by_uid = {u["userid"]: u for u in x.accounts}
    members: dict[str, list[Account]] = {}
    for plat in plats.values():
        for a in plat.accounts:
            if a.persona:
                members.setdefault(a.persona, []).append(a)
            elif a.kind == "lookalike":
                rows.append([f"L-{a.platform}-{a.account_id}", a.platform, a.account_id,
                             a.label, a.name, "lookalike"])
    for pid, accs in members.items():
        u = by_uid[pid[1:]]
        rows.append([pid, "x", u["userid"], u["label"], u["user_display_name"], accs[0].kind])
        rows += [[pid, a.platform, a.account_id, a.label, a.name, a.kind] for a in accs]
    rows.sort()
    write_sim_csv(path, ("persona_id", "platform", "account_id", "label", "display_name",
                         "kind"), rows)
    return len(members)

