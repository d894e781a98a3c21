"""Matching: how much each network of a run resembles each fingerprint of the library.

Each facet gives a similarity in [0, 1]:

- `hashtags`, `domains`, `sources`, `handles`, `bios`: the overlap of the two frequency
  distributions, sum over shared values of min(share in one, share in the other) — 1 when both
  push the same things in the same proportions, 0 when they share nothing;
- `shingles`: the Jaccard similarity of the recurring-shingle sets, estimated by MinHash
  (comparable only when both fingerprints used the same shingle parameters);
- `images`: the share of the smaller set of image hashes with a hash of the other set within
  `image_distance` bits (pHash; other hash lengths must be equal);
- `rhythm`: the correlation of the two hour-of-week profiles, negative values counted as 0;
- `creation`: the overlap of the members' creation months (as for hashtags).

The score is the weighted mean of the facets over those the library fingerprint has: a facet it
has but the new network lacks counts as 0 (its evidence is missing), a facet the fingerprint lacks
is left out. `coverage` is the share of that weight both sides could be compared on. The
weights (`narratives.match.w_*`) favour facets an operation cannot share by chance (its texts,
hashtags, sources) over those many ordinary groups share (rhythm, handle shapes).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from .. import config
from ..signals.features import WEEKDAYS
from .fingerprint import FingerprintParams, load_library, network_fingerprints
from .tables import replace_table

FACETS = ("hashtags", "domains", "sources", "shingles", "images", "handles", "bios", "rhythm",
          "creation")
MATCHES_DDL = f"""
CREATE OR REPLACE TABLE matches (
    network_id VARCHAR, rank BIGINT, library_name VARCHAR, library_network_id VARCHAR,
    score DOUBLE, coverage DOUBLE, {", ".join(f"{f} DOUBLE" for f in FACETS)},
    evidence VARCHAR)
"""
_SHINGLE_KEYS = ("num_perm", "seed", "scheme", "chars", "cjk_chars")


@config.section("narratives.match")
@dataclass
class MatchParams:
    """Scoring networks against a library of fingerprints."""

    library: str = config.param(
        "", "fingerprint library that `inconcert run` compares every network with ('' = no "
            "matching; `inconcert match` takes --library)")
    w_hashtags: float = config.param(1.0, "weight of the hashtag overlap in the match score")
    w_domains: float = config.param(1.0, "weight of the linked-domain overlap")
    w_sources: float = config.param(1.0, "weight of the amplified-account overlap")
    w_shingles: float = config.param(1.5, "weight of the text-shingle Jaccard similarity")
    w_images: float = config.param(1.0, "weight of the shared images")
    w_handles: float = config.param(0.5, "weight of the handle-template overlap")
    w_bios: float = config.param(0.5, "weight of the bio-template overlap")
    w_rhythm: float = config.param(0.5, "weight of the hour-of-week correlation")
    w_creation: float = config.param(0.5, "weight of the creation-month overlap")
    min_resemblance: float = config.param(
        0.06, "match score below which a network resembles no fingerprint (the report and "
              "`inconcert match` say 'no resemblance'): unrelated sets scored at most 0.037 "
              "against the Thailand library, the same operation's other half 0.07-0.34 "
              "(docs/evaluation.md)")
    image_distance: int = config.param(8, "bits within which two image hashes are the same")
    max_matches: int = config.param(5, "library fingerprints listed per network, best first")
    evidence_items: int = config.param(10, "overlapping values listed per facet")


def overlap(a: dict[str, int], b: dict[str, int], top: int) -> tuple[float, list[list[Any]]]:
    """Sum of min(share) over shared values, and the shared values (value, count here, count
    there) by their smaller share."""
    na, nb = sum(a.values()), sum(b.values())
    if not na or not nb:
        return 0.0, []
    common = [(min(a[k] / na, b[k] / nb), k) for k in set(a) & set(b)]
    common.sort(key=lambda mk: (-mk[0], mk[1]))
    return (min(1.0, sum(m for m, _ in common)),
            [[k, a[k], b[k]] for _, k in common[:top]])


def shingle_similarity(a: dict[str, Any], b: dict[str, Any], top: int
                       ) -> tuple[float | None, list[list[Any]]]:
    """MinHash Jaccard estimate and the shared frequent shingles; None when the parameters
    differ (the signatures are not comparable)."""
    if any(a.get(k) != b.get(k) for k in _SHINGLE_KEYS):
        return None, []
    # The share of equal signature slots estimates the Jaccard similarity (MinHash.jaccard).
    jaccard = float(np.mean(np.array(a["minhash"], dtype=np.uint64)
                            == np.array(b["minhash"], dtype=np.uint64)))
    tb = dict((s, n) for s, n in b["top"])
    shared = sorted(([s, n, tb[s]] for s, n in a["top"] if s in tb),
                    key=lambda x: (-min(x[1], x[2]), x[0]))
    return jaccard, shared[:top]


def image_similarity(a: list[str], b: list[str], distance: int, top: int
                     ) -> tuple[float, list[list[str]]]:
    """Share of the smaller hash set with a near hash in the other, and the matched pairs."""
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    if not small:
        return 0.0, []
    by_len: dict[int, np.ndarray] = {}
    for length in {len(h) for h in large}:
        group = [h for h in large if len(h) == length]
        if length == 16 and all(_is_hex(h) for h in group):
            by_len[length] = np.array([int(h, 16) for h in group], dtype=np.uint64)
    pairs = []
    large_set = set(large)
    for h in small:
        if h in large_set:
            pairs.append([h, h])
        elif len(h) == 16 and _is_hex(h) and 16 in by_len:
            d = np.bitwise_count(by_len[16] ^ np.uint64(int(h, 16)))
            j = int(np.argmin(d))
            if int(d[j]) <= distance:
                pairs.append([h, f"{int(by_len[16][j]):016x}"])
    return len(pairs) / len(small), sorted(pairs)[:top]


def _is_hex(h: str) -> bool:
    return all(c in "0123456789abcdef" for c in h.lower())


def _peak_hours(profile: np.ndarray, n: int = 3) -> list[str]:
    order = sorted(range(168), key=lambda i: (-profile[i], i))[:n]
    return [f"{WEEKDAYS[i // 24]} {i % 24:02d}:00 UTC" for i in order]


def rhythm_similarity(a: list[int], b: list[int]) -> tuple[float, list[str]]:
    """Pearson correlation of two hour-of-week profiles (0 when negative or undefined), and
    both busiest hours."""
    x, y = np.array(a, dtype=np.float64), np.array(b, dtype=np.float64)
    if x.std() == 0 or y.std() == 0:
        return 0.0, []
    r = float(np.corrcoef(x, y)[0, 1])
    return max(0.0, r), [f"here {', '.join(_peak_hours(x))}",
                         f"there {', '.join(_peak_hours(y))}"]


def compare(new: dict[str, Any], known: dict[str, Any], p: MatchParams
            ) -> tuple[float, float, dict[str, float | None], dict[str, Any]]:
    """(score, coverage, similarity per facet, overlapping evidence per facet) of a network's
    facets against a library fingerprint's facets."""
    fa, fb = new["facets"], known["facets"]
    sims: dict[str, float | None] = {}
    evidence: dict[str, Any] = {}
    weight = total = compared = 0.0
    for facet in FACETS:
        if facet not in fb:
            sims[facet] = None
            continue
        w = float(getattr(p, f"w_{facet}"))
        s: float | None = 0.0
        ev: Any = []
        if facet in fa:
            if facet == "shingles":
                s, ev = shingle_similarity(fa[facet], fb[facet], p.evidence_items)
            elif facet == "images":
                s, ev = image_similarity(fa[facet], fb[facet], p.image_distance,
                                         p.evidence_items)
            elif facet == "rhythm":
                s, ev = rhythm_similarity(fa[facet], fb[facet])
            elif facet == "creation":
                s, ev = overlap(fa[facet]["months"], fb[facet]["months"], p.evidence_items)
            else:
                s, ev = overlap(fa[facet], fb[facet], p.evidence_items)
            if s is not None:
                compared += w
        if s is None:
            sims[facet] = None
            evidence[facet] = "not comparable: fingerprints made with other shingle parameters"
            continue
        sims[facet] = round(s, 4)
        if ev:
            evidence[facet] = ev
        weight += w
        total += w * s
    score = total / weight if weight else 0.0
    return round(score, 4), round(compared / weight, 4) if weight else 0.0, sims, evidence


def match_rows(new_prints: dict[str, dict[str, Any]], library: list[dict[str, Any]],
               p: MatchParams) -> list[tuple]:
    """The best `max_matches` library fingerprints of each network, as `matches` rows."""
    out = []
    for net in sorted(new_prints):
        scored = []
        for known in library:
            score, coverage, sims, evidence = compare(new_prints[net], known, p)
            scored.append((score, coverage, known["name"], known["network_id"], sims, evidence))
        scored.sort(key=lambda s: (-s[0], s[2], s[3]))
        for rank, (score, coverage, name, kid, sims, evidence) in enumerate(
                scored[:p.max_matches], start=1):
            out.append((net, rank, name, kid, score, coverage, *(sims[f] for f in FACETS),
                        json.dumps(evidence, ensure_ascii=False, sort_keys=True,
                                   separators=(",", ":"))))
    return out


def write_matches(con: duckdb.DuckDBPyConnection, library: Path, p: MatchParams,
                  fp: FingerprintParams) -> int:
    """(Re)create `matches`: every network of the case against the library; returns the rows."""
    rows = match_rows(network_fingerprints(con, fp), load_library(library), p)
    replace_table(con, "matches", MATCHES_DDL, rows)
    return len(rows)
