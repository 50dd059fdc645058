"""The op table: the one place where an operation is defined.

Each entry says how to compute the op (``forward``), its local derivatives
(``local_grads``), how to draw it (``symbol``, ``template``), the chain-rule text a
learner reads (``rules``), where it is defined (``requires``) and where it is smooth
enough to test against central differences (``domain``). ``Value.backward``, the
visualizer and ``autograd.compile`` all read this table, so they cannot disagree.

``local_grads(*inputs, out)`` returns one derivative per input. It is written with
plain operators and the helpers below so the same function works on floats (eager
backward), on ``Value`` s (``grad(..., create_graph=True)``) and on numpy arrays
(the compiled path).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

Interval = tuple[float, float]

__all__ = [
    "Op", "OPS", "register", "lookup", "Interval", "log_or_zero", "cos", "sin", "exp", "log", "tanh", "sqrt",
]


@dataclass(frozen=True)
class Op:
    """One operation: forward, local derivatives, display and test domain."""

    name: str
    symbol: str
    arity: int | None  # None: any number of inputs (at least one)
    forward: Callable[..., float]
    local_grads: Callable[..., Sequence]
    rules: tuple[str, ...]  # one chain-rule text per input (one for all if n-ary)
    template: str  # how a result reads: "{0} × {1}"; n-ary joins inputs by symbol
    domain: tuple[tuple[Interval, ...], ...]  # per input: smooth intervals to test on
    requires: str = ""  # where the op is defined, for error messages: "a > 0"
    array_forward: Callable[..., np.ndarray] | None = field(default=None, repr=False)

    def rule(self, position: int) -> str:
        """The chain-rule text for the input at ``position``."""
        return self.rules[0] if self.arity is None else self.rules[position]

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
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _pow_grads(a, b, out):
    return (_pow_base_grad(a, b), out * log_or_zero(a))


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


# Test domains: away from kinks (relu, abs at 0), poles (1/b at 0) and overflow.
_REAL = ((-3.0, 3.0),)
_AWAY_FROM_ZERO = ((-3.0, -0.1), (0.1, 3.0))
_POSITIVE = ((0.1, 10.0),)

ADD = register(Op(
    name="add", symbol="+", arity=2,
    forward=operator.add,  # a + b; the C function is a call cheaper than a lambda
    local_grads=lambda a, b, out: (1.0, 1.0),
    rules=("∂(a + b)/∂a = 1", "∂(a + b)/∂b = 1"),
    template="{0} + {1}", domain=(_REAL, _REAL),
    array_forward=np.add,
))
SUB = register(Op(
    name="sub", symbol="−", arity=2,
    forward=operator.sub,  # a - b
    local_grads=lambda a, b, out: (1.0, -1.0),
    rules=("∂(a − b)/∂a = 1", "∂(a − b)/∂b = −1"),
    template="{0} − {1}", domain=(_REAL, _REAL),
    array_forward=np.subtract,
))
MUL = register(Op(
    name="mul", symbol="×", arity=2,
    forward=operator.mul,  # a * b
    local_grads=lambda a, b, out: (b, a),
    rules=("∂(a·b)/∂a = b", "∂(a·b)/∂b = a"),
    template="{0} × {1}", domain=(_REAL, _REAL),
    array_forward=np.multiply,
))
DIV = register(Op(
    name="div", symbol="÷", arity=2,
    forward=operator.truediv,  # a / b, ZeroDivisionError at b = 0
    local_grads=lambda a, b, out: (1.0 / b, -out / b),
    rules=("∂(a/b)/∂a = 1/b", "∂(a/b)/∂b = −a/b²"),
    template="{0} ÷ {1}", domain=(_REAL, _AWAY_FROM_ZERO), requires="b ≠ 0",
    array_forward=np.divide,
))
POW = register(Op(
    name="pow", symbol="^", arity=2,
    forward=math.pow,  # raises on 0 ** -1 and (-8) ** 0.5 instead of going complex
    local_grads=_pow_grads,
    rules=("∂(aᵇ)/∂a = b·aᵇ⁻¹ (0 at a = b = 0)", "∂(aᵇ)/∂b = aᵇ·ln a (0 where a ≤ 0)"),
    template="{0}^{1}", domain=(_POSITIVE, _REAL),
    requires="a > 0, or a whole-number b (and b ≥ 0 when a = 0)",
    array_forward=np.power,
))
NEG = register(Op(
    name="neg", symbol="−", arity=1,
    forward=operator.neg,  # -a
    local_grads=lambda a, out: (-1.0,),
    rules=("∂(−a)/∂a = −1",),
    template="−{0}", domain=(_REAL,),
    array_forward=np.negative,
))
EXP = register(Op(
    name="exp", symbol="exp", arity=1,
    forward=math.exp,
    local_grads=lambda a, out: (out,),  # e^a, already computed as out
    rules=("∂exp(a)/∂a = exp(a)",),
    template="exp({0})", domain=(_REAL,), requires="a ≤ 709.78 (larger overflows a float)",
    array_forward=np.exp,
))
LOG = register(Op(
    name="log", symbol="ln", arity=1,
    forward=math.log,
    local_grads=lambda a, out: (1.0 / a,),
    rules=("∂ln(a)/∂a = 1/a",),
    template="ln({0})", domain=(_POSITIVE,), requires="a > 0",
    array_forward=np.log,
))
TANH = register(Op(
    name="tanh", symbol="tanh", arity=1,
    forward=math.tanh,
    local_grads=lambda a, out: (1.0 - out * out,),
    rules=("∂tanh(a)/∂a = 1 − tanh²(a)",),
    template="tanh({0})", domain=(_REAL,),
    array_forward=np.tanh,
))
SIGMOID = register(Op(
    name="sigmoid", symbol="σ", arity=1,
    forward=_sigmoid,
    local_grads=lambda a, out: (out * (1.0 - out),),
    rules=("∂σ(a)/∂a = σ(a)·(1 − σ(a))",),
    template="σ({0})", domain=(_REAL,),
    array_forward=_sigmoid_array,
))
RELU = register(Op(
    name="relu", symbol="ReLU", arity=1,
    forward=lambda a: 0.0 if a <= 0 else a,  # nan stays nan (as np.maximum keeps it)
    # relu'(0) taken as 0, matching the forward's a > 0 branch
    local_grads=lambda a, out: ((a > 0) * 1.0,),
    rules=("∂relu(a)/∂a = 1 if a > 0 else 0",),
    template="relu({0})", domain=(_AWAY_FROM_ZERO,),
    array_forward=lambda a: np.maximum(a, 0.0),
))
STEP = register(Op(
    name="step", symbol="step", arity=1,
    forward=lambda a: 1.0 if a >= 0 else 0.0,
    local_grads=lambda a, out: (0.0 * a,),  # flat on both sides: a threshold does not learn
    rules=("∂step(a)/∂a = 0",),
    template="step({0})", domain=(_AWAY_FROM_ZERO,),
    array_forward=lambda a: (a >= 0) * 1.0,
))
SQRT = register(Op(
    name="sqrt", symbol="√", arity=1,
    forward=math.sqrt,
    local_grads=lambda a, out: (0.5 / out,),
    rules=("∂√a/∂a = 1/(2√a)",),
    template="√{0}", domain=(_POSITIVE,), requires="a ≥ 0",
    array_forward=np.sqrt,
))
ABS = register(Op(
    name="abs", symbol="|·|", arity=1,
    forward=abs,
    local_grads=lambda a, out: (_sign(a),),  # sign(0) taken as 0
    rules=("∂|a|/∂a = sign(a)",),
    template="|{0}|", domain=(_AWAY_FROM_ZERO,),
    array_forward=np.abs,
))
SIN = register(Op(
    name="sin", symbol="sin", arity=1,
    forward=math.sin,
    local_grads=lambda a, out: (cos(a),),
    rules=("∂sin(a)/∂a = cos(a)",),
    template="sin({0})", domain=(_REAL,),
    array_forward=np.sin,
))
COS = register(Op(
    name="cos", symbol="cos", arity=1,
    forward=math.cos,
    local_grads=lambda a, out: (-sin(a),),
    rules=("∂cos(a)/∂a = −sin(a)",),
    template="cos({0})", domain=(_REAL,),
    array_forward=np.cos,
))
SUM = register(Op(
    name="sum", symbol="+", arity=None,
    forward=lambda *xs: sum(xs),
    local_grads=lambda *args: (1.0,) * (len(args) - 1),
    rules=("∂(Σ aᵢ)/∂aᵢ = 1",),
    template="Σ", domain=(_REAL,),
    array_forward=lambda *xs: np.sum(xs, axis=0),
))
