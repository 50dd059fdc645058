"""How the walkthrough names nodes and writes their equations: ``w × x``, ``(y − t)²``."""

from __future__ import annotations

from autograd import Value

from ..escape import printable
from ..numbers import format_factor, format_number

__all__ = ["name_nodes", "wrap", "format_op", "expression", "number_operands"]

MAX_NAME = 24  # longer expressions are called n7 instead of spelled out
MAX_TERMS = 6  # sums of more operands are shortened with "…"


def name_nodes(order: list[Value], params: dict[Value, str], precision: int) -> dict:
    """Caption names: labels and parameter names, else the expression (``w × x``), else n7."""
    names: dict[Value, str] = {}
    for i, node in enumerate(order):
        # printable: names reach the terminal transcript raw, so no escape sequences
        if node in params:
            names[node] = printable(params[node])
        elif node.label:
            names[node] = printable(node.label)
        elif node.is_constant:
            names[node] = format_number(node.data, precision)
        else:
            operands = [wrap(names[p]) for p in node.inputs]
            expression = format_op(node, operands)
            names[node] = expression if len(expression) <= MAX_NAME else f"n{i}"
    return names


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
