"""stepgrad's scalar autograd engine: Values that record a DAG and backpropagate.

>>> from autograd import Value
>>> w, x, b = Value(0.5, "w"), Value(0.0, "x"), Value(0.6, "b")
>>> L = (w * x + b - 1) ** 2 / 2
>>> L.backward()
>>> round(b.grad, 6)
-0.4
"""

__stepgrad__ = True  # nn and viz check this: PyPI's HIPS autograd has the same name
__version__ = "0.1.0"  # stepgrad's one version number: setup.cfg and --version read it

from .check import (
    GradcheckError,
    analytic_grad,
    check_local_grads,
    gradcheck,
    numerical_grad,
)
from .compiled import Program, StructureError, compile  # noqa: A004 - like torch.compile
from .functional import grad_fn, value_and_grad
from .graph import backward, consumers, grad, topo_order, zero_grad
from .modes import (
    AnomalyError,
    detect_anomaly,
    enable_grad,
    is_anomaly_enabled,
    is_grad_enabled,
    no_grad,
)
from .ops import OPS, Op, register
from .value import DomainError, Value, apply, as_value, sum

__all__ = [
    "Value", "sum", "apply", "as_value", "Op", "OPS", "register",
    "backward", "grad", "topo_order", "consumers", "zero_grad",
    "no_grad", "enable_grad", "is_grad_enabled", "detect_anomaly", "is_anomaly_enabled",
    "AnomalyError", "DomainError", "GradcheckError",
    "numerical_grad", "analytic_grad", "gradcheck", "check_local_grads",
    "grad_fn", "value_and_grad",
    "compile", "Program", "StructureError",
]
