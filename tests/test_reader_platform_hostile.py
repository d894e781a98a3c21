"""Hostile JSON for the platform readers: any field of any object may hold any type (a list
where a time should be, 10^30 likes, an object for a text). Each input is either refused with
an InputError (exit 2) or ingested with rows in = stored + quarantined; nothing crashes."""

import json
import random

import pytest

from inconcert.errors import InputError
from inconcert.ingest import ingest_paths
from inconcert.store import Store

from .conftest import FIXTURES

CASES = [("telegram", "telegram/all_chats.json"), ("telegram", "telegram/result.json"),
         ("bluesky-jetstream", "bluesky/jetstream.jsonl"), ("mastodon", "mastodon/statuses.json"),
         ("reddit", "reddit/dump.ndjson"), ("youtube-api", "youtube/commentThreads.json"),
         ("youtube-api", "youtube/videos_channels.jsonl"),
         ("meta-content-library-json", "meta/mcl_comments.jsonl"),
         ("tiktok-research", "tiktok/videos.jsonl"), ("tiktok-research", "tiktok/comments.json")]
WEIRD = [None, 0, -1, 1.5, True, "", "x", [], {}, [1, "a", None], {"a": 1}, 10**30, -(10**30),
         "=cmd|' /C calc'!A0", "\u202eevil"]


def _mutate(rng: random.Random, v):
    if isinstance(v, dict):
        out = {}
        for k, x in v.items():
            r = rng.random()
            if r < 0.05:
                continue  # the field is missing
            out[k] = rng.choice(WEIRD) if r < 0.2 else _mutate(rng, x)
        return out
    if isinstance(v, list):
        return [_mutate(rng, x) for x in v]
    return v


def _hostile(path, rng):
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return json.dumps(_mutate(rng, json.loads(text)), indent=1)
    lines = []
    for line in text.splitlines():
        try:
            lines.append(json.dumps(_mutate(rng, json.loads(line))))
        except ValueError:  # the fixture's own broken lines stay as they are
            lines.append(line)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(("fmt", "sample"), CASES)
def test_type_confusion_never_crashes(tmp_path, fmt, sample):
    src = FIXTURES / sample
    for seed in range(6):
        path = tmp_path / f"{seed}{src.suffix}"
        path.write_text(_hostile(src, random.Random(seed)), encoding="utf-8")
        with Store(tmp_path / f"{seed}.duckdb") as s:
            try:
                results = ingest_paths(s, [path], fmt=fmt, max_bad_fraction=1.0)
            except InputError as e:
                assert e.path is not None  # refused, naming the file
                continue
            for r in results:
                assert r.rows_in == r.rows_stored + r.rows_quarantined
                assert s.count("quarantine") == r.rows_quarantined
