"""The canonical model: the tables every reader fills and every later stage reads.

Platform formats end at the readers; from here on only these tables exist. The tables are
platform-neutral (a `platform` column, string ids, integer epoch-ms times with their precision,
generic entities and interactions, and an `extra` JSON column for source-specific fields), so new
sources (Bluesky likes with times, Telegram forwards, Mastodon boosts, Facebook and YouTube exports)
fit without a schema change.
"""

from __future__ import annotations

POST_KINDS = ("original", "reshare", "quote", "reply", "comment")
INTERACTION_KINDS = ("like", "reshare", "quote", "reply", "mention", "comment", "view", "follow")
ENTITY_KINDS = ("hashtag", "url", "mention", "media", "cashtag", "domain")
PRECISIONS = ("us", "ms", "s", "minute", "hour", "day")

# What a source can supply. Later stages ask for these before computing, and say "not computable"
# (with the reason) instead of reading an absent field as "no signal".
CAPABILITIES = {
    "post_text": "text of posts",
    "post_time_ms": "post times at millisecond precision (or finer)",
    "post_time_s": "post times at second precision (or finer)",
    "reshare_edges": "which post a reshare reshared",
    "reshare_author": "who wrote the reshared post",
    "reshare_time": "when the reshared post was written (reshare latency)",
    "reply_edges": "which post a reply answers",
    "quote_edges": "which post a quote quotes",
    "like_edges": "who liked which post",
    "like_times": "when each like happened",
    "hashtags": "hashtags of posts",
    "urls": "URLs in posts",
    "mentions": "mentioned accounts",
    "media": "media attached to posts",
    "media_hashes": "perceptual hashes of media",
    "client": "the app that posted",
    "post_lang": "language of posts",
    "account_profile": "handle, display name, bio, location",
    "account_names": "readable (not hashed) handles and display names",
    "account_created": "account creation dates",
    "account_counts": "follower and following counts",
    "avatar": "profile images",
    "ids_hashed": "some account ids are pseudonymous hashes",
}
CAPABILITY_LEVELS = ("full", "partial")

_T = dict[str, tuple[tuple[str, str], ...]]

# Table name -> (column, DuckDB type) in order. Text ids everywhere; times are epoch ms (BIGINT).
TABLES: _T = {
    "datasets": (
        ("dataset_id", "VARCHAR PRIMARY KEY"), ("path", "VARCHAR NOT NULL"),
        ("sha256", "VARCHAR NOT NULL"), ("format", "VARCHAR NOT NULL"),
        ("platform", "VARCHAR NOT NULL"), ("unit", "VARCHAR NOT NULL"),
        ("rows_in", "BIGINT NOT NULL"), ("rows_stored", "BIGINT NOT NULL"),
        ("rows_quarantined", "BIGINT NOT NULL"), ("time_min_ms", "BIGINT"),
        ("time_max_ms", "BIGINT"), ("capabilities", "VARCHAR NOT NULL"), ("notes", "VARCHAR"),
    ),
    "accounts": (
        ("platform", "VARCHAR NOT NULL"), ("account_id", "VARCHAR NOT NULL"),
        ("id_is_hashed", "BOOLEAN"), ("handle", "VARCHAR"), ("display_name", "VARCHAR"),
        ("description", "VARCHAR"), ("location", "VARCHAR"), ("url", "VARCHAR"),
        ("lang", "VARCHAR"), ("created_ms", "BIGINT"), ("created_precision", "VARCHAR"),
        ("avatar_url", "VARCHAR"), ("avatar_path", "VARCHAR"), ("avatar_phash", "VARCHAR"),
        ("followers", "BIGINT"), ("following", "BIGINT"), ("posts_count", "BIGINT"),
        ("likes_count", "BIGINT"), ("listed_count", "BIGINT"), ("verified", "BOOLEAN"),
        ("default_profile", "BOOLEAN"), ("default_profile_image", "BOOLEAN"),
        ("observed_ms", "BIGINT"), ("dataset_id", "VARCHAR"), ("extra", "VARCHAR"),
    ),
    "posts": (
        ("platform", "VARCHAR NOT NULL"), ("post_id", "VARCHAR NOT NULL"),
        ("author_id", "VARCHAR NOT NULL"), ("created_ms", "BIGINT NOT NULL"),
        ("time_precision", "VARCHAR NOT NULL"), ("time_source", "VARCHAR NOT NULL"),
        ("declared_ms", "BIGINT"), ("text", "VARCHAR"), ("lang", "VARCHAR"),
        ("client", "VARCHAR"), ("kind", "VARCHAR NOT NULL"), ("ref_post_id", "VARCHAR"),
        ("ref_author_id", "VARCHAR"), ("ref_author_handle", "VARCHAR"),
        ("ref_created_ms", "BIGINT"), ("reply_to_post_id", "VARCHAR"),
        ("reply_to_author_id", "VARCHAR"), ("quoted_post_id", "VARCHAR"),
        ("root_post_id", "VARCHAR"), ("like_count", "BIGINT"), ("reshare_count", "BIGINT"),
        ("reply_count", "BIGINT"), ("quote_count", "BIGINT"), ("dataset_id", "VARCHAR NOT NULL"),
        ("source_line", "BIGINT"), ("extra", "VARCHAR"),
    ),
    "post_entities": (
        ("platform", "VARCHAR NOT NULL"), ("post_id", "VARCHAR NOT NULL"),
        ("entity", "VARCHAR NOT NULL"), ("position", "INTEGER NOT NULL"),
        ("value", "VARCHAR NOT NULL"), ("normalized", "VARCHAR"), ("media_type", "VARCHAR"),
        ("media_hash", "VARCHAR"), ("alt_text", "VARCHAR"),
    ),
    "interactions": (
        ("platform", "VARCHAR NOT NULL"), ("interaction_id", "VARCHAR NOT NULL"),
        ("actor_id", "VARCHAR NOT NULL"), ("kind", "VARCHAR NOT NULL"),
        ("target_post_id", "VARCHAR"), ("target_author_id", "VARCHAR"),
        ("created_ms", "BIGINT"), ("time_precision", "VARCHAR"),
        ("dataset_id", "VARCHAR NOT NULL"), ("source_line", "BIGINT"), ("extra", "VARCHAR"),
    ),
    "quarantine": (
        ("dataset_id", "VARCHAR NOT NULL"), ("path", "VARCHAR NOT NULL"), ("line", "BIGINT"),
        ("reason", "VARCHAR NOT NULL"), ("raw", "VARCHAR"),
    ),
}
# Keys that identify a row: a second row with the same key is a duplicate, never stored twice.
KEYS = {
    "accounts": ("platform", "account_id"),
    "posts": ("platform", "post_id"),
    "interactions": ("platform", "interaction_id"),
}

# Every action one account takes on another's post, whether stored as a post (reshare, quote,
# reply) or as an interaction (like, ...), so co-action queries run on one relation.
ACTIONS_VIEW = """
CREATE OR REPLACE VIEW actions AS
    SELECT platform, post_id AS action_id, author_id AS actor_id, kind,
           COALESCE(ref_post_id, reply_to_post_id) AS target_post_id,
           COALESCE(ref_author_id, reply_to_author_id) AS target_author_id,
           created_ms, time_precision, dataset_id
    FROM posts WHERE kind <> 'original'
    UNION ALL
    SELECT platform, interaction_id, actor_id, kind, target_post_id, target_author_id,
           created_ms, time_precision, dataset_id
    FROM interactions
"""


def ddl() -> str:
    """CREATE statements for every canonical table and view."""
    parts = []
    for name, cols in TABLES.items():
        body = ",\n    ".join(f"{c} {t}" for c, t in cols)
        key = KEYS.get(name)
        if key and name == "accounts":
            body += f",\n    PRIMARY KEY ({', '.join(key)})"
        parts.append(f"CREATE TABLE IF NOT EXISTS {name} (\n    {body}\n);")
    parts.append(ACTIONS_VIEW + ";")
    return "\n".join(parts)


def columns(table: str) -> tuple[str, ...]:
    """Column names of a canonical table, in order."""
    return tuple(c for c, _ in TABLES[table])


def int_columns(table: str) -> frozenset[str]:
    """Columns of a table stored as integers."""
    return frozenset(c for c, t in TABLES[table] if t.startswith(("BIGINT", "INTEGER")))


def bool_columns(table: str) -> frozenset[str]:
    """Columns of a table stored as booleans."""
    return frozenset(c for c, t in TABLES[table] if t.startswith("BOOLEAN"))
