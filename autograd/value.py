"""``Value``: one float in a computation graph, with its gradient."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Sequence

from . import ops
from .modes import AnomalyError, state
from .ops import Op

__all__ = ["Value", "DomainError", "sum", "as_value"]


class DomainError(ValueError):
    """An op was applied outside the inputs where it is defined (log of 0, 1/0, …)."""


# Marks leaves made from plain numbers (``x * 2``) so drawings can tell them from inputs.
_CONSTANT = Op(
    name="constant", symbol="", arity=0, forward=float, local_grads=lambda out: (),
    rules=(), template="", domain=(),
)


def _to_float(data: object, label: str) -> float:
    where = f" (label {label!r})" if label else ""
    if isinstance(data, numbers.Real) and not isinstance(data, bool):
        try:
            return float(data)
        except OverflowError:  # an int past 1.8e308 (its repr may be too long to show)
            raise OverflowError(
                f"Value holds a float; the {type(data).__name__} given is beyond ±1.8e308, "
                f"the largest float{where}"
            ) from None
    raise TypeError(
        f"Value holds a real number, got {data!r} ({type(data).__name__}){where}"
    )


_BinaryMethod = Callable[["Value", "Value | float"], "Value"]


def _binary(op: Op, name: str) -> tuple[_BinaryMethod, _BinaryMethod]:
    """Value's ``__name__`` (self op other) and ``__rname__`` (other op self) for ``op``."""

    def forward(self: Value, other: Value | float) -> Value:
        if type(other) is not Value:  # the common case first: two Values
            other = _operand(other)
            if other is NotImplemented:
                return NotImplemented
        return _apply2(op, self, other)

    def reflected(self: Value, other: float) -> Value:
        other = _operand(other)
        return NotImplemented if other is NotImplemented else _apply2(op, other, self)

    for method, dunder in ((forward, f"__{name}__"), (reflected, f"__r{name}__")):
        method.__name__, method.__qualname__ = dunder, f"Value.{dunder}"
        method.__doc__ = f"The {op.name} node: {op.template}."
    return forward, reflected


class Value:
    """A scalar that remembers the op and inputs that produced it.

    ``data`` is the number, ``grad`` the derivative of the last ``backward()`` output
    with respect to it, ``inputs`` the operands in order (``x*x`` has ``x`` twice).
    Equality and hashing are by identity, so nodes can live in sets and dicts;
    ``<``, ``>``, ``<=``, ``>=`` compare ``data``.
    """

    # The inputs live in two slots rather than in a tuple, so a node is one object, not
    # two. CPython's cyclic garbage collector rescans live objects while a graph grows,
    # and that is most of the cost of building a big graph with the collector on: half
    # the objects, half that work. ``inputs`` rebuilds the tuple for readers.
    #   leaf:   _a is None,  _b is None
    #   unary:  _a = input,  _b is None
    #   binary: _a, _b = the two inputs
    #   n-ary:  _a = tuple of the inputs, _b is _MANY
    __slots__ = ("data", "grad", "label", "_op", "_a", "_b")

    def __init__(self, data: float, label: str = "") -> None:
        if type(label) is not str:
            if not isinstance(label, str):
                raise TypeError(f"label must be a str, got {label!r} ({type(label).__name__})")
            label = str(label)  # numpy.str_ (a column name from an array): a plain str
        self.data = data if type(data) is float else _to_float(data, label)
        self.grad = 0.0
        self.label = label
        self._op: Op | None = None
        self._a = None
        self._b = None

    # --- what the graph walkers read -------------------------------------------

    @property
    def inputs(self) -> tuple[Value, ...]:
        """The operands in order, repeats kept (``x*x`` gives ``(x, x)``); ``()`` for a leaf."""
        b = self._b
        if b is None:
            a = self._a
            return () if a is None else (a,)
        return self._a if b is _MANY else (self._a, b)

    @inputs.setter
    def inputs(self, inputs: tuple[Value, ...]) -> None:
        inputs = tuple(inputs)
        for i, x in enumerate(inputs):
            if not isinstance(x, Value):
                raise TypeError(f"inputs[{i}] must be a Value, got {x!r} ({type(x).__name__})")
        if inputs and (self._op is None or self._op is _CONSTANT):
            # no op to say how they combine: .op and backward would fail later, far away
            raise ValueError(f"{self!r} was not made by an op, so it cannot be given inputs")
        _store_inputs(self, inputs)

    @property
    def op(self) -> str:
        """The name of the op that made this node; ``""`` for a leaf."""
        return "" if self._a is None else self._op.name

    @property
    def op_entry(self) -> Op | None:
        """The op table entry that made this node, ``None`` for a leaf."""
        return None if self._a is None else self._op

    @property
    def is_leaf(self) -> bool:
        """True for nodes with no inputs: user inputs, parameters and constants."""
        return self._a is None

    @property
    def is_constant(self) -> bool:
        """True for leaves made from a plain number in an expression (``x * 2``)."""
        return self._op is _CONSTANT

    def local_grads(self) -> tuple[float, ...]:
        """∂self/∂input for each input, at the current data (empty for a leaf)."""
        if self._a is None:
            return ()
        return tuple(self._op.local_grads(*[x.data for x in self.inputs], self.data))

    def backward(self, grad: float = 1.0) -> None:
        """Backpropagate from this node: add ∂self/∂leaf · ``grad`` into every leaf's ``.grad``.

        Semantics follow PyTorch: leaves (nodes with no inputs) accumulate across calls
        until zeroed, so two calls give them twice the gradient; every non-leaf node
        reachable from here is reset and then holds the gradient of this call only.
        Iterative, so graphs of any depth work.
        """
        from .graph import backward

        backward(self, grad)

    # --- arithmetic --------------------------------------------------------------

    # numbers on either side: x + 1 and 1 + x (a number becomes a constant leaf)
    __add__, __radd__ = _binary(ops.ADD, "add")
    __sub__, __rsub__ = _binary(ops.SUB, "sub")
    __mul__, __rmul__ = _binary(ops.MUL, "mul")
    __truediv__, __rtruediv__ = _binary(ops.DIV, "truediv")
    __pow__, __rpow__ = _binary(ops.POW, "pow")

    def __neg__(self) -> Value:
        return _apply1(ops.NEG, self)

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        return _apply1(ops.ABS, self)

    def exp(self) -> Value:
        """e ** self."""
        return _apply1(ops.EXP, self)

    def log(self) -> Value:
        """Natural logarithm ln(self)."""
        return _apply1(ops.LOG, self)

    def tanh(self) -> Value:
        """tanh(self) = (e^x − e^−x)/(e^x + e^−x)."""
        return _apply1(ops.TANH, self)

    def sigmoid(self) -> Value:
        """σ(self) = 1/(1 + e^−x)."""
        return _apply1(ops.SIGMOID, self)

    def relu(self) -> Value:
        """max(self, 0)."""
        return _apply1(ops.RELU, self)

    def step(self) -> Value:
        """1 if self ≥ 0 else 0: a threshold neuron's output (its derivative is 0)."""
        return _apply1(ops.STEP, self)

    def sqrt(self) -> Value:
        """√self."""
        return _apply1(ops.SQRT, self)

    def abs(self) -> Value:
        """|self|."""
        return _apply1(ops.ABS, self)

    def sin(self) -> Value:
        """sin(self)."""
        return _apply1(ops.SIN, self)

    def cos(self) -> Value:
        """cos(self)."""
        return _apply1(ops.COS, self)

    def apply(self, op: Op | str, *others: Value | float) -> Value:
        """Apply any op of the table (a user-registered one too) to self and ``others``."""
        return apply(op, self, *others)

    # --- comparisons read data; equality stays identity --------------------------

    def __lt__(self, other: Value | float) -> bool:
        other = _number(other)
        return NotImplemented if other is NotImplemented else self.data < other

    def __le__(self, other: Value | float) -> bool:
        other = _number(other)
        return NotImplemented if other is NotImplemented else self.data <= other

    def __gt__(self, other: Value | float) -> bool:
        other = _number(other)
        return NotImplemented if other is NotImplemented else self.data > other

    def __ge__(self, other: Value | float) -> bool:
        other = _number(other)
        return NotImplemented if other is NotImplemented else self.data >= other

    __eq__ = object.__eq__
    __hash__ = object.__hash__

    def __float__(self) -> float:
        return self.data

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"


_new = object.__new__
_MANY = object()  # marks an n-ary node: _a holds the tuple of its inputs


def _store_inputs(node: Value, inputs: tuple[Value, ...]) -> None:
    """Put ``inputs`` into the node's two input slots (see ``Value.__slots__``)."""
    count = len(inputs)
    if count == 2:
        node._a, node._b = inputs
    elif count == 1:
        node._a, node._b = inputs[0], None
    elif count == 0:
        node._a = node._b = None
    else:
        node._a, node._b = inputs, _MANY


def _node(data: float, op: Op | None, inputs: tuple[Value, ...]) -> Value:
    # Bypasses __init__: data is already a checked float and label is empty.
    node = _new(Value)
    node.data = data
    node.grad = 0.0
    node.label = ""
    node._op = op
    _store_inputs(node, inputs)
    return node


def _constant(number: float) -> Value:
    node = _new(Value)
    node.data = float(number)
    node.grad = 0.0
    node.label = ""
    node._op = _CONSTANT
    node._a = node._b = None
    return node


def _operand(other: object) -> Value:
    """``other`` as a Value (numbers become constant leaves), or NotImplemented."""
    if type(other) is Value:
        return other
    if type(other) is float or type(other) is int:
        return _constant(other)
    if isinstance(other, Value):
        return other
    if isinstance(other, numbers.Real) and not isinstance(other, bool):
        return _constant(other)
    return NotImplemented


def _number(other: object) -> float:
    if isinstance(other, Value):
        return other.data
    if isinstance(other, numbers.Real):
        return other
    return NotImplemented


def as_value(x: Value | float, label: str = "") -> Value:
    """``x`` itself if it is a Value, else a new leaf holding it."""
    return x if isinstance(x, Value) else Value(x, label)


def _describe(x: Value) -> str:
    name = f"node {x.label!r}" if x.label else "unlabelled node"
    return f"{name} made by {x.op}" if x.inputs else name


def _operands(inputs: Sequence[Value], values: Sequence[float] | None = None) -> str:
    """``a = 0.0 (node 'x'), b = …``: an op's operands for an error message.

    ``values`` replaces the nodes' own data (a compiled program's sample).
    """
    if values is None:
        values = [x.data for x in inputs]
    many = len(inputs) > 8  # a, b, … h, then a0, a1, …
    return ", ".join(
        f"{f'a{i}' if many else 'abcdefgh'[i]} = {v!r} ({_describe(x)})"
        for i, (v, x) in enumerate(zip(values, inputs, strict=True))
    )


def _failure(op: Op, inputs: Sequence[Value], exc: Exception,
             values: Sequence[float] | None = None, where: str = "") -> Exception:
    """The error for an op that failed at these inputs: which op, which values, which labels."""
    shown = _operands(inputs, values) + where
    needs = f"; {op.name} needs {op.requires}" if op.requires else ""
    if isinstance(exc, OverflowError):
        return OverflowError(f"{op.name} overflowed a float at {shown}{needs} [{exc}]")
    return DomainError(f"{op.name} is undefined at {shown}{needs} [{exc}]")


def _anomaly(op: Op, inputs: tuple[Value, ...], out: float) -> AnomalyError:
    shown = ", ".join(f"{x.data!r} ({_describe(x)})" for x in inputs)
    return AnomalyError(f"detect_anomaly: {op.name}({shown}) gave {out!r}")


def _finish(op: Op, inputs: tuple[Value, ...], out: float) -> Value:
    if type(out) is not float:
        out = _to_float(out, f"result of {op.name}")
    if state.anomaly and not math.isfinite(out):
        raise _anomaly(op, inputs, out)
    if not state.grad_enabled:
        return _node(out, None, ())
    return _node(out, op, inputs)


# _apply1 and _apply2 are what every operator calls, so they build the node inline
# and leave the unusual cases (no_grad, detect_anomaly, a non-float result) to _finish.


def _apply1(op: Op, a: Value) -> Value:
    try:
        out = op.forward(a.data)
    except (ValueError, ZeroDivisionError, OverflowError) as exc:
        raise _failure(op, (a,), exc) from None
    if type(out) is not float or state.anomaly or not state.grad_enabled:
        return _finish(op, (a,), out)
    node = _new(Value)
    node.data = out
    node.grad = 0.0
    node.label = ""
    node._op = op
    node._a = a
    node._b = None
    return node


def _apply2(op: Op, a: Value, b: Value) -> Value:
    try:
        out = op.forward(a.data, b.data)
    except (ValueError, ZeroDivisionError, OverflowError) as exc:
        raise _failure(op, (a, b), exc) from None
    if type(out) is not float or state.anomaly or not state.grad_enabled:
        return _finish(op, (a, b), out)
    node = _new(Value)
    node.data = out
    node.grad = 0.0
    node.label = ""
    node._op = op
    node._a = a
    node._b = b
    return node


def apply(op: Op | str, *operands: Value | float) -> Value:
    """The node ``op(*operands)`` (an Op or a registered name); numbers become constants."""
    if type(op) is not Op:
        op = ops.lookup(op)
    inputs = operands
    for x in operands:
        if type(x) is not Value:  # convert only when needed: a neuron's sum is all Values
            inputs = tuple([_checked_operand(op, x) for x in operands])
            break
    if op.arity is None and not inputs:
        raise ValueError(f"{op.name} needs at least one input, got none")
    if op.arity is not None and len(inputs) != op.arity:
        raise TypeError(f"{op.name} takes {op.arity} inputs, got {len(inputs)}")
    try:
        out = op.forward(*[x.data for x in inputs])
    except (ValueError, ZeroDivisionError, OverflowError) as exc:
        raise _failure(op, inputs, exc) from None
    return _finish(op, inputs, out)


def _checked_operand(op: Op, x: object) -> Value:
    v = _operand(x)
    if v is NotImplemented:
        raise TypeError(f"{op.name} takes Values or real numbers, got {x!r} ({type(x).__name__})")
    return v


def sum(values: Iterable[Value | float]) -> Value:  # noqa: A001 - autograd.sum, like np.sum
    """Σ values as ONE node with many inputs (a neuron's w·x + b stays one node)."""
    return apply(ops.SUM, *values)
