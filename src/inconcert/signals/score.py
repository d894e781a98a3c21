"""The inauthenticity score: the probability that an account is inauthentic, given its signals.

The fired account signals are combined naive-Bayes style: each kind of evidence multiplies the
odds by its **likelihood ratio** — how much more often that evidence is seen on inauthentic
accounts than on genuine ones —, starting from a stated **prior**:

    logit(inauthenticity_score) = logit(prior) + sum over signals s of log LR_s(account)

- a fired signal's ratio depends on its strength (`bins`: one ratio per strength band);
- a signal that was computed and did *not* fire counts too (its `absent` ratio, usually below
  1), but only where it judged every account and its silence means the same on every labelled
  set: `handles_profiles`. Rhythm, persona or dormancy signals need enough posts or a claim, so
  their silence says nothing about accounts they could not judge; and no creation burst says
  nothing about operations that use old accounts;
- a network-stage variant (`<signal>_network`) is the same evidence as its account-stage signal:
  the two count once (the larger ratio);
- the ratios are *measured*, not chosen: `data/likelihood_ratios.json` is written by
  `bench/calibration.py` from labelled sets — real ones (Cresci et al. 2015 bought followers vs
  genuine accounts, the China 2019 rosters vs a random sample, Thai and Russian state accounts vs
  German and Russian Twitter users) and the simulator as one source among several, each set
  counting equally. A signal no set measures gets `default_ratio`.

The score is calibrated when the prior is the share of inauthentic accounts in the data; the
calibration measured on each labelled set (reliability curves, cross-validated so no set is scored
by ratios fitted to it) is in `docs/signals.md`. Naive Bayes assumes the signals independent given
the label; where they are not (two profile marks of one vendor), the score is overconfident.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb

from .. import config
from ..config import Config
from .base import SIGNALS_DDL
from .features import has_table

_DATA = Path(__file__).parent / "data" / "likelihood_ratios.json"
# Signals that judge every account holding the field they read, and whose silence is evidence
# across the labelled sets. Not batch_creation: bought followers come in bursts (Cresci: 80 %),
# but operations that buy or take over old accounts do not (China 2019 set 2: 189 of 196 created
# before 2016), so no burst says nothing.
JUDGED_WHERE = {"handles_profiles": "TRUE"}


@cache
def measured() -> dict:
    """The shipped likelihood-ratio table (`data/likelihood_ratios.json`)."""
    return json.loads(_DATA.read_text(encoding="utf-8"))


@config.section("signals.score")
@dataclass
class ScoreParams:
    prior: float = config.param(
        0.1, "share of the case's accounts expected to be inauthentic before any signal is "
             "seen; the score is a calibrated probability when this is the data's real share")
    ratios: dict = config.param(
        {}, "likelihood ratios replacing the measured ones, per signal: {fired = [one per "
            "strength band], absent = ratio when judged and not fired}")
    default_ratio: float = config.param(
        3.0, "likelihood ratio of a fired signal no labelled set measures (3: the lower end of "
             "'positive' evidence on Kass & Raftery's 1995 scale)")


def family(signal: str) -> str:
    """The kind of evidence a signal gives: a network-stage variant counts as its base signal."""
    return signal.removesuffix("_network")


def ratio_table(p: ScoreParams) -> tuple[list[float], dict[str, dict]]:
    """(strength band lower bounds, {signal: {"fired": [...], "absent": x}}), the shipped table
    with the configured replacements."""
    table = measured()
    signals = {s: dict(v) for s, v in table["signals"].items()}
    for s, v in p.ratios.items():
        signals[s] = {**signals.get(s, {}), **v}
    return list(table["bins"]), signals


def fired_ratio(bins: list[float], entry: dict | None, strength: float, default: float) -> float:
    """The likelihood ratio of a signal fired with this strength."""
    if not entry or "fired" not in entry:
        return default
    band = max(i for i, lo in enumerate(bins) if strength >= lo or i == 0)
    return float(entry["fired"][min(band, len(entry["fired"]) - 1)])


def inauthenticity_scores(con: duckdb.DuckDBPyConnection, cfg: Config) -> int:
    """(Re)write `account_scores(account_id, inauthenticity_score, signals)`: one row per account
    of the case (and per account any signal fired on), `signals` the `;`-separated fired signal
    names in name order. Returns the number of rows."""
    p: ScoreParams = cfg.section("signals.score")
    bins, table = ratio_table(p)
    con.execute(SIGNALS_DDL).fetchall()
    names = [r[0] for r in con.execute(
        "SELECT DISTINCT signal FROM account_signals ORDER BY 1").fetchall()]
    # One log ratio per (signal, band): the SQL looks the band up by strength.
    values = []
    for n in names:
        entry = table.get(n, table.get(family(n)))
        for i, lo in enumerate(bins):
            hi = bins[i + 1] if i + 1 < len(bins) else 2.0
            values.append((n, family(n), 0.0 if i == 0 else lo, hi,
                           math.log(fired_ratio(bins, entry, lo, p.default_ratio))))
    con.execute("CREATE OR REPLACE TEMP TABLE _signal_ratios (signal VARCHAR, family VARCHAR, "
                "lo DOUBLE, hi DOUBLE, log_lr DOUBLE)").fetchall()
    if values:
        con.executemany("INSERT INTO _signal_ratios VALUES (?, ?, ?, ?, ?)", values)
    ok = set()
    if has_table(con, "signal_runs"):
        ok = {r[0] for r in con.execute(
            "SELECT signal FROM signal_runs WHERE status = 'ok'").fetchall()}
    absent = [(s, math.log(float(table[s]["absent"]))) for s in sorted(JUDGED_WHERE)
              if s in ok and "absent" in table.get(s, {})]
    absent_sql = " UNION ALL ".join(
        f"SELECT account_id, '{s}' AS family, {lr!r} AS log_lr FROM accounts "
        f"WHERE {JUDGED_WHERE[s]} AND account_id NOT IN "
        f"(SELECT account_id FROM account_signals WHERE signal = '{s}')"
        for s, lr in absent) or \
        "SELECT NULL AS account_id, NULL AS family, 0.0 AS log_lr WHERE false"
    logit_prior = math.log(p.prior / (1 - p.prior))
    con.execute(f"""
        CREATE OR REPLACE TABLE account_scores AS
        WITH s AS (
            SELECT a.account_id, r.family, r.log_lr
            FROM account_signals a JOIN _signal_ratios r
              ON r.signal = a.signal AND a.strength >= r.lo AND a.strength < r.hi),
        f AS (SELECT account_id, family, max(log_lr) AS log_lr FROM s GROUP BY ALL),
        u AS (SELECT * FROM f UNION ALL SELECT DISTINCT * FROM ({absent_sql})),
        c AS (SELECT account_id, sum(log_lr) AS log_lr FROM u GROUP BY account_id),
        n AS (SELECT account_id, string_agg(DISTINCT signal, ';' ORDER BY signal) AS signals
              FROM account_signals GROUP BY account_id),
        ids AS (SELECT account_id FROM accounts UNION SELECT account_id FROM account_signals)
        SELECT ids.account_id,
               round(1 / (1 + exp(-({logit_prior!r} + coalesce(c.log_lr, 0.0)))), 6)
                   AS inauthenticity_score,
               coalesce(n.signals, '') AS signals
        FROM ids LEFT JOIN c USING (account_id) LEFT JOIN n USING (account_id)
        ORDER BY ids.account_id
    """).fetchall()
    con.execute("DROP TABLE _signal_ratios").fetchall()
    return int(con.execute("SELECT count(*) FROM account_scores").fetchall()[0][0])
