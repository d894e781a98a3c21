"""Inline SVG charts computed in Python: no chart library, no script, nothing fetched.

Every label can come from the data (client names, dates), so all text goes through
`markupsafe.escape`; the functions return `Markup` ready for the template. Charts are sized by
`viewBox` and scale with the page. Numbers are rounded so the bytes repeat.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from .bidi import isolate

# Reshare latency bins, seconds (lower edges).
LATENCY_EDGES_S = (0, 1, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400, 604800)
LATENCY_LABELS = ("<1s", "1-5s", "5-10s", "10-30s", "30-60s", "1-5m", "5-15m", "15-60m",
                  "1-6h", "6-24h", "1-7d", ">7d")
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
INK = "#1f2933"
MUTED = "#7b8794"
GRID = "#e4e7eb"


def _f(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _svg(width: int, height: int, label: str, body: list[str]) -> Markup:
    return Markup(f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
                  f'aria-label="{escape(label)}" preserveAspectRatio="xMinYMin meet">'
                  + "".join(body) + "</svg>")


def bars(values: Sequence[Sequence[int]], labels: Sequence[str], label: str,
         colors: Sequence[str], series: Sequence[str], tick_every: int = 0,
         width: int = 560, height: int = 170) -> Markup:
    """A (stacked) bar chart: `values[i]` holds one count per series for bar i; `labels[i]`
    names bar i (shown in its tooltip, and on the axis every `tick_every` bars)."""
    left, bottom, top = 34, 22, 8
    n = len(values)
    if n == 0:
        return Markup("")
    peak = max(sum(v) for v in values) or 1
    plot_w, plot_h = width - left - 6, height - bottom - top
    step = plot_w / n
    bar_w = max(step * 0.82, 0.6)
    body = [f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 6}" y2="{top + plot_h}" '
            f'stroke="{GRID}"/>',
            f'<text x="{left - 4}" y="{top + 8}" text-anchor="end" class="ax">{peak}</text>',
            f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end" class="ax">0</text>']
    tick_every = tick_every or max(1, n // 6)
    prev_right = -1e9
    for i, vals in enumerate(values):
        x = left + i * step + (step - bar_w) / 2
        y = top + plot_h
        tip = escape(f"{labels[i]}: " + ", ".join(f"{s} {v}" for s, v in zip(series, vals,
                                                                             strict=True)))
        body.append(f"<g><title>{tip}</title>")
        for v, c in zip(vals, colors, strict=True):
            h = plot_h * v / peak
            if h > 0:
                y -= h
                body.append(f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(bar_w)}" '
                            f'height="{_f(h)}" fill="{c}"/>')
        body.append("</g>")
        if i % tick_every == 0:
            # Near the right edge a label is anchored at its end so it is not cut off, and a
            # label that would overlap the previous one is left out.
            w = 6 * len(labels[i])
            end = x + w > width
            label_left = x + bar_w - w if end else x
            if label_left > prev_right + 6:
                anchor = ' text-anchor="end"' if end else ""
                body.append(f'<text x="{_f(x + bar_w if end else x)}" y="{height - 6}" '
                            f'class="ax"{anchor}>{escape(labels[i])}</text>')
                prev_right = label_left + w
    return _svg(width, height, label, body)


def heatmap(grid: Sequence[Sequence[int]], label: str, color: str = "#0072B2") -> Markup:
    """Hour-of-week heatmap: 7 rows (Monday first) × 24 hours, UTC, shade by count."""
    cell, left, top = 22, 34, 16
    peak = max(max(r) for r in grid) or 1
    body = [f'<text x="{left + i * cell + cell / 2}" y="{top - 4}" text-anchor="middle" '
            f'class="ax">{i:02d}</text>' for i in range(0, 24, 3)]
    for d, row in enumerate(grid):
        y = top + d * (cell - 4)
        body.append(f'<text x="{left - 6}" y="{y + 13}" text-anchor="end" class="ax">'
                    f"{DAYS[d]}</text>")
        for h, v in enumerate(row):
            alpha = 0.06 + 0.94 * v / peak if v else 0.0
            fill = color if v else "#f5f7fa"
            body.append(f'<rect x="{left + h * cell}" y="{y}" width="{cell - 2}" '
                        f'height="{cell - 6}" rx="2" fill="{fill}" '
                        f'fill-opacity="{_f(alpha) if v else 1}">'
                        f"<title>{DAYS[d]} {h:02d}:00 UTC: {v} posts</title></rect>")
    return _svg(left + 24 * cell + 4, top + 7 * (cell - 4) + 4, label, body)


def hbars(items: Sequence[tuple[str, int]], label: str, color: str = "#0072B2",
          width: int = 560) -> Markup:
    """Horizontal bars with a name and a count each (client apps)."""
    if not items:
        return Markup("")
    row, name_w = 22, 220
    peak = max(n for _, n in items) or 1
    total = sum(n for _, n in items) or 1
    body = []
    for i, (name, n) in enumerate(items):
        y = i * row
        w = (width - name_w - 90) * n / peak
        shown = name if len(name) <= 34 else name[:33] + "…"
        body.append(f'<text x="{name_w - 8}" y="{y + 15}" text-anchor="end" class="lbl">'
                    f"<title>{escape(isolate(name))}</title>{escape(isolate(shown))}</text>")
        body.append(f'<rect x="{name_w}" y="{y + 4}" width="{_f(max(w, 1))}" height="{row - 8}" '
                    f'rx="2" fill="{color}"/>')
        body.append(f'<text x="{_f(name_w + max(w, 1) + 6)}" y="{y + 15}" class="ax">{n} '
                    f"({_f(100 * n / total)}%)</text>")
    return _svg(width, len(items) * row + 4, label, body)


def sparkline(values: Sequence[int], label: str, color: str = "#0072B2", width: int = 240,
              height: int = 36) -> Markup:
    """A small bar sparkline (one bar per bin, height by count) with its peak count."""
    if not values:
        return Markup("")
    peak = max(values) or 1
    step = (width - 2) / len(values)
    bar = max(step * 0.8, 0.5)
    body = [f'<line x1="1" y1="{height - 1}" x2="{width - 1}" y2="{height - 1}" '
            f'stroke="{GRID}"/>']
    for i, v in enumerate(values):
        if v:
            h = (height - 4) * v / peak
            body.append(f'<rect x="{_f(1 + i * step)}" y="{_f(height - 1 - h)}" '
                        f'width="{_f(bar)}" height="{_f(h)}" fill="{color}"/>')
    return Markup(f'<svg class="chart spark" viewBox="0 0 {width} {height}" role="img" '
                  f'aria-label="{escape(label)}" preserveAspectRatio="none">'
                  + "".join(body) + "</svg>")
