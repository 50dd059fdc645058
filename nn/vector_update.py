"""An optimizer's step as numpy vector operations on a compiled program's parameters.

SGD and Adam updates run on the whole parameter vector in the same order of float
operations as their ``step()``, so the trained numbers are the eager ones; any other
optimizer gets ``.grad`` written and its own ``step()`` called.
"""

from __future__ import annotations

import numpy as np

from autograd.compiled import Program

from .optim import SGD, Adam, Optimizer

__all__ = ["VectorUpdate"]


class VectorUpdate:
    """The optimizer's step on the program's parameter vector, numbers as in ``step()``."""

    def __init__(self, optimizer: Optimizer, program: Program) -> None:
        self.optimizer = optimizer
        self.program = program
        where = {id(p): k for k, p in enumerate(program.params)}
        self.index = np.array([where[id(p)] for p in optimizer.params], dtype=np.intp)
        full = len(self.index) == len(program.params)
        # The optimizer usually owns every parameter: then update whole vectors in place.
        self.sel = slice(None) if full else self.index
        self.kind = type(optimizer) if type(optimizer) in (SGD, Adam) else None
        # Leaves the optimizer does not own are never zeroed, so as in eager fit their
        # .grad sums every step's gradient (a generic optimizer's path stores each step).
        owned = set(self.index.tolist())
        self.frozen = np.array([k for k in range(len(program.params)) if k not in owned],
                               dtype=np.intp)
        self.frozen_grad = np.array([program.params[k].grad for k in self.frozen.tolist()])
        n = len(program.params)
        self.state: dict[str, np.ndarray] = {}
        names = {SGD: ("velocity",), Adam: ("m", "v")}.get(self.kind, ())
        for name in names:
            vector = np.zeros(n)
            vector[self.index] = getattr(optimizer, name)
            self.state[name] = vector
        self._scaled = np.empty(n)  # lr × gradient, for plain SGD without a temporary

    def _plain_sgd(self) -> bool:
        """SGD on every parameter without momentum or weight decay: two vector operations."""
        opt = self.optimizer
        return self.kind is SGD and isinstance(self.sel, slice) and not (
            opt.momentum or opt.weight_decay)

    def __call__(self, gtheta: np.ndarray) -> None:
        """Move theta by the optimizer's rule for gradient ``gtheta``."""
        theta, sel = self.program.theta, self.sel
        opt = self.optimizer
        if self._plain_sgd():  # theta −= lr × g, the same two float operations
            np.multiply(opt.lr, gtheta, out=self._scaled)
            np.subtract(theta, self._scaled, out=theta)
            return
        if len(self.frozen) and self.kind is not None:
            self.frozen_grad += gtheta[self.frozen]
        if self.kind is SGD:
            g = gtheta[sel]
            if opt.weight_decay:
                g = g + opt.weight_decay * theta[sel]
            if opt.momentum:
                velocity = self.state["velocity"]
                g = velocity[sel] = opt.momentum * velocity[sel] + g
            theta[sel] -= opt.lr * g
        elif self.kind is Adam:
            b1, b2 = opt.betas
            opt.t += 1
            c1, c2 = 1.0 - b1 ** opt.t, 1.0 - b2 ** opt.t
            g = gtheta[sel]
            m = self.state["m"][sel] = b1 * self.state["m"][sel] + (1.0 - b1) * g
            v = self.state["v"][sel] = b2 * self.state["v"][sel] + (1.0 - b2) * g * g
            theta[sel] -= opt.lr * (m / c1) / (np.sqrt(v / c2) + opt.eps)
        else:  # an optimizer we cannot vectorise: let it move the Values themselves
            self.program.store_params()
            opt.zero_grad()
            self.program.store_grads(gtheta)
            opt.step()
            self.program.load_params()

    def finish(self, gtheta: np.ndarray | None) -> None:
        """Write parameters, last gradients and optimizer state back into the objects."""
        self.program.store_params()
        if gtheta is not None and self.kind is not None:
            self.optimizer.zero_grad()
            for k in self.index.tolist():
                self.program.params[k].grad = float(gtheta[k])
            for k, g in zip(self.frozen.tolist(), self.frozen_grad.tolist(), strict=True):
                self.program.params[k].grad = g
        for name, vector in self.state.items():
            setattr(self.optimizer, name, vector[self.index].tolist())
