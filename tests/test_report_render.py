"""The report's Python-printed pieces (`evidence_items`, `counted`) print exactly what the
inline Jinja they replaced printed (kept here as the oracle), on hostile items: markup,
right-to-left overrides, formulas, texts longer than the 90-character cut, URLs to defang and
times on the same or different days."""

from __future__ import annotations

import random

import pytest

from inconcert.report.evidence import ITEM_KIND
from inconcert.report.html import _env

from .test_report import PAYLOADS

OLD_ITEMS = (
    '{% for it in items %}<li>{% if it.kind in ("url", "domain") %}{{ it.item | defang }}'
    '{% elif it.kind == "hashtag" %}#{{ it.item }}{% elif it.text %}“{{ it.text | truncate(90) }}'
    '” <code>{{ it.item }}</code>{% else %}<code>{{ it.item }}</code>{% endif %}'
    '{% if it.time_self or it.time_other %} <span class="when">{{ it.time_self[11:19] if '
    'it.time_self[:10] == it.time_other[:10] else it.time_self }} / {{ it.time_other[11:19] if '
    'it.time_self[:10] == it.time_other[:10] else it.time_other }}{% if it.time_self[:10] == '
    'it.time_other[:10] %} on {{ it.time_self[:10] }}{% endif %}</span>{% endif %}</li>'
    '{% endfor %}')
OLD_COUNTED = '{% for o, c in pairs %}{{ o }} ({{ c }}){{ ", " if not loop.last }}{% endfor %}'
TEXTS = [*PAYLOADS, "", "https://evil.example/a.b?c=d", "ftp://x.y", "a" * 89, "b " * 60,
         "\u05d0\u05d1 שלום " * 20, "\u2069stray pdi", "#tag", "漢字" * 50, "e\u0301" * 45]
TIMES = ["", "2020-02-06T03:15:00.000Z", "2020-02-06T23:59:59.999Z", "2021-01-01T00:00:00.000Z"]


def _items(rng: random.Random, n: int) -> list[dict[str, str | None]]:
    kinds = sorted({*ITEM_KIND.values(), ""})
    return [{"item": rng.choice(TEXTS) + str(i), "kind": rng.choice(kinds),
             "text": rng.choice([None, *TEXTS]), "posted": "",
             "time_self": rng.choice(TIMES), "time_other": rng.choice(TIMES)}
            for i in range(n)]


@pytest.mark.parametrize("seed", range(4))
def test_evidence_items_print_as_the_inline_template(seed):
    env = _env()
    items = _items(random.Random(seed), 300)
    assert (env.from_string("{{ items | evidence_items }}").render(items=items)
            == env.from_string(OLD_ITEMS).render(items=items))


@pytest.mark.parametrize("n", [0, 1, 2, 40])
def test_counted_prints_as_the_inline_template(n):
    env = _env()
    pairs = [(TEXTS[i % len(TEXTS)], i) for i in range(n)]
    assert (env.from_string("{{ pairs | counted }}").render(pairs=pairs)
            == env.from_string(OLD_COUNTED).render(pairs=pairs))
