"""The inauthenticity score: fired account signals combined into one number in [0, 1].

Each fired signal is a piece of evidence with a strength in [0, 1] (`account_signals`). Its
*weight* says how much that kind of evidence alone should move an investigator: a creation burst
or a hijacked-dormant pattern more, an automation client or an office-hours rhythm less. The score
is the noisy-OR of weight × strength over the account's fired signals:

    inauthenticity_score = 1 - prod_s (1 - weight_s * strength_s)

so independent signals corroborate each other, while one signal alone can never exceed its weight
(every default weight is at most 0.6, and the weak ones 0.25-0.4: a single weak signal does not
make an account look fake). A network-stage variant (`<signal>_network`) is the same kind of
evidence as its account-stage signal, so the two count once (their larger product). Signals with
no configured weight (added later) get `default_weight`.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from .. import config
from ..config import Config
from .base import SIGNALS_DDL

DEFAULT_WEIGHTS = {
    "batch_creation": 0.6,
    "dormant_reactivated": 0.6,
    "persona_mismatch": 0.6,
    "handles_profiles": 0.5,
    "gan_face": 0.5,
    "avatar_reuse": 0.45,
    "activity_rhythm": 0.4,
    "client_apps": 0.25,
}


@config.section("signals.score")
@dataclass
class ScoreParams:
    weights: dict = config.param(
        DEFAULT_WEIGHTS, "weight of each signal in the noisy-OR (the most one signal alone can "
                         "contribute to the score; entries given replace the defaults one by one)")
    default_weight: float = config.param(0.4, "weight of a signal with no configured weight")


def family(signal: str) -> str:
    """The kind of evidence a signal gives: a network-stage variant counts as its base signal."""
    return signal.removesuffix("_network")


def inauthenticity_scores(con: duckdb.DuckDBPyConnection, cfg: Config) -> int:
    """(Re)write `account_scores(account_id, inauthenticity_score, signals)`: one row per account
    of the case (and per account any signal fired on), `signals` the `;`-separated fired signal
    names in name order. Returns the number of rows."""
    p: ScoreParams = cfg.section("signals.score")
    weights = {**DEFAULT_WEIGHTS, **p.weights}
    con.execute(SIGNALS_DDL).fetchall()
    names = [r[0] for r in con.execute(
        "SELECT DISTINCT signal FROM account_signals ORDER BY 1").fetchall()]
    values = [(n, float(weights.get(n, weights.get(family(n), p.default_weight))), family(n))
              for n in names] or [("", 0.0, "")]
    con.execute("CREATE OR REPLACE TEMP TABLE _signal_weights (signal VARCHAR, weight DOUBLE, "
                "family VARCHAR)").fetchall()
    con.executemany("INSERT INTO _signal_weights VALUES (?, ?, ?)", values)
    con.execute("""
        CREATE OR REPLACE TABLE account_scores AS
        WITH s AS (
            SELECT a.account_id, w.family,
                   least(1.0, greatest(0.0, a.strength * w.weight)) AS p
            FROM account_signals a JOIN _signal_weights w USING (signal)),
        f AS (SELECT account_id, family, max(p) AS p FROM s GROUP BY ALL),
        c AS (SELECT account_id,
                     1 - exp(sum(ln(greatest(1e-12, 1 - p)))) AS score
              FROM f GROUP BY account_id),
        n AS (SELECT account_id, string_agg(DISTINCT signal, ';' ORDER BY signal) AS signals
              FROM account_signals GROUP BY account_id),
        ids AS (SELECT account_id FROM accounts UNION SELECT account_id FROM account_signals)
        SELECT ids.account_id,
               round(coalesce(c.score, 0.0), 6) AS inauthenticity_score,
               coalesce(n.signals, '') AS signals
        FROM ids LEFT JOIN c USING (account_id) LEFT JOIN n USING (account_id)
        ORDER BY ids.account_id
    """).fetchall()
    con.execute("DROP TABLE _signal_weights").fetchall()
    return int(con.execute("SELECT count(*) FROM account_scores").fetchall()[0][0])
