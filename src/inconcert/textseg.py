"""Words of a text in any script, including those written without spaces between words (Thai,
Lao, Khmer, Burmese, Chinese, Japanese).

With PyICU installed (the `words` extra; it builds against the system's ICU) words come from
ICU's dictionary-based word break iterator, the one browsers and office suites use: Thai
`รัฐบาลตั้งใจให้` is `รัฐบาล`, `ตั้งใจ`, `ให้`. Without it, a word is a run of letters and their
combining marks (Thai vowel and tone marks are marks, so a word is never cut at them; a Thai
phrase stays whole), and Chinese/Japanese/Korean runs give character pairs.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any

from .traces.co_text import CJK

# ICU rule statuses of word segments with letters (200-299), kana (300-399), ideographs (400+).
_LETTER_STATUS = 200
_CJK_RUN = re.compile(f"(?:{CJK.pattern})+")


@cache
def _iterator() -> Any | None:
    try:
        import icu
    except ImportError:
        return None
    return icu.BreakIterator.createWordInstance(icu.Locale.getRoot())


def have_icu() -> bool:
    """Whether ICU word segmentation is available (PyICU installed)."""
    return _iterator() is not None


def words(text: str) -> list[str]:
    """The words of a text in order (letters only: numbers, punctuation and spaces dropped)."""
    bi = _iterator()
    if bi is not None:
        bi.setText(text)
        # ICU's boundaries count UTF-16 code units: past an emoji or any other character
        # outside the BMP they no longer index the Python string, so words are cut from the
        # UTF-16 text (slicing `text` shifted every later Thai word by a character per emoji).
        utf16 = text.encode("utf-16-le")
        out, start = [], 0
        for end in bi:
            if bi.getRuleStatus() >= _LETTER_STATUS:
                out.append(utf16[2 * start:2 * end].decode("utf-16-le"))
            start = end
        return out
    out = []
    for run in _letter_runs(_CJK_RUN.sub(lambda m: f" {m.group(0)} ", text)):
        if _CJK_RUN.fullmatch(run):
            out.extend(run[i:i + 2] for i in range(max(1, len(run) - 1)))
        else:
            out.append(run)
    return out


def _letter_runs(text: str) -> list[str]:
    """Maximal runs of letters and combining marks (a mark never starts a run)."""
    runs, cur = [], []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat[0] == "L" or (cat[0] == "M" and cur):
            cur.append(ch)
        elif cur:
            runs.append("".join(cur))
            cur = []
    if cur:
        runs.append("".join(cur))
    return runs
