"""The trajectory beside the graph: the parameters and the loss after every pair, as
inline SVG (no plotting library in the page). The page script moves a marker to the
current pair and reveals the path so far: nothing from a later frame (a pair's loss
once it is computed, its parameters once the pair is done)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ..escape import xml_text
from ..numbers import format_number

if TYPE_CHECKING:
    from . import Walkthrough

__all__ = ["trajectory_svg", "MAX_PARAM_LINES"]

MAX_PARAM_LINES = 8  # more parameters than this: the loss alone
# Drawn at about its own size in a 1024 px page's panel (~165 px wide): 16 units of
# text read as 12 px or more there.
WIDTH, PANEL, GAP, LEFT, RIGHT, TOP, BOTTOM = 220, 64, 14, 46, 50, 10, 22
FONT = 16
COLOURS = ("#4338ca", "#0f766e", "#b45309", "#be185d", "#0369a1", "#4d7c0f", "#7c2d12",
           "#6d28d9")
LOSS_COLOUR = "#dc2626"

_TEXT = {
    "en": {"aria": "trajectory of {names}", "and": " and ", "loss": "L (log scale)",
           "loss_linear": "L", "article": "article's pairs", "target": "target",
           "pair": "pair", "log": "(log)"},
    "zh": {"aria": "{names} 的变化轨迹", "and": " 和 ", "loss": "L（对数刻度）",
           "loss_linear": "L", "article": "文章中的训练对", "target": "目标",
           "pair": "训练对", "log": "对数"},
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
    height = top + PANEL + BOTTOM
    if article > 0:
        parts.insert(0, f'<rect class="article-band" x="{x(0):.1f}" y="{TOP}" '
                        f'width="{x(min(article, n)) - x(0):.1f}" height="{height - TOP - BOTTOM}"'
                        f' fill="#fef3c7"><title>{xml_text(text["article"])}</title></rect>')
        parts.append(f'<text x="2" y="{height - 5}" font-size="{FONT}" '
                     f'fill="#92400e">{xml_text(text["article"])}</text>')
    parts.append(f'<text x="{WIDTH - 2}" y="{height - 5}" font-size="{FONT}" '
                 f'text-anchor="end" fill="#64748b">{xml_text(text["pair"])} {n}</text>')
    label = text["aria"].format(names=_join(wt.lang, lines + ["L"]))
    return (f'<svg id="trajectory" role="img" aria-label="{xml_text(label)}" '
            f'viewBox="0 0 {WIDTH} {height}" data-x0="{LEFT}" data-dx="{dx:.4f}" '
            f'data-top="{TOP}" data-bottom="{height - BOTTOM}" xmlns="http://www.w3.org/2000/svg">'
            f"<title>{xml_text(label)}</title>"
            f'<defs><clipPath id="trajectory-past"><rect id="trajectory-past-rect" x="0" y="0" '
            f'width="{LEFT}" height="{height}"/></clipPath>'
            f'<clipPath id="trajectory-past-loss"><rect id="trajectory-past-loss-rect" x="0" '
            f'y="0" width="{LEFT}" height="{height}"/></clipPath></defs>'
            + "".join(parts) +
            f'<line id="trajectory-now" x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{height - BOTTOM}" '
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


def _series(points: list[tuple[float, float]], colour: str, name: str,
            clip: str = "trajectory-past") -> list[str]:
    """The path up to the current frame (clipped by the script): no faint future."""
    dots = "".join(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="1.8" fill="{colour}"/>'
                   for px, py in points) if len(points) <= 40 else ""
    return [f'<g clip-path="url(#{clip})" data-series="{xml_text(name)}">'
            f"{_polyline(points, colour)}{dots}</g>"]


def _axis(top: float, labels: list[tuple[float, str]]) -> list[str]:
    """The panel's base line and its labels at the left, each at its own height."""
    parts = [f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{top + PANEL}" y2="{top + PANEL}" '
             f'stroke="#cbd5e1"/>']
    for y, label in labels:
        parts.append(f'<text x="{LEFT - 3}" y="{y + 5:.1f}" font-size="{FONT}" '
                     f'text-anchor="end" fill="#64748b">{xml_text(label)}</text>')
    return parts


def _panel(series: dict[str, list[float]], top: float, x, values: list[float],
           colours: dict[str, str], targets: dict[str, float], text: dict) -> list[str]:
    y, low, high = _scale(values, top)
    parts = _axis(top, [])  # the target lines carry the numbers: w = 2, b = 1
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


def _short(v: float) -> str:
    """At most 5 characters, for the axis: 15, 0.06, 4e−9."""
    if v != 0 and (abs(v) < 0.01 or abs(v) >= 1000):
        mantissa, exponent = f"{v:.0e}".split("e")
        return f"{mantissa}e{int(exponent)}".replace("-", "−")
    return format_number(v, 2)


def _loss_panel(shown: list[float], losses: list[float], top: float, x, log: bool,
                text: dict) -> list[str]:
    y, low, high = _scale(shown, top)
    # the largest and the smallest loss, where they are (2 digits: a scale, not a reading)
    big, small = max(range(len(losses)), key=losses.__getitem__), \
        min(range(len(losses)), key=losses.__getitem__)
    parts = _axis(top, [(y(shown[big]), _short(losses[big])),
                        (y(shown[small]), _short(losses[small]))]
                  if big != small else [(y(shown[big]), _short(losses[big]))])
    # loss k is measured during pair k, before its update: drawn between k and k + 1
    points = [(x(k + 0.5), y(v)) for k, v in enumerate(shown)]
    parts += _series(points, LOSS_COLOUR, "L", "trajectory-past-loss")
    label = text["loss"] if log else text["loss_linear"]
    parts.append(f'<text x="{WIDTH - RIGHT + 2}" y="{top + PANEL / 2:.1f}" font-size="{FONT}" '
                 f'fill="{LOSS_COLOUR}"><title>{xml_text(label)}</title>L</text>')
    if log:
        parts.append(f'<text x="{WIDTH - RIGHT + 2}" y="{top + PANEL / 2 + FONT:.1f}" '
                     f'font-size="{FONT}" fill="{LOSS_COLOUR}">{xml_text(text["log"])}</text>')
    return parts
