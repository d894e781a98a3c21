"""Narratives: the talking points the networks push, found by clustering what they post.

Each distinct text a network posts or amplifies (normalised: no `RT @x:` prefix, links or
mentions, folded case) is one document, however many posts carry it. Documents are embedded
(`embed.py`). The `sample_documents` most posted documents are linked to their `neighbours`
nearest documents at or above the embedder's cosine threshold (an edge kept only when it is among
the `max_degree` strongest of both its documents), and this similarity graph, never larger than
`sample_documents` vertices and `sample_documents` x `neighbours` edges, is split into
communities by Leiden with a fixed seed (vertices and edges in sorted order). The other documents
(up to `max_documents` in all, most posted first) join the community whose centroid is nearest, at
or above the threshold, or stand alone. The same case always gives the same narratives. A
community is a narrative when its documents were posted or amplified at least `min_posts` times by
at least `min_accounts` accounts.

The `narratives` table has one row per (narrative, network): the network's own counts, languages
and timeline in that narrative, with the narrative's descriptors (top terms, hashtags, domains,
representative posts, all networks that pushed it).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from .. import config
from ..leiden import leiden_partition
from ..networks.communities import NetworkParams
from ..normalize import norm_texts
from ..signals.features import day_iso, rows
from ..textseg import words
from ..traces.co_text import CJK
from .content import Item
from .embed import CharNgrams, Embedder, choose, clean_texts
from .tables import replace_table


@config.section("narratives")
@dataclass
class NarrativeParams:
    """Clustering what the networks post and amplify into narratives."""

    embedder: str = config.param(
        "auto", "'auto' (the multilingual sentence encoder when the `narratives` extra is "
                "installed, else character n-grams), 'char-ngrams' or 'multilingual'")
    min_chars: int = config.param(
        15, "texts shorter than this after normalisation are not clustered (a CJK character "
            "counts as two)")
    max_documents: int = config.param(
        200_000, "at most this many distinct texts are clustered, the most posted first (the "
                 "rest are counted in findings.json as not clustered)")
    sample_documents: int = config.param(
        5_000, "the most posted texts that form the similarity graph (its size bound); the "
               "other clustered texts join the nearest community")
    neighbours: int = config.param(10, "each text is linked to at most this many nearest texts")
    max_degree: int = config.param(
        100, "a link is kept only when it is among this many strongest links of both its texts")
    char_threshold: float = config.param(
        0.3, "character n-grams: cosine similarity at which two texts are linked")
    model_threshold: float = config.param(
        0.5, "multilingual encoder: cosine similarity at which two texts are linked")
    ngram_min: int = config.param(2, "character n-grams: shortest n-gram")
    ngram_max: int = config.param(4, "character n-grams: longest n-gram")
    n_features: int = config.param(1 << 20, "character n-grams: hashed dimensions")
    resolution: float = config.param(
        1.0, "Leiden resolution on the similarity graph (higher splits narratives more)")
    seed: int = config.param(42, "Leiden random seed (fixed: same texts, same narratives)")
    min_posts: int = config.param(
        5, "a narrative needs at least this many posts and reshares by network members")
    min_accounts: int = config.param(2, "... by at least this many accounts")
    top_terms: int = config.param(10, "terms listed per narrative")
    top_items: int = config.param(5, "hashtags and domains listed per narrative")
    representatives: int = config.param(3, "representative posts kept per narrative")
    other_languages: int = config.param(
        4, "besides the representatives, the most central text of each language they miss, for "
           "up to this many languages (most posted first), so a translation the narrative "
           "joined is shown beside its original")


@dataclass
class Document:
    """One distinct normalised text and the network posts that carry it."""

    key: str
    text: str
    post_id: str
    items: list[int] = field(default_factory=list)


@dataclass
class Narrative:
    """A cluster of documents and what describes it."""

    narrative_id: str
    docs: list[int]
    items: list[int]
    similarity: dict[int, float]
    representatives: list[int]
    terms: list[str]


NARRATIVES_DDL = """
CREATE OR REPLACE TABLE narratives (
    narrative_id VARCHAR, network_id VARCHAR, n_posts BIGINT, share DOUBLE, n_accounts BIGINT,
    n_documents BIGINT, languages VARCHAR, first_ms BIGINT, last_ms BIGINT, timeline VARCHAR,
    narrative_posts BIGINT, networks VARCHAR, top_terms VARCHAR, hashtags VARCHAR,
    domains VARCHAR, representative_post_id VARCHAR, representative_text VARCHAR,
    representatives VARCHAR, embedder VARCHAR)
"""
NARRATIVE_POSTS_DDL = """
CREATE OR REPLACE TABLE narrative_posts (
    narrative_id VARCHAR, network_id VARCHAR, platform VARCHAR, post_id VARCHAR,
    account_id VARCHAR, kind VARCHAR, source_post_id VARCHAR, created_ms BIGINT, lang VARCHAR,
    similarity DOUBLE)
"""
# Function words that say nothing about a talking point (English; other languages rely on IDF).
STOPWORDS = frozenset((
    "a", "about", "after", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be",
    "because", "been", "before", "being", "but", "by", "can", "could", "did", "do", "does",
    "doing", "don", "for", "from", "had", "has", "have", "having", "he", "her", "here", "hers",
    "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "just", "me", "more",
    "most", "my", "no", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our",
    "out", "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "the",
    "their", "theirs", "them", "then", "there", "these", "they", "this", "those", "through",
    "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where",
    "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours",
    "rt", "amp", "via"
))
# A hashtag runs over word characters and the combining marks Python's \w leaves out (Thai,
# Lao, Khmer and Myanmar vowel and tone marks, Indic vowel signs, Latin, Cyrillic, Hebrew and
# Arabic diacritics): with \w alone `#เดลินิวส์` stopped at its first vowel mark and left
# `ินิวส์` behind, which segmented into the fragments `นิ` and `วส์`.
_MARKS = ("\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u0610-\u061a\u064b-\u065f\u0900-\u0dff"
          "\u0e31-\u0e4e\u0eb1-\u0ecd\u102b-\u103e\u17b4-\u17d3\u1ab0-\u1aff\u1dc0-\u1dff"
          "\u20d0-\u20ff\ufe20-\ufe2f")
_HASHTAG = re.compile(f"[#＃][\\w{_MARKS}]+")
MAX_TEXT = 280
# The same class for RE2 (Arrow), which spells code points \x{...}.
_CJK_RE2 = re.sub(r"\\u([0-9a-fA-F]{4})", r"\\x{\1}", CJK.pattern)


def text_lengths(keys: pa.Array) -> np.ndarray:
    """`text_length` of every text of a string column: a CJK character counts twice."""
    cjk = pc.count_substring_regex(keys, _CJK_RE2)
    return pc.add(pc.utf8_length(keys), cjk).to_numpy(zero_copy_only=False)


def documents(items: Sequence[Item], min_chars: int) -> list[Document]:
    """Distinct normalised texts of the items, sorted by text; each names its earliest post
    (time, then post id) and lists its items in order."""
    texts = pa.array([it.text for it in items], pa.string())
    keys = clean_texts(texts)
    ok = pc.and_(pc.fill_null(pc.not_equal(texts, ""), False),
                 pa.array(text_lengths(keys) >= min_chars)).to_numpy(zero_copy_only=False)
    idx = np.flatnonzero(ok)
    if not idx.size:
        return []
    t = pa.table({"key": keys.take(pa.array(idx)), "i": idx,
                  "ms": pa.array([items[i].created_ms for i in idx], pa.int64()),
                  "src": pa.array([items[i].source_post_id for i in idx], pa.string())})
    by_key = t.take(pc.sort_indices(t, [("key", "ascending"), ("i", "ascending")]))
    k = by_key.column("key").combine_chunks()
    starts = np.flatnonzero(np.r_[True, pc.not_equal(k[1:], k[:-1]).to_numpy(
        zero_copy_only=False)]) if len(k) > 1 else np.zeros(1, np.int64)
    bounds = np.r_[starts, len(k)]
    first = t.take(pc.sort_indices(t, [("key", "ascending"), ("ms", "ascending"),
                                       ("src", "ascending"), ("i", "ascending")]))
    first_i = first.column("i").to_numpy()[starts]
    members = by_key.column("i").to_numpy()
    return [Document(key, items[fi].text, items[fi].source_post_id,
                     members[bounds[d]:bounds[d + 1]].tolist())
            for d, (key, fi) in enumerate(zip(k.take(pa.array(starts)).to_pylist(),
                                              first_i.tolist(), strict=True))]


def knn_edges(x: np.ndarray | sp.csr_matrix, k: int, threshold: float,
              block: int = 512, max_degree: int | None = None) -> list[tuple[int, int, float]]:
    """Undirected edges (i < j, cosine) from each row to its `k` most similar rows at or above
    `threshold`; similarities rounded to 4 decimals and ties broken by the lower index, so the
    graph does not depend on the last bits of floating-point arithmetic. With `max_degree`, an
    edge is kept only when it is among the `max_degree` strongest (ties: the lower other end)
    of both its rows."""
    n = x.shape[0]
    src, dst, wts = [], [], []
    xt = x.T.tocsr() if sp.issparse(x) else x.T
    for start in range(0, n, block):
        stop = min(n, start + block)
        sim = x[start:stop] @ xt
        sim = sim.toarray() if sp.issparse(sim) else np.asarray(sim)
        sim = np.round(sim, 4)
        sim[np.arange(stop - start), np.arange(start, stop)] = -1.0
        sim[sim < threshold] = -np.inf
        if n > k:
            # The k-th largest value of each row; all above it, then its ties by lower index.
            kth = -np.partition(-sim, k - 1, axis=1)[:, k - 1:k]
            tie = sim == kth
            keep = (sim > kth) | (tie & (np.cumsum(tie, axis=1)
                                         <= k - (sim > kth).sum(axis=1, keepdims=True)))
            keep &= sim > -np.inf
        else:
            keep = sim > -np.inf
        r, j = np.nonzero(keep)
        src.append(r + start)
        dst.append(j)
        wts.append(sim[r, j])
    i = np.concatenate(src) if src else np.zeros(0, np.int64)
    j = np.concatenate(dst) if dst else np.zeros(0, np.int64)
    w = np.concatenate(wts) if wts else np.zeros(0)
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    # One edge per pair; the row visited last gives its similarity (as a dict would keep).
    order = np.lexsort((i, hi, lo))
    lo, hi, w = lo[order], hi[order], w[order]
    last = np.r_[(lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1]), True] if lo.size else \
        np.zeros(0, bool)
    lo, hi, w = lo[last], hi[last], w[last]
    if max_degree is not None and lo.size:
        keep = np.ones(lo.size, bool)
        for a, b in ((lo, hi), (hi, lo)):
            by = np.lexsort((b, -w, a))
            rank = np.arange(by.size) - np.searchsorted(a[by], a[by])
            keep[by[rank >= max_degree]] = False
        lo, hi, w = lo[keep], hi[keep], w[keep]
    return list(zip(lo.tolist(), hi.tolist(), w.tolist(), strict=True))


def communities(n: int, edges: list[tuple[int, int, float]], p: NarrativeParams
                ) -> list[list[int]]:
    """Leiden communities of the document graph (every unlinked document alone), each sorted."""
    width = len(str(max(n, 1)))
    names = [str(i).zfill(width) for i in range(n)]
    linked = sorted({v for i, j, _ in edges for v in (i, j)})
    groups = leiden_partition(
        [names[i] for i in linked], [(names[i], names[j], w) for i, j, w in edges],
        NetworkParams(seed=p.seed, resolution=p.resolution))
    out = [sorted(int(v) for v in g) for g in groups]
    seen = {v for g in out for v in g}
    out.extend([i] for i in range(n) if i not in seen)
    return out


def terms(text: str) -> set[str]:
    """Words of a text for describing a narrative: words of two or more letters (English
    function words left out), segmented by `textseg.words` (ICU for Thai, Chinese ...)."""
    return terms_of([text])[0]


# NFKC (in norm_texts) splits Thai and Lao SARA AM into NIKHAHIT + SARA AA; ICU's dictionary
# knows the words only with the single character, so `ดำน้ำ` segmented as fragments (`าน้ํา`).
_SARA_AM = (("\u0e4d\u0e32", "\u0e33"), ("\u0ecd\u0eb2", "\u0eb3"))
# A vowel or mark typed again to stretch a word (`น้าาา`, as English writes `sooo`) is one:
# ICU's dictionary splits the repeats off as fragments (`าา`).
# Leading vowels are left alone: `เเ` typed for `แ` is a spelling, not a stretch.
_THAI_STRETCH = re.compile("([\u0e30-\u0e3a\u0e45\u0e47-\u0e4e])\\1+")


def terms_of(texts: Sequence[str]) -> list[set[str]]:
    """`terms` of every text, the texts normalised together by Arrow (`norm_texts`)."""
    out = []
    for t in norm_texts(pa.array(texts, pa.string())).to_pylist():
        t = _HASHTAG.sub(" ", t)
        for decomposed, am in _SARA_AM:
            t = t.replace(decomposed, am)
        t = _THAI_STRETCH.sub(r"\1", t)
        out.append({w for w in words(t) if len(w) >= 2 and w not in STOPWORDS})
    return out


def top_terms(doc_terms: list[set[str]], cluster: list[int], df: Counter[str], n_docs: int,
              top: int) -> list[str]:
    """The terms most typical of a cluster: share of its documents holding the term times the
    term's inverse document frequency over all documents; a term must recur in the cluster."""
    local: Counter[str] = Counter()
    for d in cluster:
        local.update(doc_terms[d])
    need = 2 if len(cluster) > 1 else 1
    scored = [(-(c / len(cluster)) * math.log(n_docs / df[t]), t)
              for t, c in local.items() if c >= need]
    return [t for _, t in sorted(scored)[:top]]


def _by_posts(docs: list[Document], limit: int) -> list[int]:
    """Indices of the `limit` most posted documents (ties: by text), in document order."""
    if len(docs) <= limit:
        return list(range(len(docs)))
    n = np.array([len(d.items) for d in docs])
    # Documents are sorted by text, so a stable sort by count keeps ties in text order.
    return sorted(np.argsort(-n, kind="stable")[:limit].tolist())


def assign(x: np.ndarray | sp.csr_matrix, groups: list[list[int]], weights: np.ndarray,
           rest: list[int], threshold: float, block: int = 4096) -> list[list[int]]:
    """`groups` with each row of `rest` added to the group whose post-weighted centroid is the
    most similar (rounded to 4 decimals; ties to the first group), at or above `threshold`; a
    row below it for every group becomes a group of its own."""
    out = [list(g) for g in groups]
    if not rest:
        return out
    if groups:
        member = np.concatenate([np.asarray(g) for g in groups])
        which = np.repeat(np.arange(len(groups)), [len(g) for g in groups])
        pick = sp.csr_matrix((weights[member], (which, member)), shape=(len(groups), x.shape[0]))
        cent = pick @ x
        cent = sp.csr_matrix(cent) if sp.issparse(cent) else np.asarray(cent)
        norms = np.sqrt(np.asarray(cent.multiply(cent).sum(axis=1)).ravel()) if sp.issparse(
            cent) else np.linalg.norm(cent, axis=1)
        norms[norms == 0] = 1.0
        cent = (sp.diags(1.0 / norms) @ cent) if sp.issparse(cent) else cent / norms[:, None]
        ct = cent.T.tocsr() if sp.issparse(cent) else cent.T
    alone = []
    for start in range(0, len(rest), block):
        rows = rest[start:start + block]
        if groups:
            sim = x[rows] @ ct
            sim = np.round(sim.toarray() if sp.issparse(sim) else np.asarray(sim), 4)
            best = np.argmax(sim, axis=1)
            ok = sim[np.arange(len(rows)), best] >= threshold
        else:
            best, ok = np.zeros(len(rows), np.int64), np.zeros(len(rows), bool)
        for d, g, o in zip(rows, best.tolist(), ok.tolist(), strict=True):
            (out[g] if o else alone).append(d)
    for g in out:
        g.sort()
    return out + [[d] for d in alone]


def cluster_narratives(items: Sequence[Item], embedder: Embedder, p: NarrativeParams
                       ) -> tuple[list[Narrative], list[Document], dict[str, int]]:
    """Narratives of the items (ids N-ordered by posts), their documents, and counts for
    findings.json (documents found, clustered, in narratives)."""
    docs = documents(items, p.min_chars)
    total = len(docs)
    docs = [docs[d] for d in _by_posts(docs, p.max_documents)]
    counts = {"documents": total, "documents_clustered": len(docs)}
    if not docs:
        counts["documents_in_narratives"] = 0
        return [], docs, counts
    sample = _by_posts(docs, p.sample_documents)
    texts = [d.text for d in docs]
    if len(sample) == len(docs):
        x = xs = embedder.embed(texts)
        groups = communities(len(docs), knn_edges(x, p.neighbours, embedder.threshold,
                                                  max_degree=p.max_degree), p)
    else:
        # The other documents join in character n-gram space, which costs little per text
        # (the multilingual model embeds only the sample).
        chars = CharNgrams(p.ngram_min, p.ngram_max, p.n_features, p.char_threshold)
        x = chars.embed(texts)
        xs = x[sample] if isinstance(embedder, CharNgrams) else embedder.embed(
            [texts[d] for d in sample])
        found = communities(len(sample), knn_edges(xs, p.neighbours, embedder.threshold,
                                                   max_degree=p.max_degree), p)
        in_sample = set(sample)
        groups = assign(x, [[sample[d] for d in g] for g in found],
                        np.array([len(d.items) for d in docs], dtype=np.float64),
                        [d for d in range(len(docs)) if d not in in_sample],
                        chars.threshold)
        # A narrative of sample documents only is described in the embedder's own space.
        row = {d: r for r, d in enumerate(sample)}
    doc_terms = terms_of([d.text for d in docs])
    df: Counter[str] = Counter()
    for ts in doc_terms:
        df.update(ts)
    kept = []
    for g in groups:
        its = sorted(i for d in g for i in docs[d].items)
        if len(its) >= p.min_posts and len({items[i].account_id for i in its}) >= p.min_accounts:
            kept.append((g, its))
    kept.sort(key=lambda gi: (-len(gi[1]), docs[gi[0][0]].key))
    out = []
    for n, (g, its) in enumerate(kept, start=1):
        weights = np.array([len(docs[d].items) for d in g], dtype=np.float64)
        xg = x[g] if xs is x or not all(d in row for d in g) else xs[[row[d] for d in g]]
        centroid = np.asarray(xg.T @ weights).ravel()
        norm = float(np.linalg.norm(centroid)) or 1.0
        sims = np.round(np.asarray(xg @ (centroid / norm)).ravel(), 4)
        sim = {d: float(s) for d, s in zip(g, sims, strict=True)}
        reps = sorted(g, key=lambda d: (-sim[d], -len(docs[d].items), docs[d].key))
        out.append(Narrative(f"NR{n:03d}", g, its, sim, reps[:p.representatives],
                             top_terms(doc_terms, g, df, len(docs), p.top_terms)))
    counts["documents_in_narratives"] = sum(len(nr.docs) for nr in out)
    return out, docs, counts


def _joined(counts: Counter[str], top: int | None = None) -> str:
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return ";".join(f"{k}:{v}" for k, v in items[:top])


def _top(counts: dict[str, Counter[str]], nid: str, top: int) -> str:
    c = counts.get(nid, Counter())
    return ";".join(k for k, _ in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[:top])


def _entity_counts(con: duckdb.DuckDBPyConnection, entity_sql: str) -> dict[str, Counter[str]]:
    out: dict[str, Counter[str]] = {}
    for nid, value, n in rows(con, f"""
            SELECT np.narrative_id, {entity_sql} AS v, count(*) FROM narrative_posts np
            JOIN post_entities e ON e.platform = np.platform AND e.post_id = np.source_post_id
            WHERE v IS NOT NULL AND v <> '' GROUP BY ALL"""):
        out.setdefault(nid, Counter())[value] = n
    return out


# Domain of a link, as the co_domain trace reads it; links to posts on the platform itself are
# quotes and reshares, not sources, so they are left out.
DOMAIN_SQL = """CASE
    WHEN e.entity = 'domain' THEN e.normalized
    WHEN e.entity = 'url' AND NOT regexp_matches(e.normalized,
         '^(mobile\\.)?(twitter\\.com|x\\.com)/[^/]+/status')
    THEN split_part(split_part(e.normalized, '/', 1), ':', 1) END"""


def _doc_lang(doc: Document, items: Sequence[Item]) -> str | None:
    """The language most of a text's posts are tagged with (None when none is tagged)."""
    langs = Counter(items[i].lang for i in doc.items if items[i].lang not in (None, "", "und"))
    return min(langs, key=lambda lang: (-langs[lang], lang)) if langs else None


def _other_languages(nr: Narrative, docs: Sequence[Document], items: Sequence[Item],
                     p: NarrativeParams) -> list[int]:
    """The most central document of each language the representatives do not show (the
    languages with most posts first, at most p.other_languages)."""
    shown = {_doc_lang(docs[d], items) for d in nr.representatives}
    best: dict[str, int] = {}
    posts: Counter[str] = Counter()
    for d in sorted(nr.docs, key=lambda d: (-nr.similarity[d], -len(docs[d].items),
                                            docs[d].key)):
        lang = _doc_lang(docs[d], items)
        if lang is not None and lang not in shown:
            best.setdefault(lang, d)
            posts[lang] += len(docs[d].items)
    order = sorted(best, key=lambda lang: (-posts[lang], lang))
    return [best[lang] for lang in order[:p.other_languages]]


def write_narratives(con: duckdb.DuckDBPyConnection, items: Sequence[Item],
                     p: NarrativeParams) -> dict[str, object]:
    """(Re)create `narratives` and `narrative_posts` from the networks' content; returns the
    findings.json summary (embedder, document counts, narratives)."""
    embedder = choose(p.embedder, p.char_threshold, p.model_threshold, p.ngram_min,
                      p.ngram_max, p.n_features)
    found, docs, counts = cluster_narratives(items, embedder, p)
    post_rows = []
    for nr in found:
        for d in nr.docs:
            for i in docs[d].items:
                it = items[i]
                post_rows.append((nr.narrative_id, it.network_id, it.platform, it.post_id,
                                  it.account_id, it.kind, it.source_post_id, it.created_ms,
                                  it.lang, nr.similarity[d]))
    post_rows.sort(key=lambda r: (r[0], r[1], r[7], r[2], r[3]))
    replace_table(con, "narrative_posts", NARRATIVE_POSTS_DDL, post_rows)
    hashtags = _entity_counts(con, "CASE WHEN e.entity = 'hashtag' THEN e.normalized END")
    domains = _entity_counts(con, DOMAIN_SQL)
    net_posts = Counter(it.network_id for it in items)
    out_rows = []
    for nr in found:
        by_net: dict[str, list[Item]] = {}
        # A network's distinct texts in the narrative: the documents holding its posts (an
        # item's normalised text is its document's key).
        net_docs: dict[str, set[int]] = {}
        for d in nr.docs:
            for i in docs[d].items:
                net_docs.setdefault(items[i].network_id, set()).add(d)
        for i in nr.items:
            by_net.setdefault(items[i].network_id, []).append(items[i])
        nets = Counter({k: len(v) for k, v in by_net.items()})
        reps = [{"post_id": docs[d].post_id, "text": docs[d].text[:MAX_TEXT],
                 "similarity": nr.similarity[d], "posts": len(docs[d].items),
                 "lang": _doc_lang(docs[d], items)}
                for d in nr.representatives + _other_languages(nr, docs, items, p)]
        for net in sorted(by_net, key=lambda k: (-nets[k], k)):
            its = by_net[net]
            times = [it.created_ms for it in its]
            out_rows.append((
                nr.narrative_id, net, len(its), round(len(its) / net_posts[net], 6),
                len({it.account_id for it in its}),
                len(net_docs[net]),
                _joined(Counter(it.lang or "und" for it in its)), min(times), max(times),
                json.dumps(dict(sorted(Counter(day_iso(t) for t in times).items())),
                           separators=(",", ":")),
                len(nr.items), _joined(nets), ";".join(nr.terms),
                _top(hashtags, nr.narrative_id, p.top_items),
                _top(domains, nr.narrative_id, p.top_items), reps[0]["post_id"], reps[0]["text"],
                json.dumps(reps, ensure_ascii=False, separators=(",", ":")), embedder.name))
    replace_table(con, "narratives", NARRATIVES_DDL, out_rows)
    return {"embedder": embedder.name, **counts, "narratives": len(found)}
