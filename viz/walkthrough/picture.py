"""One walkthrough frame as a Graphviz drawing, laid out the same in every frame.

Made for reading at 1024 px: the op sits inside its result's box (no separate circle,
so the graph is short enough to draw at full size), constants are left out (their
number is in the names: ``(y − t)²``), and every box and edge label has a fixed size
for the whole walkthrough, so stepping moves nothing. Edge labels are real DOT labels
(space reserved for them by the layout), so they never sit on an edge or a box.

- value and gradient in fixed rows: ``data 0.5`` / ``grad −1.796`` (zh: 值 / 梯度)
- forward: the edges into the node being computed are blue
- backward: every edge the gradient has crossed is dashed and points back, labelled
  with its local derivative (``×1``); the current one is orange and thick
- update: a parameter's new value is on green; nodes computed with the old values
  are drawn grey (the caption and the inspector say old → new)
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import graphviz

from autograd import Value

from .. import style
from ..draw import node_roles
from ..escape import html_label
from ..numbers import format_factor
from .model import Edge, Frame

__all__ = ["frame_picture", "Sizes", "measure", "data_text", "grad_text", "edge_text"]

NAME_PT, CELL_PT, EDGE_PT = 11, 10, 10  # font sizes, points
BADGE = 14  # the op symbol's cell beside a result's name, points
FORWARD_INK = "#2563eb"
GRADIENT_INK = "#dc2626"
STALE_INK = "#94a3b8"
STALE_FILL = "#eef2f6"  # grey ground: apart from "not computed yet" (white, paler ink)
UPDATED_FILL = "#bbf7d0"


def data_text(lang: str, data: float | None, precision: int) -> str:
    """The value row: ``data 0.5`` (zh: ``值 0.5``)."""
    return style.cell_text(lang, "data", data, precision)


def grad_text(lang: str, grad: float | None, precision: int) -> str:
    """The gradient row: ``grad −1.796`` (``grad …`` before backward reaches the node)."""
    return style.cell_text(lang, "grad", grad, precision)


def edge_text(local: float | None, precision: int) -> str:
    """An edge's label in backward: the local derivative the gradient is multiplied by
    (``×?`` where it is undefined)."""
    return "×?" if local is None else f"×{format_factor(local, precision)}"


# Advance widths (em) of Liberation Sans / Arial / Helvetica, which share their metrics:
# the face `./run` installs and Graphviz and the browser both pick for "Helvetica".
_EM = {**dict.fromkeys("0123456789abdeghnopqu", 0.556), **dict.fromkeys("cksvxyz", 0.5),
       **dict.fromkeys("fjt .,:;!", 0.278), **dict.fromkeys("il|", 0.222),
       **dict.fromkeys("r()[]-²³", 0.333), "m": 0.833, "w": 0.722,
       **dict.fromkeys("−×+=÷<>", 0.584), "→": 1.0, "…": 1.0, "·": 0.278, "?": 0.556}


def _width(text: str, size: float, bold: bool = False) -> float:
    """``text``'s width in points in a Helvetica-metric face (CJK characters: 1 em)."""
    em = 0.0
    for char in text:
        if unicodedata.east_asian_width(char) in ("W", "F"):
            em += 1.05
        else:
            em += _EM.get(char, 0.667 if char.isupper() else 0.6)
    return em * size * (1.16 if bold else 1.1)


@dataclass
class Sizes:
    """Fixed box and label widths (points) per pair, node id and edge: every frame of a
    pair has the same layout (a new pair may differ a little: its numbers do)."""

    cells: dict[tuple[int, str], float] = field(default_factory=dict)
    edges: dict[tuple[int, str, int], float] = field(default_factory=dict)

    @staticmethod
    def grow(table: dict, key, width: float) -> None:
        if width > table.get(key, 0.0):
            table[key] = width


def _drawn(order: Iterable[Value]) -> list[Value]:
    return [n for n in order if not n.is_constant]


def measure(frames: list[Frame], lang: str, precision: int) -> Sizes:
    """The widest text each box and edge label holds over the frames of its pair."""
    sizes = Sizes()
    seen: set[int] = set()
    for frame in frames:
        g = frame.graph
        for node in _drawn(g.order):
            data, grad = frame.numbers.get(node, (None, None))
            title = _width(g.names[node], NAME_PT, bold=True) + (0 if node.is_leaf else BADGE)
            width = max(title, _width(data_text(lang, data, precision), CELL_PT),
                        _width(grad_text(lang, grad, precision), CELL_PT))
            sizes.grow(sizes.cells, (g.step, g.ids[node]), width + 4)
        if id(g) in seen:
            continue
        seen.add(id(g))
        for (node, position), local in g.locals.items():
            sizes.grow(sizes.edges, (g.step, g.ids[node], position),
                       _width(edge_text(local, precision), EDGE_PT) + 4)
    return sizes


def frame_picture(frame: Frame, sizes: Sizes, *, lang: str, precision: int,
                  title: bool = True) -> graphviz.Digraph:
    """The Digraph of ``frame``: boxes of fixed size, the frame's highlights and trail."""
    g = frame.graph
    dot = graphviz.Digraph("walkthrough", engine="dot")
    dot.attr(rankdir="LR", fontname=style.FONT, nodesep="0.14", ranksep="0.1",
             bgcolor="white", forcelabels="true")
    dot.attr("node", fontname=style.FONT, fontsize=str(CELL_PT), shape="plain")
    dot.attr("edge", fontname=style.FONT, fontsize=str(EDGE_PT), arrowsize="0.6",
             color="#475569")
    if title:
        dot.attr(label=f"<{html_label(f'{frame.index + 1}. {frame.caption}')}>",
                 labelloc="t", labeljust="l", fontsize="12")
    drawn = _drawn(g.order)
    roles = node_roles(g.order, g.root, g.params)
    for node in drawn:
        dot.node(g.ids[node], _box(frame, node, roles[node],
                                   sizes.cells[(g.step, g.ids[node])], lang, precision))
    lit = set(frame.edges)
    trail = set(frame.trail) | (lit if frame.phase == "backward" else set())
    for node in drawn:
        for position, parent in enumerate(node.inputs):
            if parent.is_constant:
                continue
            dot.edge(g.ids[parent], g.ids[node],
                     **_edge_attrs(frame, (node, position), lit, trail, sizes, precision))
    return dot


def _edge_attrs(frame: Frame, edge: Edge, lit: set, trail: set, sizes: Sizes,
                precision: int) -> dict[str, str]:
    node, position = edge
    g = frame.graph
    text = ""
    attrs: dict[str, str] = {}
    if frame.numbers[node][0] is None:
        attrs["color"] = style.FADED[1]
    if edge in trail:
        text = edge_text(g.locals.get(edge), precision)
        attrs.update(style="dashed", dir="back", color=GRADIENT_INK, fontcolor=GRADIENT_INK)
    if edge in lit:
        ink = style.HIGHLIGHT if frame.phase == "backward" else FORWARD_INK
        attrs.update(color=ink, fontcolor=ink, penwidth="2.4")
    width = sizes.edges[(g.step, g.ids[node], position)]
    cell = html_label(text) if text else " "
    attrs["label"] = (f'<<TABLE BORDER="0" CELLBORDER="0" CELLPADDING="1" CELLSPACING="0">'
                      f'<TR><TD FIXEDSIZE="TRUE" WIDTH="{width:.0f}" HEIGHT="{EDGE_PT + 4}">'
                      f"{cell}</TD></TR></TABLE>>")
    return attrs


def _box(frame: Frame, node: Value, role: str, width: float, lang: str, precision: int) -> str:
    """A node's box: [op] name / data / grad, coloured by role and by the frame's state."""
    g = frame.graph
    fill, border = style.ROLES[role]
    data, grad = frame.numbers[node]
    ink = ""
    if data is None:
        fill, ink = style.FADED
        border = ink
    elif node in frame.stale:  # computed with the parameters' old values
        ink = border = STALE_INK
        fill = STALE_FILL
    lit = node is frame.node
    outline = style.HIGHLIGHT if lit else "transparent"
    td = f'<TD COLOR="{border}" BGCOLOR="{fill}"'
    title = f"<B>{_ink(html_label(g.names[node]), ink)}</B>"
    if node.is_leaf:
        head = (f'{td} WIDTH="{width:.0f}" COLSPAN="2">'
                f'<FONT POINT-SIZE="{NAME_PT}">{title}</FONT></TD>')
    else:
        symbol = _ink(html_label(node.op_entry.symbol), ink or "#475569")
        head = (f'{td} WIDTH="{BADGE - 6}">{symbol}</TD>{td} WIDTH="{width - BADGE:.0f}">'
                f'<FONT POINT-SIZE="{NAME_PT}">{title}</FONT></TD>')
    value = _ink(html_label(data_text(lang, data, precision)), ink)
    # a parameter just updated: its new value on green (the caption has old → new)
    value_fill = UPDATED_FILL if node in frame.before else fill
    rows = [head, f'<TD COLOR="{border}" BGCOLOR="{value_fill}" COLSPAN="2">{value}</TD>']
    if grad is None or data is None:
        text = _ink(html_label(grad_text(lang, None, precision)), ink or "#94a3b8")
        rows.append(f'{td} COLSPAN="2">{text}</TD>')
    else:
        background, grad_ink = style.grad_colours(grad)
        text = _ink(html_label(grad_text(lang, grad, precision)), ink or grad_ink)
        rows.append(f'<TD COLOR="{border}" BGCOLOR="{background or fill}" COLSPAN="2">{text}</TD>')
    body = "".join(f"<TR>{row}</TR>" for row in rows)
    return (f'<<TABLE BORDER="3" CELLBORDER="1" CELLSPACING="0" CELLPADDING="2" '
            f'COLOR="{outline}">{body}</TABLE>>')


def _ink(text: str, colour: str) -> str:
    return f'<FONT COLOR="{colour}">{text}</FONT>' if colour else text
