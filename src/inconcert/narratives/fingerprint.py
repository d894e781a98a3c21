"""Fingerprints of networks, kept in a local library to recognise an operation seen before.

`inconcert fingerprint DIR --name NAME` stores one JSON file per network of a run directory in
the library (`LIBRARY/NAME/<network_id>.json`, format `inconcert-fingerprint`, version 1; keys
sorted, so the same run and parameters give the same bytes). A fingerprint holds, for the
network's members and what they posted and amplified:

- `hashtags`, `domains`, `sources` (accounts reshared or quoted): the most frequent, with counts;
- `shingles`: a MinHash signature (datasketch, CRC-32, seed 1) of the character shingles that
  recur in at least `min_shingle_docs` of its distinct texts, and the most frequent of them;
- `images`: perceptual hashes of its media and of its members' avatars;
- `handles`: handle templates (`EmilyJohnso8342` -> `AaAa9999`; hashed handles left out);
- `bios`: bios with links, mentions and digits masked (`signals.handles_profiles.mask_bio`);
- `rhythm`: posts per UTC hour of the week (168 bins, Monday 00:00 first);
- `creation`: members created per month, and the days on which `min_batch` or more were created.

Nothing is downloaded: fingerprints come from data the user holds, such as a published takedown
archive run through `inconcert run`.
"""

from __future__ import annotations

import json
import os
import re
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
from datasketch import MinHash

from .. import __version__, config, jsontext
from ..errors import InputError
from ..signals.activity_rhythm import hour_of_week
from ..signals.features import day_iso, rows
from ..signals.handles_profiles import mask_bio
from ..store import Store
from ..timeutil import iso_utc
from ..traces.co_text import CJK
from .cluster import DOMAIN_SQL
from .content import Item, members, network_content
from .embed import clean_text
from .sources import EVENTS_SQL

FORMAT = "inconcert-fingerprint"
VERSION = 1
LIBRARY_ENV = "INCONCERT_LIBRARY"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_HASHED = re.compile(r"^(?:[0-9a-f]{20,}|[0-9A-F]{20,})$")
_HANDLE_PART = re.compile(r"[A-Z][a-z]+|[a-z]+|[A-Z]+|\d+|.")


@config.section("narratives.fingerprint")
@dataclass
class FingerprintParams:
    """What a network's fingerprint keeps."""

    top_items: int = config.param(
        500, "hashtags, domains, sources, handle and bio templates kept per facet")
    num_perm: int = config.param(256, "MinHash permutations of the shingle signature")
    shingle_chars: int = config.param(
        12, "shingle length in characters (about two words of Latin-script text)")
    cjk_shingle_chars: int = config.param(
        5, "shingle length for mostly Chinese/Japanese/Korean text")
    min_shingle_docs: int = config.param(
        2, "a shingle is kept when it recurs in at least this many of the network's texts")
    top_shingles: int = config.param(300, "most frequent shingles kept as readable evidence")
    max_images: int = config.param(2000, "image hashes kept per network")
    min_batch: int = config.param(3, "members created on one UTC day that make a batch")


def default_library() -> Path:
    """The library folder: $INCONCERT_LIBRARY, else ~/.local/share/inconcert/fingerprints."""
    env = os.environ.get(LIBRARY_ENV)
    if env:
        return Path(env).expanduser()
    return Path.home() / ".local" / "share" / "inconcert" / "fingerprints"


def handle_template(handle: str | None) -> str | None:
    """The shape of a handle: capitalised words `Aa`, lower-case runs `a`, capitals `A`, each
    digit `9`, other characters kept (`EmilyJohnso8342` -> `AaAa9999`, `wild_runner76` ->
    `a_a99`); None for an empty or hashed handle."""
    h = (handle or "").strip().lstrip("@")
    if not h or _HASHED.match(h):
        return None
    out = []
    for tok in _HANDLE_PART.findall(h):
        if tok.isdigit():
            out.append("9" * len(tok))
        elif tok[0].isupper() and len(tok) > 1 and tok[1:].islower():
            out.append("Aa")
        elif tok.isalpha():
            out.append("a" if tok.islower() else "A")
        else:
            out.append(tok)
    return "".join(out)


def _top(counts: Counter[str], n: int) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n])


def shingles(text: str, chars: int, cjk_chars: int) -> set[str]:
    """Character shingles of a normalised text (`cjk_chars` long when most of it is CJK)."""
    n = cjk_chars if len(CJK.findall(text)) * 2 > len(text) else chars
    if len(text) <= n:
        return {text}
    return {text[i:i + n] for i in range(len(text) - n + 1)}


def shingle_facet(texts: Sequence[str], p: FingerprintParams) -> dict[str, Any] | None:
    """MinHash of the shingles recurring across distinct texts, with the most frequent ones."""
    df: Counter[str] = Counter()
    for t in sorted({clean_text(x) for x in texts if x}):
        if t:
            df.update(shingles(t, p.shingle_chars, p.cjk_shingle_chars))
    kept = sorted(s for s, c in df.items() if c >= p.min_shingle_docs)
    if not kept:
        return None
    mh = MinHash(num_perm=p.num_perm, seed=1, hashfunc=zlib.crc32)
    mh.update_batch([s.encode("utf-8") for s in kept])
    # datasketch 2 names its permutation scheme; signatures of two schemes do not compare.
    return {"num_perm": p.num_perm, "seed": 1, "scheme": getattr(mh, "scheme", "legacy"),
            "chars": p.shingle_chars,
            "cjk_chars": p.cjk_shingle_chars, "count": len(kept),
            "minhash": [int(v) for v in mh.hashvalues],
            "top": [[s, c] for s, c in _top(Counter({s: df[s] for s in kept}),
                                             p.top_shingles).items()]}


def _entity_facets(con: duckdb.DuckDBPyConnection, items: Sequence[Item]
                   ) -> dict[str, dict[str, Counter[str]]]:
    """hashtags, domains and image hashes per network, each counted once per network post
    (a reshare counts its original's entities)."""
    staged = pa.table({
        "network_id": [it.network_id for it in items], "platform": [it.platform for it in items],
        "post_id": [it.post_id for it in items],
        "source_post_id": [it.source_post_id for it in items]})
    con.register("_fp_items", staged)
    try:
        got = rows(con, f"""
            WITH ents AS (
                SELECT DISTINCT i.network_id, i.post_id, e.entity, e.normalized, e.media_hash,
                       {DOMAIN_SQL} AS domain
                FROM _fp_items i JOIN post_entities e ON e.platform = i.platform
                     AND e.post_id IN (i.post_id, i.source_post_id))
            SELECT network_id, 'hashtags', normalized, count(DISTINCT post_id) FROM ents
            WHERE entity = 'hashtag' AND normalized IS NOT NULL GROUP BY ALL
            UNION ALL
            SELECT network_id, 'domains', domain, count(DISTINCT post_id) FROM ents
            WHERE domain IS NOT NULL GROUP BY ALL
            UNION ALL
            SELECT network_id, 'images', media_hash, count(DISTINCT post_id) FROM ents
            WHERE media_hash IS NOT NULL AND media_hash <> '' GROUP BY ALL""")
    finally:
        con.unregister("_fp_items")
    out: dict[str, dict[str, Counter[str]]] = {}
    for net, facet, value, n in got:
        out.setdefault(net, {}).setdefault(facet, Counter())[value] = n
    return out


def _source_facets(con: duckdb.DuckDBPyConnection) -> dict[str, Counter[str]]:
    con.execute(EVENTS_SQL).fetchall()
    got = rows(con, """
        SELECT m.network_id, e.source, count(DISTINCT (e.platform, e.post_id))
        FROM _source_events e JOIN (SELECT DISTINCT account_id, network_id FROM memberships) m
             ON m.account_id = e.author_id
        WHERE e.source_kind = 'account' GROUP BY ALL""")
    con.execute("DROP TABLE IF EXISTS _source_events").fetchall()
    out: dict[str, Counter[str]] = {}
    for net, source, n in got:
        out.setdefault(net, Counter())[source] = n
    return out


def _profiles(con: duckdb.DuckDBPyConnection, ids: list[str]) -> list[tuple]:
    return rows(con, """
        SELECT account_id, min(handle), min(description), min(created_ms), min(avatar_phash)
        FROM accounts WHERE account_id IN (SELECT unnest(?)) GROUP BY 1 ORDER BY 1""", [ids])


def network_fingerprints(con: duckdb.DuckDBPyConnection, p: FingerprintParams
                         ) -> dict[str, dict[str, Any]]:
    """The fingerprint facets of every network of a detected case (empty facets left out),
    with its size and time span."""
    items = network_content(con)
    nets = members(con)
    if not nets:
        return {}
    entities = _entity_facets(con, items)
    sources = _source_facets(con)
    texts: dict[str, list[str]] = {}
    times: dict[str, list[int]] = {}
    for it in items:
        texts.setdefault(it.network_id, []).append(it.text or "")
        times.setdefault(it.network_id, []).append(it.created_ms)
    out = {}
    for net, ids in nets.items():
        ents = entities.get(net, {})
        handles: Counter[str] = Counter()
        bios: Counter[str] = Counter()
        months: Counter[str] = Counter()
        days: Counter[str] = Counter()
        images = set(ents.get("images", Counter()))
        for _, handle, bio, created, avatar in _profiles(con, ids):
            if (t := handle_template(handle)) is not None:
                handles[t] += 1
            if bio and (b := mask_bio(bio)):
                bios[b] += 1
            if created is not None:
                months[iso_utc(created)[:7]] += 1
                days[day_iso(created)] += 1
            if avatar:
                images.add(avatar)
        rhythm = sum(hour_of_week(con, ids).values(), np.zeros(168))
        facets: dict[str, Any] = {
            "hashtags": _top(ents.get("hashtags", Counter()), p.top_items),
            "domains": _top(ents.get("domains", Counter()), p.top_items),
            "sources": _top(sources.get(net, Counter()), p.top_items),
            "shingles": shingle_facet(texts.get(net, []), p),
            "images": sorted(images)[:p.max_images],
            "handles": _top(handles, p.top_items),
            "bios": _top(bios, p.top_items),
            "rhythm": [int(x) for x in rhythm] if rhythm.sum() else None,
            "creation": {"months": dict(sorted(months.items())),
                         "batches": [[d, n] for d, n in sorted(days.items(),
                                                                key=lambda kv: (-kv[1], kv[0]))
                                     if n >= p.min_batch][:20]} if months else None,
        }
        span = times.get(net, [])
        out[net] = {"network_id": net, "members": len(ids), "posts": len(span),
                    "first_seen": iso_utc(min(span)) if span else "",
                    "last_seen": iso_utc(max(span)) if span else "",
                    "facets": {k: v for k, v in facets.items() if v}}
    return out


def _check_name(name: str) -> str:
    if not _NAME.match(name):
        raise InputError(f"bad fingerprint name {name!r}: use letters, digits, '.', '_' or '-' "
                         "(at most 100, starting with a letter or digit)")
    return name


def case_db(run_dir: Path) -> Path:
    """The case database of a run directory; InputError when there is none."""
    db = run_dir / "case.duckdb"
    if not db.exists():
        raise InputError("no case.duckdb here: give the output directory of `inconcert run`",
                         str(run_dir))
    return db


def dump(doc: dict[str, Any], path: Path) -> Path:
    """Write JSON the same way every time: sorted keys, one space indents, UTF-8, newline."""
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        jsontext.dump(doc, f)
        f.write("\n")
    return path


def fingerprint_run(run_dir: Path, name: str, library: Path, p: FingerprintParams
                    ) -> list[Path]:
    """Store the fingerprint of every network of a run directory in the library under `name`
    (replacing an earlier fingerprint of that name); returns the files written."""
    from ..outputs.findings import inputs

    _check_name(name)
    with Store(case_db(run_dir), read_only=True) as store:
        prints = network_fingerprints(store.con, p)
        items, digest = inputs(store)
    if not prints:
        raise InputError("no networks in this run: nothing to fingerprint", str(run_dir))
    folder = library / name
    folder.mkdir(parents=True, exist_ok=True)
    for old in sorted(folder.glob("*.json")):
        old.unlink()
    written = []
    for net, fp in sorted(prints.items()):
        doc = {"format": FORMAT, "version": VERSION, "name": name,
               "inconcert_version": __version__, "inputs": sorted(i["name"] for i in items),
               "inputs_digest": digest, "parameters": asdict(p), **fp}
        written.append(dump(doc, folder / f"{net}.json"))
    return written


def load_library(library: Path) -> list[dict[str, Any]]:
    """Every fingerprint in the library, ordered by name then network; InputError for a file
    that is not a fingerprint of this version."""
    if not library.is_dir():
        raise InputError("no fingerprint library here (make one with `inconcert fingerprint`)",
                         str(library))
    out = []
    for path in sorted(library.glob("*/*.json")):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise InputError(f"unreadable fingerprint ({e})", str(path)) from None
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise InputError("not an inconcert fingerprint", str(path))
        if doc.get("version") != VERSION:
            raise InputError(f"fingerprint version {doc.get('version')!r}; this inconcert reads "
                             f"version {VERSION}", str(path))
        out.append(doc)
    return out
