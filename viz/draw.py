"""A Value graph as a ``graphviz.Digraph``: value records, op shapes, every edge.

Colour legend (also drawn as a small table beside the graph):

- parameter (from ``params=`` or a Module): indigo border, light indigo fill
- input (any other leaf): slate border, light grey fill
- constant (a plain number in an expression, ``x * 2``): pale border, white fill
- loss (the root): amber
- gradient cell: red when grad > 0 (raising the value raises the loss), blue when
  grad < 0, grey at 0.

Node ids are ``v0, v1, …`` in ``autograd.topo_order`` order (op shapes ``v3_op``), so the
same graph gives the same DOT text every run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import graphviz

from autograd import Value, topo_order

from . import style
from .escape import html_label
from .numbers import format_factor, format_number

__all__ = ["draw", "parameter_names", "node_roles", "add_legend"]

RANKDIRS = ("LR", "RL", "TB", "BT")
STEADY_WIDTH = 80  # points: "data −0.123456" fits, so numbers changing move nothing
Numbers = Mapping[Value, tuple[float | None, float | None]]


def parameter_names(params: object) -> dict[Value, str]:
    """{parameter Value: its name} from a Module (``named_parameters()``), Values or a dict."""
    if params is None:
        return {}
    if hasattr(params, "named_parameters"):
        items = list(params.named_parameters())
    elif isinstance(params, Mapping):  # {name: Value}, or {Value: name} as returned here
        items = [(v, k) if isinstance(k, Value) else (k, v) for k, v in params.items()]
    elif isinstance(params, Value):
        items = [(params.label, params)]
    elif isinstance(params, Iterable) and not isinstance(params, str | bytes):
        items = [(getattr(v, "label", ""), v) for v in params]
    else:
        raise TypeError(
            f"params must be a Module, a dict of name -> Value or Values, got {params!r} "
            f"({type(params).__name__})"
        )
    names: dict[Value, str] = {}
    for name, value in items:
        if not isinstance(value, Value):
            raise TypeError(f"params must hold Values, got {value!r} for {name!r}")
        names[value] = str(name) or value.label
    return names


def node_roles(order: list[Value], root: Value, params: Mapping[Value, str]) -> dict[Value, str]:
    """Each node's role: ``loss`` (root), ``param``, ``constant``, ``input`` or ``result``."""
    roles = {}
    for node in order:
        if node is root:
            roles[node] = "loss"
        elif node in params:
            roles[node] = "param"
        elif node.is_constant:
            roles[node] = "constant"
        elif node.is_leaf:
            roles[node] = "input"
        else:
            roles[node] = "result"
    return roles


def _check_options(root: object, rankdir: str, precision: int, max_nodes: int) -> None:
    if not isinstance(root, Value):
        raise TypeError(f"draw needs a Value (the graph's output), got {root!r} "
                        f"({type(root).__name__})")
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}, got {rankdir!r}")
    if type(precision) is not int or not 1 <= precision <= 17:
        raise ValueError(f"precision is a number of significant digits 1..17, got {precision!r}")
    if type(max_nodes) is not int or max_nodes < 1:
        raise ValueError(f"max_nodes must be a positive int, got {max_nodes!r}")


def _as_set(values: Value | Iterable[Value] | None) -> set[Value]:
    if values is None:
        return set()
    if isinstance(values, Value):
        return {values}
    return set(values)


def new_digraph(rankdir: str, title: str | None = None) -> graphviz.Digraph:
    """An empty Digraph with the house style: fonts, spacing, reading direction."""
    dot = graphviz.Digraph("stepgrad", engine="dot")
    dot.attr(rankdir=rankdir, fontname=style.FONT, nodesep="0.25", ranksep="0.35",
             bgcolor="white")
    dot.attr("node", fontname=style.FONT, fontsize="11")
    dot.attr("edge", fontname=style.FONT, fontsize="9", arrowsize="0.6", color="#475569")
    if title:
        dot.attr(label=f"<{html_label(title)}>", labelloc="t", labeljust="l", fontsize="13")
    return dot


def draw(
    root: Value,
    *,
    show_data: bool = True,
    show_grad: bool = True,
    rankdir: str = "LR",
    precision: int = 6,
    params: object = None,
    max_nodes: int = 300,
    edge_labels: bool | str = False,
    highlight: Value | Iterable[Value] | None = None,
    highlight_edges: Iterable[tuple[Value, int]] | None = None,
    gradient_flow: bool = False,
    names: Mapping[Value, str] | None = None,
    numbers: Numbers | None = None,
    legend: bool = True,
    title: str | None = None,
    fields: str = "row",
    steady: bool = False,
    lang: str = "en",
) -> graphviz.Digraph:
    """The graph below ``root`` as a Digraph (render it, or let Jupyter display it).

    ``params`` marks parameters (Values, a dict or a Module); ``edge_labels`` writes on
    each edge (``"highlighted"``: on highlighted edges only) its local derivative and
    its contribution (upstream grad × local); ``fields="column"`` stacks label, data and
    grad vertically (narrower nodes); ``steady`` keeps the layout the same whatever is
    highlighted or shown (room reserved for the outline, number cells of a minimum
    width, edge labels placed after layout), so walkthrough frames do not jump;
    ``highlight`` outlines nodes, ``highlight_edges`` ((consumer, input position) pairs)
    colours edges, drawn dashed against the arrow when ``gradient_flow``. ``names``
    overrides node captions; ``numbers`` ({node: (data, grad)}, ``None`` = not computed
    yet, drawn faded) overrides what is shown, for walkthrough frames. Above
    ``max_nodes`` values the graph is collapsed by module or depth (see ``viz.collapse``).
    ``lang="zh"`` writes the cells and the legend in Chinese (值 / 梯度).
    """
    _check_options(root, rankdir, precision, max_nodes)
    style.words(lang)  # a bad lang fails before any work
    if fields not in ("row", "column"):
        raise ValueError(f"fields must be 'row' or 'column', got {fields!r}")
    if edge_labels not in (True, False, "highlighted"):
        raise ValueError(f"edge_labels must be True, False or 'highlighted', got {edge_labels!r}")
    order = topo_order(root)
    param_names = parameter_names(params)
    from .collapse import draw_collapsed, too_slow_to_lay_out  # collapse imports draw

    if len(order) > max_nodes or too_slow_to_lay_out(order):
        return draw_collapsed(order, root, param_names, max_nodes=max_nodes,
                              rankdir=rankdir, precision=precision, legend=legend, title=title,
                              show_data=show_data, show_grad=show_grad, lang=lang)
    ids = {node: f"v{i}" for i, node in enumerate(order)}
    roles = node_roles(order, root, param_names)
    shown: Callable[[Value], tuple[float | None, float | None]]
    if numbers is None:
        shown = lambda node: (node.data, node.grad)
    else:
        shown = lambda node: numbers.get(node, (node.data, node.grad))
    captions = {node: node_caption(node, param_names, names, precision) for node in order}
    lit = _as_set(highlight)
    lit_edges = set(highlight_edges or ())

    dot = new_digraph(rankdir, title)
    if steady:
        dot.attr(forcelabels="true")
    for node in order:
        data, grad = shown(node)
        faded = data is None
        dot.node(ids[node], value_label(captions[node], data, grad, roles[node], show_data,
                                         show_grad and not node.is_constant, precision,
                                         faded, node in lit, fields, steady, lang),
                 shape="plain")
        if node.is_leaf:
            continue
        op_id = ids[node] + "_op"
        ink = style.FADED[1] if faded else ("#0f172a" if node not in lit else style.HIGHLIGHT)
        dot.node(op_id, f"<{html_label(node.op_entry.symbol)}>", shape="circle",
                 width="0.3", height="0.3", fixedsize="false", margin="0.02",
                 color=ink, fontcolor=ink)
        dot.edge(op_id, ids[node], color=ink)
        local = _local_grads(node, shown) if edge_labels else None
        for position, parent in enumerate(node.inputs):
            labelled = local is not None and (edge_labels is True or (node, position) in lit_edges)
            attrs = {"color": style.FADED[1]} if faded else {}
            if (node, position) in lit_edges:
                attrs = {"color": style.HIGHLIGHT, "penwidth": "2.2"}
                if gradient_flow:
                    attrs.update(style="dashed", dir="back", fontcolor=style.HIGHLIGHT)
            if labelled:
                # xlabel is placed after layout, so labelling an edge moves no node
                key = "xlabel" if steady else "label"
                attrs[key] = _edge_label(local[position], shown(node)[1], precision)
            dot.edge(ids[parent], op_id, **attrs)
    if legend:
        add_legend(dot, roles, show_grad, lang)
    return dot


def add_legend(dot: graphviz.Digraph, roles: Mapping[Value, str], show_grad: bool,
               lang: str = "en") -> None:
    """Add the legend node: the roles present, and the gradient colours if grads are shown."""
    present = [r for r in style.ROLES if r in set(roles.values())]
    dot.node("legend", style.legend_label(present, grad_signs=show_grad, lang=lang),
             shape="plain")


def node_caption(node: Value, params: Mapping[Value, str], names: Mapping | None,
                 precision: int) -> str:
    """What a node's box is titled: a given name, its parameter name, a constant's
    number, else its label."""
    if names is not None and node in names:
        return names[node]
    if node in params and params[node]:
        return params[node]
    if node.is_constant:
        return format_number(node.data, precision)
    return node.label


def _local_grads(node: Value, shown: Callable) -> tuple[float | None, ...] | None:
    """∂node/∂input_i from the op table at the numbers shown (None if not computed yet).

    An entry is None where the derivative is undefined although the value is not:
    √x at 0, x**0.5 at 0. The drawing says so instead of failing.
    """
    data = [shown(p)[0] for p in node.inputs]
    out = shown(node)[0]
    if out is None or any(d is None for d in data):
        return None
    try:
        return tuple(node.op_entry.local_grads(*data, out))
    except (ArithmeticError, ValueError):  # ZeroDivisionError, DomainError, OverflowError
        return (None,) * len(node.inputs)


def _edge_label(local: float | None, upstream: float | None, precision: int) -> str:
    if local is None:
        return "<∂ undefined>"
    text = f"∂ = {format_number(local, precision)}"
    if upstream is not None:
        product = format_number(upstream * local, precision)
        text += (f"<BR/>{format_number(upstream, precision)} × "
                 f"{format_factor(local, precision)} = {product}")
    return f"<{text}>"


def value_label(caption: str, data: float | None, grad: float | None, role: str,
                 show_data: bool, show_grad: bool, precision: int, faded: bool,
                 lit: bool, fields: str = "row", steady: bool = False,
                 lang: str = "en") -> str:
    """An HTML-like table that reads like a record: label | data | grad.

    Cells carry their own border colour so the table's border can be the highlight
    outline alone (with ``steady``: always there, transparent when not lit).
    """
    fill, border = style.ROLES[role]
    ink = ""
    if faded:
        fill, ink = style.FADED
        border = ink
    if lit:
        border = style.HIGHLIGHT
    # Fill on the cells, not the table, so the table's border area stays clear.
    td = f'<TD COLOR="{border}"' + (f' WIDTH="{STEADY_WIDTH}"' if steady else "")
    filled = f'{td} BGCOLOR="{fill}"'
    cells = []
    if caption:
        cells.append(f"{filled}><B>{_ink(html_label(caption), ink)}</B></TD>")
    if show_data and role != "constant":  # a constant's caption is already its number
        cells.append(f"{filled}>{_ink(style.cell_text(lang, 'data', data, precision), ink)}</TD>")
    if show_grad:
        if grad is None or faded:
            text = _ink(style.cell_text(lang, "grad", None), ink or "#94a3b8")
            cells.append(f"{filled}>{text}</TD>")
        else:
            background, grad_ink = style.grad_colours(grad)
            text = _ink(style.cell_text(lang, "grad", grad, precision), grad_ink)
            cells.append(f'{td} BGCOLOR="{background or fill}">{text}</TD>')
    if not cells:
        cells.append(f"{filled}> </TD>")
    width = "3" if lit or steady else "0"
    outline = style.HIGHLIGHT if lit else ("transparent" if steady else border)
    rows = ("<TR>" + "".join(cells) + "</TR>" if fields == "row"
            else "".join(f"<TR>{cell}</TR>" for cell in cells))
    return (f'<<TABLE BORDER="{width}" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" '
            f'COLOR="{outline}">{rows}</TABLE>>')


def _ink(text: str, colour: str) -> str:
    return f'<FONT COLOR="{colour}">{text}</FONT>' if colour else text
