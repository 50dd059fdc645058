"""``fit(..., compiled=True)``: the same training loop on a compiled model.

The model's graph (inputs → outputs) is traced once with ``autograd.compile`` and
replayed on numpy batches; it is re-traced eagerly on ``CHECK_SAMPLES`` rows spread
over the data, and a StructureError is raised if its graph depends on the data.

The loss is applied to the model's outputs separately, because its graph often
depends on the target (``cross_entropy`` picks the class index) and on the outputs
(its max-shift is a constant computed from them). Per target it is compiled as well —
on max-shifted outputs when that reproduces the eager numbers — after re-tracing it
on many output rows; for a few classes, one program computes every class's loss at
once; for a regression (many real targets), one program takes the target as an input.
A loss that cannot be compiled runs eagerly on leaf Values holding the outputs, and one
sample in ``LossHead.GUARD_EVERY`` is always recomputed eagerly and compared. Its
gradient with respect to the outputs seeds the model's compiled backward.

Each step runs the model's generated forward on a view of the batch, the loss's
program on the outputs (writing ∂loss/∂outputs straight into the model's gradient
rows), the model's generated backward, and the optimizer's update as vector operations
(``VectorUpdate``). At the end the parameters' ``.data`` (and ``.grad``, and the
optimizer's state) are written back, so ``viz.draw`` shows the trained values and
eager training can continue.
"""

from __future__ import annotations

import numbers
import random
import time
from collections.abc import Callable, Sequence

import numpy as np

from autograd import Value
from autograd.compiled import Program, compile
from autograd.compiled.kernel import Kernel
from autograd.compiled.losshead import LossHead

from .data import batches, make_rng
from .losses import mse
from .optim import SGD, Optimizer
from .progress import progress_bar
from .targets import check_targets
from .train import History, _check_pairs, _loss_value, check_schedule, is_correct
from .vector_update import VectorUpdate

__all__ = ["fit_compiled", "compile_model", "evaluate_compiled", "CHECK_SAMPLES"]

CHECK_SAMPLES = 3  # samples re-traced eagerly to catch a model whose graph varies
clock = time.perf_counter  # what ``timings`` measure (a benchmark may count CPU time)


def compile_model(model: Callable, X: np.ndarray, params: Sequence[Value] | None = None,
                  check: bool = True) -> tuple[Program, bool]:
    """(program computing the model's outputs for rows of X, whether it returns one Value).

    The model is re-traced on a few rows spread over X (``check_structure``) and a
    StructureError raised if its graph changes with the data.
    """
    def forward(*xs: Value) -> Value | list[Value]:
        return model(list(xs))

    forward.__name__ = f"{type(model).__name__}.__call__"
    if params is None and hasattr(model, "parameters"):
        params = model.parameters()
    program = compile(forward, X[0], params=params)
    if check:
        check_structure(program, X)
    return program, program.trace.one_value


def check_structure(program: Program, X: np.ndarray) -> None:
    """Re-trace the model eagerly on ``CHECK_SAMPLES`` rows spread over X; StructureError
    if a graph differs from the traced one."""
    n = len(X)
    spread = sorted({n // 3, (2 * n) // 3, n - 1} - {0})[:CHECK_SAMPLES]
    program.check([X[i] for i in spread])


def _inputs_array(pairs: list, what: str) -> np.ndarray:
    """The inputs of ``pairs`` as one (n, n_inputs) float array."""
    inputs = [x for x, _ in pairs]
    if all(isinstance(x, np.ndarray) for x in inputs):  # IDX rows: no Python floats
        shapes = {x.shape for x in inputs}
        if len(shapes) == 1:  # one copy (np.stack and astype made two, 10× slower)
            return np.array(inputs, dtype=float).reshape(len(inputs), -1)
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


def _hits(Z: np.ndarray, targets: list, classes: np.ndarray | None) -> int | None:
    """How many samples ``is_correct`` counts (None when accuracy does not apply).

    ``Z`` holds the outputs (outputs × samples); ``classes`` the targets as an array
    when every one is an ``int`` (a class index).
    """
    if classes is not None and Z.shape[0] > 1:
        # is_correct's rule for class indices: the first largest output is the class
        if Z.shape[1] == 1:
            return int(Z.argmax() == classes[0])
        return int((Z.argmax(axis=0) == classes).sum())
    hits = 0
    for row, t in zip(Z.T.tolist(), targets, strict=True):
        correct = is_correct(row, t)
        hits = None if hits is None or correct is None else hits + correct
    return hits


def _class_array(targets: list) -> np.ndarray | None:
    """The targets as an int array when every one is an ``int``, else None."""
    if targets and all(type(t) is int for t in targets):
        return np.array(targets, dtype=np.intp)
    return None


def evaluate_compiled(program: Program, head: LossHead, X: np.ndarray, targets: list,
                      chunk: int = 1024) -> tuple[float, float | None]:
    """(mean loss, accuracy or None) of the compiled model on rows X with ``targets``."""
    total, hits = 0.0, 0
    columns = head.columns(targets)
    classes = _class_array(targets)
    for start in range(0, len(X), chunk):
        part = targets[start:start + chunk]
        Z = _outputs(program, program.run(X[start:start + chunk].T))
        losses, _ = head.losses(Z, part, False,
                                None if columns is None else columns[start:start + chunk])
        correct = _hits(Z, part, None if classes is None else classes[start:start + chunk])
        total += sum(losses)
        hits = None if hits is None or correct is None else hits + correct
    return total / len(X), None if hits is None else hits / len(X)


def _outputs(program: Program, kernel) -> np.ndarray:
    """The outputs of the kernel's last forward (outputs × samples): a view when they are
    consecutive rows, else a copy."""
    return kernel.outputs if kernel.outputs is not None else kernel.V[program.plan.output_rows]


def _train_batch(program: Program, head: LossHead, X: np.ndarray, pick: slice | list,
                 part: list, columns: np.ndarray | None) -> tuple[float, Kernel, np.ndarray]:
    """Forward, loss and backward on the samples ``pick`` of X: (sum of their losses,
    the model's kernel holding the gradient, the outputs)."""
    picked = None if columns is None else columns[pick]
    if len(part) == 1:  # forward, loss and backward in one generated call
        loss = head.sample(program, X[pick].T, part[0], picked)
        if loss is not None:
            kernel = program.kernel(1)
            return loss, kernel, kernel.outputs
    kernel = program.run(X[pick].T)
    kernel.clear()
    Z = _outputs(program, kernel)
    seed = kernel.seed if kernel.outputs is not None else np.zeros(Z.shape)
    total = head.train_step(Z, part, seed, picked)
    if kernel.outputs is None:
        program.seed(kernel, seed)
    program.run_backward(kernel)
    return total, kernel, Z


def fit_compiled(
    model: Callable, train: Sequence, loss: Callable = mse,
    optimizer: Optimizer | None = None, epochs: int = 1, batch_size: int | None = 1,
    shuffle: bool = True, val: Sequence | None = None,
    seed: int | random.Random | None = 0, progress: bool = True,
    timings: dict | None = None,
) -> History:
    """``nn.fit`` with the model compiled: same batches, same updates, same History.

    Pass a dict as ``timings`` to get the seconds spent once per fit, ``"compile"``, split
    into ``"trace"`` (inputs to one array, trace, lowering), ``"check"`` (the eager
    re-traces) and ``"loss"`` (the loss programs), and ``"epochs"``, one entry per
    epoch (including its validation pass).
    Raises ``autograd.compiled.StructureError`` when the model builds a different graph
    for different inputs (Python control flow on Values), which a program cannot replay.
    """
    pairs = _check_pairs(train, "train")
    check_targets(pairs, "train")
    val_pairs = _check_pairs(val, "val") if val is not None else None
    if val_pairs is not None:
        check_targets(val_pairs, "val")
    check_schedule(epochs, batch_size)
    if optimizer is None:
        optimizer = SGD(model, lr=0.01)
    started = clock()
    X = _inputs_array(pairs, "train")
    targets = [t for _, t in pairs]
    # The optimizer's parameters, even ones the graph never reads, get a place in theta.
    program, single = compile_model(model, X, params=optimizer.params, check=False)
    traced = clock()
    check_structure(program, X)
    checked = clock()
    head = LossHead(lambda prediction, t: _loss_value(loss, prediction, t), single,
                    getattr(loss, "__name__", "loss"))
    head.prepare(program, X, targets)  # per-target programs, and one for every class
    columns = head.columns(targets)
    update = VectorUpdate(optimizer, program)
    if timings is not None:
        ready = clock()
        timings.update(compile=ready - started, trace=traced - started,
                       check=checked - traced, loss=ready - checked, epochs=[])
    rng = make_rng(seed)
    size = len(pairs) if batch_size is None else min(batch_size, len(pairs))
    history = History()
    gtheta = None
    if val_pairs is not None:
        X_val, val_targets = _inputs_array(val_pairs, "val"), [t for _, t in val_pairs]

    per_epoch = -(-len(pairs) // size)
    classes = _class_array(targets)
    program.quiet = False  # the whole loop runs inside np.errstate: one switch, not two a step
    # finally: an error mid-fit (a loss raising on some target, Ctrl-C) leaves the
    # parameters and optimizer state at the last completed step, as eager fit does
    try:
        with progress_bar(epochs * per_epoch, "fit (compiled)", progress) as bar, \
                np.errstate(all="ignore"):
            for _ in range(epochs):
                epoch_start = clock()
                total, hits = 0.0, 0
                for batch in batches(range(len(pairs)), size, shuffle=shuffle, seed=rng):
                    n = len(batch)
                    if n == 1 or not shuffle:  # consecutive samples: views, no copies
                        pick = slice(batch[0], batch[0] + n)
                        part = targets[pick]
                    else:
                        pick = batch
                        part = [targets[i] for i in batch]
                    step_loss, kernel, Z = _train_batch(program, head, X, pick, part, columns)
                    total += step_loss
                    correct = _hits(Z, part, None if classes is None else classes[pick])
                    gtheta = kernel.gtheta
                    update(gtheta)
                    hits = None if hits is None or correct is None else hits + correct
                    history.steps += 1
                    history.samples += n
                    bar.update(1)
                validate = None if val_pairs is None else (
                    lambda: evaluate_compiled(program, head, X_val, val_targets))
                bar.set_postfix(history.end_epoch(total, hits, len(pairs), validate))
                if timings is not None:
                    timings["epochs"].append(clock() - epoch_start)
    finally:
        update.finish(gtheta)
    return history
