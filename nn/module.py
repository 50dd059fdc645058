"""Modules: a neuron, a layer of neurons, a multi-layer perceptron, and their base class.

A module owns parameters (``Value`` leaves) and builds a graph when called. Every
parameter is labelled with its dotted name (``layers.1.neurons.3.w.2``), so the
visualizer can show which weight a node is. Calling a module is inference only — it
computes outputs; a loss, ``backward()`` and an optimizer's ``step()`` do the learning.
"""

from __future__ import annotations

import numbers
import os
import random
from collections.abc import Iterable, Mapping, Sequence

import autograd
from autograd import OPS, Value

from .data import is_sequence, make_rng
from .init import check_init, initial_bias, initial_weights

__all__ = ["Module", "Neuron", "Layer", "MLP", "ACTIVATIONS", "scalar", "as_inputs"]

# "step" is the threshold 1 if w·x + b ≥ 0 else 0 (gradient 0): the logic-gate neuron.
ACTIVATIONS = ("linear", "relu", "tanh", "sigmoid", "step")

Inputs = Sequence[float | Value] | float | Value
Seed = int | random.Random | None


class Module:
    """Base class: finds parameters in attributes (Values, Modules and lists of them).

    A subclass sets its parameters and sub-modules as attributes in ``__init__``
    (attributes starting with ``_`` are skipped), calls ``self.label_parameters()``
    last, and defines ``__call__``. Names follow attribute order: ``w.0``, ``w.1``, ``b``.
    """

    def named_parameters(self) -> list[tuple[str, Value]]:
        """(dotted name, Value) for every parameter, in a stable order; shared ones once."""
        found: list[tuple[str, Value]] = []
        _collect("", self, found, set())
        return found

    def parameters(self) -> list[Value]:
        """Every parameter Value, in the order of ``named_parameters()``."""
        return [value for _, value in self.named_parameters()]

    def num_parameters(self) -> int:
        """How many numbers training adjusts."""
        return len(self.named_parameters())

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0 (they accumulate across ``backward()``)."""
        autograd.zero_grad(self.parameters())

    def label_parameters(self) -> None:
        """Set each parameter's label to its dotted name (what graph drawings show)."""
        for name, value in self.named_parameters():
            value.label = name

    def state_dict(self) -> dict[str, float]:
        """{dotted name: current value} for every parameter."""
        return {name: value.data for name, value in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, float]) -> None:
        """Copy numbers from ``state`` into the parameters; every name must match exactly."""
        if not isinstance(state, Mapping):
            raise TypeError(f"load_state_dict takes a dict of name -> number, got {state!r}")
        named = self.named_parameters()
        missing = [name for name, _ in named if name not in state]
        if missing or len(state) != len(named):  # names are unique: equal counts, no extras
            known = {name for name, _ in named}  # once: a set per key made loading quadratic
            unexpected = [key for key in state if key not in known]
            parts = []
            if missing:
                parts.append(f"missing keys {_shorten(missing)}")
            if unexpected:
                parts.append(f"unexpected keys {_shorten(unexpected)}")
            raise ValueError(f"load_state_dict for {type(self).__name__}: {'; '.join(parts)}")
        given = [state[name] for name, _ in named]
        for (name, _), number in zip(named, given, strict=True):
            # type() first: checking the numbers.Real ABC for each of 45,360 floats is slow
            if type(number) is not float and (isinstance(number, bool)
                                              or not isinstance(number, numbers.Real)):
                raise TypeError(
                    f"load_state_dict: {name!r} must be a real number, got {number!r} "
                    f"({type(number).__name__})"
                )
        for (_, value), number in zip(named, given, strict=True):
            value.data = float(number)

    def config(self) -> dict:
        """The architecture as plain JSON data (what ``nn.load`` rebuilds the model from)."""
        raise TypeError(
            f"{type(self).__name__} has no saved architecture; save its state_dict() and "
            "rebuild it yourself, or pass the model to nn.load(path, model=...)"
        )

    def save(self, path: str | os.PathLike) -> None:
        """Write the architecture and parameters to ``path`` as JSON, atomically."""
        from .serialize import save

        save(self, path)


def _collect(prefix: str, attr: object, found: list, seen: set) -> None:
    """Append ``attr``'s parameters to ``found``, each name built once from ``prefix``.

    One walk down the tree (not a list per sub-module re-prefixed at every level), so
    naming 45,360 parameters costs one string each.
    """
    if isinstance(attr, Value):
        if attr not in seen:
            seen.add(attr)
            found.append((prefix, attr))
    elif isinstance(attr, Module):
        if prefix and type(attr).named_parameters is not Module.named_parameters:
            for sub, value in attr.named_parameters():  # a user's own naming rule
                _collect(f"{prefix}.{sub}", value, found, seen)
            return
        for name, item in vars(attr).items():
            if not name.startswith("_"):
                _collect(f"{prefix}.{name}" if prefix else name, item, found, seen)
    elif isinstance(attr, (list, tuple)):
        for i, item in enumerate(attr):
            _collect(f"{prefix}.{i}", item, found, seen)


def _shorten(names: list[str], limit: int = 8) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return f"[{shown}{more}]"


def _check_count(n: object, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"{what} must be a positive int, got {n!r}")
    return int(n)


def _check_activation(activation: object, extra: tuple[str, ...] = ()) -> str:
    if activation not in ACTIVATIONS + extra:
        allowed = ", ".join(repr(a) for a in ACTIVATIONS + extra)
        raise ValueError(f"activation must be one of {allowed}, got {activation!r}")
    return activation


def as_inputs(x: Inputs, nin: int) -> list[Value]:
    """``x`` as ``nin`` Values: numbers become leaves labelled ``x.0``, ``x.1``, …

    A single number is accepted when ``nin`` is 1.
    """
    if isinstance(x, Value) or (isinstance(x, numbers.Real) and not isinstance(x, bool)):
        x = [x]
    if isinstance(x, (str, bytes)) or not isinstance(x, Iterable):
        raise TypeError(f"inputs must be a sequence of {nin} numbers or Values, got {x!r}")
    xs = list(x)
    if len(xs) != nin:
        raise ValueError(f"expected {nin} input{'s' * (nin != 1)}, got {len(xs)}: {xs!r}")
    return [v if isinstance(v, Value) else Value(v, f"x.{i}") for i, v in enumerate(xs)]


def scalar(outputs: Value | Sequence[Value]) -> Value:
    """The one Value of a one-output module's result (``layer(x)`` is always a list)."""
    if isinstance(outputs, Value):
        return outputs
    outputs = list(outputs)
    if len(outputs) != 1:
        raise ValueError(f"scalar expects exactly one output, got {len(outputs)}; index the list")
    return outputs[0]


class Neuron(Module):
    """activation(w·x + b): one weighted sum node (``autograd.sum``), then the activation.

    ``Neuron(1, weights=[0.5], bias=0.6)`` is the y = w·x + b model of the deepin
    article. A linear neuron adds no activation node.
    """

    def __init__(
        self, nin: int, activation: str = "linear", *,
        weights: Sequence[float] | None = None, bias: float | None = None,
        init: object = "uniform", seed: Seed = None, fan_out: int = 1,
    ) -> None:
        self.nin = _check_count(nin, "nin")
        self.activation = _check_activation(activation)
        self._op = None if activation == "linear" else OPS[activation]
        check_init(init)
        if weights is None:
            weights = initial_weights(init, self.nin, _check_count(fan_out, "fan_out"),
                                      make_rng(seed))
        elif not is_sequence(weights) or len(weights) != self.nin:
            raise ValueError(f"Neuron({self.nin}) needs {self.nin} weights, got {weights!r}")
        self.w = [Value(wi, f"w.{i}") for i, wi in enumerate(weights)]
        self.b = Value(initial_bias(init) if bias is None else bias, "b")
        self.label_parameters()

    def __call__(self, x: Inputs) -> Value:
        """The neuron's output for inputs ``x`` (a Value)."""
        return self._forward(as_inputs(x, self.nin))

    def _forward(self, xs: list[Value]) -> Value:
        z = autograd.sum([wi * xi for wi, xi in zip(self.w, xs, strict=True)] + [self.b])
        return z if self._op is None else autograd.apply(self._op, z)

    def config(self) -> dict:
        """{"class": "Neuron", "nin", "activation"}."""
        return {"class": "Neuron", "nin": self.nin, "activation": self.activation}

    def __repr__(self) -> str:
        return f"Neuron({self.nin}, activation={self.activation!r})"


class Layer(Module):
    """``nout`` neurons reading the same inputs; calling it returns a list of ``nout`` Values.

    The list holds one Value even for ``nout == 1``: use ``layer(x)[0]`` or
    ``nn.scalar(layer(x))`` for the number. ``weights`` (``nout`` lists of ``nin``
    numbers) and ``biases`` set the parameters explicitly.
    """

    def __init__(
        self, nin: int, nout: int, activation: str = "linear", *,
        weights: Sequence[Sequence[float]] | None = None,
        biases: Sequence[float] | None = None,
        init: object = "uniform", seed: Seed = None,
    ) -> None:
        self.nin = _check_count(nin, "nin")
        self.nout = _check_count(nout, "nout")
        self.activation = _check_activation(activation)
        for given, what in ((weights, "weights"), (biases, "biases")):
            if given is not None and (not is_sequence(given) or len(given) != self.nout):
                raise ValueError(f"Layer with {self.nout} neurons needs {self.nout} {what}, "
                                 f"got {given!r}")
        rng = make_rng(seed) if weights is None else None
        self.neurons = [
            Neuron(self.nin, activation, init=init, seed=rng, fan_out=self.nout,
                   weights=None if weights is None else weights[i],
                   bias=None if biases is None else biases[i])
            for i in range(self.nout)
        ]
        self.label_parameters()

    def __call__(self, x: Inputs) -> list[Value]:
        """The outputs of every neuron, as a list (one element for a one-neuron layer)."""
        return self._forward(as_inputs(x, self.nin))

    def _forward(self, xs: list[Value]) -> list[Value]:
        return [neuron._forward(xs) for neuron in self.neurons]

    def config(self) -> dict:
        """{"class": "Layer", "nin", "nout", "activation"}."""
        return {"class": "Layer", "nin": self.nin, "nout": self.nout,
                "activation": self.activation}

    def __repr__(self) -> str:
        return f"Layer({self.nin}, {self.nout}, activation={self.activation!r})"


class MLP(Module):
    """Layers of sizes ``sizes`` on ``nin`` inputs; calling it returns a list of Values.

    Hidden layers use ``activation``, the last one ``output_activation``.
    ``output_activation="softmax"`` keeps the outputs linear (logits):
    ``nn.cross_entropy`` applies log-softmax itself, ``nn.softmax`` gives probabilities.
    ``MLP(784, [50, 100, 10])`` has 45,360 parameters.
    """

    def __init__(
        self, nin: int, sizes: Sequence[int], activation: str = "relu",
        output_activation: str = "linear", init: object = "uniform", seed: Seed = 0,
    ) -> None:
        self.nin = _check_count(nin, "nin")
        if not is_sequence(sizes) or len(sizes) == 0:  # numpy arrays too
            raise ValueError(f"sizes must be a non-empty list of layer widths, got {sizes!r}")
        self.sizes = [_check_count(n, f"sizes[{i}]") for i, n in enumerate(sizes)]
        self.activation = _check_activation(activation)
        self.output_activation = _check_activation(output_activation, ("softmax",))
        check_init(init)
        rng = make_rng(seed)
        dims = [self.nin] + self.sizes
        last = len(self.sizes) - 1
        out_act = "linear" if output_activation == "softmax" else output_activation
        self.layers = [
            Layer(dims[i], dims[i + 1], activation if i < last else out_act, init=init, seed=rng)
            for i in range(len(self.sizes))
        ]
        self.label_parameters()

    def __call__(self, x: Inputs) -> list[Value]:
        """The last layer's outputs, always a list (logits when output_activation is softmax)."""
        xs = as_inputs(x, self.nin)
        for layer in self.layers:
            xs = layer._forward(xs)
        return xs

    def config(self) -> dict:
        """{"class": "MLP", "nin", "sizes", "activation", "output_activation"}."""
        return {"class": "MLP", "nin": self.nin, "sizes": list(self.sizes),
                "activation": self.activation, "output_activation": self.output_activation}

    def __repr__(self) -> str:
        return (f"MLP({self.nin}, {self.sizes}, activation={self.activation!r}, "
                f"output_activation={self.output_activation!r})")
