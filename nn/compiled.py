"""``fit(..., compiled=True)``: the same training loop on a compiled model.

The model's graph (inputs → outputs) is traced once with ``autograd.compile`` and
replayed on numpy batches; it is re-traced eagerly on ``CHECK_SAMPLES`` rows spread
over the data, and a StructureError is raised if its graph depends on the data.

The loss is applied to the model's outputs separately, because its graph often
depends on the target (``cross_entropy`` picks the class index) and on the outputs
(its max-shift is a constant computed from them). Per target it is compiled as well —
on max-shifted outputs when that reproduces the eager numbers — after re-tracing it
on many output rows; for a few classes, one program computes every class's loss at
once. A loss that cannot be compiled runs eagerly on leaf Values holding the outputs,
and one sample in ``LossHead.GUARD_EVERY`` is always recomputed eagerly and compared. Its
gradient with respect to the outputs seeds the model's compiled backward.

SGD and Adam updates run as numpy vector operations in the same order of float
operations as their ``step()``, so the trained numbers are the eager ones; any other
optimizer gets ``.grad`` written and its own ``step()`` called. At the end the
parameters' ``.data`` (and ``.grad``, and the optimizer's state) are written back, so
``viz.draw`` shows the trained values and eager training can continue.
"""

from __future__ import annotations

import numbers
import random
import time
from collections.abc import Callable, Sequence

import numpy as np

from autograd import Value
from autograd.compiled import Program, compile
from autograd.compiled.losshead import LossHead

from .data import batches, make_rng
from .losses import mse
from .optim import SGD, Adam, Optimizer
from .progress import progress_bar
from .train import History, _check_pairs, _loss_value, check_schedule, is_correct

__all__ = ["fit_compiled", "compile_model", "evaluate_compiled", "CHECK_SAMPLES"]

CHECK_SAMPLES = 3  # samples re-traced eagerly to catch a model whose graph varies


def compile_model(model: Callable, X: np.ndarray,
                  params: Sequence[Value] | None = None) -> tuple[Program, bool]:
    """(program computing the model's outputs for rows of X, whether it returns one Value).

    The model is re-traced on a few rows spread over X and a StructureError raised if its
    graph changes with the data.
    """
    def forward(*xs: Value) -> Value | list[Value]:
        return model(list(xs))

    forward.__name__ = f"{type(model).__name__}.__call__"
    if params is None and hasattr(model, "parameters"):
        params = model.parameters()
    n = len(X)
    spread = sorted({n // 3, (2 * n) // 3, n - 1} - {0})[:CHECK_SAMPLES]
    program = compile(forward, X[0], params=params, check=[X[i] for i in spread])
    return program, program.trace.one_value


def _inputs_array(pairs: list, what: str) -> np.ndarray:
    """The inputs of ``pairs`` as one (n, n_inputs) float array."""
    inputs = [x for x, _ in pairs]
    if all(isinstance(x, np.ndarray) for x in inputs):  # IDX rows: no Python floats
        shapes = {x.shape for x in inputs}
        if len(shapes) == 1:
            return np.stack(inputs).reshape(len(inputs), -1).astype(float)
    rows = [[x] if isinstance(x, numbers.Real) else list(x) for x in inputs]
    try:
        X = np.asarray(rows, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(
            f"{what}: every inputs entry must be a list of numbers of the same length"
        ) from None
    if X.ndim != 2:
        raise ValueError(f"{what}: every inputs entry must be a list of the same length")
    return X


def _hits(rows: np.ndarray, targets: list) -> int | None:
    """How many samples ``is_correct`` counts (None when accuracy does not apply)."""
    if rows.shape[1] > 1 and all(type(t) is int for t in targets):
        # is_correct's rule for class indices: the first largest output is the class
        return int((rows.argmax(axis=1) == np.asarray(targets)).sum())
    hits = 0
    for row, t in zip(rows.tolist(), targets, strict=True):
        correct = is_correct(row, t)
        hits = None if hits is None or correct is None else hits + correct
    return hits


class _Update:
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

    def __call__(self, gtheta: np.ndarray) -> None:
        theta, sel = self.program.theta, self.sel
        opt = self.optimizer
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


def evaluate_compiled(program: Program, head: LossHead, X: np.ndarray, targets: list,
                      chunk: int = 1024) -> tuple[float, float | None]:
    """(mean loss, accuracy or None) of the compiled model on rows X with ``targets``."""
    total, hits = 0.0, 0
    columns = head.columns(targets)
    for start in range(0, len(X), chunk):
        part = targets[start:start + chunk]
        outputs = program.forward(X[start:start + chunk])
        losses, _ = head(outputs, part, False,
                         None if columns is None else columns[start:start + chunk])
        correct = _hits(outputs.reshape(len(part), -1), part)
        total += sum(losses)
        hits = None if hits is None or correct is None else hits + correct
    return total / len(X), None if hits is None else hits / len(X)


def fit_compiled(
    model: Callable, train: Sequence, loss: Callable = mse,
    optimizer: Optimizer | None = None, epochs: int = 1, batch_size: int | None = 1,
    shuffle: bool = True, val: Sequence | None = None,
    seed: int | random.Random | None = 0, progress: bool = True,
    timings: dict | None = None,
) -> History:
    """``nn.fit`` with the model compiled: same batches, same updates, same History.

    Pass a dict as ``timings`` to get ``{"compile": seconds, "epochs": [seconds, …]}``
    (an epoch's time includes its validation pass).
    Raises ``autograd.compiled.StructureError`` when the model builds a different graph
    for different inputs (Python control flow on Values), which a program cannot replay.
    """
    pairs = _check_pairs(train, "train")
    val_pairs = _check_pairs(val, "val") if val is not None else None
    check_schedule(epochs, batch_size)
    if optimizer is None:
        optimizer = SGD(model, lr=0.01)
    started = time.perf_counter()
    X = _inputs_array(pairs, "train")
    targets = [t for _, t in pairs]
    # The optimizer's parameters, even ones the graph never reads, get a place in theta.
    program, single = compile_model(model, X, params=optimizer.params)
    if timings is not None:
        timings["compile"] = time.perf_counter() - started
        timings["epochs"] = []
    head = LossHead(lambda prediction, t: _loss_value(loss, prediction, t), single,
                    getattr(loss, "__name__", "loss"))
    head.prepare(program, X, targets)  # per-sample steps still use per-target programs
    columns = head.columns(targets)
    update = _Update(optimizer, program)
    rng = make_rng(seed)
    size = len(pairs) if batch_size is None else min(batch_size, len(pairs))
    history = History()
    gtheta = None
    if val_pairs is not None:
        X_val, val_targets = _inputs_array(val_pairs, "val"), [t for _, t in val_pairs]

    per_epoch = -(-len(pairs) // size)
    program.quiet = False  # the whole loop runs inside np.errstate: one switch, not two a step
    # finally: an error mid-fit (a loss raising on some target, Ctrl-C) leaves the
    # parameters and optimizer state at the last completed step, as eager fit does
    try:
        with progress_bar(epochs * per_epoch, "fit (compiled)", progress) as bar, \
                np.errstate(all="ignore"):
            for _ in range(epochs):
                epoch_start = time.perf_counter()
                total, hits = 0.0, 0
                for batch in batches(range(len(pairs)), size, shuffle=shuffle, seed=rng):
                    outputs = program.forward(X[batch])
                    part = [targets[i] for i in batch]
                    losses, seed_grads = head(
                        outputs, part, True, None if columns is None else columns[batch])
                    correct = _hits(outputs.reshape(len(part), -1), part)
                    if len(batch) > 1:  # the batch loss is the mean, as in eager fit
                        seed_grads = seed_grads * (1.0 / len(batch))
                    gtheta = program.gradient(seed_grads)
                    update(gtheta)
                    total += sum(losses)
                    hits = None if hits is None or correct is None else hits + correct
                    history.steps += 1
                    history.samples += len(batch)
                    bar.update(1)
                validate = None if val_pairs is None else (
                    lambda: evaluate_compiled(program, head, X_val, val_targets))
                bar.set_postfix(history.end_epoch(total, hits, len(pairs), validate))
                if timings is not None:
                    timings["epochs"].append(time.perf_counter() - epoch_start)
    finally:
        update.finish(gtheta)
    return history
