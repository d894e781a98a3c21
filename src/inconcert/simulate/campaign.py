"""The planted campaign: a pro-Beijing amplification network (modelled on seed/).

Seeders post templated talking points in English and Chinese, with cartoons; amplifiers, organised
in cells around a few seeders, reshare them within seconds to minutes and now and then copy-paste
them; all of them work Beijing office hours. Most accounts are Western personas (name+digits
handles, Western places and bios) created in batches; about a tenth are hijacked dormant accounts
with an authentic old life in another language. They attack the fictional critics in replies.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import lexicon as lx
from .core import (
    DAY_MS,
    FIRST_SNOWFLAKE_DAY,
    HOUR_MS,
    OFFICE_WEEKDAY,
    OFFICE_WEEKEND,
    ORIGINAL,
    REPLY,
    RESHARE,
    Accounts,
    Posts,
    day_number,
    local_times,
    pick_weighted,
    tco,
    user_ids,
)
from .narratives import NARRATIVES, SMEAR_REPLIES, render
from .negatives import old_history
from .organic import add_actions, choose_targets, compose
from .population import Handles, bios, organic_accounts, person_handle

BEIJING_MIN = 480
_WEST_PLACES = ("Texas, USA", "Ohio", "London, England", "Toronto, Canada", "Sydney, Australia",
                "California", "Florida, USA", "Manchester, UK", "New York", "Melbourne",
                "Vancouver, BC", "Chicago", "Dublin, Ireland", "Arizona, USA", "")
_PINYIN_SUR = ("wang", "li", "zhang", "liu", "chen", "yang", "zhao", "huang", "zhou", "wu")
_PINYIN_GIVEN = ("wei", "fang", "min", "jing", "lei", "yan", "jun", "hui", "xiaoli", "haoran",
                 "yuting", "zihan", "jiahao", "xinyi")
_ZH_DISPLAY = ("王伟", "李娜", "张敏", "刘洋", "陈静", "杨磊", "赵燕", "黄军", "周慧", "吴浩然",
               "和平使者", "真相", "小李飞刀", "爱中国")
_ZH_BIOS = ("热爱生活，热爱和平", "真相只有一个", "", "中国加油", "做一个有良知的人", "")
STATE_SITES = ("globaltruthdaily.net", "peacevoice-news.com", "eastwindreport.org",
                "newsilkroadtimes.com")


@dataclass(frozen=True)
class CampaignSize:
    """How many campaign accounts of each kind."""

    n: int
    seeders: int
    hybrids: int
    hijacked: int

    @property
    def amplifiers(self) -> int:
        return self.n - self.seeders - self.hybrids


def size_for(n_organic: int) -> CampaignSize:
    """About 3% of all accounts: seeders ~17%, hybrids ~8%, hijacked ~10%."""
    n = max(12, round(n_organic * 0.03 / 0.97))
    return CampaignSize(n, max(2, round(0.17 * n)), max(1, round(0.08 * n)),
                        max(2, round(0.10 * n)))


def campaign(rng: np.random.Generator, acc: Accounts, handles: Handles, posts: Posts,
             size: CampaignSize, critics: np.ndarray, ext_pool: np.ndarray,
             audience: np.ndarray, first_day: int, last_day: int) -> None:
    """Create the campaign's accounts and all of their activity. A few ordinary accounts of
    `audience` fall for it and reshare its posts (organic, with the trait reshared_campaign)."""
    roles = (["seeder"] * size.seeders + ["hybrid"] * size.hybrids
             + ["amplifier"] * size.amplifiers)
    n = size.n
    k_seed_hij = min(round(size.hijacked * 0.3), size.seeders + size.hybrids - 1)
    hij = np.zeros(n, bool)
    hij[rng.choice(size.seeders + size.hybrids, k_seed_hij, replace=False)] = True
    hij[size.seeders + size.hybrids
        + rng.choice(size.amplifiers, size.hijacked - k_seed_hij, replace=False)] = True
    camp_lo = first_day + 4
    who = np.empty(n, np.int64)
    start_day = np.full(n, camp_lo, np.int64)
    who[hij] = _hijacked(rng, acc, handles, posts, int(hij.sum()))
    start_day[hij] = camp_lo + rng.integers(0, 10, int(hij.sum()))
    who[~hij], created = _personas(rng, acc, handles, int((~hij).sum()), camp_lo)
    start_day[~hij] = np.maximum(camp_lo, created // DAY_MS + 2)
    for j, a in enumerate(who):
        acc.cols["label"][a] = "campaign"
        acc.cols["role"][a] = roles[j]
        acc.cols["group"][a] = "campaign"
        traits = [t for t in acc.cols["traits"][a].split(";") if t] + ["beijing_hours"]
        acc.cols["traits"][a] = ";".join(sorted(set(traits)))
    clients = pick_weighted(rng, (("Twitter Web App", 0.75), ("Twitter for Android", 0.25)), n)
    for j, a in enumerate(who):
        acc.cols["client"][a] = clients[j]
        acc.cols["tz_min"][a] = BEIJING_MIN

    critic_info = [(acc.cols["name"][c], acc.cols["handle"][c], i) for i, c in enumerate(critics)]
    seeding = np.array([r in ("seeder", "hybrid") for r in roles])
    zh_share = np.where([acc.cols["lang"][a] == "zh-cn" for a in who], 0.8, 0.2)
    zh_share[hij] = 0.35
    seeds = _seeder_posts(rng, acc, posts, who, seeding, roles, start_day, last_day, zh_share,
                          critic_info, critics)
    cells = _cells(rng, roles)
    _amplify(rng, acc, posts, who, roles, cells, start_day, seeds)
    _copy_paste(rng, acc, posts, who, roles, cells, start_day, seeds)
    _attack_critics(rng, acc, posts, who, roles, start_day, critics, zh_share)
    _cover(rng, acc, posts, who, start_day, last_day, ext_pool)
    reach(rng, acc, posts, seeds, audience)


def _personas(rng: np.random.Generator, acc: Accounts, handles: Handles, n: int,
              camp_lo: int) -> tuple[np.ndarray, np.ndarray]:
    """Invented accounts: mostly Western personas, some Chinese; most created in batches."""
    western = rng.random(n) < 0.7
    n_batches = 3 if n >= 30 else 2
    batch_days = np.sort(camp_lo - 10 - rng.choice(np.arange(5, 110), n_batches, replace=False))
    in_batch = rng.random(n) < 0.8
    batch = rng.integers(0, n_batches, n)
    # a batch is registered in one sitting: a few hours of a Beijing working morning
    batch_ms = (batch_days[batch] * DAY_MS + HOUR_MS  # 09:00 Beijing
                + rng.integers(0, 3 * HOUR_MS, n) + (batch * 37 % 60) * 60_000)
    scattered = (rng.integers(day_number(2019, 6, 1), camp_lo - 20, n) * DAY_MS
                 + rng.integers(0, DAY_MS, n))
    created = np.where(in_batch, batch_ms, scattered)
    hs, names, places, bio, langs, traits = [], [], [], [], [], []
    west_bios = bios(rng, n)
    for j in range(n):
        t = ["batch_created"] if in_batch[j] else []
        if western[j]:
            r = lx.REGIONS[int(rng.choice((0, 1, 2, 3)))]
            first, last = str(rng.choice(r.first)), str(rng.choice(r.last))
            style = "name_digits" if rng.random() < 0.85 else "first_last"
            hs.append(handles.claim(rng, person_handle(first, last, style, rng.random(5))))
            names.append(f"{first} {last}")
            places.append(str(rng.choice(_WEST_PLACES)))
            bio.append(west_bios[j])
            langs.append("en")
            t.append("western_persona")
            if style == "name_digits":
                t.append("name_digits_handle")
        else:
            h = (str(rng.choice(_PINYIN_SUR)) + str(rng.choice(_PINYIN_GIVEN))
                 + str(int(rng.integers(100, 99999))))
            hs.append(handles.claim(rng, h))
            names.append(str(rng.choice(_ZH_DISPLAY)))
            places.append(str(rng.choice(("", "", "中国", "Beijing"))))
            bio.append(str(rng.choice(_ZH_BIOS)))
            langs.append("zh-cn")
            t.append("name_digits_handle")
        traits.append(";".join(t))
    followers = np.floor(rng.lognormal(2.8, 1.2, n)).astype(np.int64)
    idx = acc.add(uid=user_ids(created, rng), created_ms=created, handle=hs, name=names,
                  location=places, bio=bio, lang=langs, followers=followers,
                  following=np.floor(rng.lognormal(5.0, 0.6, n)).astype(np.int64),
                  popularity=(followers + 1.0) ** 0.85, traits=traits)
    return idx, created


def _hijacked(rng: np.random.Generator, acc: Accounts, handles: Handles, posts: Posts,
              n: int) -> np.ndarray:
    """Dormant accounts of real-looking people (2009-2013), with their old posts; half of them
    renamed to a Western persona when taken over."""
    who = organic_accounts(rng, acc, handles, n, day_number(2013, 12, 31), first_year=2009)
    created = acc.array("created_ms")[who]
    old_clients = pick_weighted(rng, lx.CLIENTS_OLD, n)
    start = np.maximum(created // DAY_MS + 1, FIRST_SNOWFLAKE_DAY)
    end = np.minimum(start + rng.integers(200, 1300, n), day_number(2015, 6, 1))
    start = np.minimum(start, end - 30)
    counts = np.ceil(rng.lognormal(3.4, 0.8, n)).astype(np.int64)
    old_history(rng, acc, posts, who, start, end, counts, old_clients)
    for a in who:
        t = ["hijacked"]
        if rng.random() < 0.5:
            r = lx.REGIONS[0]
            first, last = str(rng.choice(r.first)), str(rng.choice(r.last))
            acc.cols["handle"][a] = handles.claim(
                rng, person_handle(first, last, "name_digits", rng.random(5)))
            acc.cols["name"][a] = f"{first} {last}"
            t += ["renamed", "name_digits_handle"]
        acc.cols["traits"][a] = ";".join(t)
    return who


def _office_times(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    n = len(lo)
    return local_times(rng, np.full(n, BEIJING_MIN), lo, hi, OFFICE_WEEKDAY, OFFICE_WEEKEND,
                       0.06, rng.normal(0, 15, n).astype(np.int64))


def to_office_hours(rng: np.random.Generator, ms: np.ndarray) -> np.ndarray:
    """Move times outside Beijing weekday office hours to the next working morning."""
    ms = ms.copy()
    off = BEIJING_MIN * 60_000
    for _ in range(4):
        loc = ms + off
        day, tod = loc // DAY_MS, loc % DAY_MS
        weekend = (day + 3) % 7 >= 5
        late = weekend | (tod >= 18 * HOUR_MS)
        early = ~late & (tod < 9 * HOUR_MS)
        if not (late.any() or early.any()):
            break
        jitter = rng.integers(0, 2 * HOUR_MS, len(ms))
        nxt = np.where(late, day + 1, day) * DAY_MS + 9 * HOUR_MS + jitter - off
        ms = np.where(late | early, nxt, ms)
    return ms


def _seeder_posts(rng: np.random.Generator, acc: Accounts, posts: Posts, who: np.ndarray,
                  seeding: np.ndarray, roles: list[str], start_day: np.ndarray, last_day: int,
                  zh_share: np.ndarray, critic_info: list[tuple[str, str, int]],
                  critics: np.ndarray) -> np.ndarray:
    """The talking points: originals of seeders and hybrids, returned as post indices."""
    idx = np.flatnonzero(seeding)
    mean = np.array([14.0 if roles[j] == "seeder" else 6.0 for j in idx])
    counts = np.maximum(1, np.round(rng.lognormal(np.log(mean), 0.5))).astype(np.int64)
    owner = np.repeat(idx, counts)
    ms = _office_times(rng, start_day[owner], np.full(len(owner), last_day))
    nw = np.array([x.weight for x in NARRATIVES])
    nar = np.searchsorted(np.cumsum(nw) / nw.sum(), rng.random(len(owner)), side="right")
    nar = np.minimum(nar, len(NARRATIVES) - 1)
    texts, langs, tags, truth, media, urls, ments = [], [], [], [], [], [], []
    links = tco(rng, len(owner))
    for i, j in enumerate(owner):
        x = NARRATIVES[nar[i]]
        lang = "zh" if rng.random() < zh_share[j] else "en"
        ci = int(rng.integers(0, len(critic_info)))
        text, tid, tg = render(rng, x, lang, critic_info[ci])
        m = [int(critics[ci])] if f"@{critic_info[ci][1]}" in text else None
        url = None
        if rng.random() < 0.12:
            site = str(rng.choice(STATE_SITES))
            url = [f"https://www.{site}/2021/{x.key.replace('_', '-')}-{i % 97}"]
            text += " " + links[i]
        cartoon = None
        if x.cartoon and rng.random() < 0.35:
            base = NARRATIVES.index(x) if x.key != "critic_smear" else len(NARRATIVES) + ci % 2
            cartoon = ("cartoon", str(base))
        texts.append(text)
        langs.append(lang)
        tags.append(tg or None)
        truth.append((x.key, tid))
        media.append(cartoon)
        urls.append(url)
        ments.append(m)
    order = np.argsort(ms, kind="stable")
    pick = order.tolist()
    return posts.add(ms[order], who[owner][order], ORIGINAL, [texts[i] for i in pick],
                     [langs[i] for i in pick], [acc.cols["client"][who[owner[i]]] for i in pick],
                     hashtags=[tags[i] for i in pick], urls=[urls[i] for i in pick],
                     mentions=[ments[i] for i in pick], media=[media[i] for i in pick],
                     truth=[truth[i] for i in pick])


def _cells(rng: np.random.Generator, roles: list[str]) -> np.ndarray:
    """Cell of each account: seeders grouped by ~4, amplifiers spread over the cells."""
    n = len(roles)
    seeding = [j for j in range(n) if roles[j] in ("seeder", "hybrid")]
    n_cells = max(1, round(len(seeding) / 4))
    cells = np.empty(n, np.int64)
    perm = rng.permutation(len(seeding))
    for k, j in enumerate(seeding):
        cells[j] = perm[k] % n_cells
    amps = [j for j in range(n) if roles[j] == "amplifier"]
    cells[amps] = rng.integers(0, n_cells, len(amps))
    return cells


def _latency(rng: np.random.Generator, n: int) -> np.ndarray:
    # Seconds to minutes, heavy-tailed (most under two minutes), a few hours late.
    lat = rng.lognormal(np.log(35_000), 1.1, n)
    late = rng.random(n) < 0.03
    lat[late] = rng.exponential(2 * HOUR_MS, int(late.sum()))
    return lat.astype(np.int64) + 2000


def _amplify(rng: np.random.Generator, acc: Accounts, posts: Posts, who: np.ndarray,
             roles: list[str], cells: np.ndarray, start_day: np.ndarray,
             seeds: np.ndarray) -> None:
    """Cell members reshare their seeders' posts, others of the network now and then."""
    p_author = posts.column("author")
    p_ms = posts.column("ms")
    pos_of = {int(a): j for j, a in enumerate(who)}
    amps = np.array([j for j, r in enumerate(roles) if r in ("amplifier", "hybrid")])
    # most amplifiers are diligent, a quarter do the minimum
    keen = np.where(rng.random(len(amps)) < 0.25, rng.beta(1.2, 6, len(amps)),
                    rng.beta(4, 4, len(amps)))
    keen = np.where(np.array(roles)[amps] == "hybrid", 0.25, keen)
    src_l, amp_l = [], []
    for s in seeds:
        j = pos_of[int(p_author[s])]
        same = cells[amps] == cells[j]
        # the cell, plus one or two members of other cells (the network is one network)
        p = np.where(same, keen, 1.5 / max(int((~same).sum()), 1))
        does = (rng.random(len(amps)) < p) & (amps != j)
        does &= start_day[amps] * DAY_MS <= p_ms[s]
        for a in amps[does]:
            src_l.append(s)
            amp_l.append(a)
    src = np.array(src_l, np.int64)
    amp = np.array(amp_l, np.int64)
    t = p_ms[src] + _latency(rng, len(src))
    add_actions(rng, acc, posts, who[amp], t, np.full(len(src), RESHARE, np.int8), src)


def _copy_paste(rng: np.random.Generator, acc: Accounts, posts: Posts, who: np.ndarray,
                roles: list[str], cells: np.ndarray, start_day: np.ndarray,
                seeds: np.ndarray) -> None:
    """Some seeder posts are copied word for word by amplifiers of the cell, minutes later."""
    p_author = posts.column("author")
    p_ms = posts.column("ms")
    pos_of = {int(a): j for j, a in enumerate(who)}
    amps = np.array([j for j, r in enumerate(roles) if r == "amplifier"])
    rows: list[tuple[int, int, int]] = []
    for s in seeds[rng.random(len(seeds)) < 0.12]:
        j = pos_of[int(p_author[s])]
        mates = amps[(cells[amps] == cells[j]) & (start_day[amps] * DAY_MS <= p_ms[s])]
        if len(mates) == 0:
            continue
        for a in rng.choice(mates, min(len(mates), int(rng.integers(1, 4))), replace=False):
            rows.append((int(s), int(a), int(p_ms[s] + rng.integers(60_000, 600_000))))
    if not rows:
        return
    src = [r[0] for r in rows]
    media = [posts.media[s] if posts.media[s] and rng.random() < 0.6 else None for s in src]
    posts.add(np.array([r[2] for r in rows]), who[np.array([r[1] for r in rows])], ORIGINAL,
              [posts.text[s] for s in src], [posts.lang[s] for s in src],
              [acc.cols["client"][who[r[1]]] for r in rows],
              hashtags=[posts.hashtags[s] for s in src], urls=[posts.urls[s] for s in src],
              mentions=[posts.mentions[s] for s in src], media=media,
              truth=[posts.truth[s] for s in src])


def _attack_critics(rng: np.random.Generator, acc: Accounts, posts: Posts, who: np.ndarray,
                    roles: list[str], start_day: np.ndarray, critics: np.ndarray,
                    zh_share: np.ndarray) -> None:
    """Replies that insult the critics under their own posts, in the network's working hours."""
    p_author = posts.column("author")
    p_ms = posts.column("ms")
    p_kind = posts.column("kind")
    targets = np.flatnonzero(np.isin(p_author, critics) & (p_kind == ORIGINAL)
                             & (p_ms >= start_day.min() * DAY_MS))
    targets = targets[rng.random(len(targets)) < 0.4]
    # the rank and file do most of the insulting
    w = np.array([0.5 if r == "seeder" else 1.0 for r in roles])
    src_l, att_l = [], []
    for s in targets:
        k = 1 + rng.poisson(3)
        for j in rng.choice(len(who), min(k, len(who)), replace=False, p=w / w.sum()):
            src_l.append(int(s))
            att_l.append(int(j))
    if not src_l:
        return
    src = np.array(src_l)
    att = np.array(att_l)
    t = to_office_hours(rng, p_ms[src] + rng.lognormal(np.log(600_000), 1.0, len(src)).astype(
        np.int64))
    keep = t >= start_day[att] * DAY_MS
    src, att, t = src[keep], att[keep], t[keep]
    zh = rng.random(len(src)) < zh_share[att]
    bodies = [str(rng.choice(SMEAR_REPLIES[1] if z else SMEAR_REPLIES[0])) for z in zh]
    first = add_actions(rng, acc, posts, who[att], t, np.full(len(src), REPLY, np.int8), src,
                        clients=[acc.cols["client"][who[j]] for j in att], reply_texts=bodies)
    for i, p in enumerate(first):
        posts.truth[p] = ("critic_smear", f"critic_smear.{'zh' if zh[i] else 'en'}.reply")
        posts.lang[p] = "zh" if zh[i] else "en"


def _cover(rng: np.random.Generator, acc: Accounts, posts: Posts, who: np.ndarray,
           start_day: np.ndarray, last_day: int, ext_pool: np.ndarray) -> None:
    """Everyday cover activity: small talk and reshares of popular posts, on the same hours."""
    counts = rng.poisson(5, len(who))
    owner = np.repeat(np.arange(len(who)), counts)
    ms = _office_times(rng, start_day[owner], np.full(len(owner), last_day))
    is_rt = rng.random(len(owner)) < 0.5
    pop = acc.array("popularity", np.float64)
    tg = choose_targets(rng, who[owner[is_rt]], ms[is_rt], ext_pool,
                        posts.column("author")[ext_pool], posts.column("ms")[ext_pool], pop,
                        3600.0, 1.5)
    rt_owner = owner[is_rt][tg >= 0]
    add_actions(rng, acc, posts, who[rt_owner], ms[is_rt][tg >= 0],
                np.full(len(rt_owner), RESHARE, np.int8), tg[tg >= 0])
    o = owner[~is_rt]
    texts = compose(rng, ["en"] * len(o))
    posts.add(ms[~is_rt], who[o], ORIGINAL, texts, "en", [acc.cols["client"][who[j]] for j in o])


def reach(rng: np.random.Generator, acc: Accounts, posts: Posts, seeds: np.ndarray,
           audience: np.ndarray) -> None:
    """Ordinary people who come across the talking points and reshare some, hours later."""
    n = rng.poisson(0.4, len(seeds))
    src = np.repeat(seeds, n)
    who = audience[rng.integers(0, len(audience), len(src))]
    t = posts.column("ms")[src] + rng.lognormal(np.log(1.8e6), 1.2, len(src)).astype(np.int64)
    add_actions(rng, acc, posts, who, t, np.full(len(src), RESHARE, np.int8), src)
    for a in np.unique(who):
        traits = [x for x in acc.cols["traits"][a].split(";") if x] + ["reshared_campaign"]
        acc.cols["traits"][a] = ";".join(sorted(set(traits)))
