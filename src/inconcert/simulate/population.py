"""Who is on the simulated platform: organic accounts, prominent critics, external accounts.

Profiles follow the account's region (names, places, languages, time zone); creation dates spread
over 2008-2021; follower counts are heavy-tailed and set how often others reshare an account.
"""

from __future__ import annotations

import numpy as np

from . import lexicon as lx
from .core import DAY_MS, Accounts, day_number, pick, pick_weighted, user_ids

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


def _ascii(s: str) -> str:
    table = str.maketrans("áàâãäçéèêëíìîïñóòôõöúùûüýÿıİşğ", "aaaaaceeeeiiiinooooouuuuyyiisg")
    return s.translate(table).replace(" ", "").replace("'", "")


def person_handle(rng: np.random.Generator, first: str, last: str, style: str) -> str:
    """A handle a person would pick (or be given) in one of several styles."""
    f, la = _ascii(first), _ascii(last)
    if style == "name_digits":
        # The style of handles suggested at sign-up: name plus digits.
        digits = str(int(rng.integers(1000, 99_999_999)))
        if rng.random() < 0.5:
            digits = digits[:4]
            room = 15 - len(digits) - len(f)
            return f + la[: max(room, 1)] + digits
        return (f + la)[: 15 - len(digits)] + digits
    if style == "word":
        h = str(rng.choice(_WORDS)) + str(rng.choice(("", "_"))) + str(rng.choice(_NOUNS))
        return h + (str(int(rng.integers(1, 99))) if rng.random() < 0.4 else "")
    forms = (f + la, f.lower() + "_" + la.lower(), f[0].lower() + la.lower(),
             f.lower() + la[:1].lower(), la + f[0], f.lower() + "." + la.lower(),
             f + "_" + la[:3])
    h = forms[int(rng.integers(0, len(forms)))]
    return h + (str(int(rng.integers(1, 100))) if rng.random() < 0.3 else "")


def bios(rng: np.random.Generator, n: int) -> list[str]:
    """Free-text bios: empty, a few self-descriptions, now and then multi-line or hostile."""
    out = []
    r = rng.random((n, 3))
    for i in range(n):
        if r[i, 0] < 0.25:
            out.append("")
            continue
        k = 1 + int(r[i, 1] * 3)
        parts = [str(p) for p in rng.choice(lx.BIO_PARTS_EN, k, replace=False)]
        if r[i, 2] < 0.4:
            parts.append(str(rng.choice(lx.BIO_EXTRAS)))
        sep = " | " if r[i, 2] < 0.5 else (". " if r[i, 2] < 0.9 else "\n")
        bio = sep.join(parts)
        if r[i, 2] > 0.99:
            bio = str(rng.choice(lx.HOSTILE_BIOS))
        out.append(bio)
    return out


def creation_ms(rng: np.random.Generator, n: int, first_year: int = 2008,
                last_day: int | None = None) -> np.ndarray:
    """Account creation times spread over the years, more of them recent."""
    years = np.arange(first_year, 2022)
    w = np.array([2, 6, 7, 8, 9, 8, 7, 7, 7, 7, 8, 9, 11, 2], dtype=np.float64)[-len(years):]
    y = years[np.searchsorted(np.cumsum(w) / w.sum(), rng.random(n), side="right").clip(
        0, len(years) - 1)]
    lo = np.array([day_number(int(v), 1, 1) for v in y])
    hi = np.array([day_number(int(v), 12, 31) for v in y])
    if last_day is not None:
        hi = np.minimum(hi, last_day)
        lo = np.minimum(lo, hi - 1)
    d = lo + (rng.random(n) * (hi - lo)).astype(np.int64)
    return d * DAY_MS + rng.integers(0, DAY_MS, n)


def organic_accounts(rng: np.random.Generator, acc: Accounts, handles: Handles, n: int,
                     last_day: int, role: str = "organic", group: str = "",
                     first_year: int = 2008) -> np.ndarray:
    """n ordinary people from the regions, with their profiles and habits."""
    regions = lx.REGIONS
    rw = np.array([r.weight for r in regions])
    reg = np.searchsorted(np.cumsum(rw) / rw.sum(), rng.random(n), side="right").clip(
        0, len(regions) - 1)
    created = creation_ms(rng, n, first_year=first_year, last_day=last_day)
    followers = np.floor(rng.lognormal(5.0, 1.6, n)).astype(np.int64)
    following = np.floor(rng.lognormal(5.6, 1.0, n)).astype(np.int64)
    styles = pick_weighted(rng, (("first_last", .47), ("word", .35), ("name_digits", .12),
                                 ("plain", .06)), n)
    bio = bios(rng, n)
    clients = pick_weighted(rng, lx.CLIENTS_NOW, n)
    cols: dict[str, list] = {k: [] for k in ("handle", "name", "location", "lang", "url",
                                             "tz_min", "traits")}
    for i in range(n):
        r = regions[reg[i]]
        first = str(rng.choice(r.first))
        last = str(rng.choice(r.last))
        lang = pick_weighted(rng, r.langs, 1)[0]
        style = styles[i]
        h = handles.claim(rng, person_handle(rng, first, last, style) if style != "plain"
                          else first + str(rng.choice(_NOUNS)))
        if lang == "zh" and rng.random() < 0.7:
            name = str(rng.choice(_ZH_NAMES))
        else:
            name = str(rng.choice((f"{first} {last}", first, f"{first} {last[0]}.",
                                   f"{first} {rng.choice(lx.BIO_EXTRAS[:10])}",
                                   f"{first.lower()} ✨")))
        cols["handle"].append(h)
        cols["name"].append(name)
        cols["location"].append(str(rng.choice(r.places)) if rng.random() < 0.7 else "")
        cols["lang"].append(lang)
        cols["url"].append(_profile_url(rng, h))
        cols["tz_min"].append(r.utc_offset_min)
        cols["traits"].append("name_digits_handle" if style == "name_digits" else "")
    return acc.add(uid=user_ids(created, rng), created_ms=created, followers=followers,
                   following=following, popularity=(followers + 1.0) ** 0.85, bio=bio,
                   client=clients, label=["organic"] * n, role=[role] * n, group=[group] * n,
                   **cols)


def _profile_url(rng: np.random.Generator, handle: str) -> str:
    u = rng.random()
    if u < 0.85:
        return ""
    return str(rng.choice((f"https://linktr.ee/{handle}", f"https://instagram.com/{handle}",
                           f"https://{handle.lower()}.wordpress.com", "https://youtube.com/c/"
                           + handle)))


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


def external_accounts(rng: np.random.Generator, acc: Accounts, handles: Handles,
                      n: int) -> np.ndarray:
    """Popular accounts outside the collection (news, celebrities, clubs, brands): their posts
    are reshared and replied to, but they have no rows of their own."""
    kinds = pick(rng, lx.EXTERNAL_KINDS, n)
    hs, names, langs = [], [], []
    for kind, suffixes in kinds:
        base = str(rng.choice(_BRAND)) + str(rng.choice(suffixes))
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
