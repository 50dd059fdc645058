"""A safe parser for one-line math expressions such as ``tanh(x*w + b)``.

The text is parsed with Python's ``ast`` and every node checked against a whitelist:
numbers, variable names, ``+ - * / **``, unary ``-``/``+``, and calls to the functions
of the op table (``exp``, ``log``, ``tanh``, ``sigmoid``, ``relu``, ``sqrt``, ``abs``,
``sin``, ``cos``, ``step``, ``sum`` and any op a user registers). Nothing is ever passed
to ``eval``: the checked tree is walked and each node becomes an ``autograd`` op, so
``9**9**9**9`` is float arithmetic that overflows with an error, not a hang.

Every error is an ``ExpressionError`` carrying the 1-based column it refers to:

>>> from viz.expr import parse
>>> expr = parse("tanh(x*w + b)")
>>> expr.names
('x', 'w', 'b')
>>> built = expr.build({"x": 0.5, "w": -1.0, "b": 2.0})
>>> round(built.root.data, 6)
0.905148
"""

from __future__ import annotations

import ast
import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from autograd import OPS, DomainError, Op, Value, apply

from .expr_check import OPERATOR_OPS, ExpressionError, check, column_of, functions

__all__ = ["ExpressionError", "Expression", "Built", "parse", "functions", "MAX_LENGTH"]

# Long enough for any expression a person types; short enough that Python's own
# (recursive) parser never runs out of stack on "x+x+x+…".
MAX_LENGTH = 1000


@dataclass(frozen=True)
class Built:
    """An expression turned into a graph: its ``root``, the variable ``leaves`` by name."""

    root: Value
    leaves: dict[str, Value]
    source: str
    columns: dict[Value, int] = field(repr=False)  # op node -> column it came from

    def backward(self) -> None:
        """Run ``root.backward()``; a derivative that is undefined (√ at 0) → ExpressionError."""
        try:
            self.root.backward()
        except (ZeroDivisionError, OverflowError, ValueError) as exc:
            raise self._backward_failure(exc) from None

    def _backward_failure(self, exc: Exception) -> ExpressionError:
        # backward does not say which node failed; find it by asking each op in turn.
        for node, column in self.columns.items():
            try:
                grads = node.local_grads()
            except (ZeroDivisionError, OverflowError, ValueError):
                grads = (math.nan,)
            if not all(math.isfinite(g) for g in grads):
                shown = ", ".join(repr(x.data) for x in node.inputs)
                return ExpressionError(
                    f"the derivative of {node.op} is undefined at {shown}", self.source, column
                )
        return ExpressionError(f"backward failed: {exc}", self.source, None)


@dataclass(frozen=True)
class Expression:
    """A checked expression: its ``source``, its variable ``names`` in order of appearance."""

    source: str
    tree: ast.Expression = field(repr=False)
    names: tuple[str, ...]
    first_column: dict[str, int] = field(repr=False)

    def build(self, values: Mapping[str, float]) -> Built:
        """The graph of this expression with each variable a leaf Value labelled by its name."""
        leaves = self._leaves(values)
        columns: dict[Value, int] = {}
        results: dict[ast.AST, Value | float] = {}
        # Post-order walk with an explicit stack: no recursion, however long the text.
        stack: list[tuple[ast.AST, bool]] = [(self.tree.body, False)]
        while stack:
            node, children_done = stack.pop()
            if not children_done:
                stack.append((node, True))
                stack.extend((child, False) for child in reversed(_operands(node)))
                continue
            results[node] = self._node_value(node, leaves, results, columns)
        root = results[self.tree.body]
        if not isinstance(root, Value):  # a bare number such as "3"
            root = Value(root, self.source.strip())
        return Built(root=root, leaves=leaves, source=self.source, columns=columns)

    def _leaves(self, values: Mapping[str, float]) -> dict[str, Value]:
        # Python reads identifiers in NFKC form (the ligature "ﬁ" is the name "fi").
        values = {unicodedata.normalize("NFKC", str(name)): v for name, v in values.items()}
        leaves = {}
        for name in self.names:
            if name not in values:
                raise ExpressionError(
                    f"no value for {name!r}; give one with --set {name}=<number>",
                    self.source, self.first_column[name],
                )
            leaves[name] = Value(_finite(values[name], name, self.source), name)
        extra = sorted(set(values) - set(self.names))
        if extra:
            known = ", ".join(self.names) or "none"
            raise ExpressionError(
                f"{extra[0]!r} does not appear in the expression (its variables: {known})",
                self.source, None,
            )
        return leaves

    def _node_value(self, node, leaves, results, columns) -> Value | float:
        if isinstance(node, ast.Constant):
            return float(node.value)  # checked finite by parse
        if isinstance(node, ast.Name):
            return leaves[node.id]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd):
            return results[node.operand]
        if isinstance(node, ast.UnaryOp):
            op, operands = OPS["neg"], [results[node.operand]]
        elif isinstance(node, ast.BinOp):
            op = OPS[OPERATOR_OPS[type(node.op)]]
            operands = [results[node.left], results[node.right]]
        else:  # ast.Call, checked by parse
            op, operands = OPS[node.func.id], [results[a] for a in node.args]
        column = column_of(self.source, node)
        try:
            value = apply(op, *operands)
        except (DomainError, OverflowError, ZeroDivisionError) as exc:
            raise ExpressionError(_math_error(op, operands, exc), self.source, column) from None
        columns[value] = column
        return value


def parse(source: str) -> Expression:
    """The checked ``Expression`` for ``source``; anything off the whitelist → ExpressionError."""
    if not isinstance(source, str):
        raise TypeError(f"an expression is a str, got {source!r} ({type(source).__name__})")
    for i, char in enumerate(source):
        reason = _not_text(char)
        if reason:
            raise ExpressionError(reason, source, i + 1)
    if not source.strip():
        raise ExpressionError("the expression is empty", source, None)
    if len(source) > MAX_LENGTH:
        raise ExpressionError(
            f"the expression is {len(source)} characters long; at most {MAX_LENGTH}",
            source, MAX_LENGTH + 1,
        )
    # Python rejects leading spaces ("unexpected indent"); parse without them and shift.
    indent = len(source) - len(source.lstrip())
    try:
        tree = ast.parse(source[indent:], mode="eval")
    except SyntaxError as exc:
        column = _syntax_column(exc, source, indent)
        raise ExpressionError(_syntax_reason(exc), source, column) from None
    except (RecursionError, MemoryError):
        raise ExpressionError("the expression is nested too deeply", source, None) from None
    if indent:
        _shift(tree, len(source[:indent].encode()))
    names = check(tree, source)
    return Expression(source=source, tree=tree, names=tuple(names), first_column=names)


def _not_text(char: str) -> str:
    """Why ``char`` cannot be part of an expression, or "" when it can."""
    if char in "\r\n":
        return "an expression is one line of text"
    if char == "\x00":
        return "the expression contains a NUL character (\\x00)"
    if "\udc80" <= char <= "\udcff":  # how Python keeps a command line's undecodable byte
        byte = ord(char) - 0xDC00
        return f"the expression contains the byte 0x{byte:02X}, which is not UTF-8 text"
    if "\ud800" <= char <= "\udfff":
        return f"the expression contains a lone surrogate U+{ord(char):04X}, which is not text"
    return ""


def _operands(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.Call):
        return list(node.args)
    return []


def _shift(tree: ast.AST, by: int) -> None:
    for node in ast.walk(tree):
        if hasattr(node, "col_offset"):
            node.col_offset += by
            node.end_col_offset += by


def _syntax_reason(exc: SyntaxError) -> str:
    message = exc.msg or "invalid syntax"
    if message.startswith("Exceeds the limit"):
        return "a number literal is too long"
    if message == "too many nested parentheses":
        return "the expression is nested too deeply"
    return f"not a valid expression: {message}"


def _syntax_column(exc: SyntaxError, source: str, indent: int) -> int | None:
    # SyntaxError.offset counts characters from 1; 0 or None means "at the end".
    if exc.lineno not in (None, 1):
        return None
    offset = exc.offset or 0
    if offset < 1:
        return len(source) + 1
    return min(offset + indent, len(source) + 1)


def _finite(value: object, name: str, source: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ExpressionError(
            f"the value of {name!r} must be a number, got {value!r}", source, None
        )
    number = float(value)
    if not math.isfinite(number):
        raise ExpressionError(
            f"the value of {name!r} must be a finite number, got {value!r}", source, None
        )
    return number


def _math_error(op: Op, operands: list, exc: Exception) -> str:
    shown = ", ".join(repr(x.data if isinstance(x, Value) else x) for x in operands)
    if isinstance(exc, OverflowError):  # defined there, only too large: no domain text
        return f"{op.name}({shown}) overflows a float (the result is above 1.8e308)"
    needs = f" (needs {op.requires})" if op.requires else ""
    return f"{op.name}({shown}) is undefined{needs}"
