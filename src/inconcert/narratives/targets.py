"""Targets: the accounts, people and organisations a network goes after.

A network member's own post (original, quote, reply, comment; a reshare repeats someone else)
targets:

- the account it replies to (`reply`), and every account it mentions (`mention`; an id, or the
  account holding the mentioned handle, or `@handle` when no account has it);
- an account whose display name it writes out (`text`, or `alt_text` in an image description),
  among the accounts the networks reply to or mention;
- a name it writes (`name` targets): a run of capitalised words ("Lena Hartwell", "CIA",
  "Western Media"); a capitalised word that starts a sentence counts only when the texts
  capitalise it mid-sentence more often than they write it in lower case. Scripts without
  capitals (Chinese, Thai, ...) give no `name` targets.

Accounts of the same network are not its targets (that is conversation inside the network).
Each target is ranked by how much more often the network's posts name it than everyone else's
(the background: every other account's own posts, or a fixed sample of them on large cases):
the log odds ratio with a 0.5 continuity correction and its z score (Wald), which rewards both a
large difference and enough posts to trust it. `hostile_share` is the share of the network's
posts naming the target that use hostile language — a word that VADER (Hutto & Gilbert 2014)
rates strongly negative, or one of DUTIR's anger and loathing words (Xu et al. 2008) in Chinese:
a hint of attack, not a judgement.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import pyarrow as pa

from .. import config
from ..normalize import norm_texts
from ..signals.features import rows
from .cluster import MAX_TEXT, STOPWORDS
from .content import Item
from .tables import replace_table

OWN_KINDS = ("original", "quote", "reply", "comment")
TARGETS_DDL = """
CREATE OR REPLACE TABLE targets (
    network_id VARCHAR, rank BIGINT, target_kind VARCHAR, target VARCHAR, handle VARCHAR,
    display_name VARCHAR, via VARCHAR, n_posts BIGINT, n_accounts BIGINT, share DOUBLE,
    background_posts BIGINT, background_share DOUBLE, lift DOUBLE, log_odds DOUBLE, z DOUBLE,
    hostile_share DOUBLE, first_ms BIGINT, last_ms BIGINT, examples VARCHAR,
    example_text VARCHAR)
"""
# Hostile language: published, human-rated lexicons (bench/hostile_lexicon.py rebuilds the file):
# English words VADER rates strongly negative, Chinese anger and loathing words of DUTIR.
_LEXICON = Path(__file__).parent / "data" / "hostile_lexicon.json"
_HAN = re.compile(r"[\u4e00-\u9fff]")


@cache
def _hostile_words() -> tuple[frozenset[str], re.Pattern]:
    data = json.loads(_LEXICON.read_text(encoding="utf-8"))
    zh = sorted(data["zh"], key=lambda w: (-len(w), w))
    return frozenset(data["en"]), re.compile("|".join(map(re.escape, zh)))


_WORDS = re.compile(r"[^\W\d_]+")
_STRIP = re.compile(r"https?://\S+|www\.\S+|(?<![\w@])[@#＃][\w.]+", re.IGNORECASE)
_CAP = "A-ZÀ-ÖØ-Þ"
_LOW = "a-zß-öø-ÿ"
# One to four capitalised words (or short all-capital acronyms), e.g. "Lena Hartwell", "CIA".
_NAME = re.compile(
    rf"(?<![\w'’])(?:[{_CAP}][{_LOW}'’-]+|[{_CAP}]{{2,6}})"
    rf"(?:[ ](?:[{_CAP}][{_LOW}'’-]+|[{_CAP}]{{2,6}})){{0,3}}(?![\w'’])")
_SENTENCE_END = re.compile(r"(?:^|[.!?:;\"“”()\n…。！？])\s*$")


def _starts_sentence(text: str, pos: int) -> bool:
    """True when the word at `pos` opens the text or follows a sentence's end."""
    return bool(_SENTENCE_END.search(text[max(0, pos - 3):pos]))


@config.section("narratives.targets")
@dataclass
class TargetParams:
    """Targets of each network: replies, mentions and names in text."""

    min_posts: int = config.param(3, "a target needs at least this many posts of the network")
    min_accounts: int = config.param(2, "... by at least this many of its accounts")
    min_z: float = config.param(
        2.0, "z score of the log odds ratio (network vs background) a target must reach")
    max_targets: int = config.param(30, "targets listed per network, highest z first")
    min_name_chars: int = config.param(
        5, "display names shorter than this are not searched for in texts")
    background_sample: int = config.param(
        200_000, "largest number of background posts read (a fixed sample beyond that)")
    examples: int = config.param(5, "example post ids kept per target (earliest first)")


@dataclass
class _Post:
    platform: str
    post_id: str
    author_id: str
    created_ms: int
    text: str
    in_sample: bool
    targets: dict[tuple[str, str], str]  # (kind, target) -> first 'via' seen


def _fold(s: str) -> str:
    return unicodedata.normalize("NFKC", s).casefold()


def hostile(text: str) -> bool:
    """True when the text uses a word of the hostile-language lexicon (English words as words,
    Chinese words as substrings)."""
    t = _fold(text)
    en, zh = _hostile_words()
    return any(w in en for w in _WORDS.findall(t)) or \
        bool(_HAN.search(t) and zh.search(t))


def name_phrases(text: str, capitalised: Counter[str], lower: Counter[str]) -> set[str]:
    """Capitalised word runs of a text, leading function words dropped; a single word at a
    sentence start (not an acronym) only when `capitalised` (mid-sentence) outnumbers `lower`
    for it."""
    t = _STRIP.sub(" ", unicodedata.normalize("NFKC", text))
    out = set()
    for m in _NAME.finditer(t):
        words = m.group(0).split(" ")
        while words and words[0].casefold() in STOPWORDS:
            words = words[1:]
        if not words:
            continue
        phrase = " ".join(words)
        if len(words) == 1 and len(words) == len(m.group(0).split(" ")) \
                and not phrase.isupper() and _starts_sentence(t, m.start()) \
                and capitalised[phrase] <= lower[phrase.casefold()]:
            continue
        if len(phrase) >= 2:
            out.add(phrase)
    return out


def word_case_counts(texts: Sequence[str]) -> tuple[Counter[str], Counter[str]]:
    """How often each word is written capitalised mid-sentence, and in lower case."""
    capitalised: Counter[str] = Counter()
    lower: Counter[str] = Counter()
    # Each distinct text is read once and counted as often as it occurs (copies are common).
    for text, times in Counter(texts).items():
        t = _STRIP.sub(" ", unicodedata.normalize("NFKC", text))
        for m in _WORDS.finditer(t):
            w = m.group(0)
            if w.islower():
                lower[w] += times
            elif w[0].isupper() and not _starts_sentence(t, m.start()):
                capitalised[w] += times
    return capitalised, lower


def log_odds(a: int, n: int, b: int, m: int) -> tuple[float, float]:
    """Log odds ratio of a/n against b/m with 0.5 added to every cell, and its Wald z."""
    cells = (a + 0.5, n - a + 0.5, b + 0.5, m - b + 0.5)
    lor = math.log(cells[0] / cells[1]) - math.log(cells[2] / cells[3])
    return lor, lor / math.sqrt(sum(1.0 / c for c in cells))


def _own_posts(con: duckdb.DuckDBPyConnection, sample: int) -> list[tuple]:
    kinds = ", ".join(f"'{k}'" for k in OWN_KINDS)
    return rows(con, f"""
        WITH own AS (SELECT platform, post_id, author_id, created_ms, text, reply_to_author_id
                     FROM posts WHERE kind IN ({kinds})),
        bg AS (SELECT platform, post_id FROM own
               ORDER BY md5(platform || ':' || post_id), platform, post_id LIMIT ?),
        members AS (SELECT DISTINCT account_id FROM memberships),
        handles AS (SELECT lower(handle) AS h, min(account_id) AS account_id FROM accounts
                    WHERE handle IS NOT NULL AND handle <> '' GROUP BY 1),
        ids AS (SELECT DISTINCT account_id FROM accounts),
        mentions AS (
            SELECT e.platform, e.post_id,
                   list(COALESCE(ids.account_id, handles.account_id, '@' || e.normalized)
                        ORDER BY e.position) AS m
            FROM post_entities e LEFT JOIN ids ON ids.account_id = e.normalized
            LEFT JOIN handles ON handles.h = e.normalized
            WHERE e.entity = 'mention' AND e.normalized IS NOT NULL GROUP BY ALL),
        alts AS (SELECT platform, post_id, list(alt_text ORDER BY position) AS alt
                 FROM post_entities WHERE alt_text IS NOT NULL AND alt_text <> '' GROUP BY ALL)
        SELECT o.platform, o.post_id, o.author_id, o.created_ms, COALESCE(o.text, ''),
               o.reply_to_author_id, bg.post_id IS NOT NULL, mentions.m, alts.alt,
               o.author_id IN (SELECT account_id FROM members)
        FROM own o LEFT JOIN bg ON bg.platform = o.platform AND bg.post_id = o.post_id
        LEFT JOIN mentions ON mentions.platform = o.platform AND mentions.post_id = o.post_id
        LEFT JOIN alts ON alts.platform = o.platform AND alts.post_id = o.post_id
        WHERE bg.post_id IS NOT NULL OR o.author_id IN (SELECT account_id FROM members)
        ORDER BY o.created_ms, o.platform, o.post_id""", [sample])


def name_key(text: str) -> str:
    """Folded words of a name or text, one space apart (punctuation and emoji dropped)."""
    return " ".join(_WORDS.findall(_fold(text)))


def _account_names(con: duckdb.DuckDBPyConnection, ids: set[str], min_chars: int
                   ) -> dict[str, str]:
    """`name_key` of a display name -> account id, for the accounts given whose name is long
    enough (a name two accounts share names neither)."""
    if not ids:
        return {}
    names: dict[str, set[str]] = defaultdict(set)
    for acc, name in rows(con, "SELECT account_id, display_name FROM accounts WHERE account_id "
                               "IN (SELECT unnest(?)) AND display_name IS NOT NULL",
                          [sorted(ids)]):
        key = name_key(name)
        if len(key) >= min_chars:
            names[key].add(acc)
    return {n: next(iter(a)) for n, a in sorted(names.items()) if len(a) == 1}


def names_in(normalised: str, names: dict[str, str], longest: int) -> set[str]:
    """The names (keys of `names`) written out in a text (as `norm_text` gives it), as whole
    words."""
    words = name_key(normalised).split(" ")
    return {g for n in range(1, longest + 1) for i in range(len(words) - n + 1)
            if (g := " ".join(words[i:i + n])) in names}


def collect(con: duckdb.DuckDBPyConnection, p: TargetParams) -> list[_Post]:
    """Every network member's own post and the background sample, each with its targets."""
    got = _own_posts(con, p.background_sample)
    posts = []
    targeted: set[str] = set()
    for plat, pid, author, ms, text, reply_to, in_sample, mentions, _, member in got:
        tg: dict[tuple[str, str], str] = {}
        if reply_to and reply_to != author:
            tg[("account", reply_to)] = "reply"
        for m in mentions or []:
            if m != author:
                tg.setdefault(("account", m), "mention")
        if member:
            targeted.update(t for _, t in tg)
        posts.append(_Post(plat, pid, author, ms, text, bool(in_sample), tg))
    names = _account_names(con, targeted, p.min_name_chars)
    longest = max((n.count(" ") + 1 for n in names), default=0)
    capitalised, lower = word_case_counts([q.text for q in posts])
    # The names found in a text depend on the text alone: each distinct text is read once,
    # all of them normalised together by Arrow (and not at all when no name is searched for).
    distinct = list(dict.fromkeys(t for q, r in zip(posts, got, strict=True)
                                  for t in (q.text, *(r[8] or []))))
    normalised = dict(zip(distinct, norm_texts(pa.array(distinct, pa.string())).to_pylist(),
                          strict=True)) if names else {}
    found: dict[str, tuple[list[str], list[str]]] = {}
    for q, r in zip(posts, got, strict=True):
        alt_texts = r[8] or []
        for via, texts in (("text", [q.text]), ("alt_text", alt_texts)):
            for text in texts:
                if text not in found:
                    in_text = names_in(normalised[text], names, longest) if names else set()
                    found[text] = (sorted(in_text),
                                   [p for p in sorted(name_phrases(text, capitalised, lower))
                                    if name_key(p) not in names])
                accounts, phrases = found[text]
                for n in accounts:
                    if names[n] != q.author_id:
                        q.targets.setdefault(("account", names[n]), via)
                for phrase in phrases:
                    q.targets.setdefault(("name", phrase), via)
    return posts


def _profiles(con: duckdb.DuckDBPyConnection, ids: list[str]) -> dict[str, tuple]:
    if not ids:
        return {}
    return {r[0]: (r[1], r[2]) for r in rows(
        con, "SELECT account_id, min(handle), min(display_name) FROM accounts "
             "WHERE account_id IN (SELECT unnest(?)) GROUP BY 1", [ids])}


def write_targets(con: duckdb.DuckDBPyConnection, items: Sequence[Item], p: TargetParams
                  ) -> int:
    """(Re)create `targets`: each network's ranked targets with evidence; returns the rows."""
    network_of: dict[str, set[str]] = defaultdict(set)
    for it in items:
        network_of[it.account_id].add(it.network_id)
    posts = collect(con, p) if network_of else []
    sample_total = sum(q.in_sample for q in posts)
    sample_counts: Counter[tuple[str, str]] = Counter()
    for q in posts:
        if q.in_sample:
            sample_counts.update(q.targets.keys())
    per_net: dict[str, list[_Post]] = defaultdict(list)
    for q in posts:
        for net in sorted(network_of.get(q.author_id, ())):
            per_net[net].append(q)
    members: dict[str, set[str]] = defaultdict(set)
    for acc, nets in network_of.items():
        for net in nets:
            members[net].add(acc)
    candidates = []
    for net in sorted(per_net):
        own = per_net[net]
        n = len(own)
        own_in_sample: Counter[tuple[str, str]] = Counter()
        hits: dict[tuple[str, str], list[_Post]] = defaultdict(list)
        via: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        for q in own:
            for t, v in q.targets.items():
                if t[0] == "account" and t[1] in members[net]:
                    continue
                hits[t].append(q)
                via[t][v] += 1
                if q.in_sample:
                    own_in_sample[t] += 1
        m = sample_total - sum(q.in_sample for q in own)
        for t, qs in hits.items():
            a = len(qs)
            accounts = {q.author_id for q in qs}
            if a < p.min_posts or len(accounts) < p.min_accounts:
                continue
            b = sample_counts[t] - own_in_sample[t]
            lor, z = log_odds(a, n, b, m)
            if z < p.min_z:
                continue
            candidates.append((net, t, qs, accounts, via[t], n, b, m, lor, z))
    profiles = _profiles(con, sorted({c[1][1] for c in candidates if c[1][0] == "account"}))
    out = []
    rank: Counter[str] = Counter()
    candidates.sort(key=lambda c: (c[0], -round(c[9], 6), -len(c[2]), c[1]))
    for net, (kind, target), qs, accounts, vias, n, b, m, lor, z in candidates:
        if rank[net] >= p.max_targets:
            continue
        rank[net] += 1
        share = len(qs) / n
        bg_share = b / m if m else 0.0
        handle, name = profiles.get(target, (None, None)) if kind == "account" else (None, None)
        if kind == "account" and target.startswith("@"):
            handle = target[1:]
        examples = qs[:p.examples]
        out.append((
            net, rank[net], kind, target, handle, name,
            ";".join(f"{v}:{c}" for v, c in sorted(vias.items(), key=lambda kv: (-kv[1], kv[0]))),
            len(qs), len(accounts), round(share, 6), b, round(bg_share, 6),
            round(share / ((b + 0.5) / (m + 1)), 4), round(lor, 4), round(z, 4),
            round(sum(hostile(q.text) for q in qs) / len(qs), 4), qs[0].created_ms,
            qs[-1].created_ms, json.dumps([q.post_id for q in examples]),
            examples[0].text[:MAX_TEXT]))
    replace_table(con, "targets", TARGETS_DDL, out)
    return len(out)
