"""``Value``: one float in a computation graph, with its gradient."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable

from . import ops
from .messages import (  # noqa: F401 - _operands: graph and compiled read it from here too
    _BEYOND,
    DomainError,
    _anomaly,
    _bad_operand,
    _describe,
    _failure,
    _operands,
    _to_float,
    overflowed,
)
from .modes import local, state
from .ops import Op

__all__ = ["Value", "DomainError", "sum", "as_value"]


# Marks leaves made from plain numbers (``x * 2``) so drawings can tell them from inputs.
_CONSTANT = Op(
    name="constant", symbol="", arity=0, forward=float, local_grads=lambda out: (),
    rules=(), template="", domain=(),
)


_BinaryMethod = Callable[["Value", "Value | float"], "Value"]


def _binary(op: Op, name: str) -> tuple[_BinaryMethod, _BinaryMethod]:
    """Value's ``__name__`` (self op other) and ``__rname__`` (other op self) for ``op``."""

    def forward(self: Value, other: Value | float) -> Value:
        if type(other) is not Value:  # the common case first: two Values
            number = _operand(other)
            if number is NotImplemented:
                # an array or a user type may know how to combine with a Value: let it try
                if _may_reflect(other, name):
                    return NotImplemented
                raise _bad_operand(op, self, other, "b")
            other = number
        return _apply2(op, self, other)

    def reflected(self: Value, other: float) -> Value:
        number = _operand(other)
        if number is NotImplemented:  # other's own method already gave up
            raise _bad_operand(op, self, other, "a")
        return _apply2(op, number, self)

    for method, dunder in ((forward, f"__{name}__"), (reflected, f"__r{name}__")):
        method.__name__, method.__qualname__ = dunder, f"Value.{dunder}"
        method.__doc__ = f"The {op.name} node: {op.template}."
    return forward, reflected


def _may_reflect(other: object, name: str) -> bool:
    """True when ``other``'s type has ``__r<name>__`` and is not a type Value rejects.

    (A list has ``__rmul__`` too, but only to repeat itself an int number of times.)
    """
    return hasattr(type(other), f"__r{name}__") and not isinstance(
        other, (numbers.Number, str, bytes, list, tuple))


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
        from .graph import reaches  # graph imports this module

        for i, x in enumerate(inputs):
            if reaches(x, self):  # backward would read this node's gradient before it is done
                raise ValueError(
                    f"inputs[{i}] of {self!r} ({_describe(self)}) is computed from that node "
                    "itself: the graph would have a cycle, and gradients need an acyclic one"
                )
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

    # --- copying: iterative (a 100,000-deep chain copies); no pickling ----------------

    def __copy__(self) -> Value:
        """A new node with the same data, grad, label, op and (the same) inputs."""
        copy = _new(type(self))
        copy.data, copy.grad, copy.label = self.data, self.grad, self.label
        copy._op, copy._a, copy._b = self._op, self._a, self._b
        if hasattr(self, "__dict__"):  # a subclass's own attributes
            copy.__dict__.update(self.__dict__)
        return copy

    def __deepcopy__(self, memo: dict) -> Value:
        """A copy of this node and of every node it was computed from (``graph.copy_graph``)."""
        from .graph import copy_graph  # graph imports this module

        return copy_graph(self, memo)

    def __reduce_ex__(self, protocol: object) -> tuple:
        raise TypeError(
            f"{self!r}: Values are not picklable (a graph holds the op table's functions, and "
            "this project never loads pickle). Save a model's parameters with nn.save (JSON), "
            "or keep the numbers (.data); copy.deepcopy copies a graph in memory"
        )

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


def _finish(op: Op, inputs: tuple[Value, ...], out: float) -> Value:
    if type(out) is not float:
        out = _to_float(out, f"result of {op.name}")
    if out - out:  # inf or nan (finite numbers give 0.0)
        if overflowed(out, [x.data for x in inputs]):
            raise _failure(op, inputs, OverflowError(_BEYOND))
        if state.changed and local.anomaly:
            raise _anomaly(op, inputs, out)
    if state.changed and not local.grad_enabled:  # (a per-thread read costs more: skip it)
        return _node(out, None, ())
    return _node(out, op, inputs)


# _apply1 and _apply2 are what every operator calls, so they build the node inline
# and leave the unusual cases to _finish: a mode block open in some thread (no_grad,
# detect_anomaly), a result that is not a float, or (binary ops) one that is not
# finite, which may be an overflow: ``out - out`` is 0.0 exactly when out is finite,
# and cheaper than math.isfinite. The built-in unary ops cannot overflow silently
# (math.exp raises; the others are bounded by their input), so _apply1 skips that test.


def _apply1(op: Op, a: Value) -> Value:
    try:
        out = op.forward(a.data)
    except (ValueError, ZeroDivisionError, OverflowError) as exc:
        raise _failure(op, (a,), exc) from None
    if type(out) is not float or state.changed:
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
    if type(out) is not float or out - out or state.changed:
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
        raise TypeError(f"{op.name} takes Values or real numbers, got {repr(x):.80} "
                        f"({type(x).__name__})")
    return v


def sum(values: Iterable[Value | float]) -> Value:  # noqa: A001 - autograd.sum, like np.sum
    """Σ values as ONE node with many inputs (a neuron's w·x + b stays one node)."""
    return apply(ops.SUM, *values)
