"""`inconcert evaluate`: how well a run's accounts.csv matches ground-truth labels.

Labels are a CSV with at least `account_id,label` (and optionally `role`). A label is a
**positive** unless it names an authentic account: `organic`, `human`, `genuine`, `authentic`,
`real`, `legit`, `negative`, `control`, `benign`, `0` or `false` (case-insensitive). So the
simulator's `campaign`, a bot dataset's `bot`, or `ira`/`troll` are positives.

Measured over the labelled accounts:
- precision, recall and F1 of `flagged`;
- ROC AUC of `score` (the Mann-Whitney statistic, ties counted half);
- precision at k for k = 10, 50, 100 and the number of positives, ranking by score (ties broken
  by account id, so the number is reproducible);
- per role (when labels have a `role` column): how many accounts, how many flagged and the share
  — recall for a positive role (seeder, amplifier, ...), false-positive rate for a negative one
  (fan, newsroom, ...) — the mean score, and for positive roles the AUC against all negatives.

A labelled account absent from accounts.csv counts as not flagged with score 0 (a miss);
accounts.csv rows without a label are left out and counted.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError

NEGATIVE_LABELS = frozenset({"organic", "human", "genuine", "authentic", "real", "legit",
                             "negative", "control", "benign", "0", "false"})
_NEUTRALISED = ("'=", "'+", "'-", "'@", "'\t", "'\r")


def is_positive(label: str) -> bool:
    """Whether a ground-truth label marks an inauthentic/coordinated account."""
    return label.strip().casefold() not in NEGATIVE_LABELS


def _cell(v: str | None) -> str:
    # Undo safecsv's formula neutralisation (a leading apostrophe). The current writers keep a
    # plain id exact in both files (`+abc=` stays `+abc=`), but an id is still read with the
    # apostrophe in files written earlier (labels.csv from the simulator before it named its id
    # columns, accounts.csv from before safecsv had id columns: `'+abc=`) and, in any file,
    # for an id that is not a plain id (one led by `=` or `@`), which a hand-written labels
    # file holds bare. Stripping it from both files lets all of these join. The cost: an id
    # that really begins with `'` and one of these characters is read without its apostrophe
    # (from both files alike, so it still joins; the files themselves hold it unchanged).
    s = v or ""
    return s[1:] if s.startswith(_NEUTRALISED) else s


def _read_csv(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            names = [n.strip().casefold() for n in reader.fieldnames or []]
            missing = [c for c in required if c not in names]
            if missing:
                raise InputError(f"missing column(s) {', '.join(missing)}", str(path), 1)
            return [{k.strip().casefold(): _cell(v) for k, v in row.items() if k is not None}
                    for row in reader]
    except OSError as e:
        raise InputError(f"cannot read ({e.strerror})", str(path)) from None
    except (csv.Error, UnicodeDecodeError) as e:
        raise InputError(f"not a readable CSV ({e})", str(path)) from None


def roc_auc(pos: list[float], neg: list[float]) -> float | None:
    """P(score of a random positive > score of a random negative), ties counting half; None
    when either class is empty."""
    if not pos or not neg:
        return None
    ranked = sorted([(s, 1) for s in pos] + [(s, 0) for s in neg])
    rank_sum = 0.0
    i = 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        avg = (i + 1 + j) / 2  # mean of ranks i+1 .. j
        rank_sum += avg * sum(1 for k in range(i, j) if ranked[k][1])
        i = j
    n_pos, n_neg = len(pos), len(neg)
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


@dataclass
class Evaluation:
    """The measured quality of a run against labels."""

    n_labelled: int
    n_positive: int
    n_flagged: int
    true_positive: int
    precision: float | None
    recall: float | None
    f1: float | None
    auc: float | None
    precision_at: dict[str, float | None]
    roles: list[dict[str, Any]] = field(default_factory=list)
    missing_from_output: int = 0
    unlabelled_in_output: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Plain values (JSON-ready)."""
        return dict(self.__dict__)


def evaluate(out_dir: Path, labels_path: Path) -> Evaluation:
    """Compare `out_dir/accounts.csv` with a labels CSV (see the module docstring)."""
    accounts_path = Path(out_dir) / "accounts.csv"
    if not accounts_path.exists():
        raise InputError("no accounts.csv here: run `inconcert detect` or `run` first",
                         str(out_dir))
    out = {r["account_id"]: r for r in _read_csv(accounts_path,
                                                 ("account_id", "score", "flagged"))}
    labels = _read_csv(Path(labels_path), ("account_id", "label"))
    if not labels:
        raise InputError("no labelled accounts", str(labels_path))
    rows = []
    for lab in labels:
        r = out.get(lab["account_id"])
        try:
            score = float(r["score"]) if r and r["score"] else 0.0
        except ValueError:
            raise InputError(f"score {r['score']!r} is not a number for account "
                             f"{lab['account_id']!r}", str(accounts_path)) from None
        rows.append({"id": lab["account_id"], "pos": is_positive(lab["label"]),
                     "label": lab["label"], "role": lab.get("role") or "",
                     "flagged": bool(r) and r["flagged"].strip().casefold() == "true",
                     "score": score, "found": r is not None})
    n_pos = sum(r["pos"] for r in rows)
    n_flag = sum(r["flagged"] for r in rows)
    tp = sum(r["pos"] and r["flagged"] for r in rows)
    precision, recall = _ratio(tp, n_flag), _ratio(tp, n_pos)
    f1 = (2 * precision * recall / (precision + recall)
          if precision is not None and recall is not None and precision + recall > 0 else None)
    neg_scores = [r["score"] for r in rows if not r["pos"]]
    ranking = sorted(rows, key=lambda r: (-r["score"], r["id"]))
    at = {}
    for k in (10, 50, 100, n_pos):
        top = ranking[:k]
        at[str(k)] = _ratio(sum(r["pos"] for r in top), len(top)) if k else None
    roles = []
    for label, role in sorted({(r["label"], r["role"]) for r in rows}):
        grp = [r for r in rows if r["label"] == label and r["role"] == role]
        pos = is_positive(label)
        flagged = sum(r["flagged"] for r in grp)
        roles.append({
            "label": label, "role": role, "positive": pos, "n": len(grp), "flagged": flagged,
            "flagged_share": _ratio(flagged, len(grp)),
            "mean_score": sum(r["score"] for r in grp) / len(grp),
            "auc_vs_negatives": roc_auc([r["score"] for r in grp], neg_scores) if pos else None})
    return Evaluation(len(rows), n_pos, n_flag, tp, precision, recall, f1,
                      roc_auc([r["score"] for r in rows if r["pos"]], neg_scores), at, roles,
                      missing_from_output=sum(not r["found"] for r in rows),
                      unlabelled_in_output=len(set(out) - {r["id"] for r in rows}))
