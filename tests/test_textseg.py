"""Word segmentation for scripts without spaces: Thai top terms are whole words (never cut at a
vowel or tone mark), with ICU's dictionary when PyICU is installed."""

from __future__ import annotations

import pytest

from inconcert import textseg

THAI = "รัฐบาลตั้งใจให้ประชาชนมีส่วนร่วมในการพัฒนาประเทศ"


def test_thai_lao_khmer_and_chinese_words_with_icu():
    pytest.importorskip("icu", reason="PyICU not installed (pip install -e '.[words]')")
    got = textseg.words(THAI)
    assert {"รัฐบาล", "ตั้งใจ", "ประชาชน", "พัฒนา", "ประเทศ"} <= set(got)
    assert "".join(got) == THAI  # every character in exactly one word
    # The fragments the letters-only regex produced are gone.
    assert not {"งใจให", "าล", "นก"} & set(got)
    assert textseg.words("我们爱北京天安门") == ["我们", "爱", "北京", "天安门"]
    assert textseg.words("ສະບາຍດີ ជំរាបសួរ hello, 2020!") == ["ສະບາຍດີ", "ជំរាបសួរ", "hello"]


def test_words_after_an_emoji_are_whole_with_icu():
    pytest.importorskip("icu", reason="PyICU not installed (pip install -e '.[words]')")
    # An emoji is two UTF-16 units: ICU's boundaries must not shift the Thai words after it.
    assert textseg.words("💚 " + THAI + " 🇹🇭 " + THAI) == textseg.words(THAI) * 2
    assert textseg.words("RT 💚 กรมทหารราบที่ 8") == ["RT", "กรม", "ทหาร", "ราบ", "ที่"]


def test_without_icu_no_word_is_cut_at_a_mark(monkeypatch):
    monkeypatch.setattr(textseg, "_iterator", lambda: None)
    got = textseg.words("ตั้งใจ ให้ hello-world 美国混乱 2020")
    assert got == ["ตั้งใจ", "ให้", "hello", "world", "美国", "国混", "混乱"]
