"""``nn.to_torch`` / ``nn.from_torch``: the same network as a ``torch.nn.Sequential``.

A Neuron, Layer or MLP becomes Linear layers (float64, ``weight[i, j]`` the parameter
``….neurons.i.w.j``) each followed by its activation (ReLU, Tanh, Sigmoid, or
``nn.torch_modules.Step``), and ``Softmax(dim=-1)`` for a softmax head (``net[:-1]``
gives the logits, what ``torch.nn.functional.cross_entropy`` takes). ``from_torch``
reads such a Sequential back. torch is imported only when these are called.
"""

from __future__ import annotations

from autograd.onnx_graph import require

from .module import MLP, Layer, Module, Neuron
from .onnx_export import dense_layers

__all__ = ["to_torch", "from_torch"]

_INSTALL = "pip install 'stepgrad[torch]' (or: pip install torch)"
_TORCH_NAMES = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid"}  # torch.nn classes


def _torch(what: str):
    return require("torch", what, _INSTALL)


def to_torch(model: Module):
    """A float64 ``torch.nn.Sequential`` computing what ``model`` computes, same weights."""
    layers = dense_layers(model, "to_torch")
    torch = _torch("nn.to_torch")
    from .torch_modules import Step

    modules = []
    for _, neurons, activation in layers:
        linear = torch.nn.Linear(len(neurons[0].w), len(neurons), dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor([[w.data for w in n.w] for n in neurons],
                                             dtype=torch.float64))
            linear.bias.copy_(torch.tensor([n.b.data for n in neurons], dtype=torch.float64))
        modules.append(linear)
        if activation == "step":
            modules.append(Step())
        elif activation != "linear":
            modules.append(getattr(torch.nn, _TORCH_NAMES[activation])())
    if getattr(model, "output_activation", None) == "softmax":
        modules.append(torch.nn.Softmax(dim=-1))
    return torch.nn.Sequential(*modules)


def _activation_of(torch, module: object) -> str | None:
    """The stepgrad activation a torch module is, or None if it is none of them."""
    from .torch_modules import Step

    if isinstance(module, Step):
        return "step"
    for name, cls in _TORCH_NAMES.items():
        if type(module) is getattr(torch.nn, cls):
            return name
    return None


def _read_layers(torch, module: object) -> tuple[list[list], bool]:
    """[[Linear, activation], …] and whether a final Softmax follows; ValueError otherwise."""
    expected = ("Linear (with bias), ReLU, Tanh, Sigmoid or nn.torch_modules.Step after a "
                "Linear, and Softmax(dim=-1) last")
    layers: list[list] = []
    softmax = False
    previous = None
    for k, child in enumerate(module):
        where = f"from_torch: layer {k} ({child!r})"
        activation = _activation_of(torch, child)
        if softmax:
            raise ValueError(f"{where} follows the Softmax, which must be the last layer")
        if isinstance(child, torch.nn.Linear):
            if child.bias is None:
                raise ValueError(f"{where} has no bias; stepgrad neurons always have one")
            if layers and child.in_features != layers[-1][0].out_features:
                raise ValueError(f"{where} takes {child.in_features} inputs but the layer "
                                 f"before gives {layers[-1][0].out_features}")
            layers.append([child, "linear"])
        elif activation is not None or isinstance(child, torch.nn.Softmax):
            if not isinstance(previous, torch.nn.Linear):
                raise ValueError(f"{where} must follow a Linear layer; expected {expected}")
            if activation is None:
                if child.dim not in (-1, 1):
                    raise ValueError(f"{where}: the softmax must be over the last axis "
                                     "(dim=-1)")
                softmax = True
            else:
                layers[-1][1] = activation
        else:
            raise ValueError(f"{where} is not a layer stepgrad can express; expected {expected}")
        previous = child
    if not layers:
        raise ValueError("from_torch: the Sequential has no Linear layer")
    return layers, softmax


def _numbers(torch, tensor, where: str) -> list:
    """A weight matrix or bias vector as (nested) lists of floats, widened exactly to float64."""
    numbers = tensor.detach().to("cpu", torch.float64)
    if not bool(torch.isfinite(numbers).all()):
        raise ValueError(f"{where} holds {numbers[~torch.isfinite(numbers)][0].item()!r}; "
                         "stepgrad parameters must be finite")
    return numbers.tolist()


def from_torch(module: object) -> Module:
    """The Neuron, Layer or MLP a ``torch.nn.Sequential`` of Linear layers and activations is.

    One Linear gives a Neuron (one output) or a Layer; several, or a final Softmax, an
    MLP, whose hidden layers must share one activation. Anything else: ValueError
    naming the layer.
    """
    torch = _torch("nn.from_torch")
    if not isinstance(module, torch.nn.Sequential):
        raise TypeError(f"from_torch takes a torch.nn.Sequential of Linear layers and "
                        f"activations, got {type(module).__name__}")
    layers, softmax = _read_layers(torch, module)
    hidden = {activation for _, activation in layers[:-1]}
    if len(hidden) > 1:
        found = ", ".join(f"Linear {k}: {a}" for k, (_, a) in enumerate(layers[:-1]))
        raise ValueError(f"from_torch: an nn.MLP uses one activation for every hidden "
                         f"layer, this Sequential has several ({found})")
    first, last = layers[0][0], layers[-1]
    if len(layers) == 1 and not softmax:
        weights = _numbers(torch, first.weight, "from_torch: layer 0's weight")
        biases = _numbers(torch, first.bias, "from_torch: layer 0's bias")
        if first.out_features == 1:
            return Neuron(first.in_features, last[1], weights=weights[0], bias=biases[0])
        return Layer(first.in_features, first.out_features, last[1], weights=weights,
                     biases=biases)
    model = MLP(first.in_features, [linear.out_features for linear, _ in layers],
                hidden.pop() if hidden else "relu",  # one layer: MLP's default, unused
                "softmax" if softmax else last[1], init="zeros")
    for k, ((_, neurons, _), (linear, _)) in enumerate(zip(dense_layers(model), layers,
                                                             strict=True)):
        weights = _numbers(torch, linear.weight, f"from_torch: Linear {k}'s weight")
        biases = _numbers(torch, linear.bias, f"from_torch: Linear {k}'s bias")
        for neuron, row, bias in zip(neurons, weights, biases, strict=True):
            for w, number in zip(neuron.w, row, strict=True):
                w.data = number
            neuron.b.data = bias
    return model
