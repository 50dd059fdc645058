"""The op table: the one place where an operation is defined.

Each entry says how to compute the op (``forward``), its local derivatives
(``local_grads``), how to draw it (``symbol``, ``template``), the chain-rule text a
learner reads (``rules``), where it is defined (``requires``) and where it is smooth
enough to test against central differences (``domain``). ``Value.backward``, the
visualizer and ``autograd.compile`` all read this table, so they cannot disagree.
``onnx`` writes the op as ONNX nodes, for ``program.export_onnx``.

``rules`` are templates over the operands' names, so the walkthrough can say
``∂(w × x)/∂w = x`` with the graph's own names instead of letters that may collide
with them (``b`` the bias). ``local_grads(*inputs, out)`` returns one derivative per input. It is written with
plain operators and the helpers below so the same function works on floats (eager
backward), on ``Value`` s (``grad(..., create_graph=True)``) and on numpy arrays
(the compiled path).
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

Interval = tuple[float, float]
# A chain-rule text: a template over the operands' names ("∂({0} × {1})/∂{0} = {1}";
# "{self}" and "{all}" for n-ary ops), plain text (older ops: shown as it is), or a
# function (names, position) -> text for rules a template cannot simplify (x² → 2·x).
Rule = str | Callable[[Sequence[str], int], str]

__all__ = [
    "Op", "OPS", "Rule", "register", "lookup", "fill_rule", "rule_uses_names", "Interval", "log_or_zero", "cos", "sin", "exp", "log", "tanh", "sqrt",
]

_PLACEHOLDER = re.compile(r"\{(\d+|self|all)\}")
MAX_TERMS = 6  # an n-ary rule lists at most this many operands: a + b + c + … + z


@dataclass(frozen=True)
class Op:
    """One operation: forward, local derivatives, display and test domain."""

    name: str
    symbol: str
    arity: int | None  # None: any number of inputs (at least one)
    forward: Callable[..., float]
    local_grads: Callable[..., Sequence]
    rules: tuple[Rule, ...]  # one chain-rule template per input (one for all if n-ary)
    template: str  # how a result reads: "{0} × {1}"; n-ary joins inputs by symbol
    domain: tuple[tuple[Interval, ...], ...]  # per input: smooth intervals to test on
    requires: str = ""  # where the op is defined, for error messages: "a > 0"
    array_forward: Callable[..., np.ndarray] | None = field(default=None, repr=False)
    # ONNX lowering (``program.export_onnx``): onnx(g, *input names) adds nodes to the
    # graph builder ``g`` (``g.node("Add", a, b)``, ``g.const(0.0)``) and returns the
    # result's name. None: a graph using the op cannot be exported.
    onnx: Callable[..., str] | None = field(default=None, repr=False)

    def rule(self, position: int) -> str:
        """The chain-rule text for the input at ``position``, in the letters a, b, …"""
        if self.arity is not None:
            return self.rule_text(position, [chr(ord("a") + i) for i in range(self.arity)])
        rule = self.rules[0]
        if callable(rule):
            return rule(["a₁", "aₙ"], 0)
        generic = {"self": "aᵢ", "all": f"a₁ {self.symbol} … {self.symbol} aₙ"}
        return _PLACEHOLDER.sub(lambda m: generic.get(m.group(1), m.group(0)), rule)

    def rule_text(self, position: int, names: Sequence[str]) -> str:
        """The chain-rule text for the input at ``position``, written with ``names``.

        ``names`` are the operands' names as the reader sees them (compound ones
        bracketed): ``MUL.rule_text(0, ["w", "x"])`` is ``∂(w × x)/∂w = x``. A rule
        registered as plain text (no placeholders) comes back unchanged.
        """
        rule = self.rules[0] if self.arity is None else self.rules[position]
        if callable(rule):
            return rule(names, position)
        return fill_rule(rule, names, position, self.symbol)

    def input_domain(self, position: int) -> tuple[Interval, ...]:
        """The test intervals for the input at ``position``."""
        return self.domain[0] if self.arity is None else self.domain[position]

    def format(self, operands: Sequence[str]) -> str:
        """How this op applied to ``operands`` reads: ``format(["w", "x"])`` → ``w × x``."""
        if self.arity is None:
            return f" {self.symbol} ".join(operands)
        return self.template.format(*operands)

    def vector_forward(self, *arrays: np.ndarray) -> np.ndarray:
        """The forward on numpy arrays (element-wise), for the compiled path."""
        if self.array_forward is not None:
            return self.array_forward(*arrays)
        return np.vectorize(self.forward, otypes=[float])(*arrays)


OPS: dict[str, Op] = {}


def register(op: Op) -> Op:
    """Add ``op`` to the table (its name must be new) and return it."""
    if not isinstance(op, Op):
        raise TypeError(f"register takes an Op, got {op!r} ({type(op).__name__})")
    if op.name in OPS:
        raise ValueError(f"an op named {op.name!r} is already registered")
    expected = 1 if op.arity is None else op.arity
    for rule in op.rules:
        if not (isinstance(rule, str) or callable(rule)):
            raise TypeError(f"op {op.name!r}: a rule is a text template or a function "
                            f"(names, position) -> text, got {rule!r}")
    if len(op.domain) != expected or (op.arity is not None and len(op.rules) != op.arity):
        raise ValueError(
            f"op {op.name!r}: needs {expected} domain entries and one rule per input, "
            f"got {len(op.domain)} domains and {len(op.rules)} rules"
        )
    OPS[op.name] = op
    return op


def lookup(op: Op | str) -> Op:
    """``op`` itself if it is an Op (registered or not), else the table entry of that name."""
    if isinstance(op, Op):
        return op
    if isinstance(op, str):
        if op in OPS:
            return OPS[op]
        raise ValueError(f"unknown op {op!r}; registered ops: {', '.join(sorted(OPS))}")
    raise TypeError(f"an op is an Op or the name of a registered one, got {op!r} "
                    f"({type(op).__name__})")


def rule_uses_names(rule: Rule) -> bool:
    """Whether ``rule`` is written over the operands' names (a template or a function),
    not in fixed letters (plain text, as ops registered before templates are)."""
    return callable(rule) or bool(_PLACEHOLDER.search(rule))


def fill_rule(template: str, names: Sequence[str], position: int, symbol: str = "+") -> str:
    """``template`` with ``{0}``, ``{1}``, … ``{self}`` (the operand at ``position``) and
    ``{all}`` (every operand joined by ``symbol``) replaced by ``names``."""
    def name(match: re.Match) -> str:
        key = match.group(1)
        if key == "self":
            return names[position]
        if key == "all":
            return f" {symbol} ".join(_shortened(names, position))
        index = int(key)
        return names[index] if index < len(names) else match.group(0)

    return _PLACEHOLDER.sub(name, template)


def _shortened(names: Sequence[str], position: int) -> list[str]:
    """At most about MAX_TERMS names: the first two, the one at ``position``, the last."""
    if len(names) <= MAX_TERMS:
        return list(names)
    keep = sorted({0, 1, position, len(names) - 1})
    shown = [names[0]]
    for before, i in zip(keep, keep[1:]):
        shown += ["…", names[i]] if i > before + 1 else [names[i]]
    return shown


# --- helpers that work on floats, Values and numpy arrays alike -------------------


def log_or_zero(a):
    """ln(a) where a > 0, else 0: the exponent's derivative of a**b where ln a exists."""
    if isinstance(a, np.ndarray):
        positive = a > 0
        return np.where(positive, np.log(np.where(positive, a, 1.0)), 0.0)
    if hasattr(a, "log"):  # a Value, while building a differentiable gradient
        return a.log() if a.data > 0 else 0.0
    return math.log(a) if a > 0 else 0.0


def _unary(name: str, scalar: Callable[[float], float], array: Callable) -> Callable:
    def apply(a):
        if isinstance(a, np.ndarray):
            return array(a)
        if hasattr(a, name):
            return getattr(a, name)()
        return scalar(a)

    apply.__name__ = name
    apply.__doc__ = f"{name}(a) on a float, a Value or a numpy array."
    return apply


# For local_grads of user ops that must also run on Values (create_graph) and arrays.
sin = _unary("sin", math.sin, np.sin)
cos = _unary("cos", math.cos, np.cos)
exp = _unary("exp", math.exp, np.exp)
log = _unary("log", math.log, np.log)
tanh = _unary("tanh", math.tanh, np.tanh)
sqrt = _unary("sqrt", math.sqrt, np.sqrt)


def _sigmoid(a: float) -> float:
    # Two branches so exp never overflows: sigmoid(-1000) is 0, not an OverflowError.
    if a >= 0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)


def _sigmoid_array(a: np.ndarray) -> np.ndarray:
    # Both branches of _sigmoid bit for bit, with one exp and one division:
    # 1/(1 + e^−a) where a ≥ 0, e^a/(1 + e^a) elsewhere (e = e^−|a| either way).
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1.0, e) / (1.0 + e)


def _pow_grads(a, b, out):
    return (_pow_base_grad(a, b), out * log_or_zero(a))


_SUPERSCRIPT = str.maketrans("0123456789−.", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻·")


def _power(base: str, exponent: str) -> str:
    """base^exponent, with a short number exponent as a superscript: x², x⁻¹."""
    if len(exponent) <= 3 and exponent.translate(_SUPERSCRIPT) != exponent \
            and all(c in "0123456789−" for c in exponent):
        return base + exponent.translate(_SUPERSCRIPT)
    return f"{base}^{exponent}"


def _pow_base_rule(names: Sequence[str], position: int) -> str:
    """∂(aᵇ)/∂a = b·aᵇ⁻¹, simplified when b is a number: ∂(x²)/∂x = 2·x."""
    a, b = names
    lhs = f"∂({_power(a, b)})/∂{a}"
    try:
        c = float(b.replace("−", "-"))
    except ValueError:
        return f"{lhs} = {b}·{a}^({b} − 1)"
    less = c - 1
    text = f"{less:g}".replace("-", "−")
    if less == 0:
        return f"{lhs} = {b}"
    return f"{lhs} = {b}·{a if less == 1 else _power(a, text)}"


def _number(x) -> float:
    """A float operand as is; a Value's data (local_grads building a differentiable gradient)."""
    return x if isinstance(x, (int, float)) else x.data


def _pow_base_grad(a, b):
    """b·aᵇ⁻¹, and 0 at a = b = 0: a⁰ = 1 is flat there too, though 0⁻¹ is undefined."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        with np.errstate(divide="ignore", invalid="ignore"):  # 0 ** −1 where a = b = 0
            return np.where((a == 0) & (b == 0), 0.0, b * a ** (b - 1))
    if _number(a) == 0 == _number(b):
        return 0.0
    return b * a ** (b - 1)


def _sign(a):
    return (a > 0) * 1.0 - (a < 0) * 1.0


# --- ONNX lowerings: ``g`` is the graph builder of autograd.onnx_graph ----------------


def _onnx(op_type: str) -> Callable[..., str]:
    """The lowering of an op that is one ONNX operator of the same meaning."""
    def lowering(g, *inputs: str) -> str:
        return g.node(op_type, *inputs)

    lowering.__name__ = f"onnx_{op_type}"
    return lowering


def _sigmoid_onnx(g, a: str) -> str:
    """σ as _sigmoid_array computes it: ONNX Runtime's float64 Sigmoid gives 0 below
    a ≈ −37 and loses relative precision from a ≈ −5 (it is accurate only absolutely)."""
    e = g.node("Exp", g.node("Neg", g.node("Abs", a)))
    total = g.node("Add", g.const(1.0), e)
    return g.node("Where", g.node("GreaterOrEqual", a, g.const(0.0)),
                  g.node("Div", g.const(1.0), total), g.node("Div", e, total))


def _step_onnx(g, a: str) -> str:
    """1 where a ≥ 0, else 0 (nan too, as the forward's comparison gives)."""
    return g.node("Where", g.node("GreaterOrEqual", a, g.const(0.0)),
                  g.const(1.0), g.const(0.0))


# Test domains: away from kinks (relu, abs at 0), poles (1/b at 0) and overflow.
_REAL = ((-3.0, 3.0),)
_AWAY_FROM_ZERO = ((-3.0, -0.1), (0.1, 3.0))
_POSITIVE = ((0.1, 10.0),)

ADD = register(Op(
    name="add", symbol="+", arity=2,
    forward=operator.add,  # a + b; the C function is a call cheaper than a lambda
    local_grads=lambda a, b, out: (1.0, 1.0),
    rules=("∂({0} + {1})/∂{0} = 1", "∂({0} + {1})/∂{1} = 1"),
    template="{0} + {1}", domain=(_REAL, _REAL),
    array_forward=np.add,
    onnx=_onnx("Add"),
))
SUB = register(Op(
    name="sub", symbol="−", arity=2,
    forward=operator.sub,  # a - b
    local_grads=lambda a, b, out: (1.0, -1.0),
    rules=("∂({0} − {1})/∂{0} = 1", "∂({0} − {1})/∂{1} = −1"),
    template="{0} − {1}", domain=(_REAL, _REAL),
    array_forward=np.subtract,
    onnx=_onnx("Sub"),
))
MUL = register(Op(
    name="mul", symbol="×", arity=2,
    forward=operator.mul,  # a * b
    local_grads=lambda a, b, out: (b, a),
    rules=("∂({0} × {1})/∂{0} = {1}", "∂({0} × {1})/∂{1} = {0}"),
    template="{0} × {1}", domain=(_REAL, _REAL),
    array_forward=np.multiply,
    onnx=_onnx("Mul"),
))
DIV = register(Op(
    name="div", symbol="÷", arity=2,
    forward=operator.truediv,  # a / b, ZeroDivisionError at b = 0
    local_grads=lambda a, b, out: (1.0 / b, -out / b),
    rules=("∂({0} ÷ {1})/∂{0} = 1/{1}", "∂({0} ÷ {1})/∂{1} = −{0}/{1}²"),
    template="{0} ÷ {1}", domain=(_REAL, _AWAY_FROM_ZERO), requires="b ≠ 0",
    array_forward=np.divide,
    onnx=_onnx("Div"),
))
POW = register(Op(
    name="pow", symbol="^", arity=2,
    forward=math.pow,  # raises on 0 ** -1 and (-8) ** 0.5 instead of going complex
    local_grads=_pow_grads,
    rules=(_pow_base_rule, "∂({0}^{1})/∂{1} = {0}^{1}·ln {0}"),  # 0 at a = b = 0; 0 where a ≤ 0
    template="{0}^{1}", domain=(_POSITIVE, _REAL),
    requires="a > 0, or a whole-number b (and b ≥ 0 when a = 0)",
    array_forward=np.power,
    onnx=_onnx("Pow"),
))
NEG = register(Op(
    name="neg", symbol="−", arity=1,
    forward=operator.neg,  # -a
    local_grads=lambda a, out: (-1.0,),
    rules=("∂(−{0})/∂{0} = −1",),
    template="−{0}", domain=(_REAL,),
    array_forward=np.negative,
    onnx=_onnx("Neg"),
))
EXP = register(Op(
    name="exp", symbol="exp", arity=1,
    forward=math.exp,
    local_grads=lambda a, out: (out,),  # e^a, already computed as out
    rules=("∂exp({0})/∂{0} = exp({0})",),
    template="exp({0})", domain=(_REAL,), requires="a ≤ 709.78 (larger overflows a float)",
    array_forward=np.exp,
    onnx=_onnx("Exp"),
))
LOG = register(Op(
    name="log", symbol="ln", arity=1,
    forward=math.log,
    local_grads=lambda a, out: (1.0 / a,),
    rules=("∂ln({0})/∂{0} = 1/{0}",),
    template="ln({0})", domain=(_POSITIVE,), requires="a > 0",
    array_forward=np.log,
    onnx=_onnx("Log"),
))
TANH = register(Op(
    name="tanh", symbol="tanh", arity=1,
    forward=math.tanh,
    local_grads=lambda a, out: (1.0 - out * out,),
    rules=("∂tanh({0})/∂{0} = 1 − tanh²({0})",),
    template="tanh({0})", domain=(_REAL,),
    array_forward=np.tanh,
    onnx=_onnx("Tanh"),
))
SIGMOID = register(Op(
    name="sigmoid", symbol="σ", arity=1,
    forward=_sigmoid,
    local_grads=lambda a, out: (out * (1.0 - out),),
    rules=("∂σ({0})/∂{0} = σ({0})·(1 − σ({0}))",),
    template="σ({0})", domain=(_REAL,),
    array_forward=_sigmoid_array,
    onnx=_sigmoid_onnx,
))
RELU = register(Op(
    name="relu", symbol="ReLU", arity=1,
    forward=lambda a: 0.0 if a <= 0 else a,  # nan stays nan (as np.maximum keeps it)
    # relu'(0) taken as 0, matching the forward's a > 0 branch
    local_grads=lambda a, out: ((a > 0) * 1.0,),
    rules=("∂relu({0})/∂{0} = 1 ({0} > 0), 0 ({0} ≤ 0)",),
    template="relu({0})", domain=(_AWAY_FROM_ZERO,),
    array_forward=lambda a: np.maximum(a, 0.0),
    onnx=_onnx("Relu"),
))
STEP = register(Op(
    name="step", symbol="step", arity=1,
    forward=lambda a: 1.0 if a >= 0 else 0.0,
    # exactly 0, flat on both sides: a threshold does not learn (0.0 * a was nan at a = ±inf)
    local_grads=lambda a, out: (np.zeros_like(a, float) if isinstance(a, np.ndarray) else 0.0,),
    rules=("∂step({0})/∂{0} = 0",),
    template="step({0})", domain=(_AWAY_FROM_ZERO,),
    array_forward=lambda a: (a >= 0) * 1.0,
    onnx=_step_onnx,
))
SQRT = register(Op(
    name="sqrt", symbol="√", arity=1,
    forward=math.sqrt,
    local_grads=lambda a, out: (0.5 / out,),
    rules=("∂√{0}/∂{0} = 1/(2√{0})",),
    template="√{0}", domain=(_POSITIVE,), requires="a ≥ 0",
    array_forward=np.sqrt,
    onnx=_onnx("Sqrt"),
))
ABS = register(Op(
    name="abs", symbol="|·|", arity=1,
    forward=abs,
    local_grads=lambda a, out: (_sign(a),),  # sign(0) taken as 0
    rules=("∂|{0}|/∂{0} = sign({0})",),
    template="|{0}|", domain=(_AWAY_FROM_ZERO,),
    array_forward=np.abs,
    onnx=_onnx("Abs"),
))
SIN = register(Op(
    name="sin", symbol="sin", arity=1,
    forward=math.sin,
    local_grads=lambda a, out: (cos(a),),
    rules=("∂sin({0})/∂{0} = cos({0})",),
    template="sin({0})", domain=(_REAL,),
    array_forward=np.sin,
    onnx=_onnx("Sin"),
))
COS = register(Op(
    name="cos", symbol="cos", arity=1,
    forward=math.cos,
    local_grads=lambda a, out: (-sin(a),),
    rules=("∂cos({0})/∂{0} = −sin({0})",),
    template="cos({0})", domain=(_REAL,),
    array_forward=np.cos,
    onnx=_onnx("Cos"),
))
SUM = register(Op(
    name="sum", symbol="+", arity=None,
    forward=lambda *xs: sum(xs),
    local_grads=lambda *args: (1.0,) * (len(args) - 1),
    rules=("∂({all})/∂{self} = 1",),
    template="Σ", domain=(_REAL,),
    array_forward=lambda *xs: np.sum(xs, axis=0),
    onnx=_onnx("Sum"),
))
