"""The few numbers a finished run is summed up by (printed by `run` and `demo`).

Read from the case database after detection, so the summary says the same as the outputs.
"""

from __future__ import annotations

from typing import Any

import duckdb

from ..exports.graph import table_exists


def case_summary(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Accounts, posts, networks (and how many are consistent with inauthentic behaviour) and
    flagged accounts of a detected case."""
    accounts = con.execute("SELECT count(DISTINCT account_id) FROM accounts").fetchall()[0][0]
    posts = con.execute("SELECT count(*) FROM posts").fetchall()[0][0]
    nets = inauthentic = flagged = ops = bad_ops = 0
    if table_exists(con, "networks") and table_exists(con, "verdicts"):
        flagged = con.execute("SELECT count(*) FROM verdicts WHERE flagged").fetchall()[0][0]
        nets, inauthentic = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE inauthentic) FROM networks").fetchall()[0]
    if table_exists(con, "operations"):
        ops, bad_ops = con.execute("SELECT count(*), count(*) FILTER "
                                   "(WHERE n_inauthentic_networks > 0) FROM operations"
                                   ).fetchall()[0]
    return {"accounts": accounts, "posts": posts, "networks": nets,
            "inauthentic_networks": inauthentic, "flagged": flagged, "operations": ops,
            "inauthentic_operations": bad_ops}


def summary_lines(s: dict[str, Any]) -> list[str]:
    """The summary in plain sentences (a run without posts says what that leaves out)."""
    def n(k: int, word: str) -> str:
        return f"{k:,} {word}{'' if k == 1 else 's'}"

    if s["posts"]:
        lines = [f"{n(s['accounts'], 'account')} and {n(s['posts'], 'post')} analysed."]
    else:
        lines = [f"{n(s['accounts'], 'account')} analysed, and no posts: co-action traces "
                 "need posts, so no network can be found and only the account signals ran. "
                 "Add the posts file (for an IO archive, the *_tweets_csv_* file) to look for "
                 "coordination."]
    if s["operations"]:
        lines.append(f"{n(s['operations'], 'coordinated operation')} found "
                     f"({n(s['networks'], 'network')}): {s['inauthentic_operations']} consistent "
                     f"with inauthentic behaviour, {s['operations'] - s['inauthentic_operations']}"
                     f" open coordination; {n(s['flagged'], 'account')} flagged.")
    else:
        lines.append(f"{n(s['networks'], 'coordinated network')} found, "
                     f"{s['inauthentic_networks']} consistent with inauthentic behaviour; "
                     f"{n(s['flagged'], 'account')} flagged.")
    return lines
