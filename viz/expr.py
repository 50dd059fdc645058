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

__all__ = ["ExpressionError", "Expression", "Built", "parse", "functions", "MAX_LENGTH"]

# Long enough for any expression a person types; short enough that Python's own
# (recursive) parser never runs out of stack on "x+x+x+…".
MAX_LENGTH = 1000
_EXCERPT = 70  # characters of the source shown above the caret

# Ops reached through an operator rather than by name: a call ``mul(a, b)`` would be a
# second spelling of ``a * b``, so these are not offered as functions.
_OPERATOR_OPS = {
    ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow",
}
_UNARY_OPS = {ast.USub: "neg"}
_NOT_FUNCTIONS = frozenset(_OPERATOR_OPS.values()) | frozenset(_UNARY_OPS.values())
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
        text = self.source[start : start + _EXCERPT]
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
            op = OPS[_OPERATOR_OPS[type(node.op)]]
            operands = [results[node.left], results[node.right]]
        else:  # ast.Call, checked by parse
            op, operands = OPS[node.func.id], [results[a] for a in node.args]
        column = _column(self.source, node)
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
        if char in "\r\n\x00":
            raise ExpressionError("an expression is one line of text", source, i + 1)
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
    names = _check(tree, source)
    return Expression(source=source, tree=tree, names=tuple(names), first_column=names)


def _check(tree: ast.Expression, source: str) -> dict[str, int]:
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
            problems.append((_column(source, node), len(problems), reason))
        elif isinstance(node, ast.Name):
            offset = node.col_offset
            if node.id not in names or offset < names[node.id][0]:
                names[node.id] = (offset, _column(source, node))
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
        if type(node.op) in _OPERATOR_OPS:
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


def _operands(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.Call):
        return list(node.args)
    return []


def _column(source: str, node: ast.AST) -> int:
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
    needs = f" (needs {op.requires})" if op.requires else ""
    kind = "overflows a float" if isinstance(exc, OverflowError) else "is undefined"
    return f"{op.name}({shown}) {kind}{needs}"


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 20 else f"{text[:8]}…({len(text)} digits)"
