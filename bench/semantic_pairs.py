"""`python -m bench.semantic_pairs`: the evidence for `traces.semantic_copy.lexical_threshold`.

Reads the IRA tweets (`../shared/data/ira_538_russian_trolls`), keeps English originals of
2016-10-01 to 2016-10-09 with >= 30 characters after normalisation, and compares every distinct
text with the texts before it in its 6 h bucket and the previous one, as the trace does. Prints
how many pairs of different accounts fall in each cosine band and a seeded sample of each, to be
read: are they copies of one talking point or different texts?
"""

from __future__ import annotations

import argparse
import csv
import gzip
import random
from datetime import datetime
from pathlib import Path

from inconcert.narratives.embed import CharNgrams, clean_text
from inconcert.normalize import norm_text
from inconcert.traces.co_text import text_length

ROOT = Path(__file__).resolve().parent.parent
ARCHIVE = ROOT.parent / "shared" / "data" / "ira_538_russian_trolls"
BANDS = ((0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 1.01))
BUCKET_S = 6 * 3600


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--archive", type=Path, default=ARCHIVE)
    ap.add_argument("--days", default="2016-10-0", help="publish_date prefix kept")
    ap.add_argument("--sample", type=int, default=12, help="pairs printed per band")
    a = ap.parse_args()
    first: dict[str, tuple[int, str, str]] = {}  # normalised text -> (time, author, raw text)
    path = a.archive / "ira_tweets_2016-09_to_2016-11.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["post_type"] or r["language"] != "English" or \
                    not r["publish_date"].startswith(a.days):
                continue
            norm = norm_text(r["content"])
            if text_length(norm) >= 30 and norm not in first:
                t = int(datetime.fromisoformat(r["publish_date"]).timestamp())
                first[norm] = (t, r["author_id"], r["content"])
    docs = sorted((t, author, norm, raw) for norm, (t, author, raw) in first.items())
    buckets: dict[int, list[int]] = {}
    for i, d in enumerate(docs):
        buckets.setdefault(d[0] // BUCKET_S, []).append(i)
    chars = CharNgrams(2, 4, 1 << 20, 0.6)
    found: dict[tuple[float, float], list[tuple[float, str, str]]] = {b: [] for b in BANDS}
    for b in sorted(buckets):
        prev = buckets.get(b - 1, [])
        pool = prev + buckets[b]
        x = chars.embed_local([clean_text(docs[i][2]) for i in pool])
        sim = (x @ x.T).toarray()
        for r in range(len(prev), len(pool)):
            for k in range(r):
                v = float(sim[r, k])
                if docs[pool[r]][1] == docs[pool[k]][1]:
                    continue
                for lo, hi in BANDS:
                    if lo <= v < hi:
                        found[(lo, hi)].append((v, docs[pool[k]][3], docs[pool[r]][3]))
    print(f"{len(docs)} distinct texts")
    rng = random.Random(1)
    for (lo, hi), pairs in found.items():
        print(f"== cosine {lo:.1f}-{min(hi, 1.0):.1f}: {len(pairs)} pairs of different accounts")
        for v, x, y in rng.sample(pairs, min(a.sample, len(pairs))):
            print(f"{v:.3f} | {x[:140]} || {y[:140]}".replace("\n", " "))


if __name__ == "__main__":
    main()
