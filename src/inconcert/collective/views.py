"""Bipartite views: which items accounts act on, one (account, item, t) relation per kind.

A view is a way of saying "these accounts did the same thing": reshared the same post, amplified
the same author, posted the same link, domain, hashtag or text, replied to or liked the same
post. The group test (`inconcert.collective`) projects each view onto accounts and judges groups
of accounts, not pairs, so a squad whose pairs share one post each still shows up as a group that
shares hundreds. Every item id carries the platform, so the same id on two platforms never merges.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb


@dataclass(frozen=True)
class View:
    """One bipartite view: a name, what an item is, and the SQL of its (account, item, t) rows."""

    name: str
    item_kind: str
    sql: str
    # Tables (or temp tables) the SQL reads; the view is skipped when one is missing.
    needs: tuple[str, ...] = ("posts",)


_VIEWS: dict[str, View] = {}


def register(view: View) -> View:
    """Make a view available by its name."""
    if view.name in _VIEWS and _VIEWS[view.name] != view:
        raise ValueError(f"two views are named {view.name!r}")
    _VIEWS[view.name] = view
    return view


def views() -> dict[str, View]:
    """Every registered view by name."""
    return dict(sorted(_VIEWS.items()))


def available(con: duckdb.DuckDBPyConnection, view: View) -> bool:
    """Whether every table the view reads exists (temp tables included)."""
    names = {r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() UNION SELECT view_name FROM duckdb_views()"
    ).fetchall()}
    return all(t in names for t in view.needs)


register(View("reshared_post", "post", """
    SELECT author_id AS account, platform || ':' || ref_post_id AS item, created_ms AS t
    FROM posts WHERE kind = 'reshare' AND ref_post_id IS NOT NULL AND ref_post_id <> ''
    UNION ALL
    SELECT author_id, platform || ':' || quoted_post_id, created_ms
    FROM posts WHERE kind = 'quote' AND quoted_post_id IS NOT NULL AND quoted_post_id <> ''
"""))

# Amplification profile: accounts that reshare the same few authors are a squad even when they
# never touch the same post (each post amplified by a different random squad). An author outside
# the data is named by the reshare's `RT @handle`: takedown archives give `retweet_userid` only for
# accounts inside the archive (4 % of the Thailand archive's retweets), while the army PR accounts
# its operation amplified are outside it and named only by handle.
register(View("reshared_author", "account", """
    SELECT r.amplifier AS account,
           r.platform || ':' || COALESCE(r.seeder, '@' || lower(ltrim(p.ref_author_handle, '@')))
               AS item,
           r.created_ms AS t
    FROM reshares AS r
    LEFT JOIN posts AS p ON r.kind = 'reshare' AND p.platform = r.platform
        AND p.post_id = r.action_id
    WHERE COALESCE(r.seeder, p.ref_author_handle) IS NOT NULL
        AND COALESCE(r.seeder, ltrim(p.ref_author_handle, '@')) <> ''
        AND (r.seeder IS NULL OR r.seeder <> r.amplifier)
""", needs=("reshares", "posts")))

register(View("replied_post", "post", """
    SELECT author_id AS account, platform || ':' || reply_to_post_id AS item, created_ms AS t
    FROM posts WHERE reply_to_post_id IS NOT NULL AND reply_to_post_id <> ''
"""))

register(View("liked_post", "post", """
    SELECT actor_id AS account, platform || ':' || target_post_id AS item, created_ms AS t
    FROM interactions
    WHERE kind = 'like' AND created_ms IS NOT NULL
        AND target_post_id IS NOT NULL AND target_post_id <> ''
""", needs=("interactions",)))

register(View("link", "url", """
    SELECT p.author_id AS account, p.platform || ':' || e.normalized AS item, p.created_ms AS t
    FROM post_entities AS e JOIN posts AS p ON p.platform = e.platform AND p.post_id = e.post_id
    WHERE e.entity = 'url' AND e.normalized IS NOT NULL AND e.normalized <> ''
        AND p.kind <> 'reshare'
""", needs=("posts", "post_entities")))

register(View("hashtag", "hashtag", """
    SELECT p.author_id AS account, p.platform || ':' || lower(coalesce(e.normalized, e.value))
           AS item, p.created_ms AS t
    FROM post_entities AS e JOIN posts AS p ON p.platform = e.platform AND p.post_id = e.post_id
    WHERE e.entity = 'hashtag' AND coalesce(e.normalized, e.value) <> '' AND p.kind <> 'reshare'
""", needs=("posts", "post_entities")))

register(View("mention", "account", """
    SELECT p.author_id AS account, p.platform || ':' || lower(coalesce(e.normalized, e.value))
           AS item, p.created_ms AS t
    FROM post_entities AS e JOIN posts AS p ON p.platform = e.platform AND p.post_id = e.post_id
    WHERE e.entity = 'mention' AND coalesce(e.normalized, e.value) <> '' AND p.kind <> 'reshare'
""", needs=("posts", "post_entities")))

# Copied text: the identical-text and near-duplicate keys the text traces computed (an item is a
# text cluster named by its earliest post); paraphrases and translations are the `semantic`
# view's.
register(View("text", "post", """
    SELECT p.author_id AS account, p.platform || ':' || k.item AS item, p.created_ms AS t
    FROM posts AS p JOIN _trace_near_text AS k ON k.platform = p.platform AND k.post_id = p.post_id
    WHERE p.kind <> 'reshare'
""", needs=("posts", "_trace_near_text")))

# Paraphrased and translated copies: the `semantic_copy` trace's clusters (an item is a cluster
# named by its earliest post). A squad that rewords or translates each talking point shares no
# text key above, but shares these.
register(View("semantic", "post", """
    SELECT p.author_id AS account, p.platform || ':' || k.item AS item, p.created_ms AS t
    FROM posts AS p JOIN semantic_copies AS k ON k.platform = p.platform AND k.post_id = p.post_id
    WHERE p.kind <> 'reshare'
""", needs=("posts", "semantic_copies")))
