"""What each trace counts as the same item: candidate pairs on small hand-built cases."""

from __future__ import annotations

import json

from inconcert import config
from inconcert.normalize import norm_hashtag, norm_url
from inconcert.store import Store
from inconcert.traces import compute_traces

from .test_traces import CAPS, post

T0 = 1_600_000_000_000
MIN = 60_000


def ent(pid: str, entity: str, value: str, position: int = 0, normalized: str | None = None,
        **kw) -> dict:
    return {"platform": "x", "post_id": pid, "entity": entity, "position": position,
            "value": value, "normalized": normalized, **kw}


def _candidates(tmp_path, posts, entities=(), interactions=(), overrides=(), caps=CAPS):
    with Store(tmp_path / "c.duckdb") as s:
        s.insert_rows("posts", list(posts))
        s.insert_rows("post_entities", list(entities))
        s.insert_rows("interactions", list(interactions))
        compute_traces(s.con, config.load(overrides=list(overrides)), caps)
        rows = s.execute("SELECT trace, source, target, count, examples FROM trace_candidates")
        runs = {r[0]: r[1:] for r in s.execute("SELECT trace, status, reason FROM trace_runs")}
    out: dict[str, dict[tuple[str, str], tuple[int, list[str]]]] = {}
    for trace, src, dst, count, examples in rows:
        out.setdefault(trace, {})[(src, dst)] = (count, json.loads(examples))
    return out, runs


def test_identical_text_ignores_case_mentions_urls_and_rt_prefix(tmp_path):
    a = "The Leader Built 40 new schools in the north this year"
    b = "Corruption in the ministry must be investigated now!!"
    posts = [post("p1", "u1", T0, text=f"RT @someone: {a} https://t.co/x1"),
             post("p2", "u2", T0 + MIN, text=f"@bob   {a.upper()}  http://t.co/zz"),
             post("p3", "u1", T0 + 50 * MIN, text=b),
             post("p4", "u2", T0 + 52 * MIN, text=b + "  "),
             post("p5", "u3", T0 + 5 * 3_600_000, text=b),  # hours later: outside the window
             post("p6", "u3", T0, text="ok thanks"),  # too short to be evidence
             post("p7", "u4", T0 + 10, text="ok thanks"),
             post("p8", "u5", T0 + 20, "reshare", ref_post_id="p1", text=f"RT @u1: {a}")]
    cands, _ = _candidates(tmp_path, posts)
    assert cands["co_text"] == {("u1", "u2"): (2, ["p1", "p3"])}


def test_near_duplicates_match_templates_in_english_and_chinese(tmp_path):
    en = "the glorious leader built {} new {} in the {} province this year, thank him"
    zh = "领导人今年在{}省份建造了{}所新{}，感谢他的付出与关怀"
    posts = [post("e1", "u1", T0, text=en.format(40, "schools", "north")),
             post("e2", "u2", T0 + MIN, text=en.format(55, "hospitals", "south")),
             post("z1", "u1", T0 + 100 * MIN, text=zh.format("北方", "四十", "学校")),
             post("z2", "u2", T0 + 101 * MIN, text=zh.format("南方", "五十", "医院")),
             post("x1", "u3", T0 + 2 * MIN, text="i had pasta for dinner and it was fantastic"),
             post("x2", "u4", T0 + 3 * MIN, text="今天天气很好，我们去公园散步吧，顺便买点水果")]
    cands, _ = _candidates(tmp_path, posts)
    assert "co_text" not in cands  # not identical...
    assert cands["near_text"] == {("u1", "u2"): (2, ["e1", "z1"])}  # ...but the same templates


def test_co_link_uses_normalised_urls_and_never_empty_ones(tmp_path):
    posts = [post(f"p{i}", f"u{i % 2}", T0 + i * MIN, text="x") for i in range(6)]
    posts += [post("q1", "u7", T0, text="no link"), post("q2", "u8", T0 + 10, text="no link")]
    urls = ["https://www.example.com/a?utm_source=tw", "http://example.com/a/",
            "https://news.site/b#top", "news.site/b", "https://other.org/c", "https://x.org/d"]
    ents = [ent(f"p{i}", "url", u, normalized=norm_url(u)) for i, u in enumerate(urls)]
    ents += [ent("q1", "url", "", normalized=norm_url("")),
             ent("q2", "url", "", normalized=norm_url(""))]
    cands, _ = _candidates(tmp_path, posts, ents)
    assert cands["co_link"] == {("u0", "u1"): (2, ["example.com/a", "news.site/b"])}
    # domain level: the same domains, and other.org / x.org are different domains
    assert "co_domain" not in cands  # two shared domains, below its min_count of 3
    cands, _ = _candidates(tmp_path / "d", posts, ents,
                          overrides=["traces.co_domain.min_count=2"])
    assert cands["co_domain"] == {("u0", "u1"): (2, ["example.com", "news.site"])}


def test_co_hashtag_needs_the_same_combination(tmp_path):
    tags = {"p1": ["Vote", "Leader"], "p2": ["leader", "VOTE"], "p3": ["vote"], "p4": ["vote"],
            "p5": ["a", "b", "c"], "p6": ["c", "b", "a"]}
    posts = [post(p, f"u{int(p[1]) % 2}", T0 + int(p[1]) * MIN) for p in tags]
    ents = [ent(p, "hashtag", t, k, norm_hashtag(t)) for p, ts in tags.items()
            for k, t in enumerate(ts)]
    cands, _ = _candidates(tmp_path, posts, ents)
    assert cands["co_hashtag"] == {("u0", "u1"): (2, ["leader vote", "a b c"])}
    seq, _ = _candidates(tmp_path / "s", posts, ents,
                        overrides=["traces.co_hashtag.mode='sequence'"])
    assert "co_hashtag" not in seq  # in order, neither pair of posts is the same sequence


def test_co_reply_co_mention_and_co_like(tmp_path):
    posts = [post("t1", "target", T0), post("t2", "target", T0 + 30 * MIN)]
    posts += [post(f"r{k}{u}", u, T0 + k * 30 * MIN + 60_000 + i * 1000, "reply",
                   reply_to_post_id=f"t{k + 1}", reply_to_author_id="target")
              for k in range(2) for i, u in enumerate(("u1", "u2", "u3"))]
    ents = [ent(f"r{k}{u}", "mention", f"@{name}", normalized=name.casefold())
            for k, name in enumerate(("Critic", "Journalist")) for u in ("u1", "u2")]
    likes = [{"platform": "x", "interaction_id": f"l{k}{u}", "actor_id": u, "kind": "like",
              "target_post_id": f"t{k + 1}", "created_ms": T0 + k * 30 * MIN + 5000 + i,
              "dataset_id": "d"} for k in range(2) for i, u in enumerate(("u4", "u5"))]
    cands, _ = _candidates(tmp_path, posts, ents, likes)
    assert cands["co_reply"] == {(a, b): (2, ["t1", "t2"])
                                 for a, b in (("u1", "u2"), ("u1", "u3"), ("u2", "u3"))}
    assert cands["co_mention"] == {("u1", "u2"): (2, ["critic", "journalist"])}
    assert cands["co_like"] == {("u4", "u5"): (2, ["t1", "t2"])}


def test_co_image_clusters_near_hashes(tmp_path):
    hashes = {"p1": "ffff000000000000", "p2": "ffff000000000003",  # 2 bits apart
              "p3": "0f0f0f0f0f0f0f0f", "p4": "0f0f0f0f0f0f0f0f",
              "p5": "00000000ffffffff", "p6": "ffffffff00000000"}  # 64 bits apart
    posts = [post(p, f"u{int(p[1]) % 2}", T0 + int(p[1]) * MIN) for p in hashes]
    ents = [ent(p, "media", f"https://img/{p}.jpg", media_hash=h) for p, h in hashes.items()]
    cands, runs = _candidates(tmp_path, posts, ents)
    assert runs["co_image"][0] == "ok"
    assert cands["co_image"] == {("u0", "u1"): (2, ["ffff000000000000", "0f0f0f0f0f0f0f0f"])}
    far, _ = _candidates(tmp_path / "f", posts, ents,
                        overrides=["traces.co_image.max_distance=1"])
    assert "co_image" not in far  # 2 bits apart is no longer the same image: one shared item


def test_minhash_signatures_are_datasketchs():
    from datasketch import MinHash

    from inconcert.traces.near_text import NearTextParams, gram_length, shingle_hashes, signatures

    p = NearTextParams()
    texts = ["the glorious leader built 40 new schools in the north this year",
             "领导人今年在北方省份建造了四十所新学校", "ab"]
    sig = signatures(texts, p)
    for i, text in enumerate(texts):
        n = gram_length(text, p)
        hashes, _ = shingle_hashes([text], n)
        grams = {text.ljust(n, "\0")[k:k + n].encode(): int(h) for k, h in enumerate(hashes)}
        m = MinHash(num_perm=p.num_perm, seed=1, hashfunc=grams.__getitem__)
        m.update_batch(list(grams))
        assert (m.hashvalues == sig[i]).all()


def test_near_duplicate_clusters_do_not_chain():
    from inconcert.traces.near_text import NearTextParams, clusters

    words = [f"word{k:02d}" for k in range(30)]
    a = " ".join(words[0:10])
    b = " ".join(words[0:7] + words[10:13])  # most of a
    c = " ".join(words[4:7] + words[10:13] + words[20:24])  # most of b, little of a
    labels = clusters([a, b, c], NearTextParams(threshold=0.4))
    assert labels[:2] == [0, 0] and labels[2] == 2


def _leaders_by_definition(texts, p):
    """Leader clustering as the docstring states it, one text and one candidate at a time."""
    from datasketch import MinHashLSH

    from inconcert.traces.near_text import signatures

    sig = signatures(texts, p)
    lsh = MinHashLSH(threshold=p.threshold, num_perm=p.num_perm)
    band = [[tuple(sig[i, j * lsh.r:(j + 1) * lsh.r]) for j in range(lsh.b)]
            for i in range(len(texts))]
    label, leaders = [], []
    for i in range(len(texts)):
        best, best_sim = i, -1.0
        for c in leaders:  # in index order: a later leader wins only when more similar
            if any(band[c][j] == band[i][j] for j in range(lsh.b)):
                sim = float((sig[c] == sig[i]).mean())
                if sim >= p.threshold and sim > best_sim:
                    best, best_sim = c, sim
        if best == i:
            leaders.append(i)
        label.append(best)
    return label


def test_near_duplicate_leaders_follow_the_definition_on_crowded_buckets():
    """Templated texts crowd the LSH buckets with leaders; the vectorised candidate search must
    choose exactly the leader the one-at-a-time definition chooses."""
    import random

    from inconcert.traces.near_text import NearTextParams, clusters

    rng = random.Random(11)
    texts = list(dict.fromkeys(
        f"post 1000000{rng.randrange(10**6):06d} about topic {rng.randrange(40)} "
        f"{rng.choice(['today', 'now', 'again', ''])}" for _ in range(700)))
    p = NearTextParams()
    labels = clusters(texts, p)
    assert labels == _leaders_by_definition(texts, p)
    assert 1 < len(set(labels)) < len(texts) / 3  # crowded: many texts per leader
