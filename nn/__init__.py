"""stepgrad's neural-network layer: modules, losses, optimizers, data, training, model files.

>>> import nn
>>> model = nn.Neuron(1, weights=[0.5], bias=0.6)   # y = w·x + b, the deepin model
>>> opt = nn.SGD(model, lr=0.01)
>>> loss = nn.half_squared_error(model([0.0]), 1.0)
>>> loss.backward(); opt.step()
>>> round(model.b.data, 6)
0.604
"""

from ._clash import require_stepgrad_autograd

require_stepgrad_autograd()  # PyPI's HIPS autograd has the same import name

from autograd import __version__ as __version__  # noqa: E402 - one for all of stepgrad

from . import data, datasets  # noqa: E402
from .data import batches, one_hot, train_test_split  # noqa: E402
from .functional import log_softmax, softmax  # noqa: E402
from .losses import (  # noqa: E402
    binary_cross_entropy,
    cross_entropy,
    half_squared_error,
    hinge,
    mse,
    sum_squared_error,
)
from .module import ACTIVATIONS, MLP, Layer, Module, Neuron, scalar  # noqa: E402
from .onnx_export import export_onnx  # noqa: E402
from .optim import SGD, Adam, Optimizer  # noqa: E402
from .serialize import load, save  # noqa: E402
from .torch_bridge import from_torch, to_torch  # noqa: E402
from .train import History, evaluate, fit  # noqa: E402

__all__ = [
    "Module", "Neuron", "Layer", "MLP", "ACTIVATIONS", "scalar",
    "softmax", "log_softmax",
    "mse", "half_squared_error", "sum_squared_error", "cross_entropy",
    "binary_cross_entropy", "hinge",
    "Optimizer", "SGD", "Adam",
    "data", "datasets", "batches", "train_test_split", "one_hot",
    "fit", "evaluate", "History", "load", "save",
    "export_onnx", "to_torch", "from_torch",
]
