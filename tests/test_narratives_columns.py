"""Narrative terms and names in texts, with the texts normalised together by Arrow, are what
the per-text rule (`norm_text` of each text) gives."""

import random

import pyarrow as pa

from inconcert.narratives.cluster import _HASHTAG, STOPWORDS, terms_of
from inconcert.narratives.targets import name_key, names_in
from inconcert.normalize import norm_text, norm_texts
from inconcert.textseg import words

PIECES = ["RT @ab: ", "The ", "US ", "leaves ", "#USDefeat ", "美国混乱 ", "Lena Hartwell ",
          "LENA  hartwell", "@lena.h ", "https://x.example/a ", "ß", "ﬁne ", "\u0e2a\u0e31\u0e19 ",
          "\u212aelvin ", "\xa0", "\x0b", "e\u0301 ", "Ⅻ ", "A.@b ", "＃tag ", "and ", "x"]


def _texts(n, seed=0):
    rng = random.Random(seed)
    return ["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 9))) for _ in range(n)]


def test_terms_of_equal_the_per_text_rule():
    texts = _texts(2000)
    want = [{w for w in words(_HASHTAG.sub(" ", norm_text(t))) if len(w) >= 2
             and w not in STOPWORDS} for t in texts]
    assert terms_of(texts) == want


def test_names_in_normalised_texts_equal_the_per_text_rule():
    texts = _texts(2000, seed=1)
    names = {name_key(n): str(i) for i, n in enumerate(["Lena Hartwell", "Kelvin", "fine"])}
    longest = max(n.count(" ") + 1 for n in names)
    got = [names_in(t, names, longest) for t in norm_texts(pa.array(texts)).to_pylist()]
    want = []
    for t in texts:
        ws = name_key(norm_text(t)).split(" ")
        want.append({" ".join(ws[i:i + k]) for k in range(1, longest + 1)
                     for i in range(len(ws) - k + 1)} & names.keys())
    assert got == want
    assert any(want)
