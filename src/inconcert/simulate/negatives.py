"""Hard negatives: authentic behaviour that looks coordinated to a naive detector.

A viral post reshared by hundreds within minutes; a fan community resharing its idol within
seconds every day; a newsroom's branded accounts posting the same headline and link within a
minute through a scheduler; a hashtag day joined by unrelated accounts; old accounts that paused
for years and came back unchanged. All are labelled organic, with their role.
"""

from __future__ import annotations

import numpy as np

from . import lexicon as lx
from .core import (
    DAY_MS,
    FIRST_SNOWFLAKE_DAY,
    HUMAN_WEEKDAY,
    HUMAN_WEEKEND,
    ORIGINAL,
    REPLY,
    RESHARE,
    Accounts,
    Posts,
    day_number,
    local_times,
    pick,
    pick_weighted,
    tco,
    user_ids,
)
from .organic import add_actions, compose, decorate, organic_activity
from .population import Handles, organic_accounts

VIRAL_TEXTS = (
    "My grandma just learned FaceTime and called me 14 times today to show me her cat",
    "A stranger paid for my groceries today when my card got declined. Pass it on.",
    "The barista wrote 'you got this' on my cup on the morning of my exam and I passed",
    "Found my dad's old notebook. Every page is a list of things he wanted to teach me.",
    "This dog waits at the bus stop every single day for his kid to come home from school",
    "I asked my 5 year old what he wants to be when he grows up. He said 'taller'.",
)


def set_role(acc: Accounts, who: np.ndarray, role: str, group: str) -> None:
    """Give plain organic accounts a descriptive role (accounts with a role keep theirs)."""
    for a in who:
        if acc.cols["role"][a] == "organic":
            acc.cols["role"][a] = role
            acc.cols["group"][a] = group


def viral(rng: np.random.Generator, acc: Accounts, posts: Posts, plain: np.ndarray,
          k: int, size: int, first_day: int, last_day: int) -> None:
    """Event k: an ordinary account's post reshared by `size` others, mostly within minutes."""
    author = np.array([plain[int(rng.integers(0, len(plain)))]])
    tz = acc.array("tz_min")[author]
    ms = local_times(rng, tz, first_day + 3, last_day - 3, HUMAN_WEEKDAY, HUMAN_WEEKEND)
    text = VIRAL_TEXTS[k % len(VIRAL_TEXTS)]
    lang = acc.cols["lang"][author[0]]
    p = posts.add(ms, author, ORIGINAL, [text], "en" if lang != "und" else lang,
                  acc.cols["client"][author[0]], media=[("photo",)])
    others = plain[plain != author[0]]
    who = rng.choice(others, min(size, len(others)), replace=False)
    n = len(who)
    # Most reshares come in the first minutes, a long tail over the following hours.
    fast = rng.random(n) < 0.7
    lat = np.where(fast, rng.exponential(150_000, n), rng.lognormal(np.log(3.0e6), 1.2, n))
    t = ms[0] + 3000 + lat.astype(np.int64)
    kind = np.where(rng.random(n) < 0.9, RESHARE, REPLY).astype(np.int8)
    add_actions(rng, acc, posts, who, t, kind, np.full(n, p[0]))
    set_role(acc, author, "viral_author", f"viral-{k + 1}")
    set_role(acc, who, "viral_resharer", f"viral-{k + 1}")


_IDOLS = (("Hana Yoon", "HanaYoon", "하나", 540), ("Rio Sakamoto", "RioSakamoto", "リオ", 540),
          ("Dani Reyes", "DaniReyesMusic", "Dani", -300))


def fandom(rng: np.random.Generator, acc: Accounts, handles: Handles, posts: Posts, k: int,
           n_fans: int, pool_extra: np.ndarray, first_day: int, last_day: int) -> None:
    """Fandom k: an idol posting most days, and fans resharing within seconds, every day."""
    name, base, short, tz = _IDOLS[k % len(_IDOLS)]
    group = f"fandom-{k + 1}"
    created = np.array([day_number(2013, 5, 2) * DAY_MS + int(rng.integers(0, DAY_MS))])
    idol = acc.add(uid=user_ids(created, rng), created_ms=created,
                   handle=[handles.claim(rng, base)], name=[name],
                   bio=[f"Official account of {name}. New single out now 💜"],
                   location=["Seoul" if tz == 540 else "Los Angeles, CA"], tz_min=[tz],
                   followers=[int(rng.integers(400_000, 3_000_000))], following=[80],
                   popularity=[3e4], lang=["en"], client=["Twitter for iPhone"],
                   role=["idol"], group=[group])
    fans = organic_accounts(rng, acc, handles, n_fans, first_day - 30, "fan", group)
    stem = base[:6].lower()
    for a in fans:
        acc.cols["handle"][a] = handles.claim(
            rng, f"{stem}{rng.choice(('_', ''))}{rng.choice(('lover', 'stan', 'bias', 'fan'))}"
                 f"{int(rng.integers(1, 100))}")
        acc.cols["bio"][a] = str(rng.choice((f"{short} 💜 stan account", f"{name.upper()} IS "
                                             "MY WORLD", f"fan account | {short} | OT7",
                                             f"{short}'s biggest fan")))
    organic_activity(rng, acc, posts, fans, 6 * n_fans, first_day, last_day, pool_extra)
    # the idol: one or two posts on most days, in the idol's own rhythm
    days = np.arange(first_day, last_day)
    days = days[rng.random(len(days)) < 0.85]
    per = 1 + (rng.random(len(days)) < 0.35)
    dd = np.repeat(days, per)
    ms = np.sort(local_times(rng, np.full(len(dd), tz), dd, dd + 1, HUMAN_WEEKDAY,
                             HUMAN_WEEKEND))
    texts = [str(rng.choice(("Thank you for today!! 💜", "Rehearsal done, see you soon ✨",
                             "New photos 📸", "Good night everyone 🌙", "Guess what's coming…",
                             "Love you all so much", "On my way! ✈️", "Studio day 🎧")))
             + f" #{base}" for _ in range(len(ms))]
    tags: list[list[str] | None] = [[base] for _ in range(len(ms))]
    media: list[tuple[str, ...] | None] = [("photo",) if u < 0.4 else None
                                           for u in rng.random(len(ms))]
    ip = posts.add(ms, np.full(len(ms), idol[0]), ORIGINAL, texts, "en", "Twitter for iPhone",
                   hashtags=tags, media=media)
    # fans: each reshares a personal share of the idol's posts, most within seconds
    keen = rng.beta(4, 3, len(fans))
    slow = rng.random(len(fans)) < 0.15
    does = rng.random((len(ms), len(fans))) < keen[None, :]
    pi, fi = np.nonzero(does)
    med = np.where(slow[fi], 240.0, 20.0)
    lat = (rng.lognormal(np.log(med * 1000), 0.9)).astype(np.int64) + 1500
    kind = np.where(rng.random(len(pi)) < 0.9, RESHARE, REPLY).astype(np.int8)
    hearts = pick(rng, ("💜💜💜", f"{short}!!!", "I love you", "So pretty 😭", "QUEEN"), len(pi))
    add_actions(rng, acc, posts, fans[fi], ms[pi] + lat, kind, ip[pi], reply_texts=hearts)


_NEWSROOMS = (  # (brand, display name, time zone, home site, edition languages)
    ("Meridian", "The Straits Meridian", 480, "straitsmeridian.sg", ("en", "zh")),
    ("Lantern", "The Daily Lantern", -300, "dailylantern.com", ("en",)),
    ("Courier", "The Northern Courier", 0, "northerncourier.co.uk", ("en",)),
)
_DESKS = ("", "Biz", "Pol", "Sport", "Tech", "World", "Live", "Opinion", "Video", "ZH")
_ZH_SUBJ = ("市议会", "央行", "卫生官员", "科学家", "议员", "科技巨头", "航空公司",
            "教育局", "联赛", "研究人员", "警方", "监管机构", "工会领袖", "市长", "风暴")
_ZH_VERB = ("批准", "否决", "警告", "推迟", "公布", "调查", "削减", "扩大", "讨论", "宣布", "暂停",
            "支持")
_ZH_OBJ = ("新交通计划", "利率决定", "疫苗接种计划", "预算协议", "气候目标", "数据隐私规则",
           "夏季时间表", "教师合同", "季后赛赛制", "住房项目", "边境措施", "高温警报", "选举时间表",
           "贸易谈判", "山火应对", "芯片短缺")


def newsroom(rng: np.random.Generator, acc: Accounts, handles: Handles, posts: Posts, k: int,
             plain: np.ndarray, first_day: int, last_day: int, intensity: float = 1.0) -> None:
    """Newsroom k: 5-10 old branded accounts posting each headline and link within a minute
    through a scheduling client, on the newsroom's working hours (`intensity` scales the
    number of headlines a day)."""
    brand, title, tz, site, langs = _NEWSROOMS[k % len(_NEWSROOMS)]
    edition = ("", "Eve", "Wk", "Sun", "Metro")[k // len(_NEWSROOMS) % 5]
    brand, title = brand + edition, title + (f" {edition}" if edition else "")
    group = f"newsroom-{k + 1}"
    n = int(rng.integers(5, 11))
    desks = list(_DESKS[:n]) if "zh" not in langs else list(_DESKS[: n - 1]) + ["ZH"]
    created = np.sort(rng.integers(day_number(2008, 6, 1), day_number(2011, 12, 1), n)) * DAY_MS
    followers = np.sort(rng.integers(20_000, 2_000_000, n))[::-1]
    hs = [handles.claim(rng, brand + d if d else brand + "News") for d in desks]
    names = [title if not d else f"{title} {d}" for d in desks]
    lang = ["zh" if d == "ZH" else "en" for d in desks]
    accounts = acc.add(
        uid=user_ids(created, rng), created_ms=created, handle=hs, name=names,
        bio=[f"Official account of {title}{' — ' + d + ' desk' if d else ''}. News, analysis, "
             "live coverage." for d in desks],
        location=["Singapore" if tz == 480 else "New York, NY" if tz < 0 else "London"] * n,
        url=[f"https://www.{site}"] * n, tz_min=[tz] * n, followers=followers,
        following=rng.integers(50, 900, n), popularity=(followers + 1.0) ** 0.85, lang=lang,
        client=["SocialFlow"] * n, role=["newsroom"] * n, group=[group] * n)
    # headlines: more on weekdays, in the newsroom's day; each goes out on several accounts
    days = np.arange(first_day, last_day)
    per_day = rng.poisson(np.where((days + 3) % 7 >= 5, 1.2, 3.5) * intensity)
    dd = np.repeat(days, per_day)
    h_ms = local_times(rng, np.full(len(dd), tz), dd, dd + 1, _NEWS_HOURS, _NEWS_HOURS)
    s = rng.integers(0, len(lx.HEADLINE_SUBJECTS), len(dd))
    v = rng.integers(0, len(lx.HEADLINE_VERBS), len(dd))
    o = rng.integers(0, len(lx.HEADLINE_OBJECTS), len(dd))
    rows_ms, rows_author, rows_text, rows_lang, rows_url = [], [], [], [], []
    for h in range(len(dd)):
        en = (f"{lx.HEADLINE_SUBJECTS[s[h]]} {lx.HEADLINE_VERBS[v[h]]} "
              f"{lx.HEADLINE_OBJECTS[o[h]]}")
        zh = f"{_ZH_SUBJ[s[h]]}{_ZH_VERB[v[h]]}{_ZH_OBJ[o[h]]}"
        day = str(np.datetime64(int(dd[h]), "D")).replace("-", "/")
        slug = f"{day}/{en.lower().replace(' ', '-')}-{h}"
        k_acc = int(rng.integers(3, min(7, n) + 1))
        chosen = np.concatenate([[0], 1 + rng.choice(n - 1, k_acc - 1, replace=False)])
        offs = np.sort(rng.integers(0, 55_000, len(chosen)))
        for c, off in zip(chosen, offs, strict=True):
            a = accounts[c]
            rows_ms.append(h_ms[h] + off)
            rows_author.append(a)
            rows_lang.append(lang[c])
            rows_text.append(zh if lang[c] == "zh" else en)
            rows_url.append([f"https://www.{site}/{slug}?utm_source=twitter&utm_medium=social"
                             f"&utm_campaign={hs[c]}"])
    links = tco(rng, len(rows_ms))
    texts = [f"{t} {u}" for t, u in zip(rows_text, links, strict=True)]
    clients = pick_weighted(rng, (("SocialFlow", 0.9), ("TweetDeck", 0.1)), len(texts))
    first = posts.add(np.array(rows_ms), np.array(rows_author), ORIGINAL, texts, rows_lang,
                      clients, urls=rows_url)
    # ordinary readers reshare some headlines, minutes to hours later
    nr = rng.poisson(1.5, len(first))
    src = np.repeat(first, nr)
    who = plain[rng.integers(0, len(plain), len(src))]
    t = posts.column("ms")[src] + rng.lognormal(np.log(1.8e6), 1.3, len(src)).astype(np.int64)
    add_actions(rng, acc, posts, who, t, np.full(len(src), RESHARE, np.int8), src)


# A newsroom works from early morning to late evening, every day of the week.
_NEWS_HOURS = np.array([.2, .1, .05, .05, .1, .5, 2, 4, 5, 5, 5, 5, 5, 5, 5, 5, 5, 4.5, 4, 3.5,
                        3, 2.5, 1.5, .6])

_BOOKS = ("Re-reading my favourite childhood book today", "Which book changed your life?",
          "Just donated a box of books to the school library", "Currently reading three books at "
          "once, no regrets", "My TBR pile is taller than me", "Books are the best gift, fight me",
          "Visited the little bookshop around the corner", "Reading to my kids tonight",
          "What should I read next? Suggestions please", "Libraries are magic")


def hashtag_day(rng: np.random.Generator, acc: Accounts, posts: Posts, who: np.ndarray,
                day: int, tag: str) -> None:
    """Many unrelated accounts use one hashtag on one day, each at its own hours."""
    per = 1 + (rng.random(len(who)) < 0.25) + (rng.random(len(who)) < 0.08)
    author = np.repeat(who, per)
    tz = acc.array("tz_min")[author]
    ms = local_times(rng, tz, day, day + 1, HUMAN_WEEKDAY, HUMAN_WEEKEND)
    langs = [acc.cols["lang"][a] for a in author]
    base = [str(rng.choice(_BOOKS)) if lang == "en" else t
            for lang, t in zip(langs, compose(rng, langs), strict=True)]
    texts, tags, urls = decorate(rng, base, 0.2, 0.1)
    for i in range(len(texts)):
        texts[i] = f"{texts[i]} #{tag}" if rng.random() < 0.8 else f"#{tag} {texts[i]}"
        tags[i] = [tag] + (tags[i] or [])
    clients = [acc.cols["client"][a] for a in author]
    first = posts.add(ms, author, ORIGINAL, texts, langs, clients, hashtags=tags, urls=urls,
                      media=[("photo",) if u < 0.1 else None for u in rng.random(len(ms))])
    n_rt = len(first) // 8
    src = first[rng.integers(0, len(first), n_rt)]
    rt_who = who[rng.integers(0, len(who), n_rt)]
    keep = rt_who != posts.column("author")[src]
    t = posts.column("ms")[src] + rng.lognormal(np.log(2.4e6), 1.0, n_rt).astype(np.int64)
    add_actions(rng, acc, posts, rt_who[keep], t[keep], np.full(keep.sum(), RESHARE, np.int8),
                src[keep])
    set_role(acc, who, "hashtag_day", "hashtag-day-1")


def old_history(rng: np.random.Generator, acc: Accounts, posts: Posts, who: np.ndarray,
                start_day: np.ndarray, end_day: np.ndarray, counts: np.ndarray,
                clients: list[str]) -> np.ndarray:
    """Years-old authentic activity of accounts, in their own language, zone and client."""
    owner = np.repeat(np.arange(len(who)), counts)
    author = who[owner]
    tz = acc.array("tz_min")[author]
    shift = rng.normal(0, 60, len(who)).astype(np.int64)[owner]
    ms = local_times(rng, tz, start_day[owner], end_day[owner], HUMAN_WEEKDAY, HUMAN_WEEKEND,
                     1.1, shift)
    langs = [acc.cols["lang"][a] for a in author]
    texts, tags, urls = decorate(rng, compose(rng, langs), 0.08, 0.05)
    return posts.add(ms, author, ORIGINAL, texts, langs, [clients[o] for o in owner],
                     hashtags=tags, urls=urls)


def returning(rng: np.random.Generator, acc: Accounts, handles: Handles, posts: Posts, n: int,
              pool_extra: np.ndarray, first_day: int, last_day: int, drift: bool = False
              ) -> None:
    """Old accounts that paused for years and came back with the same language, app and hours.

    With `drift`, as people do over 5-9 years: the old life was on the apps of its time
    (Web Client, BlackBerry, ...), and a fifth of them have moved to another time zone."""
    who = organic_accounts(rng, acc, handles, n, day_number(2012, 6, 1), "returning",
                           "returning", first_year=2009)
    for a in who:
        acc.cols["client"][a] = str(rng.choice(("Twitter for iPhone", "Twitter for Android")))
    created = acc.array("created_ms")[who]
    start = np.maximum(created // DAY_MS + 1, FIRST_SNOWFLAKE_DAY)
    end = start + rng.integers(300, 1400, n)
    counts = np.ceil(rng.lognormal(3.3, 0.7, n)).astype(np.int64)
    old_clients = (pick_weighted(rng, lx.CLIENTS_OLD, n) if drift
                   else [acc.cols["client"][a] for a in who])
    old_history(rng, acc, posts, who, start, end, counts, old_clients)
    if drift:
        zones = sorted({r.utc_offset_min for r in lx.REGIONS})
        for a in who[rng.random(n) < 0.2]:
            acc.cols["tz_min"][a] = int(rng.choice(zones))
    comeback = first_day + rng.integers(0, max((last_day - first_day) * 2 // 3, 1), n)
    organic_activity(rng, acc, posts, who, 24 * n, first_day, last_day, pool_extra,
                     windows=(comeback, np.full(n, last_day)))
