"""How well found narratives agree with known ones (the simulator's `campaign_posts.csv`).

Measured over the labelled posts that networks posted or amplified: coverage (share placed in a
narrative), adjusted Rand index and purity over the placed ones, inverse purity (how whole each
true narrative stays). The simulator writes each narrative from several templates, template `k`
in Chinese translating template `k` in English, so a *talking point* is a narrative's template
whatever its language (`xinjiang_denial.en.1` and `xinjiang_denial.zh.1` are one talking point);
the adjusted Rand index against talking points, and the share of talking points written in both
languages whose English and Chinese posts mostly land in the same found narrative, say whether
translations are joined.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb

from ..errors import InputError
from ..signals.features import rows
from .content import network_content


def adjusted_rand(a: list[str], b: list[str]) -> float:
    """Adjusted Rand index of two labelings of the same items (1 identical, ~0 chance)."""
    n = len(a)
    if n < 2:
        return 1.0

    def pairs(x: int) -> float:
        return x * (x - 1) / 2

    index = sum(pairs(c) for c in Counter(zip(a, b, strict=True)).values())
    sa = sum(pairs(c) for c in Counter(a).values())
    sb = sum(pairs(c) for c in Counter(b).values())
    expected = sa * sb / pairs(n)
    top = (sa + sb) / 2
    return 1.0 if top == expected else (index - expected) / (top - expected)


def talking_point(template: str) -> str:
    """A template id without its language: `narrative.en.1` -> `narrative.1`."""
    parts = template.split(".")
    return ".".join(parts[:1] + parts[2:]) if len(parts) >= 3 else template


def _majority(labels: list[str]) -> str | None:
    if not labels:
        return None
    return sorted(Counter(labels).items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


def agreement(con: duckdb.DuckDBPyConnection, truth_csv: Path) -> dict[str, Any]:
    """Agreement of `narrative_posts` with a `post_id,narrative,language` CSV."""
    try:
        with open(truth_csv, encoding="utf-8", newline="") as f:
            truth = {r["post_id"]: (r["narrative"], r["language"], talking_point(r["template"]))
                     for r in csv.DictReader(f)}
    except (OSError, KeyError) as e:
        raise InputError(f"cannot read narrative ground truth ({e})", str(truth_csv)) from None
    pushed = {it.source_post_id for it in network_content(con)} & set(truth)
    found = dict(rows(con, "SELECT DISTINCT source_post_id, narrative_id FROM narrative_posts"))
    placed = sorted(p for p in pushed if p in found)
    t = [truth[p][0] for p in placed]
    f = [found[p] for p in placed]
    by_found: dict[str, Counter[str]] = {}
    by_true: dict[str, Counter[str]] = {}
    for tl, fl in zip(t, f, strict=True):
        by_found.setdefault(fl, Counter())[tl] += 1
        by_true.setdefault(tl, Counter())[fl] += 1
    n = len(placed)
    points = {}
    for point in sorted({truth[p][2] for p in placed}):
        maj = {lang: _majority([found[p] for p in placed if truth[p][2] == point
                                and truth[p][1] == lang]) for lang in ("en", "zh")}
        if maj["en"] is not None and maj["zh"] is not None:
            points[point] = {"en": maj["en"], "zh": maj["zh"], "together": maj["en"] == maj["zh"]}
    return {
        "labelled_posts_pushed": len(pushed),
        "placed": n,
        "coverage": round(n / len(pushed), 4) if pushed else None,
        "found_narratives": len(by_found),
        "adjusted_rand": round(adjusted_rand(t, f), 4) if n else None,
        "purity": round(sum(max(c.values()) for c in by_found.values()) / n, 4) if n else None,
        "inverse_purity": round(sum(max(c.values()) for c in by_true.values()) / n, 4)
        if n else None,
        "adjusted_rand_talking_points": round(adjusted_rand([truth[p][2] for p in placed], f), 4)
        if n else None,
        "bilingual_talking_points": len(points),
        "translations_together": sum(v["together"] for v in points.values()),
        "by_talking_point": points,
    }
