"""Identical text: two accounts post the same text after normalisation within the window.

Text is normalised by `normalize.norm_text` (Unicode NFKC, case, whitespace, @mentions, URLs and
the `RT @x:` prefix removed). Reshares are left out (they copy the original by construction) and
so are texts shorter than `min_chars` after normalisation ("thank you!" is not evidence). An item
is the earliest post carrying the text, so examples point at the first occurrence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from .. import config
from ..normalize import norm_text
from .base import Trace, TraceParams, register

TEXT_KINDS = "('original', 'quote', 'reply', 'comment')"
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def text_length(text: str) -> int:
    """Length for the `min_chars` thresholds: a CJK character counts twice (it carries about as
    much as a short word), so Chinese, Japanese and Korean posts are not all "too short"."""
    return len(text) + len(CJK.findall(text))


def post_texts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """(platform, post_id, text) of every non-reshare post with text, in time order."""
    return con.execute(f"SELECT platform, post_id, text FROM posts WHERE kind IN {TEXT_KINDS} "
                       "AND text IS NOT NULL AND text <> '' "
                       "ORDER BY created_ms, platform, post_id").fetchall()


def store_keys(con: duckdb.DuckDBPyConnection, table: str,
               keys: list[tuple[str, str, str]]) -> None:
    """(Re)create temp `table(platform, post_id, item)` from (platform, post_id, key) rows.

    Posts sharing a key become one item, named by its earliest post. Keys used by one account
    stay: they cannot pair, but they are that account's activity in the null model.
    """
    staged = pa.table({"platform": [k[0] for k in keys], "post_id": [k[1] for k in keys],
                       "key": [k[2] for k in keys]},
                      schema=pa.schema([("platform", pa.string()), ("post_id", pa.string()),
                                        ("key", pa.string())]))
    con.register("_keys_stage", staged)
    try:
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE {table} AS
            WITH k AS (
                SELECT s.platform, s.post_id, s.key, p.author_id, p.created_ms
                FROM _keys_stage AS s JOIN posts AS p
                    ON p.platform = s.platform AND p.post_id = s.post_id
            )
            SELECT k.platform, k.post_id,
                   first_value(k.post_id) OVER (PARTITION BY k.key
                                                ORDER BY k.created_ms, k.post_id) AS item
            FROM k
            ORDER BY k.platform, k.post_id
        """).fetchall()
    finally:
        con.unregister("_keys_stage")


def keyed_actions_sql(table: str) -> str:
    """Actions of posts whose item is given by a key table built with `store_keys`."""
    return f"""
        SELECT p.author_id AS account, k.item AS item, p.created_ms AS t, p.post_id AS action_id
        FROM posts AS p JOIN {table} AS k ON k.platform = p.platform AND k.post_id = p.post_id
    """


@config.section("traces.co_text")
@dataclass
class CoTextParams(TraceParams):
    window_s: int = config.param(3600, "two posts of the same text co-occur when at most this "
                                       "many seconds apart (copy-paste campaigns post within "
                                       "minutes to hours)")
    min_chars: int = config.param(25, "texts shorter than this after normalisation are ignored "
                                      "(a CJK character counts as two)")


@register
class CoText(Trace):
    name = "co_text"
    description = "posted identical text (after normalisation) within the window"
    item_kind = "post"
    copies_content = True
    requires = ("post_text",)
    tables = ("posts", "_trace_co_text")
    params_class = CoTextParams

    def prepare(self, con: duckdb.DuckDBPyConnection, params: Any) -> list[str]:
        keys = []
        short = 0
        for platform, post_id, text in post_texts(con):
            norm = norm_text(text)
            if text_length(norm) < params.min_chars:
                short += 1
                continue
            keys.append((platform, post_id, norm))
        store_keys(con, "_trace_co_text", keys)
        return [f"{short} posts shorter than {params.min_chars} characters after "
                "normalisation ignored"] if short else []

    def actions_sql(self, params: Any) -> str:
        return keyed_actions_sql("_trace_co_text")
