"""Likelihood ratios of the account signals, measured on labelled sets, and the calibration of the
inauthenticity score they give (cross-validated: no set is scored by ratios fitted to itself).

    PYTHONPATH=src .venv/bin/python -m bench.calibration collect   # run the signals on each set
    PYTHONPATH=src .venv/bin/python -m bench.calibration fit       # write likelihood_ratios.json
    PYTHONPATH=src .venv/bin/python -m bench.calibration report    # reliability, AUC per set
    PYTHONPATH=src .venv/bin/python -m bench.calibration firing --min-posts 5  # fired per set
    PYTHONPATH=src .venv/bin/python -m bench.calibration indicators  # per rule of each signal

`collect` ingests each labelled set into a case under `--cache` (bench/out/calibration), runs
the account signals and keeps, per account, its label and fired signals with their strengths.
Each set measures only the signals both of its classes could show: a set whose two classes come
from sources with different fields (posts vs none, profiles vs counts only) would otherwise
credit the difference of the sources to the signal.

- cresci: INT bought followers vs E13 genuine accounts; handles_profiles, batch_creation;
- china: 2019 rosters 1+2 vs the 2019 random sample (counts only); handles_profiles (counts);
- rhythm: Thai army 2020 and IRA 2016 posts vs German and Russian Twitter 2021 (CooRTweet);
  activity_rhythm;
- sim1, sim2: the simulator's campaign vs its organic accounts (seeds 1, 2); every signal;
- thailand: the Thailand 2020 archive alone (all inauthentic): firing counts, measures nothing.

Ratios: per signal, the class-conditional frequency of each strength band (and of not firing),
averaged over the sources that measure it (each source counts equally, the simulator's seeds
together being one; add-0.5 smoothing), divided; made non-decreasing in strength (pool adjacent
violators) and kept within 1/MAX_RATIO..MAX_RATIO.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
OUT = ROOT / "src/inconcert/signals/data/likelihood_ratios.json"
BINS = [0.0, 0.5, 0.75]
FOLDS = 5
SMOOTH = 0.5
# No labelled set here holds more than a few thousand accounts per class, so frequencies below a
# thousandth are smoothing, not measurement; and a ratio measured on one population transfers to
# another only roughly. Ratios are kept within 1/MAX_RATIO..MAX_RATIO (100: "decisive" evidence
# begins at 150 on Kass & Raftery's 1995 scale).
MAX_RATIO = 100.0
# The simulator may say which way a signal points, not how strongly: it was written by the same
# people as the signals. A ratio only it measures is kept within 1/SIM_ONLY_MAX..SIM_ONLY_MAX
# (3: the end of "barely worth mentioning" on Kass & Raftery's scale, and `default_ratio`).
SIM_ONLY_MAX = 3.0


def monotone(log_lr: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Pool adjacent violators: the weighted least-squares non-decreasing fit, so that firing
    more strongly never counts as weaker evidence."""
    blocks = [[float(v), float(w), 1] for v, w in zip(log_lr, weight, strict=True)]
    i = 0
    while i < len(blocks) - 1:
        if blocks[i][0] > blocks[i + 1][0]:
            (v1, w1, n1), (v2, w2, n2) = blocks[i], blocks[i + 1]
            w = max(w1 + w2, 1e-9)
            blocks[i:i + 2] = [[(v1 * w1 + v2 * w2) / w, w1 + w2, n1 + n2]]
            i = max(i - 1, 0)
        else:
            i += 1
    return np.concatenate([[v] * n for v, _, n in blocks])


def _real_sets() -> dict[str, dict]:
    c, ch = DATA / "cresci2015_mib_profiles", DATA / "china_io_082019_accounts"
    ira = DATA / "ira_538_russian_trolls"
    th, co = DATA / "thailand_io_092020", DATA / "coortweet_examples"
    return {
        "cresci": {"files": {c / "E13_genuine_users.csv.gz": 0,
                             c / "INT_fake_followers_users.csv.gz": 1},
                   "measures": ("handles_profiles", "batch_creation")},
        "china": {"files": {ch / "china_082019_1_users_csv_hashed.csv.gz": 1,
                            ch / "china_082019_2_users_csv_hashed.csv.gz": 1,
                            ch / "random_users_control.csv.gz": 0},
                  "measures": ("handles_profiles",)},
        "rhythm": {"files": {th / "thailand_092020_tweets_csv_hashed.csv.gz": 1,
                             ira / "ira_tweets_2016-09_to_2016-11.csv.gz": 1,
                             co / "german_elections.csv.gz": 0,
                             co / "russian_coord_tweets.csv.gz": 0},
                   "measures": ("activity_rhythm",),
                   # the rhythm is judged on accounts with 12 posts or more: compare those only,
                   # or the share of judgeable accounts in each archive becomes the "evidence"
                   "min_posts": 12},
        "thailand": {"files": {th / "thailand_092020_tweets_csv_hashed.csv.gz": 1,
                               th / "thailand_092020_users_csv_hashed.csv.gz": 1},
                     "measures": ()},
    }


def _fold(account_id: str) -> int:
    return int(hashlib.sha256(account_id.encode()).hexdigest()[:8], 16) % FOLDS


def reasons(signal: str, evidence: str) -> list[str]:
    """The rules of a signal that a fired row names in its evidence: the indicators of
    handles_profiles, the claim and contradictions of persona_mismatch, the changes of
    dormant_reactivated, the findings of activity_rhythm and client_apps."""
    ev = json.loads(evidence)
    if signal == "persona_mismatch":
        claim = ev.get("claim") or {}
        return ([f"claim_{claim['from']}"] if claim.get("from") else []) + sorted(
            ev.get("contradictions", {}))
    for key in ("indicators", "changes", "findings"):
        if isinstance(ev.get(key), dict):
            return sorted(ev[key])
    return []


def _run_case(paths: list[Path], db: Path) -> tuple[dict, dict, dict, dict, dict]:
    """Ingest, run the account signals; ({account: {signal: strength}}, {account: file},
    {signal: status}, {account: posts}, {account: {signal: rules named}})."""
    from inconcert import config
    from inconcert.ingest import ingest_paths
    from inconcert.signals import run_signals
    from inconcert.store import Store

    store = Store(db)
    ingest_paths(store, paths, max_bad_fraction=0.6)
    status = run_signals(store.con, config.load(), store.capabilities())
    fired: dict[str, dict[str, float]] = defaultdict(dict)
    why: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for acc, sig, st, ev in store.execute(
            "SELECT account_id, signal, strength, evidence FROM account_signals"):
        fired[acc][sig] = st
        why[acc][sig] = reasons(sig, ev)
    source: dict[str, str] = {}
    for acc, path in store.execute("""
            SELECT a.account_id, d.path FROM accounts a JOIN datasets d USING (dataset_id)
            UNION SELECT p.author_id, d.path FROM posts p JOIN datasets d USING (dataset_id)"""):
        source.setdefault(acc, Path(path).name)
    posts = dict(store.execute("SELECT author_id, count(*) FROM posts GROUP BY 1"))
    store.close()
    return fired, source, status, posts, why


def collect(cache: Path, only: list[str] | None) -> None:
    """Run the signals on every set and keep per account: label, fold, fired signals."""
    cache.mkdir(parents=True, exist_ok=True)
    sets = _real_sets()
    for seed in (1, 2):
        sets[f"sim{seed}"] = {"sim_seed": seed, "measures": "all"}
    for name, spec in sets.items():
        if only and name not in only:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            if "sim_seed" in spec:
                from inconcert.simulate import input_files, simulate

                files = simulate(Path(tmp) / "sim", seed=spec["sim_seed"], scale=0.5,
                                 scenario="classic")
                fired, source, status, posts, why = _run_case(input_files(files),
                                                         Path(tmp) / "case.duckdb")
                with open(Path(tmp) / "sim/labels.csv", encoding="utf-8") as f:
                    labels = {r["account_id"]: int(r["label"] == "campaign")
                              for r in csv.DictReader(f)}
            else:
                missing = [p for p in spec["files"] if not p.exists()]
                if missing:
                    print(f"{name}: skipped, missing {missing[0]}")
                    continue
                fired, source, status, posts, why = _run_case(list(spec["files"]),
                                                         Path(tmp) / "case.duckdb")
                by_name = {p.name: lab for p, lab in spec["files"].items()}
                labels = {a: by_name[f] for a, f in source.items() if f in by_name}
        rows = [{"account_id": a, "label": lab, "fold": _fold(a), "fired": fired.get(a, {}),
                 "why": why.get(a, {}), "source": source.get(a), "posts": posts.get(a, 0)}
                for a, lab in sorted(labels.items())
                if posts.get(a, 0) >= spec.get("min_posts", 0)]
        measures = sorted(status) if spec["measures"] == "all" else list(spec["measures"])
        measures = [s for s in measures if status.get(s) == "ok"]
        (cache / f"{name}.json").write_text(json.dumps(
            {"set": name, "measures": measures, "status": status, "rows": rows}), "utf-8")
        pos = sum(r["label"] for r in rows)
        print(f"{name}: {pos} inauthentic, {len(rows) - pos} genuine; measures {measures}")


def _load(cache: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text("utf-8")) for p in sorted(cache.glob("*.json"))}


def _band(strength: float) -> int:
    return max(i for i, lo in enumerate(BINS) if strength >= lo)


def fit(sets: dict[str, dict], skip: tuple[str, int | None] | None = None) -> dict:
    """Ratios from the sets (leaving out `skip` = (set, fold), or the whole set if fold None)."""
    # Per source (the simulator's seeds are one source), per signal: accounts per band and class.
    tally: dict[str, dict[str, dict[int, np.ndarray]]] = defaultdict(dict)
    counts: dict[str, dict] = defaultdict(dict)
    for name, data in sets.items():
        source = name.rstrip("0123456789")
        for sig in data["measures"]:
            by_label = tally[sig].setdefault(source, {0: np.zeros(len(BINS) + 1),
                                                      1: np.zeros(len(BINS) + 1)})
            for r in data["rows"]:
                if skip and (r["fold"] == skip[1] and name == skip[0] if skip[1] is not None
                             else source == skip[0].rstrip("0123456789")):
                    continue
                st = r["fired"].get(sig)
                by_label[r["label"]][len(BINS) if st is None else _band(st)] += 1
    freq: dict[str, dict[int, list]] = defaultdict(lambda: {0: [], 1: []})
    for sig, sources in tally.items():
        for source, by_label in sorted(sources.items()):
            if by_label[0].sum() < 20 or by_label[1].sum() < 20:
                continue
            for lab in (0, 1):
                c = by_label[lab] + SMOOTH
                freq[sig][lab].append(c / c.sum())
            counts[sig][source] = {"inauthentic": int(by_label[1].sum()),
                                   "genuine": int(by_label[0].sum()),
                                   "fired_inauthentic": int(by_label[1][:len(BINS)].sum()),
                                   "fired_genuine": int(by_label[0][:len(BINS)].sum())}
    out = {}
    for sig, f in freq.items():
        pos, neg = np.mean(f[1], axis=0), np.mean(f[0], axis=0)
        log_lr = np.log(pos / neg)
        # weight each band by how often it was seen at all (both classes, as frequencies)
        fired = monotone(log_lr[:len(BINS)], pos[:len(BINS)] + neg[:len(BINS)])
        cap = SIM_ONLY_MAX if set(counts[sig]) == {"sim"} else MAX_RATIO
        lr = np.clip(np.exp(np.append(fired, log_lr[len(BINS)])), 1 / cap, cap)
        out[sig] = {"fired": [round(float(x), 4) for x in lr[:len(BINS)]],
                    "absent": round(float(lr[len(BINS)]), 4), "measured_on": counts[sig]}
    return out


def score(row: dict, table: dict, prior: float, status: dict, default: float = 3.0) -> float:
    """The posterior of one account, as `signals.score` computes it."""
    from inconcert.signals.score import JUDGED_WHERE, family

    logit = math.log(prior / (1 - prior))
    fams: dict[str, float] = {}
    for sig, st in row["fired"].items():
        entry = table.get(sig, table.get(family(sig)))
        lr = entry["fired"][_band(st)] if entry else default
        fams[family(sig)] = max(fams.get(family(sig), -math.inf), math.log(lr))
    for sig in JUDGED_WHERE:
        if status.get(sig) == "ok" and sig not in row["fired"] and sig in table:
            fams[sig] = math.log(table[sig]["absent"])
    return 1 / (1 + math.exp(-(logit + sum(fams.values()))))


def roc_auc(pos: list[float], neg: list[float]) -> float:
    """Probability that a positive scores above a negative (ties count half)."""
    neg_s = np.sort(np.asarray(neg))
    pos_a = np.asarray(pos)
    lo = np.searchsorted(neg_s, pos_a, "left")
    hi = np.searchsorted(neg_s, pos_a, "right")
    return float((lo + (hi - lo) / 2).sum() / (len(pos_a) * len(neg_s)))


def reliability(pred: np.ndarray, label: np.ndarray, bins: int = 10) -> tuple[list, float]:
    """([(bin low, accounts, mean predicted, observed share)], expected calibration error)."""
    rows, ece = [], 0.0
    edges = np.linspace(0, 1, bins + 1)
    idx = np.clip(np.digitize(pred, edges) - 1, 0, bins - 1)
    for b in range(bins):
        m = idx == b
        if m.any():
            rows.append((round(float(edges[b]), 1), int(m.sum()), round(float(pred[m].mean()), 3),
                         round(float(label[m].mean()), 3)))
            ece += m.sum() / len(pred) * abs(pred[m].mean() - label[m].mean())
    return rows, float(ece)


def report(sets: dict[str, dict], prior: float | None, leave_set_out: bool = False) -> dict:
    """Cross-validated scores per set: AUC, Brier, ECE, reliability rows. Each fold of a set is
    scored by ratios fitted without it (the set's other folds and the other sets), or, with
    `leave_set_out`, by ratios fitted on the other sets alone."""
    out = {}
    for name, data in sets.items():
        rows = data["rows"]
        labels = np.array([r["label"] for r in rows])
        if labels.min() == labels.max():
            continue
        base = float(labels.mean())
        pred = np.zeros(len(rows))
        for k in range(FOLDS):
            table = fit(sets, (name, None if leave_set_out else k))
            for i, r in enumerate(rows):
                if r["fold"] == k:
                    pred[i] = score(r, table, prior or base, data["status"])
        rel, ece = reliability(pred, labels)
        if name == "china":  # the second roster (old accounts) alone against the control
            two = np.array([(r["source"] or "").startswith("china_082019_2") or not r["label"]
                            for r in rows])
            out["china set 2 vs control"] = {"auc": round(roc_auc(
                pred[two & (labels == 1)].tolist(), pred[two & (labels == 0)].tolist()), 4)}
        out[name] = {"accounts": len(rows), "base_rate": round(base, 3),
                     "prior": round(prior or base, 3),
                     "auc": round(roc_auc(pred[labels == 1].tolist(),
                                          pred[labels == 0].tolist()), 4),
                     "brier": round(float(((pred - labels) ** 2).mean()), 4),
                     "ece": round(ece, 4), "reliability": rel}
    return out


def firing(sets: dict[str, dict], min_posts: int = 0) -> dict:
    """Per set: accounts per class, and per signal how many of each class it fired on (only
    accounts with at least `min_posts` posts)."""
    out = {}
    for name, data in sets.items():
        rows = [r for r in data["rows"] if r.get("posts", 0) >= min_posts]
        n = {lab: sum(1 for r in rows if r["label"] == lab) for lab in (0, 1)}
        sigs = sorted({s for r in rows for s in r["fired"]})
        out[name] = {"accounts": {"inauthentic": n[1], "genuine": n[0]},
                     "any_signal": {"inauthentic": sum(1 for r in rows
                                                       if r["label"] and r["fired"]),
                                    "genuine": sum(1 for r in rows
                                                   if not r["label"] and r["fired"])},
                     "signals": {s: {"inauthentic": sum(1 for r in rows
                                                        if r["label"] and s in r["fired"]),
                                     "genuine": sum(1 for r in rows
                                                    if not r["label"] and s in r["fired"])}
                                 for s in sigs},
                     "status": data["status"]}
    return out


def indicators(sets: dict[str, dict], min_posts: int = 0) -> dict:
    """Per set and class: how many fired accounts each rule of each signal is named on
    (`signal:rule`; an account counts once per rule it names)."""
    out = {}
    for name, data in sets.items():
        rows = [r for r in data["rows"] if r.get("posts", 0) >= min_posts]
        n = {lab: sum(1 for r in rows if r["label"] == lab) for lab in (0, 1)}
        tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for r in rows:
            for sig, rules in r.get("why", {}).items():
                for rule in rules or ["fired"]:
                    tally[f"{sig}:{rule}"][1 - int(r["label"])] += 1
        out[name] = {"accounts": {"inauthentic": n[1], "genuine": n[0]},
                     "rules": {k: {"inauthentic": v[0], "genuine": v[1]}
                               for k, v in sorted(tally.items())}}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("what", choices=("collect", "fit", "report", "firing", "indicators"))
    ap.add_argument("--cache", type=Path, default=ROOT / "bench" / "out" / "calibration")
    ap.add_argument("--sets", nargs="*", help="collect only these sets")
    ap.add_argument("--prior", type=float, default=None,
                    help="report: prior for every set (default: each set's base rate)")
    ap.add_argument("--min-posts", type=int, default=0,
                    help="firing: count only accounts with at least this many posts")
    ap.add_argument("--leave-set-out", action="store_true",
                    help="report: score each set with ratios from the other sets only")
    a = ap.parse_args()
    if a.what == "collect":
        collect(a.cache, a.sets)
        return
    sets = _load(a.cache)
    if a.what == "fit":
        table = fit(sets)
        OUT.write_text(json.dumps({
            "_about": "Likelihood ratios of the account signals per strength band (bins: lower "
                      "bounds) and when judged but not fired (absent), measured by "
                      "bench/calibration.py on labelled sets (measured_on: accounts per class); "
                      "each set counts equally, add-0.5 smoothing.",
            "bins": BINS, "signals": table}, indent=1, sort_keys=True) + "\n", "utf-8")
        print(json.dumps(table, indent=1))
    elif a.what == "firing":
        print(json.dumps(firing(sets, a.min_posts), indent=1))
    elif a.what == "indicators":
        print(json.dumps(indicators(sets, a.min_posts), indent=1))
    else:
        print(json.dumps(report(sets, a.prior, a.leave_set_out), indent=1))


if __name__ == "__main__":
    main()
