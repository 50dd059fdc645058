"""What an expression may contain, and where in its text each part is.

The whitelist behind ``viz.expr.parse``: every node of Python's ``ast`` is checked here,
and refusals become an ``ExpressionError`` with the 1-based column of the leftmost
offending part (a caret under it in ``excerpt()``).
"""

from __future__ import annotations

import ast
import math
import unicodedata

from autograd import OPS

from .escape import printable

__all__ = ["ExpressionError", "check", "column_of", "functions", "OPERATOR_OPS", "UNARY_OPS"]

_EXCERPT = 70  # characters of the source shown above the caret

# Ops reached through an operator rather than by name: a call ``mul(a, b)`` would be a
# second spelling of ``a * b``, so these are not offered as functions.
OPERATOR_OPS = {
    ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow",
}
UNARY_OPS = {ast.USub: "neg"}
_NOT_FUNCTIONS = frozenset(OPERATOR_OPS.values()) | frozenset(UNARY_OPS.values())
_OPERATOR_TEXT = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}

# What a learner probably meant, for nodes outside the whitelist.
_FORBIDDEN = {
    ast.Attribute: "attribute access ('.')",
    ast.Subscript: "indexing ('[...]')",
    ast.Lambda: "lambda",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a generator expression",
    ast.Compare: "a comparison",
    ast.BoolOp: "'and'/'or'",
    ast.IfExp: "'if ... else'",
    ast.NamedExpr: "':='",
    ast.Tuple: "a tuple (a stray comma?)",
    ast.List: "a list",
    ast.Dict: "a dict",
    ast.Set: "a set",
    ast.JoinedStr: "an f-string",
    ast.Starred: "'*' unpacking",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Slice: "a slice",
}
_OPERATOR_NAMES = {
    ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<",
    ast.RShift: ">>", ast.BitOr: "|", ast.BitXor: "^", ast.BitAnd: "&",
    ast.Invert: "~", ast.Not: "not",
}


def _allowed_summary() -> str:
    return (
        "use numbers, variable names, + - * / **, unary -, and calls to "
        + ", ".join(functions())
    )


class ExpressionError(ValueError):
    """A bad expression, a bad value for it, or a math error at one of its nodes.

    ``column`` is 1-based (``None`` when the error is not about one place in the text);
    ``str(error)`` is one line; ``error.excerpt()`` adds the source with a caret under
    the column.
    """

    def __init__(self, reason: str, source: str, column: int | None) -> None:
        self.reason = reason
        self.source = source
        self.column = column
        where = f" (column {column})" if column is not None else ""
        super().__init__(f"{reason}{where}")

    def excerpt(self) -> str:
        """The source line and a caret line under ``column`` ("" without a column)."""
        if self.column is None or "\n" in self.source or "\r" in self.source:
            return ""
        # A window of the text around the column, so a long expression stays readable.
        start = max(0, min(self.column - 1 - _EXCERPT // 2, len(self.source) - _EXCERPT))
        # printable: a NUL, a terminal escape or an undecodable byte shows as one U+FFFD
        text = printable(self.source[start : start + _EXCERPT])
        caret = self.column - 1 - start
        if start > 0:
            text, caret = "…" + text, caret + 1
        if start + _EXCERPT < len(self.source):
            text += "…"
        # Wide (CJK) characters take two terminal cells: pad the caret to match.
        pad = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text[:caret])
        return f"  {text}\n  {' ' * pad}^"


def functions() -> list[str]:
    """The names callable in an expression: every op of the table not spelt as an operator."""
    # Read at call time, so an op registered later is callable too.
    return sorted(name for name in OPS if name not in _NOT_FUNCTIONS)


def check(tree: ast.Expression, source: str) -> dict[str, int]:
    """Raise for the leftmost node off the whitelist; return variables → first column."""
    problems: list[tuple[int, int, str]] = []  # (column, walk order, reason)
    names: dict[str, tuple[int, int]] = {}  # name -> (byte offset, column): ordered by offset
    function_names = set(functions())
    callees = {node.func for node in ast.walk(tree) if isinstance(node, ast.Call)}
    for node in ast.walk(tree):  # breadth-first and iterative
        if node in callees and isinstance(node, ast.Name):
            continue  # judged with its call: a function name, not a variable
        reason = _problem(node, function_names)
        if reason and hasattr(node, "col_offset"):  # unplaced parts: their holder reports
            problems.append((column_of(source, node), len(problems), reason))
        elif isinstance(node, ast.Name):
            offset = node.col_offset
            if node.id not in names or offset < names[node.id][0]:
                names[node.id] = (offset, column_of(source, node))
    if problems:
        column, _, reason = min(problems)  # leftmost; outermost on a tie
        raise ExpressionError(reason, source, column)
    ordered = sorted(names.items(), key=lambda item: item[1][0])
    return {name: column for name, (_, column) in ordered}


def _problem(node: ast.AST, function_names: set[str]) -> str:
    """Why ``node`` is not allowed, or "" when it is."""
    if isinstance(node, (ast.Expression, ast.Load)):
        return ""
    if isinstance(node, ast.BinOp):
        if type(node.op) in OPERATOR_OPS:
            return ""
        return f"the operator {_OPERATOR_NAMES.get(type(node.op), '?')} is not supported"
    if isinstance(node, ast.UnaryOp):
        if isinstance(node.op, (ast.USub, ast.UAdd)):
            return ""
        return f"the operator {_OPERATOR_NAMES.get(type(node.op), '?')} is not supported"
    if isinstance(node, ast.Constant):
        return _constant_problem(node.value)
    if isinstance(node, ast.Name):
        if node.id in function_names:
            return f"{node.id} is a function: call it, as in {node.id}(x)"
        return ""
    if isinstance(node, ast.Call):
        return _call_problem(node, function_names)
    if isinstance(node, (ast.operator, ast.unaryop, ast.expr_context, ast.keyword)):
        return ""  # judged with the node that holds them
    described = _FORBIDDEN.get(type(node), type(node).__name__)
    return f"{described} is not allowed in an expression; {_allowed_summary()}"


def _constant_problem(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"{value!r} is not a number; {_allowed_summary()}"
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        return f"the number {_short(value)} is too large for a float (at most about 1.8e308)"
    return ""


def _call_problem(node: ast.Call, function_names: set[str]) -> str:
    if not isinstance(node.func, ast.Name):
        if type(node.func) in _FORBIDDEN:
            return ""  # the callee itself is reported, at its own column
        return "only a function name can be called, as in tanh(x)"
    name = node.func.id
    if name not in function_names:
        return f"unknown function {name!r}; the functions are {', '.join(sorted(function_names))}"
    if node.keywords:
        return f"{name} takes no keyword arguments"
    if any(isinstance(a, ast.Starred) for a in node.args):
        return ""  # reported at the star
    arity = OPS[name].arity
    if arity is None and not node.args:
        return f"{name} needs at least one argument"
    if arity is not None and len(node.args) != arity:
        plural = "" if arity == 1 else "s"
        return f"{name} takes {arity} argument{plural}, got {len(node.args)}"
    return ""


def column_of(source: str, node: ast.AST) -> int:
    """The 1-based character column of ``node``; for ``a * b``, the column of the ``*``."""
    encoded = source.encode()
    offset = node.col_offset
    if isinstance(node, ast.Attribute):
        offset = node.value.end_col_offset  # the "."
    elif isinstance(node, ast.BinOp):
        # Point at the operator: the first character after the left operand that is not
        # a space or a closing parenthesis.
        offset = node.left.end_col_offset
        text = _OPERATOR_TEXT.get(type(node.op), "")
        while offset < len(encoded) and encoded[offset : offset + 1] in (b" ", b")"):
            offset += 1
        if text and not encoded[offset:].startswith(text.encode()):
            offset = node.col_offset
    return len(encoded[:offset].decode(errors="ignore")) + 1


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 20 else f"{text[:8]}…({len(text)} digits)"
