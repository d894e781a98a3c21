"""The report's inline SVG charts keep every bar and tick label inside their viewBox, and the
tallest bar reaches the top of the plot (the y axis is labelled with the largest count)."""

from __future__ import annotations

import re

from markupsafe import escape

from inconcert.report import charts


def _frame(svg: str) -> tuple[float, float]:
    w, h = re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).groups()
    return float(w), float(h)


def _rects(svg: str) -> list[tuple[float, float, float, float]]:
    return [tuple(float(v) for v in m) for m in re.findall(
        r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"', svg)]


def test_many_bars_with_ticks_stay_inside_the_frame():
    values = [(i % 7, (3 * i) % 5) for i in range(120)]
    labels = [f"2021-01-{i:03d}" for i in range(120)]
    svg = str(charts.bars(values, labels, "t", ("#000", "#999"), ("a", "b"), width=1120))
    width, height = _frame(svg)
    rects = _rects(svg)
    assert len(rects) == sum(1 for v in values for x in v if x)
    assert all(x >= 0 and x + w <= width and y >= 0 and y + h <= height for x, y, w, h in rects)
    # Bars are evenly spaced: the last bar ends near the right edge, not beyond it.
    assert max(x + w for x, _, w, _ in rects) > width * 0.9
    ticks = [float(x) for x in re.findall(r'<text x="([\d.]+)" y="\d+" class="ax"', svg)]
    assert len(ticks) > 2 and all(0 <= x <= width for x in ticks)


def test_every_latency_bin_is_drawn_in_order():
    counts = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    svg = str(charts.bars([(n,) for n in counts], list(charts.LATENCY_LABELS), "lat", ("#000",),
                          ("reshares",), tick_every=1))
    width, _ = _frame(svg)
    xs = [x for x, _, _, _ in _rects(svg)]
    assert len(xs) == 11 and xs == sorted(xs) and max(xs) < width
    assert all(f">{escape(label)}</text>" in svg for label in charts.LATENCY_LABELS)
