"""The trajectory beside the graph: the parameters and the loss after every pair, as
inline SVG (no plotting library in the page). The page script moves a marker to the
current pair and draws the path so far solid, the rest faint."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ..escape import xml_text
from ..numbers import format_number

if TYPE_CHECKING:
    from . import Walkthrough

__all__ = ["trajectory_svg", "MAX_PARAM_LINES"]

MAX_PARAM_LINES = 8  # more parameters than this: the loss alone
# Drawn at about its own size in the page's panel, so 11-unit text reads as ~11 px.
WIDTH, PANEL, GAP, LEFT, RIGHT, TOP = 250, 62, 14, 40, 40, 6
FONT = 11
COLOURS = ("#4338ca", "#0f766e", "#b45309", "#be185d", "#0369a1", "#4d7c0f", "#7c2d12",
           "#6d28d9")
LOSS_COLOUR = "#dc2626"

_TEXT = {
    "en": {"aria": "trajectory of {names}", "and": " and ", "loss": "L (log scale)",
           "loss_linear": "L", "article": "article's pairs", "target": "target",
           "pair": "pair"},
    "zh": {"aria": "{names} 的变化轨迹", "and": " 和 ", "loss": "L（对数刻度）",
           "loss_linear": "L", "article": "文章中的训练对", "target": "目标",
           "pair": "训练对"},
}


def _join(lang: str, names: list[str]) -> str:
    sep = "、" if lang == "zh" else ", "
    if len(names) == 1:
        return names[0]
    return sep.join(names[:-1]) + _TEXT[lang]["and"] + names[-1]


def trajectory_svg(wt: Walkthrough, *, targets: dict[str, float] | None = None,
                   article_pairs: int | None = None) -> str:
    """An SVG chart of the parameters (at most 8) and of L after each pair."""
    text = _TEXT[wt.lang]
    records = wt.records
    if not records:
        return ""
    names = list(records[0].after)
    lines = names if len(names) <= MAX_PARAM_LINES else []
    targets = wt.about.targets if targets is None else targets
    article = wt.about.article_pairs if article_pairs is None else article_pairs
    n = len(records)
    dx = (WIDTH - LEFT - RIGHT) / max(n, 1)
    x = lambda k: LEFT + k * dx  # noqa: E731 - k = pairs done (0: the start)
    parts: list[str] = []
    top = TOP
    if lines:
        series = {name: [records[0].before[name]] + [r.after[name] for r in records]
                  for name in lines}
        values = [v for s in series.values() for v in s] + list(targets.values())
        parts += _panel(series, top, x, values, {name: COLOURS[i] for i, name in
                                                 enumerate(lines)}, targets, text)
        top += PANEL + GAP
    losses = [r.loss for r in records]
    log = all(v > 0 for v in losses)
    shown = [math.log10(v) for v in losses] if log else losses
    parts += _loss_panel(shown, losses, top, x, log, text)
    height = top + PANEL + 16
    if article > 0:
        parts.insert(0, f'<rect class="article-band" x="{x(0):.1f}" y="{TOP}" '
                        f'width="{x(min(article, n)) - x(0):.1f}" height="{height - TOP - 16}"'
                        f' fill="#fef3c7"><title>{xml_text(text["article"])}</title></rect>')
        parts.append(f'<text x="{x(0) + 2:.1f}" y="{height - 4}" font-size="{FONT}" '
                     f'fill="#92400e">{xml_text(text["article"])}</text>')
    parts.append(f'<text x="{WIDTH - RIGHT:.1f}" y="{height - 4}" font-size="{FONT}" '
                 f'text-anchor="end" fill="#64748b">{xml_text(text["pair"])} {n}</text>')
    label = text["aria"].format(names=_join(wt.lang, lines + ["L"]))
    return (f'<svg id="trajectory" role="img" aria-label="{xml_text(label)}" '
            f'viewBox="0 0 {WIDTH} {height}" data-x0="{LEFT}" data-dx="{dx:.4f}" '
            f'data-top="{TOP}" data-bottom="{height - 16}" xmlns="http://www.w3.org/2000/svg">'
            f"<title>{xml_text(label)}</title>"
            f'<defs><clipPath id="trajectory-past"><rect id="trajectory-past-rect" x="0" y="0" '
            f'width="{LEFT}" height="{height}"/></clipPath></defs>'
            + "".join(parts) +
            f'<line id="trajectory-now" x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{height - 16}" '
            f'stroke="#ea580c" stroke-width="1.5"/></svg>')


def _scale(values: list[float], top: float):
    low, high = min(values), max(values)
    if high - low < 1e-12:
        low, high = low - 1, high + 1
    pad = (high - low) * 0.08
    low, high = low - pad, high + pad
    return (lambda v: top + PANEL - (v - low) / (high - low) * PANEL), low, high


def _polyline(points: list[tuple[float, float]], colour: str, extra: str = "") -> str:
    path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
    return (f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="1.6" '
            f'stroke-linejoin="round"{extra}/>')


def _series(points: list[tuple[float, float]], colour: str, name: str) -> list[str]:
    """The path faint, then solid up to the current pair (clipped by the script)."""
    return [_polyline(points, colour, ' opacity="0.25"'),
            _polyline(points, colour, ' clip-path="url(#trajectory-past)" '
                                      f'data-series="{xml_text(name)}"')]


def _axis(top: float, low: float, high: float, fmt) -> list[str]:
    return [f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{top + PANEL}" y2="{top + PANEL}" '
            f'stroke="#cbd5e1"/>',
            f'<text x="{LEFT - 3}" y="{top + 9}" font-size="{FONT}" text-anchor="end" '
            f'fill="#64748b">{xml_text(fmt(high))}</text>',
            f'<text x="{LEFT - 3}" y="{top + PANEL}" font-size="{FONT}" text-anchor="end" '
            f'fill="#64748b">{xml_text(fmt(low))}</text>']


def _panel(series: dict[str, list[float]], top: float, x, values: list[float],
           colours: dict[str, str], targets: dict[str, float], text: dict) -> list[str]:
    y, low, high = _scale(values, top)
    parts = _axis(top, low, high, lambda v: format_number(v, 3))
    for name, target in targets.items():
        if name in colours:
            parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(target):.1f}" '
                         f'y2="{y(target):.1f}" stroke="{colours[name]}" stroke-dasharray="4 3" '
                         f'opacity="0.7"><title>{xml_text(text["target"])} {xml_text(name)} = '
                         f"{format_number(target)}</title></line>")
            parts.append(f'<text x="{WIDTH - RIGHT + 2}" y="{y(target) + 3:.1f}" '
                         f'font-size="{FONT}" fill="{colours[name]}">{xml_text(name)} = '
                         f"{format_number(target)}</text>")
    for name, values_of in series.items():
        points = [(x(k), y(v)) for k, v in enumerate(values_of)]
        parts += _series(points, colours[name], name)
        last_x, last_y = points[-1]
        if name not in targets:
            parts.append(f'<text x="{WIDTH - RIGHT + 2}" y="{last_y + 3:.1f}" '
                         f'font-size="{FONT}" fill="{colours[name]}">{xml_text(name)}</text>')
    return parts


def _loss_panel(shown: list[float], losses: list[float], top: float, x, log: bool,
                text: dict) -> list[str]:
    y, low, high = _scale(shown, top)
    fmt = (lambda v: format_number(10 ** v, 2)) if log else (lambda v: format_number(v, 3))
    parts = _axis(top, low, high, fmt)
    # loss k is measured during pair k, before its update: drawn between k and k + 1
    points = [(x(k + 0.5), y(v)) for k, v in enumerate(shown)]
    parts += _series(points, LOSS_COLOUR, "L")
    parts.append(f'<text x="{LEFT + 3}" y="{top + 11}" font-size="{FONT}" '
                 f'fill="{LOSS_COLOUR}">{xml_text(text["loss"] if log else text["loss_linear"])}'
                 "</text>")
    return parts
