"""A real information-operations archive placed inside a synthetic organic background.

The archive's busiest 90 days set the period; the simulator writes an organic platform over
those days (randomised families, no campaign, a share of its people from the archive's own
country when given). Both are written as one hashed IO release: like the real releases,
accounts under 5,000 followers carry a hashed user id, with the same hash as their names, so
the id format does not tell the archive from the background. Every archive account that posts
in the period is a positive in labels.csv (`campaign`, role `archive`); the background keeps
its own labels. See docs/simulator.md.
"""

from __future__ import annotations

import base64
import hashlib
import json
import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from ..errors import InputError
from .scenario import Scenario
from .writer import TWEET_COLUMNS, USER_COLUMNS, sha256, write_sim_csv

TWEETS = "embedded_tweets_csv_hashed.csv"
USERS = "embedded_users_csv_hashed.csv"
LABELS = "labels.csv"
SUMMARY = "embed.json"
HASHED_BELOW = 5000  # followers: the releases hash the accounts below this
_READ = pcsv.ReadOptions(block_size=1 << 24)
_PARSE = pcsv.ParseOptions(newlines_in_values=True)
_OPTS = pcsv.WriteOptions(quoting_style="all_valid", batch_size=8192)


def _read(path: Path, columns: tuple[str, ...]) -> pa.Table:
    try:
        head = pcsv.read_csv(path, read_options=_READ, parse_options=_PARSE,
                             convert_options=pcsv.ConvertOptions(
                                 column_types={c: pa.string() for c in columns},
                                 include_columns=list(columns), strings_can_be_null=False))
    except (pa.ArrowInvalid, KeyError) as e:
        raise InputError(f"not an IO-archive file with the columns {columns[0]}, ... ({e})",
                         str(path)) from None
    return head


def archive_files(paths: list[Path]) -> tuple[Path, Path]:
    """(tweets, users) of an archive given as its two files or as the folder holding them."""
    if len(paths) == 1 and Path(paths[0]).is_dir():
        found = sorted(Path(paths[0]).iterdir())
        paths = [p for p in found if "tweets" in p.name or "users" in p.name]
    tw = [Path(p) for p in paths if "tweets" in Path(p).name]
    us = [Path(p) for p in paths if "users" in Path(p).name]
    if len(tw) != 1 or len(us) != 1:
        raise InputError("--embed needs one tweets file and one users file (names containing "
                         "'tweets' and 'users'), or the folder holding them")
    return tw[0], us[0]


def busiest_period(times: pa.Array, days: int = 90) -> int:
    """First day (days since 1970) of the `days`-day window holding the most posts (among
    equals, the middle one)."""
    d = np.array(pc.cast(pc.strptime(times, "%Y-%m-%d %H:%M", "s"), pa.int64())) // 86_400
    if len(d) == 0:
        raise InputError("the archive has no posts")
    lo = int(d.min())
    counts = np.bincount(d - lo)
    window = np.convolve(counts, np.ones(days, np.int64))[days - 1:]
    if len(window) == 0:
        return lo
    # of the windows that hold the most posts, the middle one (the busy days centred)
    best = np.flatnonzero(window == window.max())
    return lo + int(best[len(best) // 2])


def _hash(uid: str, salt: str) -> str:
    # the 2019-2020 releases' form: base64 of a SHA-256 digest with every `/` dropped
    # (../shared/reference/formats.md §2.5), so the background's hashes look like the archive's
    return base64.b64encode(hashlib.sha256((salt + uid).encode()).digest()).decode().replace(
        "/", "")


def embed_archive(tweets: Path, users: Path, out_dir: Path, seed: int = 1, scale: float = 1.0,
                  home: str | None = None, home_share: float = 0.5) -> list[Path]:
    """Write the archive inside a synthetic background into out_dir; returns
    [tweets, users, labels, embed.json]. `home` is an organic region key (e.g. `thailand`)
    that `home_share` of the background comes from."""
    from . import LABELS as SIM_LABELS
    from . import TWEETS as SIM_TWEETS
    from . import USERS as SIM_USERS
    from . import simulate
    from .families import PERSONA_POOLS, region

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    arch_t = _read(Path(tweets), TWEET_COLUMNS)
    arch_u = _read(Path(users), USER_COLUMNS)
    first = busiest_period(arch_t["tweet_time"])
    start = str(np.datetime64(first, "D"))
    end = str(np.datetime64(first + 90, "D"))
    keep = pc.and_(pc.greater_equal(arch_t["tweet_time"], start),
                   pc.less(arch_t["tweet_time"], end))
    arch_t = arch_t.filter(keep)
    active = pc.unique(arch_t["userid"])
    arch_u = arch_u.filter(pc.is_in(arch_u["userid"], value_set=active))

    organic = None
    if home is not None:
        try:
            region(home)
        except KeyError:
            raise InputError(f"--home: unknown region {home!r} (regions: "
                             f"{', '.join(PERSONA_POOLS)})") from None
        w = home_share / (1 - home_share)
        organic = {"extra_regions": ((home, w),)}
    with tempfile.TemporaryDirectory(prefix="inconcert-embed-") as tmp:
        bg_dir = Path(tmp)
        simulate(bg_dir, seed=seed, scale=scale, scenario=Scenario(families="random",
                                                                   campaign=False),
                 organic=organic, start=start)
        bg_t = _read(bg_dir / SIM_TWEETS, TWEET_COLUMNS)
        bg_u = _read(bg_dir / SIM_USERS, USER_COLUMNS)
        labels = _read_labels(bg_dir / SIM_LABELS)
    salt = f"inconcert-embed-{seed}:"
    small = pc.less(pc.cast(bg_u["follower_count"], pa.int64()), HASHED_BELOW)
    mapping = {u: _hash(u, salt) for u, s in zip(bg_u["userid"].to_pylist(),
                                                 small.to_pylist(), strict=True) if s}
    bg_t = _hash_tweets(bg_t, mapping)
    bg_u = _hash_accounts(bg_u, mapping, "userid")

    tweets_all = pa.concat_tables([bg_t, arch_t.select(list(TWEET_COLUMNS))])
    order = pc.sort_indices(tweets_all, [("tweet_time", "ascending")])
    tweets_all = tweets_all.take(order)
    users_all = pa.concat_tables([bg_u, arch_u.select(list(USER_COLUMNS))])
    t_path, u_path = out_dir / TWEETS, out_dir / USERS
    pcsv.write_csv(tweets_all, t_path, write_options=_OPTS)
    pcsv.write_csv(users_all, u_path, write_options=_OPTS)

    rows = [[mapping.get(r[0], r[0]), *r[1:3]] for r in labels]
    # positives: every archive account that posts in the period (users-file row or not)
    rows += [[u, "campaign", "archive"] for u in sorted(active.to_pylist())]
    l_path = out_dir / LABELS
    write_sim_csv(l_path, ("account_id", "label", "role"), rows)
    summary = {
        "generator": "inconcert simulate (embed)", "seed": seed, "scale": scale,
        "home": home, "home_share": home_share if home else None,
        "period": {"first_day": start, "last_day": str(np.datetime64(first + 89, "D"))},
        "archive": {"tweets": str(tweets), "users": str(users),
                    "posts_in_period": arch_t.num_rows, "accounts_posting": len(active)},
        "background": {"posts": bg_t.num_rows, "accounts": bg_u.num_rows,
                       "hashed_accounts": len(mapping)},
        "files": {p.name: sha256(p) for p in (t_path, u_path, l_path)},
    }
    s_path = out_dir / SUMMARY
    s_path.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return [t_path, u_path, l_path, s_path]


def _read_labels(path: Path) -> list[list[str]]:
    import csv

    with open(path, newline="", encoding="utf-8") as f:
        r = csv.reader(f)
        next(r)
        return [row for row in r]


def _map(col: pa.ChunkedArray, mapping: dict[str, str]) -> pa.Array:
    return pa.array([mapping.get(v, v) for v in col.to_pylist()], pa.string())


def _hash_accounts(t: pa.Table, mapping: dict[str, str], id_col: str) -> pa.Table:
    # a hashed account's names are its hashed id, as in the releases
    ids = t[id_col].to_pylist()
    hashed = [mapping.get(v) for v in ids]
    cols = {id_col: pa.array([h or v for h, v in zip(hashed, ids, strict=True)], pa.string())}
    for c in ("user_display_name", "user_screen_name"):
        vals = t[c].to_pylist()
        cols[c] = pa.array([h or v for h, v in zip(hashed, vals, strict=True)], pa.string())
    for c, a in cols.items():
        t = t.set_column(t.schema.get_field_index(c), c, a)
    return t


def _hash_tweets(t: pa.Table, mapping: dict[str, str]) -> pa.Table:
    t = _hash_accounts(t, mapping, "userid")
    for c in ("in_reply_to_userid", "retweet_userid"):
        t = t.set_column(t.schema.get_field_index(c), c, _map(t[c], mapping))
    ments = []
    for cell in t["user_mentions"].to_pylist():
        if cell == "[]":
            ments.append(cell)
            continue
        ids = [x.strip().strip("'") for x in cell.strip("[]").split(",")]
        ments.append("['" + "', '".join(mapping.get(x, x) for x in ids) + "']")
    return t.set_column(t.schema.get_field_index("user_mentions"), "user_mentions",
                        pa.array(ments, pa.string()))
