"""The report's Python-printed pieces (`trace_cells`, `counted`) print exactly what the
inline Jinja they replaced printed (kept here as the oracle), on hostile traces and items: markup,
right-to-left overrides, formulas, texts longer than the 90-character cut, URLs to defang and
times on the same or different days."""

from __future__ import annotations

import random

import pytest

from inconcert.report.evidence import ITEM_KIND
from inconcert.report.html import _env

from .test_report import PAYLOADS

OLD_TRACE = (
    '{% for t in traces %}<td>{{ t.trace }}{% if not t.significant %} <span class="muted" '
    'title="counts only with other traces">(supporting)</span>{% endif %}{% for d in t.disarm %}'
    '<br><span class="tid" title="{{ d.name }}">{{ d.id }}</span>{% endfor %}</td><td class="r">'
    '{{ t.count }}</td><td class="r">{{ "%.2g" | format(t.p_value) if t.p_value is not none '
    'else "" }}</td><td><ul class="ilist">{% for it in t["items"] %}<li>'
    '{% if it.kind in ("url", "domain") %}{{ it.item | defang }}'
    '{% elif it.kind == "hashtag" %}#{{ it.item }}{% elif it.text %}“{{ it.text | truncate(90) }}'
    '” <code>{{ it.item }}</code>{% else %}<code>{{ it.item }}</code>{% endif %}'
    '{% if it.time_self or it.time_other %} <span class="when">{{ it.time_self[11:19] if '
    'it.time_self[:10] == it.time_other[:10] else it.time_self }} / {{ it.time_other[11:19] if '
    'it.time_self[:10] == it.time_other[:10] else it.time_other }}{% if it.time_self[:10] == '
    'it.time_other[:10] %} on {{ it.time_self[:10] }}{% endif %}</span>{% endif %}</li>'
    '{% endfor %}</ul><span class="muted">{{ t.first[:10] }} – {{ t.last[:10] }}</span></td>'
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


def _traces(rng: random.Random, n: int) -> list[dict]:
    return [{"trace": rng.choice([*ITEM_KIND, *TEXTS]), "significant": rng.random() < 0.5,
             "disarm": [{"id": rng.choice(TEXTS), "name": rng.choice([None, *TEXTS])}
                        for _ in range(rng.randint(0, 2))],
             "count": rng.choice([0, 7, 12345]),
             "p_value": rng.choice([None, 0.0, 1.0, 0.012345, 3.3e-12, 0.5]),
             "items": _items(rng, rng.randint(0, 5)), "first": rng.choice(TIMES),
             "last": rng.choice(TIMES)} for _ in range(n)]


@pytest.mark.parametrize("seed", range(4))
def test_trace_cells_print_as_the_inline_template(seed):
    env = _env()
    traces = _traces(random.Random(seed), 200)
    assert (env.from_string("{% for t in traces %}{{ t | trace_cells }}{% endfor %}")
            .render(traces=traces) == env.from_string(OLD_TRACE).render(traces=traces))


@pytest.mark.parametrize("n", [0, 1, 2, 40])
def test_counted_prints_as_the_inline_template(n):
    env = _env()
    pairs = [(TEXTS[i % len(TEXTS)], i) for i in range(n)]
    assert (env.from_string("{{ pairs | counted }}").render(pairs=pairs)
            == env.from_string(OLD_COUNTED).render(pairs=pairs))


def test_counted_prints_repeated_pairs_by_their_own_type():
    # Pairs are printed once each and cached: a 1, a True and a 1.0 still print as themselves.
    env = _env()
    pairs = [("N1", 1), ("N1", True), ("N1", 1.0), (TEXTS[0], 2), (TEXTS[0], 2)] * 3
    assert (env.from_string("{{ pairs | counted }}").render(pairs=pairs)
            == env.from_string(OLD_COUNTED).render(pairs=pairs))
