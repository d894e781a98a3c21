"""Cross-platform personas: accounts on different platforms that are one persona, from evidence.

An operation runs one persona on several platforms (the X account, its Facebook Page, its YouTube
channel, its Telegram channel) and each platform sees only its part. This stage links accounts on
*different* platforms (the key is always `(platform, account_id)`: the same id on two platforms
is two accounts until evidence says otherwise) when they share:

- **avatar**: the same profile image, by 64-bit pHash within `avatar_distance` bits (mirror
  images included when the file is at hand; `faces.hashing`). Default images are no evidence;
- **name**: the same display name after folding case, accents and Cyrillic/Greek script to Latin
  (`Ольга Петрова` = `Olga Petrova`), word order ignored;
- **handle**: the same handle stem (no `@`, separators or trailing digits: `olga_p1984` = `olgap`);
- **link**: the same bio link or contact (profile URL, URLs and e-mail addresses in the bio);
- **bio**: the same bio text (links and e-mail addresses removed, at least `min_bio_chars`);
- **content**: the same texts or links posted by both within `window_s` (reshares count with the
  text and links they spread);
- **sources**: both reshare, quote, reply to or comment on the posts of at least `min_sources`
  personas already linked across their two platforms (a second round, after the first links).

The rule is record linkage's (Fellegi & Sunter, "A theory for record linkage", JASA 1969, with
Winkler's value-specific frequencies): agreement on a value is evidence in proportion to how
unlikely it is between strangers, and that is estimated from how many accounts in the case hold
the value. Concretely:

1. **Rarity.** An identity value held by more than `max_holders` accounts on either of the two
   platforms is no evidence (fifty "John Smith"s cannot say which one is the persona; a platform's
   default avatar is held by everyone who never set one, and a flagged default image is never
   compared). Below that, a value's strength is 1 / (its holders on the more crowded side).
2. **Independence.** A link needs `min_kinds` (2) independent kinds, at least one of them an
   identity kind. A handle stem spelled from the display name (`olgapetrova`, `opetrova`,
   `Rhys P.` -> `rhyspearce`) is what any namesake would pick, so it counts with the name as
   one kind, not two.
3. **Behaviour corroborates, never links alone.** Posting the same texts within hours, or
   amplifying the same personas, is what a whole operation does, not only one persona: content
   and sources together are one kind, looked for only between accounts that already share a rare
   identity value, and a shared item counts only when it is a URL or a text of at least
   `min_text_chars` (`min_items` distinct items needed).
4. **One to one.** Each account must be the other's single best candidate on that platform
   (ranked by independent kinds, then identity strength; behaviour is left out of the ranking,
   as every member of the operation shares it). A tie is ambiguous and links neither: two
   "Olga Petrova" Pages that both post the operation's texts cannot say which one the X account
   runs.

`persona_candidates` holds every pair that shares a rare identity value, with its evidence and
status (`linked`, `ambiguous`, `too few kinds`); `persona_links` the linked ones: the kinds, the
shared values as each side shows them, the holders of each value, content and source examples,
and a score (identity strength plus the strongest behaviour strength: the sum over shared items or
sources of 1 / the accounts posting or amplifying them, at most 1). `persona_runs` records the
parameters and counts. A persona is a connected component of the links (`components`).
Deterministic: same case and parameters, same rows in the same order.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from .. import config
from ..config import Config
from ..faces.hashing import mirror_phash_file, near_groups, near_pairs
from ..normalize import norm_texts, norm_url
from ..traces.co_text import text_length

MAX_NAME_WORDS = 6  # words of a display name a handle may be spelled from
MAX_STEM = 64  # characters of a handle stem compared with the name
IDENTITY_KINDS = ("avatar", "name", "handle", "link", "bio")
BEHAVIOUR_KINDS = ("content", "sources")
KINDS = (*IDENTITY_KINDS, *BEHAVIOUR_KINDS)

LINKS_DDL = """
CREATE OR REPLACE TABLE persona_links (
    platform_a VARCHAR, account_a VARCHAR, platform_b VARCHAR, account_b VARCHAR,
    kinds VARCHAR, n_kinds INTEGER, score DOUBLE, evidence VARCHAR)
"""
RUNS_DDL = """
CREATE OR REPLACE TABLE persona_runs (
    status VARCHAR, reason VARCHAR, params VARCHAR, n_accounts BIGINT, n_candidates BIGINT,
    n_links BIGINT)
"""


@config.section("operations.personas")
@dataclasses.dataclass
class PersonaParams:
    """When accounts on two platforms are one persona (see `inconcert.operations.personas`)."""

    enabled: bool = config.param(True, "link accounts across platforms into personas")
    max_holders: int = config.param(
        2, "a name, handle stem, link, bio or avatar held by more accounts than this on either "
           "platform is common and no evidence (it cannot say which holder is the persona)")
    min_kinds: int = config.param(
        2, "independent kinds of evidence a link needs (content is one kind; a handle made of "
           "the display name's words counts with the name as one)")
    min_stem: int = config.param(
        4, "shortest handle stem (letters and digits, trailing digits removed) that is evidence")
    min_bio_chars: int = config.param(
        25, "shortest bio (links and e-mail addresses removed) whose copy is evidence")
    avatar_distance: int = config.param(
        6, "largest Hamming distance between 64-bit avatar pHashes of one image (as "
           "signals.avatar_reuse: copies measured at <= 4 bits, distinct faces at >= 10)")
    mirror: bool = config.param(
        True, "also compare avatars with the others' mirror images (reads the files)")
    window_s: int = config.param(
        21600, "the same text or link posted by both within this many seconds is shared "
               "content (a persona cross-posts within hours; 6 h)")
    min_items: int = config.param(
        2, "distinct shared texts or links for content to count (one can be chance: two people "
           "resharing the same viral post)")
    min_text_chars: int = config.param(
        25, "texts shorter than this after normalisation are not content evidence (as "
            "traces.co_text: 'so true!' is not a fingerprint)")
    min_sources: int = config.param(
        2, "distinct linked personas both accounts reshare, quote, reply to or comment on (on "
           "their own platforms) for 'sources' to count; 0 turns the second round off")
    min_persona_links: int = config.param(
        2, "persona links between the members of two networks that join them into one "
           "operation (one link may be wrong; two agreeing are corroboration)")


# ---- normalising what a persona shows ----------------------------------------------------

# Cyrillic and Greek letters to Latin (a simplified BGN/PCGN romanisation), and Latin letters
# NFKD does not decompose. A persona writes its name in the script of each audience; a spoofer
# swaps in look-alike letters (Cyrillic 'о' for Latin 'o'): both fold to one key.
_TRANSLIT = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch",
    "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "u", "ј": "j", "љ": "lj", "њ": "nj",
    "ћ": "c", "ђ": "dj", "џ": "dz",
    "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th",
    "ι": "i", "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p", "ρ": "r",
    "σ": "s", "ς": "s", "τ": "t", "υ": "y", "φ": "f", "χ": "ch", "ψ": "ps", "ω": "o",
    "ı": "i", "ø": "o", "ł": "l", "ß": "ss", "æ": "ae", "œ": "oe", "đ": "d", "þ": "th",
    "ð": "d", "ħ": "h",
})
_URLS = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def fold(s: str) -> str:
    """Lower case without accents, Cyrillic and Greek written in Latin letters."""
    s = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", s).casefold())
    s = "".join(c for c in s if not unicodedata.combining(c))
    return s.translate(_TRANSLIT)


def _words(s: str) -> list[str]:
    return "".join(c if c.isalpha() else " " for c in fold(s)).split()


def name_key(name: str | None) -> str | None:
    """The display name as a comparable key: folded letters only, words sorted (emoji, digits
    and punctuation dropped); None when fewer than three letters remain."""
    words = sorted(_words(name or ""))
    return " ".join(words) if sum(map(len, words)) >= 3 else None


def handle_stem(handle: str | None, min_len: int = 4) -> str | None:
    """The handle without '@', separators and trailing digits, folded (`Olga_P1984` ->
    `olgap`): what a person keeps across platforms; None when shorter than min_len."""
    s = "".join(c for c in fold(handle or "") if c.isalnum()).rstrip("0123456789")
    return s if len(s) >= min_len else None


def name_derived(stem: str, name: str | None) -> bool:
    """Whether the handle stem is spelled from the display name the way namesakes spell their
    handles: the name's words or their leading letters, each word at most once, in any order
    (`olgapetrova`, `petrovaolga`, `opetrova`, `olgap`), an initial in the name standing for a
    whole word (`Rhys P.` -> `rhyspearce`), plus at most one letter the name leaves out
    (`Archie` -> `archiep`). Such a handle is what a stranger of that name might pick too, so
    it is no evidence beyond the name."""
    # Bounded, so a hostile name ("a a a a ...") cannot make the search exponential: names
    # have few words, and memoised states are (position, words used, extra letter used).
    words = _words(name or "")[:MAX_NAME_WORDS]
    stem = stem[:MAX_STEM]

    @functools.cache
    def split(pos: int, used: int, extra: bool) -> bool:
        if pos == len(stem):
            return True
        if extra and split(pos + 1, used, False):
            return True
        for i, w in enumerate(words):
            if used & (1 << i):
                continue
            if len(w) == 1:  # an initial stands for any word starting with it
                if stem[pos] == w and any(split(end, used | (1 << i), extra)
                                          for end in range(len(stem), pos, -1)):
                    return True
                continue
            for k in range(min(len(w), len(stem) - pos), 0, -1):
                if stem.startswith(w[:k], pos) and split(pos + k, used | (1 << i), extra):
                    return True
        return False

    return bool(words) and split(0, 0, True)


def contacts(url: str | None, description: str | None) -> list[str]:
    """Normalised links and e-mail addresses of a profile (its URL field and its bio)."""
    out = set()
    for raw in [url or "", *_URLS.findall(description or "")]:
        n = norm_url(raw.rstrip(".,;:!?)]}\"'")) if raw else None
        if n:
            out.add(n)
    out.update("mailto:" + m.casefold() for m in _EMAIL.findall(description or ""))
    return sorted(out)


def bio_key(description: str | None, min_chars: int) -> str | None:
    """The bio without links and e-mail addresses, folded, punctuation and spacing dropped;
    None when shorter than min_chars."""
    s = _EMAIL.sub(" ", _URLS.sub(" ", description or ""))
    s = " ".join("".join(c if c.isalnum() else " " for c in fold(s)).split())
    return s if len(s) >= min_chars else None


# ---- the stage -----------------------------------------------------------------------------

def link_personas(con: duckdb.DuckDBPyConnection, cfg: Config) -> int:
    """(Re)create `persona_links` and `persona_runs`; returns the number of links."""
    p: PersonaParams = cfg.section("operations.personas")
    params_json = json.dumps(dataclasses.asdict(p), sort_keys=True)
    con.execute(LINKS_DDL).fetchall()
    con.execute(RUNS_DDL).fetchall()

    def record(status: str, reason: str | None, n_acc: int = 0, n_cand: int = 0,
               n_links: int = 0) -> None:
        con.execute("INSERT INTO persona_runs VALUES (?, ?, ?, ?, ?, ?)",
                    [status, reason, params_json, n_acc, n_cand, n_links]).fetchall()

    if not p.enabled:
        record("not computable", "disabled (operations.personas.enabled = false)")
        return 0
    accounts = con.execute("""
        SELECT platform, account_id, any_value(handle ORDER BY observed_ms DESC NULLS LAST),
               any_value(display_name ORDER BY observed_ms DESC NULLS LAST),
               any_value(description ORDER BY observed_ms DESC NULLS LAST),
               any_value(url ORDER BY observed_ms DESC NULLS LAST),
               any_value(avatar_phash ORDER BY observed_ms DESC NULLS LAST),
               any_value(avatar_path ORDER BY observed_ms DESC NULLS LAST),
               bool_or(coalesce(default_profile_image, false))
        FROM accounts GROUP BY ALL ORDER BY platform, account_id""").fetchall()
    platforms = {a[0] for a in accounts}
    if len(platforms) < 2:
        record("not computable", "the case holds accounts of one platform only", len(accounts))
        return 0
    values = list(_identity_values(accounts, p))
    _stage(con, "_pl_values", values, ("platform", "account_id", "kind", "value", "shown"))
    cand = con.execute(f"""
        WITH held AS (
            SELECT kind, value, platform, count(DISTINCT account_id) AS n FROM _pl_values
            GROUP BY ALL HAVING count(DISTINCT account_id) <= {int(p.max_holders)}
        ), v AS (SELECT * FROM _pl_values JOIN held USING (kind, value, platform))
        SELECT a.platform, a.account_id, b.platform, b.account_id, a.kind, a.value,
               a.shown, b.shown, greatest(a.n, b.n)
        FROM v AS a JOIN v AS b
          ON a.kind = b.kind AND a.value = b.value AND a.platform < b.platform
        ORDER BY ALL""").fetchall()
    names = {(a[0], a[1]): a[3] for a in accounts}
    pairs: dict[tuple[str, str, str, str], dict[str, Any]] = defaultdict(dict)
    for pa_, aa, pb, ab, kind, value, sa, sb, n in cand:
        ev = pairs[(pa_, aa, pb, ab)]
        # one entry per kind: the rarest shared value (two shared links are one kind)
        if kind not in ev or n < ev[kind]["holders"]:
            ev[kind] = {"value": value, "a": sa, "b": sb, "holders": n}
    for key, found in _content(con, sorted(pairs), p).items():
        pairs[key]["content"] = found
    decided = _decide(pairs, names, p)
    if p.min_sources:
        # Second round: the accounts that amplify personas linked in the first round.
        linked = [k for k, d in decided.items() if d[0] == "linked"]
        for key, found in _sources(con, sorted(pairs), linked, p).items():
            pairs[key]["sources"] = found
        decided = _decide(pairs, names, p)
    rows = []
    for key in sorted(pairs):
        status, n, identity, behaviour = decided[key]
        ev = pairs[key]
        rows.append([*key, ";".join(sorted(ev)), n, round(identity + behaviour, 6),
                     json.dumps(ev, sort_keys=True, ensure_ascii=False), status])
    con.execute(LINKS_DDL.replace("persona_links", "persona_candidates")
                .replace("evidence VARCHAR)", "evidence VARCHAR, status VARCHAR)")).fetchall()
    if rows:  # through Arrow: executemany costs milliseconds per row
        cols = ("platform_a", "account_a", "platform_b", "account_b", "kinds", "n_kinds",
                "score", "evidence", "status")
        types = {"n_kinds": pa.int32(), "score": pa.float64()}
        con.register("_pl_rows", pa.table({c: pa.array([r[i] for r in rows],
                                                        types.get(c, pa.string()))
                                           for i, c in enumerate(cols)}))
        try:
            con.execute("INSERT INTO persona_candidates SELECT * FROM _pl_rows").fetchall()
        finally:
            con.unregister("_pl_rows")
    con.execute("""INSERT INTO persona_links SELECT * EXCLUDE (status) FROM persona_candidates
                   WHERE status = 'linked' ORDER BY platform_a, account_a, platform_b, account_b
                """).fetchall()
    n_links = sum(r[-1] == "linked" for r in rows)
    for tmp in ("_pl_values", "_pl_items"):
        con.execute(f"DROP TABLE IF EXISTS {tmp}").fetchall()
    record("ok", None, len(accounts), len(pairs), n_links)
    return n_links


def _decide(pairs: dict[tuple[str, str, str, str], dict[str, Any]],
            names: dict[tuple[str, str], str | None], p: PersonaParams
            ) -> dict[tuple[str, str, str, str], tuple[str, int, float, float]]:
    """Every candidate pair's (status, independent kinds, identity strength, behaviour
    strength); status is 'linked', 'ambiguous' (another candidate is as good) or 'too few
    kinds'."""
    out = {}
    for key in sorted(pairs):
        ev = pairs[key]
        identity = {k for k in ev if k in IDENTITY_KINDS}
        if ("handle" in ev and "name" in ev
                and (name_derived(ev["handle"]["value"], names[key[:2]])
                     or name_derived(ev["handle"]["value"], names[key[2:]]))):
            # a handle spelled from the name is what any namesake would pick
            identity.discard("handle")
            ev["handle"]["from_name"] = True
        behaviour = [ev[k]["strength"] for k in BEHAVIOUR_KINDS if k in ev]
        # content and sources both say "spreads what the operation spreads": one kind
        n = len(identity) + (1 if behaviour else 0)
        ok = bool(identity) and n >= p.min_kinds
        out[key] = ("qualified" if ok else "too few kinds", n,
                    round(sum(1.0 / ev[k]["holders"] for k in identity), 6),
                    max(behaviour, default=0.0))
    qualified = {k: v[1:] for k, v in out.items() if v[0] == "qualified"}
    unambiguous = set(_unambiguous(qualified))
    return {k: (("linked" if k in unambiguous else "ambiguous") if v[0] == "qualified"
                else v[0], *v[1:]) for k, v in out.items()}


def _unambiguous(qualified: dict[tuple[str, str, str, str], tuple[int, float, float]]
                 ) -> list[tuple[str, str, str, str]]:
    """The qualified pairs in which each account is the other's single best candidate on that
    platform. Ranked by independent kinds, then identity strength; content is left out of the
    ranking, since every member of one operation posts the same content. A tie is ambiguous:
    two "Olga Petrova" Pages posting the operation's texts cannot say which one the X account
    runs, so neither is linked (record linkage's one-to-one constraint)."""
    best: dict[tuple[str, str, str], list[tuple[tuple[int, float], tuple[str, str]]]] = \
        defaultdict(list)
    for (pa_, aa, pb, ab), (n, identity, _) in qualified.items():
        best[(pa_, aa, pb)].append(((n, identity), (pb, ab)))
        best[(pb, ab, pa_)].append(((n, identity), (pa_, aa)))

    def single_best(side: tuple[str, str, str]) -> tuple[str, str] | None:
        ranked = sorted(best[side], key=lambda c: (-c[0][0], -c[0][1], c[1]))
        if len(ranked) > 1 and ranked[0][0] == ranked[1][0]:
            return None
        return ranked[0][1]

    return [key for key in sorted(qualified)
            if single_best(key[:2] + key[2:3]) == key[2:]
            and single_best(key[2:] + key[:1]) == key[:2]]


def _identity_values(accounts: Iterable[tuple], p: PersonaParams
                     ) -> Iterable[tuple[str, str, str, str, str]]:
    """(platform, account_id, kind, value, shown) for every identity value of every account."""
    accounts = list(accounts)
    for plat, acc, handle, name, desc, url, _h, _path, _default in accounts:
        if (k := name_key(name)) is not None:
            yield plat, acc, "name", k, name
        if (s := handle_stem(handle, p.min_stem)) is not None:
            yield plat, acc, "handle", s, handle
        for c in contacts(url, desc):
            yield plat, acc, "link", c, c
        if (b := bio_key(desc, p.min_bio_chars)) is not None:
            yield plat, acc, "bio", b, desc
    yield from _avatar_values(accounts, p)


def _avatar_values(accounts: list[tuple], p: PersonaParams
                   ) -> Iterable[tuple[str, str, str, str, str]]:
    """Avatar values: accounts whose (non-default) pHashes are within avatar_distance bits,
    directly or mirrored, share the group's smallest hash as their value."""
    own = [(a[0], a[1], a[6], a[7]) for a in accounts if a[6] and not a[8]]
    hashes = sorted({h for _, _, h, _ in own})
    if not hashes:
        return
    path_of: dict[str, str] = {}
    for _, _, h, path in own:
        if path:
            path_of.setdefault(h, path)
    mirrors = [mirror_phash_file(Path(path_of[h])) if p.mirror and h in path_of else None
               for h in hashes]
    group = near_groups(len(hashes), near_pairs(hashes, mirrors, p.avatar_distance))
    index = {h: i for i, h in enumerate(hashes)}
    for plat, acc, h, _ in own:
        yield plat, acc, "avatar", "phash:" + hashes[group[index[h]]], h


def _stage(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple],
           cols: tuple[str, ...]) -> None:
    data = pa.table({c: pa.array([r[i] for r in rows], pa.string())
                     for i, c in enumerate(cols)})
    con.register("_pl_stage", data)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM _pl_stage"
                    ).fetchall()
    finally:
        con.unregister("_pl_stage")


def _content(con: duckdb.DuckDBPyConnection, pairs: list[tuple[str, str, str, str]],
             p: PersonaParams) -> dict[tuple[str, str, str, str], dict[str, Any]]:
    """Shared content of candidate pairs: texts (normalised as co_text does) and URLs both
    posted within window_s, at least min_items distinct; a reshare posts what it spreads."""
    if not pairs:
        return {}
    # Every post's own text, or the text of what it reshares.
    posts = con.sql("""
        SELECT p.platform, p.post_id, p.author_id, p.created_ms,
               coalesce(nullif(p.text, ''), r.text) AS text
        FROM posts AS p LEFT JOIN posts AS r
          ON p.kind = 'reshare' AND r.platform = p.platform AND r.post_id = p.ref_post_id
        ORDER BY p.platform, p.post_id""").to_arrow_table()
    keys = norm_texts(posts.column("text")).to_pylist()
    ok = [k is not None and text_length(k) >= p.min_text_chars for k in keys]
    items = pa.table({
        "platform": posts.column("platform"), "post_id": posts.column("post_id"),
        "account_id": posts.column("author_id"), "t": posts.column("created_ms"),
        "item": pa.array(["text:" + k if good else None for k, good in zip(keys, ok,
                                                                             strict=True)],
                         pa.string())}).filter(pa.array(ok, pa.bool_()))
    con.register("_pl_text", items)
    try:
        con.execute("""
            CREATE OR REPLACE TEMP TABLE _pl_items AS
            SELECT platform, post_id, account_id, t, item FROM _pl_text
            UNION ALL
            SELECT p.platform, p.post_id, p.author_id, p.created_ms, 'url:' || e.normalized
            FROM posts AS p
            LEFT JOIN (SELECT DISTINCT platform, post_id FROM post_entities
                       WHERE entity = 'url') AS own
              ON own.platform = p.platform AND own.post_id = p.post_id
            JOIN post_entities AS e
              ON e.platform = p.platform
             AND e.post_id = CASE WHEN p.kind = 'reshare' AND own.post_id IS NULL
                 THEN coalesce(p.ref_post_id, p.post_id) ELSE p.post_id END
            WHERE e.entity = 'url' AND e.normalized IS NOT NULL AND e.normalized <> ''
        """).fetchall()
    finally:
        con.unregister("_pl_text")
    cand = pa.table({n: pa.array([c[i] for c in pairs], pa.string())
                     for i, n in enumerate(("pa", "aa", "pb", "ab"))})
    con.register("_pl_cand", cand)
    try:
        rows = con.execute(f"""
            WITH pop AS (
                SELECT item, count(DISTINCT (platform, account_id)) AS n FROM _pl_items
                GROUP BY item
            ), shared AS (
                SELECT c.pa, c.aa, c.pb, c.ab, i.item,
                       arg_min([i.post_id, j.post_id, CAST(abs(i.t - j.t) // 1000 AS VARCHAR)],
                               abs(i.t - j.t)) AS ex
                FROM _pl_cand AS c
                JOIN _pl_items AS i ON i.platform = c.pa AND i.account_id = c.aa
                JOIN _pl_items AS j ON j.platform = c.pb AND j.account_id = c.ab
                     AND j.item = i.item AND abs(i.t - j.t) <= {int(p.window_s) * 1000}
                GROUP BY ALL
            )
            SELECT s.pa, s.aa, s.pb, s.ab, s.item, s.ex, pop.n
            FROM shared AS s JOIN pop USING (item)
            ORDER BY s.pa, s.aa, s.pb, s.ab, pop.n, s.item""").fetchall()
    finally:
        con.unregister("_pl_cand")
    grouped: dict[tuple[str, str, str, str], list[tuple]] = defaultdict(list)
    for pa_, aa, pb, ab, item, ex, n in rows:
        grouped[(pa_, aa, pb, ab)].append((item, ex, n))
    out = {}
    for key, found in grouped.items():
        if len(found) < p.min_items:
            continue
        out[key] = {
            "items": len(found),
            "strength": round(min(1.0, sum(1.0 / n for _, _, n in found)), 6),
            "examples": [{"item": item, "post_a": ex[0], "post_b": ex[1],
                          "seconds": int(ex[2]), "posters": n}
                         for item, ex, n in found[:5]],
        }
    return out


def _sources(con: duckdb.DuckDBPyConnection, pairs: list[tuple[str, str, str, str]],
             links: list[tuple[str, str, str, str]], p: PersonaParams
             ) -> dict[tuple[str, str, str, str], dict[str, Any]]:
    """Candidate pairs that act on (reshare, quote, reply to, comment on) the posts of at least
    min_sources personas already linked across their two platforms."""
    persona = components(links)
    if not pairs or not persona:
        return {}
    _stage(con, "_pl_persona", [(pl, acc, pid) for (pl, acc), pid in sorted(persona.items())],
           ("platform", "account_id", "persona"))
    cand = pa.table({n: pa.array([c[i] for c in pairs], pa.string())
                     for i, n in enumerate(("pa", "aa", "pb", "ab"))})
    con.register("_pl_cand", cand)
    try:
        rows = con.execute("""
            WITH src AS (
                SELECT DISTINCT a.platform, a.actor_id AS account_id, pe.persona
                FROM actions AS a
                LEFT JOIN posts AS t
                  ON t.platform = a.platform AND t.post_id = a.target_post_id
                JOIN _pl_persona AS pe ON pe.platform = a.platform
                 AND pe.account_id = coalesce(a.target_author_id, t.author_id)
                WHERE coalesce(a.target_author_id, t.author_id) <> a.actor_id
            ), pop AS (
                SELECT persona, count(*) AS n FROM src GROUP BY persona
            )
            SELECT c.pa, c.aa, c.pb, c.ab, i.persona, pop.n
            FROM _pl_cand AS c
            JOIN src AS i ON i.platform = c.pa AND i.account_id = c.aa
            JOIN src AS j ON j.platform = c.pb AND j.account_id = c.ab AND j.persona = i.persona
            JOIN pop ON pop.persona = i.persona
            ORDER BY c.pa, c.aa, c.pb, c.ab, pop.n, i.persona""").fetchall()
    finally:
        con.unregister("_pl_cand")
        con.execute("DROP TABLE IF EXISTS _pl_persona").fetchall()
    grouped: dict[tuple[str, str, str, str], list[tuple[str, int]]] = defaultdict(list)
    for pa_, aa, pb, ab, pid, n in rows:
        grouped[(pa_, aa, pb, ab)].append((pid, n))
    return {key: {"personas": len(found),
                  "strength": round(min(1.0, sum(1.0 / n for _, n in found)), 6),
                  "examples": [{"persona": pid, "amplifiers": n} for pid, n in found[:5]]}
            for key, found in grouped.items() if len(found) >= p.min_sources}


def components(links: Iterable[tuple[str, str, str, str]]) -> dict[tuple[str, str], str]:
    """(platform, account_id) -> persona id for every linked account: the connected components
    of the links, each named by its smallest member (`platform:account_id`)."""
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def root(x: tuple[str, str]) -> tuple[str, str]:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for pa_, aa, pb, ab in links:
        ra, rb = root((pa_, aa)), root((pb, ab))
        parent[max(ra, rb)] = min(ra, rb)
    return {x: ":".join(root(x)) for x in sorted(parent)}
