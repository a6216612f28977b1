"""Charts drawn on the server as inline SVG, so they render offline, print as they show,
and need no script: a ranking (horizontal bars), a monthly trend (lines, one per unit)
and a distribution (stacked bars). Pure: text in, markup out, every label escaped."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

# a palette that stays distinguishable in greyscale print
COLOURS = ("#1f5fa8", "#d9822b", "#3a9d5d", "#b03a48", "#7a5ba6", "#6b7b8c", "#c2a633")
FONT = "font-family=\"'Noto Sans CJK SC','WenQuanYi Zen Hei',sans-serif\" font-size=\"12\""


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" {FONT}>'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def bars(title: str, items: Sequence[tuple[str, float]], maximum: float, unit: str = "") -> str:
    """Horizontal bars, one per (label, value), in the order given."""
    label_w, bar_w, row_h = 170, 380, 24
    height = 30 + row_h * max(1, len(items))
    body = [f'<text x="0" y="16" font-weight="bold">{escape(title)}</text>']
    for i, (label, value) in enumerate(items):
        y = 28 + i * row_h
        w = 0.0 if maximum <= 0 else max(0.0, min(1.0, value / maximum)) * bar_w
        body += [
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{escape(label)}</text>',
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" '
            f'fill="{COLOURS[0]}"/>',
            f'<text x="{label_w + w + 4:.1f}" y="{y + 15}">{value:g}{escape(unit)}</text>',
        ]
    if not items:
        body.append(f'<text x="{label_w}" y="44">无数据</text>')
    return _svg(label_w + bar_w + 70, height, title, body)


def lines(
    title: str,
    points: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    maximum: float,
) -> str:
    """A line per (name, values), values over ``points`` (the x axis), 0..maximum; a
    None leaves a gap (nothing to score that month)."""
    left, top, plot_w, plot_h = 40, 30, 460, 180
    legend_y = top + plot_h + 40
    height = legend_y + 18 * max(1, len(series))
    body = [f'<text x="0" y="16" font-weight="bold">{escape(title)}</text>']
    for tick in range(5):
        value = maximum * tick / 4
        y = top + plot_h - plot_h * tick / 4
        body += [
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>',
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{value:g}</text>',
        ]
    step = plot_w / max(1, len(points) - 1)
    for i, point in enumerate(points):
        x = left + (step * i if len(points) > 1 else plot_w / 2)
        body.append(
            f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle">{escape(point)}</text>'
        )
    for n, (name, values) in enumerate(series):
        colour = COLOURS[n % len(COLOURS)]
        runs: list[list[tuple[float, float]]] = [[]]
        for i, v in enumerate(values):
            if v is None:
                runs.append([])
                continue
            x = left + (step * i if len(points) > 1 else plot_w / 2)
            y = top + plot_h - (0 if maximum <= 0 else plot_h * max(0.0, v) / maximum)
            runs[-1].append((x, min(top + plot_h, y)))
        for xy in runs:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
            if len(xy) > 1:
                body.append(
                    f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>'
                )
            body += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in xy]
        ly = legend_y + 18 * n
        body += [
            f'<rect x="{left}" y="{ly - 10}" width="12" height="12" fill="{colour}"/>',
            f'<text x="{left + 18}" y="{ly}">{escape(name)}</text>',
        ]
    return _svg(left + plot_w + 30, height, title, body)


def stacked(
    title: str, categories: Sequence[str], rows: Sequence[tuple[str, Sequence[int]]]
) -> str:
    """A bar per (label, counts), each split into ``categories`` by share, with a legend."""
    label_w, bar_w, row_h = 170, 380, 24
    height = 50 + row_h * max(1, len(rows))
    body = [f'<text x="0" y="16" font-weight="bold">{escape(title)}</text>']
    for n, name in enumerate(categories):
        lx = label_w + 110 * n
        body += [
            f'<rect x="{lx}" y="24" width="12" height="12" fill="{COLOURS[n % len(COLOURS)]}"/>',
            f'<text x="{lx + 16}" y="34">{escape(name)}</text>',
        ]
    for i, (label, counts) in enumerate(rows):
        y = 46 + i * row_h
        total = sum(counts)
        body.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{escape(label)}</text>'
        )
        x = float(label_w)
        for n, value in enumerate(counts):
            w = 0.0 if total == 0 else bar_w * value / total
            if w > 0:
                colour = COLOURS[n % len(COLOURS)]
                body.append(
                    f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" '
                    f'fill="{colour}"><title>{escape(categories[n])} {value}</title></rect>'
                )
            x += w
        body.append(f'<text x="{label_w + bar_w + 4}" y="{y + 15}">{total}</text>')
    return _svg(label_w + bar_w + 60, height, title, body)
