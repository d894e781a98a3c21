"""Who is on the simulated platform: organic accounts, prominent critics, external accounts.

Profiles follow the account's region (names, places, languages, time zone); creation dates spread
over 2008-2021; follower counts are heavy-tailed and set how often others reshare an account.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import lexicon as lx
from .core import DAY_MS, Accounts, day_number, pick, pick_weighted, user_ids

if TYPE_CHECKING:
    from .families import OrganicFamily

_HANDLE_OK = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_WORDS = ("sunny", "pixel", "coffee", "moon", "urban", "wild", "lazy", "happy", "cosmic", "salty",
          "quiet", "retro", "golden", "midnight", "paper", "velvet", "neon", "rainy", "lucky",
          "tiny", "mellow", "crimson", "frosty", "stellar")
_NOUNS = ("fox", "panda", "chef", "rider", "witch", "ghost", "dreamer", "nerd", "owl", "otter",
          "wanderer", "queen", "bear", "poet", "gamer", "runner", "bean", "cat", "kid", "soul")
_ZH_NAMES = ("林美玲", "陳志明", "王小華", "張雅婷", "李建宏", "黃淑芬", "吳家豪", "劉怡君",
             "蔡宗翰", "鄭佩珊", "許文傑", "楊子萱")


class Handles:
    """Handles in use, case-insensitively; a taken handle gets digits until it is free."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def claim(self, rng: np.random.Generator, handle: str) -> str:
        h = "".join(c for c in handle if c in _HANDLE_OK)[:15] or "user"
        while h.casefold() in self.taken:
            digits = str(int(rng.integers(1, 9999)))
            h = h[: 15 - len(digits)] + digits
        self.taken.add(h.casefold())
        return h


_ASCII = str.maketrans("áàâãäçéèêëíìîïñóòôõöúùûüýÿıİşğ", "aaaaaceeeeiiiinooooouuuuyyiisg",
                       " '")


def _ascii(s: str) -> str:
    return s.translate(_ASCII)


def _at(items: tuple[str, ...], u: float) -> str:
    return items[min(int(u * len(items)), len(items) - 1)]


def person_handle(first: str, last: str, style: str, u: np.ndarray) -> str:
    """A handle a person would pick (or be given) in one of several styles; `u` holds five
    uniform draws in [0, 1) that make the choices."""
    f, la = _ascii(first), _ascii(last)
    if style == "name_digits":
        # The style of handles suggested at sign-up: name plus digits.
        digits = str(1000 + int(u[0] * 99_998_999))
        if u[1] < 0.5:
            digits = digits[:4]
            room = 15 - len(digits) - len(f)
            return f + la[: max(room, 1)] + digits
        return (f + la)[: 15 - len(digits)] + digits
    if style == "word":
        h = _at(_WORDS, u[0]) + ("_" if u[1] < 0.3 else "") + _at(_NOUNS, u[2])
        return h + (str(1 + int(u[4] * 98)) if u[3] < 0.4 else "")
    if style == "plain":
        return f + _at(_NOUNS, u[0])
    forms = (f + la, f.lower() + "_" + la.lower(), f[0].lower() + la.lower(),
             f.lower() + la[:1].lower(), la + f[0], f.lower() + "." + la.lower(),
             f + "_" + la[:3])
    h = forms[min(int(u[0] * len(forms)), len(forms) - 1)]
    return h + (str(1 + int(u[4] * 99)) if u[3] < 0.3 else "")


def bios(rng: np.random.Generator, n: int) -> list[str]:
    """Free-text bios: empty, a few self-descriptions, now and then multi-line or hostile."""
    out = []
    r = rng.random((n, 3))
    parts_i = rng.integers(0, len(lx.BIO_PARTS_EN), (n, 3))
    extra_i = rng.integers(0, len(lx.BIO_EXTRAS), n)
    hostile_i = rng.integers(0, len(lx.HOSTILE_BIOS), n)
    for i in range(n):
        if r[i, 0] < 0.25:
            out.append("")
            continue
        if r[i, 2] > 0.99:
            out.append(lx.HOSTILE_BIOS[hostile_i[i]])
            continue
        k = 1 + int(r[i, 1] * 3)
        parts = list(dict.fromkeys(lx.BIO_PARTS_EN[j] for j in parts_i[i, :k]))
        if r[i, 2] < 0.4:
            parts.append(lx.BIO_EXTRAS[extra_i[i]])
        sep = " | " if r[i, 2] < 0.5 else (". " if r[i, 2] < 0.9 else "\n")
        out.append(sep.join(parts))
    return out


def creation_ms(rng: np.random.Generator, n: int, first_year: int = 2008,
                last_day: int | None = None) -> np.ndarray:
    """Account creation times spread over the years, more of them recent."""
    w_all = dict(zip(range(2008, 2022), (2, 6, 7, 8, 9, 8, 7, 7, 7, 7, 8, 9, 11, 2),
                     strict=True))
    last_year = 2021 if last_day is None else int(str(np.datetime64(last_day, "D"))[:4])
    years = np.arange(first_year, last_year + 1)
    w = np.array([w_all[int(y)] for y in years], dtype=np.float64)
    k = np.searchsorted(np.cumsum(w) / w.sum(), rng.random(n), side="right").clip(
        0, len(years) - 1)
    starts = np.array([day_number(int(v), 1, 1) for v in years] + [day_number(
        int(years[-1]) + 1, 1, 1)], dtype=np.int64)
    lo, hi = starts[k], starts[k + 1]
    if last_day is not None:
        hi = np.minimum(hi, last_day)  # only the last year is cut short
    d = lo + (rng.random(n) * (hi - lo)).astype(np.int64)
    return d * DAY_MS + rng.integers(0, DAY_MS, n)


def organic_accounts(rng: np.random.Generator, acc: Accounts, handles: Handles, n: int,
                     last_day: int, role: str = "organic", group: str = "",
                     first_year: int = 2008, family: OrganicFamily | None = None
                     ) -> np.ndarray:
    """n ordinary people from the regions, with their profiles and habits (drawn from
    `family` when given: region mix, handle styles, clients, office workers)."""
    pairs = family.regions() if family else tuple((r, r.weight) for r in lx.REGIONS)
    regions = tuple(r for r, _ in pairs)
    rw = np.array([w for _, w in pairs])
    reg = np.searchsorted(np.cumsum(rw) / rw.sum(), rng.random(n), side="right").clip(
        0, len(regions) - 1)
    created = creation_ms(rng, n, first_year=first_year, last_day=last_day)
    followers = np.floor(rng.lognormal(5.0, 1.6, n)).astype(np.int64)
    following = np.floor(rng.lognormal(5.6, 1.0, n)).astype(np.int64)
    styles = pick_weighted(rng, family.handle_styles if family else _STYLES, n)
    bio = bios(rng, n)
    clients = pick_weighted(rng, family.clients if family else lx.CLIENTS_NOW, n)
    cols: dict[str, list] = {k: [] for k in ("handle", "name", "location", "lang", "url",
                                             "tz_min", "traits")}
    u = rng.random((n, 13))
    lang_cdf = [np.cumsum([w for _, w in r.langs]) / sum(w for _, w in r.langs) for r in regions]
    for i in range(n):
        r = regions[reg[i]]
        ui = u[i]
        first, last = _at(r.first, ui[0]), _at(r.last, ui[1])
        lang = r.langs[min(int(np.searchsorted(lang_cdf[reg[i]], ui[2], side="right")),
                           len(r.langs) - 1)][0]
        style = styles[i]
        h = handles.claim(rng, person_handle(first, last, style, ui[3:8]))
        if lang == "zh" and ui[8] < 0.7:
            name = _at(_ZH_NAMES, ui[9])
        else:
            name = _at((f"{first} {last}", first, f"{first} {last[0]}.",
                        f"{first} {_at(lx.BIO_EXTRAS[:10], ui[10])}", f"{first.lower()} ✨"),
                       ui[9])
        cols["handle"].append(h)
        cols["name"].append(name)
        cols["location"].append(_at(r.places, ui[11] / 0.7) if ui[11] < 0.7 else "")
        cols["lang"].append(lang)
        cols["url"].append(_profile_url(ui[12], h))
        cols["tz_min"].append(r.utc_offset_min)
        cols["traits"].append("name_digits_handle" if style == "name_digits" else "")
    rhythm, start = ["human"] * n, [9] * n
    if family is not None:
        # office workers: post on their working hours, on weekdays
        for i in np.flatnonzero(rng.random(n) < family.office_share):
            rhythm[i] = "office"
            start[i] = family.office_start + int(rng.integers(-1, 2))
            cols["traits"][i] = ";".join(t for t in (cols["traits"][i], "office_hours") if t)
    return acc.add(rhythm=rhythm, office_start=start,
                   uid=user_ids(created, rng), created_ms=created, followers=followers,
                   following=following, popularity=(followers + 1.0) ** 0.85, bio=bio,
                   client=clients, label=["organic"] * n, role=[role] * n, group=[group] * n,
                   **cols)


_STYLES = (("first_last", .47), ("word", .35), ("name_digits", .12), ("plain", .06))


def _profile_url(u: float, handle: str) -> str:
    if u < 0.85:
        return ""
    return _at((f"https://linktr.ee/{handle}", f"https://instagram.com/{handle}",
                f"https://{handle.lower()}.wordpress.com", "https://youtube.com/c/" + handle),
               (u - 0.85) / 0.15)


CRITIC_POSTS = (  # what each critic writes about, most of the time
    ("The lab records from early 2020 still have not been released. Why?",
     "New paper out today on the origins question. Read it before you comment.",
     "I keep getting threats for asking basic scientific questions. I will keep asking.",
     "Transparency is not an attack on anyone. It is how science works."),
    ("Tonight on the show: who is buying influence in Washington?",
     "The trade deal is a gift to Beijing and everyone in this town knows it.",
     "Chapter three of the new book is out. Thank you for the support!",
     "My inbox is full of bots again. Must have hit a nerve."),
    ("中共的海外宣传机器又开始工作了。",
     "Today I testified about asset seizures and the families left behind.",
     "They can take my company, they cannot take my voice.",
     "Another wave of fake accounts in my replies this morning. Same script, same hours."),
    ("New investigation: satellite images of the facilities near Hotan.",
     "Spoke to three former detainees this week. Their stories match.",
     "Thread on the cotton supply chain and what brands still won't say 🧵",
     "Reminder that my sources' safety comes first. No, I will not share names."),
)
CRITICS = (  # fictional people the campaign attacks
    ("Lena Hartwell", "DrLenaHartwell", "Virologist. Wrote the lab report they tried to bury.",
     "Boston, MA", -300),
    ("Marcus Vandell", "MarcusVandell", "Strategist, author, talk-radio host.",
     "Washington, DC", -300),
    ("Qiao Renshan", "QiaoRenshan", "Entrepreneur in exile. 自由中国.", "New York, NY", -300),
    ("Ines Kowalczyk", "InesKowalczyk", "Investigative journalist covering Xinjiang and the "
     "Uyghur region. DMs open.", "London, England", 0),
)


def critic_accounts(rng: np.random.Generator, acc: Accounts, handles: Handles) -> np.ndarray:
    """The prominent, outspoken critics: old, widely followed, English-speaking."""
    n = len(CRITICS)
    created = np.array([d * DAY_MS for d in rng.integers(day_number(2009, 1, 1),
                                                         day_number(2015, 1, 1), n)])
    followers = rng.integers(40_000, 400_000, n)
    return acc.add(uid=user_ids(created, rng), created_ms=created,
                   handle=[handles.claim(rng, c[1]) for c in CRITICS],
                   name=[c[0] for c in CRITICS], bio=[c[2] for c in CRITICS],
                   location=[c[3] for c in CRITICS], tz_min=[c[4] for c in CRITICS],
                   followers=followers, following=rng.integers(200, 2000, n),
                   popularity=(followers + 1.0) ** 0.85, lang=["en"] * n,
                   client=pick(rng, ("Twitter for iPhone", "Twitter Web App"), n),
                   role=["critic"] * n, group=["critics"] * n)


_BRAND = ("Globe", "Metro", "Summit", "Harbor", "Nova", "Atlas", "Pioneer", "Beacon", "Crescent",
          "Evergreen", "Orbit", "Prairie", "Granite", "Lumen", "Cobalt", "Sterling")
_PLACE = ("", "", "", "NY", "LA", "UK", "Bay", "Lake", "Coast", "North", "East", "City", "Tex",
          "Ohio", "Cal", "Ont")


def external_accounts(rng: np.random.Generator, acc: Accounts, handles: Handles,
                      n: int) -> np.ndarray:
    """Popular accounts outside the collection (news, celebrities, clubs, brands): their posts
    are reshared and replied to, but they have no rows of their own."""
    kinds = pick(rng, lx.EXTERNAL_KINDS, n)
    hs, names, langs = [], [], []
    for kind, suffixes in kinds:
        base = str(rng.choice(_BRAND)) + str(rng.choice(_PLACE)) + str(rng.choice(suffixes))
        if kind == "celebrity":
            r = lx.REGIONS[int(rng.integers(0, 4))]
            base = str(rng.choice(r.first)) + str(rng.choice(r.last)) + str(rng.choice(suffixes))
        hs.append(handles.claim(rng, base))
        names.append(base)
        langs.append("en")
    created = creation_ms(rng, n, first_year=2008, last_day=day_number(2016, 1, 1))
    followers = np.floor(rng.lognormal(12.0, 1.3, n)).astype(np.int64)
    return acc.add(uid=user_ids(created, rng), created_ms=created, handle=hs, name=names,
                   lang=langs, followers=followers, popularity=(followers + 1.0) ** 0.85,
                   written=[False] * n, tz_min=pick(rng, (-300, -480, 0, 60), n),
                   client=["Twitter Web App"] * n, label=["external"] * n,
                   role=["external"] * n)
