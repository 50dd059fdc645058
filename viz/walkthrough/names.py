"""How the walkthrough names nodes and writes their equations: ``w × x``, ``(y − t)²``, ``h1.2``.

Every name a caption uses is one the graph also shows: a label, a parameter's name,
the node's own expression (``w × x``) while it is short, a neuron's ``z1.2`` (its
weighted sum) and ``h1.2`` (its activation), else ``n7`` (its place in the order).
"""

from __future__ import annotations

import re

from autograd import Value, consumers

from ..escape import printable
from ..numbers import format_factor, format_number

__all__ = ["name_nodes", "short_parameter_names", "wrap", "format_op", "expression",
           "number_operands", "backward_order"]

MAX_NAME = 24  # longer expressions are called n7 instead of spelled out
MAX_TERMS = 6  # sums of more operands are shortened with "…"

# nn's dotted parameter names and their short forms, layers and neurons counted from 1
# as a person counts them: layers.0.neurons.1.w.0 is w1.2.1, weight 1 of neuron 2 of
# layer 1 (it multiplies x1, or h0.1 of the layer before).
_DOTTED = (
    (re.compile(r"layers\.(\d+)\.neurons\.(\d+)\.w\.(\d+)"), "w{0}.{1}.{2}"),
    (re.compile(r"layers\.(\d+)\.neurons\.(\d+)\.b"), "b{0}.{1}"),
    (re.compile(r"neurons\.(\d+)\.w\.(\d+)"), "w{0}.{1}"),
    (re.compile(r"neurons\.(\d+)\.b"), "b{0}"),
    (re.compile(r"w\.(\d+)"), "w{0}"),
)
_NEURON = re.compile(r"b(\d+(?:\.\d+)?)?")  # a bias names its neuron: b1.2 → neuron 1.2


def short_parameter_names(params: dict[Value, str]) -> dict[Value, str]:
    """nn's dotted names made short (``layers.0.neurons.1.w.0`` → ``w1.2.1``); other names,
    and any set that would stop being unique, stay as they are."""
    short: dict[Value, str] = {}
    for value, name in params.items():
        for pattern, form in _DOTTED:
            match = pattern.fullmatch(name)
            if match:
                short[value] = form.format(*(int(g) + 1 for g in match.groups()))
                break
        else:
            short[value] = name
    weights = [v for v, name in params.items() if re.fullmatch(r"w\.\d+", name)]
    if len(weights) == 1:  # one neuron with one input: the article's w
        short[weights[0]] = "w"
    if len(set(short.values())) != len(short):
        return dict(params)
    return short


def name_nodes(order: list[Value], params: dict[Value, str], precision: int) -> dict:
    """Caption names: labels and parameter names, neurons' z/h, else the expression
    (``w × x``), else n7."""
    names: dict[Value, str] = {}
    neurons = _neuron_names(order, params)
    for i, node in enumerate(order):
        # printable: names reach the terminal transcript raw, so no escape sequences
        if node in params:
            names[node] = printable(params[node])
        elif node.label:
            names[node] = printable(node.label)
        elif node in neurons:
            names[node] = neurons[node]
        elif node.is_constant:
            names[node] = format_number(node.data, precision)
        else:
            operands = [wrap(names[p]) for p in node.inputs]
            expression = format_op(node, operands)
            names[node] = expression if len(expression) <= MAX_NAME else f"n{i}"
    return names


def _neuron_names(order: list[Value], params: dict[Value, str]) -> dict[Value, str]:
    """A neuron's weighted sum is ``z1.2`` and its activation ``h1.2``, found through its
    bias ``b1.2``: the sum that reads the bias, and the one op that reads that sum."""
    readers = consumers(order)
    names: dict[Value, str] = {}
    for node, name in params.items():
        match = _NEURON.fullmatch(name)
        if match is None or node not in readers:
            continue
        sums = [c for c, _ in readers[node] if c.op == "sum"]
        if len(sums) != 1:
            continue
        suffix = match.group(1) or ""
        names[sums[0]] = f"z{suffix}"
        after = readers.get(sums[0], [])
        if len(after) == 1 and len(after[0][0].inputs) == 1:
            names[after[0][0]] = f"h{suffix}"
    return names


def backward_order(order: list[Value], data: set[Value] = frozenset()) -> list[Value]:
    """The nodes as backward visits them: by distance from the output (layer by layer,
    the loss first), data leaves (x, t) after the rest of their layer, ties in reverse
    topological order. Still a valid backward order: a node always comes after every
    node that reads it."""
    distance = {order[-1]: 0} if order else {}
    for node in reversed(order):
        d = distance.get(node, 0) + 1
        for parent in node.inputs:
            if distance.get(parent, -1) < d:
                distance[parent] = d
    backward = list(reversed(order))
    return sorted(backward, key=lambda node: (distance.get(node, 0), node in data))


def wrap(name: str) -> str:
    """``name`` bracketed when it is a compound expression: ``(w × x)``; ``(y − t)²`` stays."""
    depth = 0
    for char in name:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == " " and depth == 0:
            return f"({name})"
    return name


_SUPERSCRIPTS = {"2": "²", "3": "³"}


def format_op(node: Value, texts: list[str]) -> str:
    """The op table's template, except a constant exponent 2 or 3 reads as ² or ³."""
    exponent = node.inputs[1] if node.op == "pow" else None
    if exponent is not None and exponent.is_constant and texts[1] in _SUPERSCRIPTS:
        return texts[0] + _SUPERSCRIPTS[texts[1]]
    return node.op_entry.format(texts)


def expression(node: Value, texts: list[str]) -> str:
    """The op applied to ``texts``, long sums shortened to their first and last terms."""
    if node.op_entry.arity is None and len(texts) > MAX_TERMS:
        texts = texts[:3] + ["…"] + texts[-1:]
    return format_op(node, texts)


_INFIX = ("add", "sub", "mul", "div", "sum")


def number_operands(node: Value, precision: int) -> list[str]:
    """Operand numbers, negatives bracketed where the template needs it: 0.5 − (−1)."""
    def bracket(position: int) -> bool:
        if node.op in _INFIX:
            return position > 0
        return node.op in ("pow", "neg")  # (−0.4)², −(−1); tanh(−0.1) needs none

    return [format_factor(p.data, precision) if bracket(i) else format_number(p.data, precision)
            for i, p in enumerate(node.inputs)]
