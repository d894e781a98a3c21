"""`python -m bench.personas`: persona links on `inconcert simulate --platform multi`.

For each seed: simulate the four platforms, ingest every export into one case, run the persona
stage (`inconcert.operations.personas`) and compare `persona_links` with `truth/personas.csv`:

- recall: share of the true cross-platform pairs (two accounts of one persona on two platforms,
  operation and same-person alike) that are linked;
- false links: linked pairs that are not one persona in truth, and how many of them touch a
  look-alike (an organic account carrying someone's display name and the default avatar).

    PYTHONPATH=src .venv/bin/python -m bench.personas --seeds 1 2 [--set key=value ...]
"""

from __future__ import annotations

import argparse
import csv
import tempfile
from collections import defaultdict
from itertools import combinations
from pathlib import Path

from inconcert.config import load
from inconcert.ingest import ingest_paths
from inconcert.operations.personas import components, link_personas
from inconcert.simulate.multiplatform import simulate_multiplatform
from inconcert.store import Store


def truth_pairs(path: Path) -> tuple[dict[tuple[str, str, str, str], str],
                                     set[tuple[str, str]]]:
    """The true cross-platform pairs (ordered as persona_links orders them) with their kind
    (operation or same_person), and the look-alike accounts, from personas.csv."""
    members: dict[str, list[tuple[str, str]]] = defaultdict(list)
    kind: dict[str, str] = {}
    lookalikes = set()
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            members[r["persona_id"]].append((r["platform"], r["account_id"]))
            kind[r["persona_id"]] = r["kind"]
            if r["kind"] == "lookalike":
                lookalikes.add((r["platform"], r["account_id"]))
    pairs = {}
    for pid, accs in members.items():
        for a, b in combinations(sorted(accs), 2):
            if a[0] != b[0]:
                pairs[(*a, *b)] = kind[pid]
    return pairs, lookalikes


def measure(seed: int, overrides: list[str], work: Path) -> dict[str, object]:
    """Simulate, ingest, link and count for one seed."""
    out = work / f"multi{seed}"
    files = [p for p in simulate_multiplatform(out, seed=seed) if "inputs" in p.parts]
    cfg = load(None, overrides)
    with Store(work / f"case{seed}.duckdb") as store:
        ingest_paths(store, files)
        link_personas(store.con, cfg)
        links = store.con.execute("SELECT platform_a, account_a, platform_b, account_b, kinds "
                                  "FROM persona_links").fetchall()
    kinds, lookalikes = truth_pairs(out / "truth" / "personas.csv")
    truth = set(kinds)
    linked = {r[:4] for r in links}
    # pairs implied by the links (one persona = one connected component)
    members: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for acc, pid in components(linked).items():
        members[pid].append(acc)
    implied = {(*a, *b) for accs in members.values() for a, b in combinations(sorted(accs), 2)
               if a[0] != b[0]}
    false = linked - truth
    touching = {f for f in false if f[:2] in lookalikes or f[2:] in lookalikes}
    by_kinds: dict[str, int] = defaultdict(int)
    for r in links:
        by_kinds[r[4]] += 1
    return {"seed": seed, "true_pairs": len(truth), "linked": len(linked),
            "found": len(linked & truth), "recall": len(linked & truth) / max(1, len(truth)),
            "by_kind": {k: (sum(1 for t in implied & truth if kinds[t] == k),
                            sum(1 for t in truth if kinds[t] == k))
                        for k in sorted(set(kinds.values()))},
            "persona_found": len(implied & truth),
            "persona_recall": len(implied & truth) / max(1, len(truth)),
            "persona_false": len(implied - truth),
            "false_links": len(false), "false_touching_lookalikes": len(touching),
            "lookalikes": len(lookalikes), "missed": sorted(truth - linked)[:10],
            "false": sorted(false)[:10], "kinds": dict(sorted(by_kinds.items()))}


def main() -> None:
    """Print recall and false links per seed."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--set", dest="overrides", action="append", default=[],
                    help="a parameter override, e.g. operations.personas.max_holders=1")
    ap.add_argument("--work", type=Path, default=None, help="folder for the simulations")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(dir=args.work) as tmp:
        for seed in args.seeds:
            m = measure(seed, args.overrides, Path(tmp))
            print(f"seed {m['seed']}: {m['found']}/{m['true_pairs']} true cross-platform pairs "
                  f"linked (recall {m['recall']:.3f}); {m['false_links']} false links, "
                  f"{m['false_touching_lookalikes']} touching the {m['lookalikes']} look-alikes")
            print(f"  as personas (links' connected components): {m['persona_found']}/"
                  f"{m['true_pairs']} pairs (recall {m['persona_recall']:.3f}), "
                  f"{m['persona_false']} false; by truth kind (found, pairs): {m['by_kind']}")
            print(f"  links by kinds: {m['kinds']}")
            if m["missed"]:
                print(f"  missed (first 10): {m['missed']}")
            if m["false"]:
                print(f"  false (first 10): {m['false']}")


if __name__ == "__main__":
    main()
