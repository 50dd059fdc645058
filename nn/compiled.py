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
and one sample in ``_Head.GUARD_EVERY`` is always recomputed eagerly and compared. Its
gradient with respect to the outputs seeds the model's compiled backward.

SGD and Adam updates run as numpy vector operations in the same order of float
operations as their ``step()``, so the trained numbers are the eager ones; any other
optimizer gets ``.grad`` written and its own ``step()`` called. At the end the
parameters' ``.data`` (and ``.grad``, and the optimizer's state) are written back, so
``viz.draw`` shows the trained values and eager training can continue.
"""

from __future__ import annotations

import math
import numbers
import random
import time
from collections.abc import Callable, Sequence

import numpy as np

import autograd
from autograd import Value, no_grad
from autograd.compiled import Program, StructureError, compile

from .data import batches, make_rng
from .losses import mse
from .optim import SGD, Adam, Optimizer
from .train import History, _check_pairs, _loss_value, is_correct

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


def _target_key(t: object) -> object:
    """A hashable stand-in for a target: the loss graph is cached per target."""
    if isinstance(t, numbers.Real) and not isinstance(t, bool):
        return (type(t).__name__, t)
    try:
        return ("seq", tuple(t))
    except TypeError:
        return ("obj", id(t))


def _variants(row: list[float]) -> list[list[float]]:
    """Output rows to re-trace the loss at, to catch a graph that depends on them.

    Each output in turn the largest (a softmax's shift), affine maps (sign flips, moves,
    maps that keep probabilities in (0, 1)) and a sweep of constant rows across the
    thresholds a Python ``if`` on an output might test. Rows outside the loss's domain
    are skipped by the caller.
    """
    n = len(row)
    rolls = [row[k:] + row[:k] for k in range(1, min(n, 10))]
    maps = [(0.9, 0.05), (0.5, 0.25), (1.0, 1.0), (1.0, -1.0), (-1.0, 0.0), (2.0, 0.0)]
    affine = [[a * z + b for z in row] for a, b in maps]
    sweep = [[c] * n for c in (-2.0, -0.5, 0.0, 0.3, 0.5, 0.7, 1.0, 2.0)]
    return rolls + affine + sweep


class _Head:
    """The loss of each sample and its gradient with respect to the model's outputs.

    Per target, the loss graph is compiled when it is the same for every output row; a
    loss that shifts by the largest output (``cross_entropy``, ``softmax``) is compiled
    on rows with that shift already subtracted, which gives it exactly its eager
    numbers. Otherwise the loss runs eagerly on leaf Values. Every ``GUARD_EVERY``-th
    sample is also computed eagerly and compared, so a loss whose graph depends on the
    data is reported instead of silently mis-computed.
    """

    GUARD_EVERY = 97
    MAX_COMPILED = 64  # regression targets are all different: past this, stay eager

    def __init__(self, loss: Callable, single: bool) -> None:
        self.loss = loss
        self.single = single
        self.cache: dict[object, tuple[Program, bool] | None] = {}
        self.seen = 0
        self.limit = self.MAX_COMPILED
        # One program for every class at once (see prepare): (program, shifted, columns)
        self.combined: tuple[Program, bool, dict[object, int]] | None = None

    def prepare(self, model: Program, X: np.ndarray, targets: list) -> None:
        """Compile one program giving the loss for every distinct target at once.

        For a few distinct targets (class indices), a batch then costs one forward and
        one backward of the loss instead of one per class present: output k is the loss
        for target k, and the backward seeds 1 at each sample's own target, 0 elsewhere
        (adding zeros leaves every gradient's bits as the per-target program's).
        """
        first: dict[object, int] = {}
        for i, t in enumerate(targets):
            first.setdefault(_target_key(t), i)
        if len(first) > self.MAX_COMPILED:
            self.limit = 0  # regression: a program per target would not pay; stay eager
            return
        if len(first) < 2:
            return
        index = list(first.values())
        rows = np.asarray(model.forward(X[index]), dtype=float).reshape(len(index), -1)
        kinds = set()
        for (key, i), row in zip(first.items(), rows, strict=True):
            if key not in self.cache:
                self.cache[key] = self._compile(row.tolist(), targets[i])
            if self.cache[key] is None:
                return
            kinds.add(self.cache[key][1])
        if len(kinds) != 1:
            return
        shifted = kinds.pop()
        classes = [targets[i] for i in index]

        def every_target(*zs: Value) -> list[Value]:
            prediction = zs[0] if self.single else list(zs)
            return [_loss_value(self.loss, prediction, t) for t in classes]

        every_target.__name__ = getattr(self.loss, "__name__", "loss")
        shown = rows - rows.max(axis=1, keepdims=True) if shifted else rows
        try:
            program = compile(every_target, shown[0], check=shown[1:4], wrt_inputs=True)
        except (StructureError, ValueError, TypeError, ArithmeticError):
            return
        columns = {key: k for k, key in enumerate(first)}
        candidate = (program, shifted, columns)
        for k, (row, t) in enumerate(zip(rows, classes, strict=True)):
            want, want_grad = self.eager(row.tolist(), t, True)
            losses, grads = self._run_combined(candidate, row[None, :], np.array([k]), True)
            scale = max(abs(g) for g in want_grad)
            if not (_close(losses[0], want, abs(want)) and all(
                    _close(a, b, scale) for a, b in zip(grads[0], want_grad, strict=True))):
                return
        program.quiet = False  # fit runs inside np.errstate
        self.combined = candidate

    def columns(self, targets: list) -> np.ndarray | None:
        """Each target's output column in the combined program, or None if one is missing."""
        if self.combined is None:
            return None
        where = self.combined[2]
        keys = [_target_key(t) for t in targets]
        if any(key not in where for key in keys):
            return None
        return np.array([where[key] for key in keys], dtype=np.intp)

    @staticmethod
    def _run_combined(combined, rows: np.ndarray, columns: np.ndarray, want_grad: bool):
        program, shifted, _ = combined
        if shifted:
            rows = rows - rows.max(axis=1, keepdims=True)
        every = program.forward(rows)
        samples = np.arange(len(rows))
        losses = every[samples, columns]
        if not want_grad:
            return losses, None
        seed = np.zeros(every.shape)
        seed[samples, columns] = 1.0
        program.gradient(seed)
        return losses, program.input_grads

    def eager(self, row: list[float], t: object, want_grad: bool) -> tuple[float, list | None]:
        """(loss, ∂loss/∂outputs or None) from the eager graph of one sample."""
        leaves = [Value(z) for z in row]
        prediction = leaves[0] if self.single else leaves
        if not want_grad:
            with no_grad():
                return _loss_value(self.loss, prediction, t).data, None
        value = _loss_value(self.loss, prediction, t)
        return value.data, autograd.grad(value, leaves)

    def _compile(self, row: list[float], t: object) -> tuple[Program, bool] | None:
        """A program for target ``t`` (maybe on max-shifted rows), or None to stay eager."""
        if len(self.cache) >= self.limit:
            return None

        def per_target(*zs: Value) -> Value:
            return _loss_value(self.loss, zs[0] if self.single else list(zs), t)

        per_target.__name__ = getattr(self.loss, "__name__", "loss")
        for shifted in (False, True):
            try:
                start = [z - max(row) for z in row] if shifted else row
                program = compile(per_target, start, wrt_inputs=True)
            except (ValueError, TypeError, ArithmeticError):
                return None  # the eager path will raise the user's real error
            if self._holds(program, shifted, row, t):
                program.quiet = False  # fit runs inside np.errstate
                return program, shifted
        return None

    def _holds(self, program: Program, shifted: bool, row: list[float], t: object) -> bool:
        """Whether the program's graph and numbers match eager at ``row`` and its variants."""
        for variant in [row, *_variants(row)]:
            start = [z - max(variant) for z in variant] if shifted else variant
            try:
                program.check([start])
                if not self._agrees(program, shifted, variant, t):
                    return False
            except StructureError:
                return False
            except (ValueError, TypeError, ArithmeticError):
                continue  # outside the loss's domain (BCE of 2.0, …): no evidence either way
        return True

    def _agrees(self, program: Program, shifted: bool, row: list[float], t: object) -> bool:
        want, want_grad = self.eager(row, t, True)
        loss_, grads = self._run(program, shifted, np.array([row]), True)
        scale = max(abs(g) for g in want_grad)
        return _close(loss_[0], want, abs(want)) and all(
            _close(a, b, scale) for a, b in zip(grads[0], want_grad, strict=True))

    @staticmethod
    def _run(program: Program, shifted: bool, rows: np.ndarray, want_grad: bool):
        if shifted:
            rows = rows - rows.max(axis=1, keepdims=True)
        losses = np.atleast_1d(program.forward(rows))
        if not want_grad:
            return losses, None
        program.gradient()
        return losses, program.input_grads

    def __call__(self, outputs: np.ndarray, targets: list, want_grad: bool,
                 columns: np.ndarray | None = None):
        """(losses, ∂loss/∂outputs rows or None, correct count or None) for a batch.

        ``columns`` (from ``columns(targets)``) selects the combined program.
        """
        rows = outputs.reshape(len(targets), -1)
        if len(targets) == 1:  # per-sample training: the short way
            return self._one(rows, targets[0], want_grad)
        if columns is not None:
            losses, grads = self._run_combined(self.combined, rows, columns, want_grad)
            # 0 × inf would be nan: then take the per-target way for this batch
            if grads is None or math.isfinite(grads.sum()):
                self._guard(rows, targets, losses, grads)
                return losses.tolist(), grads, self._hits(rows, targets)
        groups: dict[object, list[int]] = {}
        for i, t in enumerate(targets):
            groups.setdefault(_target_key(t), []).append(i)
        losses = np.empty(len(targets))
        grads = np.empty(rows.shape) if want_grad else None
        for key, members in groups.items():
            t = targets[members[0]]
            if key not in self.cache:
                self.cache[key] = self._compile(rows[members[0]].tolist(), t)
            compiled = self.cache[key]
            if compiled is None:
                for i in members:
                    losses[i], g = self.eager(rows[i].tolist(), t, want_grad)
                    if want_grad:
                        grads[i] = g
                continue
            part = rows[members] if len(members) < len(rows) else rows
            values, part_grads = self._run(*compiled, part, want_grad)
            losses[members] = values
            if want_grad:
                grads[members] = part_grads
        self._guard(rows, targets, losses, grads)
        return losses.tolist(), grads, self._hits(rows, targets)

    @staticmethod
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

    def _one(self, rows: np.ndarray, t: object, want_grad: bool):
        key = _target_key(t)
        if key not in self.cache:
            self.cache[key] = self._compile(rows[0].tolist(), t)
        compiled = self.cache[key]
        if compiled is None:
            loss_, g = self.eager(rows[0].tolist(), t, want_grad)
            losses, grads = np.array([loss_]), (np.array([g]) if want_grad else None)
        else:
            losses, grads = self._run(*compiled, rows, want_grad)
        self._guard(rows, [t], losses, grads)
        correct = is_correct(rows[0].tolist(), t)
        return [float(losses[0])], grads, None if correct is None else int(correct)

    def _guard(self, rows: np.ndarray, targets: list, losses: np.ndarray, grads) -> None:
        """Recompute one sample in GUARD_EVERY eagerly; raise if the compiled loss differs."""
        before, self.seen = self.seen, self.seen + len(targets)
        if before // self.GUARD_EVERY == self.seen // self.GUARD_EVERY and before:
            return
        i = (-before) % self.GUARD_EVERY if before else 0
        i = min(i, len(targets) - 1)
        want, want_grad = self.eager(rows[i].tolist(), targets[i], grads is not None)
        ok = _close(losses[i], want, abs(want))
        if grads is not None:
            scale = max(abs(g) for g in want_grad)
            ok = ok and all(_close(a, b, scale) for a, b in zip(grads[i], want_grad, strict=True))
        if not ok:
            name = getattr(self.loss, "__name__", "the loss")
            raise StructureError(
                f"{name} gave {want!r} eagerly but {float(losses[i])!r} compiled for target "
                f"{targets[i]!r}: its graph depends on the outputs' values in a way the "
                "compiled loss cannot follow; train with nn.fit(..., compiled=False)"
            )


def _close(a: float, b: float, scale: float) -> bool:
    # Loose on purpose: a wrong graph is off by far more, while numpy's and libm's exp
    # and log may differ by an ulp, which log(1 + tiny) turns into ~1e-12 relative.
    return abs(a - b) <= 1e-8 * max(abs(a), abs(b), scale, 1e-300)


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
            self.program.store_grads(gtheta)
        for name, vector in self.state.items():
            setattr(self.optimizer, name, vector[self.index].tolist())


def _check_settings(epochs: object, batch_size: object) -> None:
    if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral) or epochs < 0:
        raise ValueError(f"epochs must be an int ≥ 0, got {epochs!r}")
    if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(
            batch_size, numbers.Integral) or batch_size < 1):
        raise ValueError(
            f"batch_size must be a positive int or None (full batch), got {batch_size!r}"
        )


def evaluate_compiled(program: Program, head: _Head, X: np.ndarray, targets: list,
                      chunk: int = 1024) -> tuple[float, float | None]:
    """(mean loss, accuracy or None) of the compiled model on rows X with ``targets``."""
    total, hits = 0.0, 0
    columns = head.columns(targets)
    for start in range(0, len(X), chunk):
        part = targets[start:start + chunk]
        losses, _, correct = head(program.forward(X[start:start + chunk]), part, False,
                                  None if columns is None else columns[start:start + chunk])
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
    _check_settings(epochs, batch_size)
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
    head = _Head(loss, single)
    head.prepare(program, X, targets)  # per-sample steps still use per-target programs
    columns = head.columns(targets)
    update = _Update(optimizer, program)
    rng = make_rng(seed)
    size = len(pairs) if batch_size is None else min(batch_size, len(pairs))
    history = History()
    gtheta = None
    if val_pairs is not None:
        X_val, val_targets = _inputs_array(val_pairs, "val"), [t for _, t in val_pairs]

    from tqdm.auto import tqdm

    per_epoch = -(-len(pairs) // size)
    program.quiet = False  # the whole loop runs inside np.errstate: one switch, not two a step
    with tqdm(total=epochs * per_epoch, desc="fit (compiled)", unit="step",
              disable=None if progress else True, leave=False) as bar, \
            np.errstate(all="ignore"):
        for _ in range(epochs):
            epoch_start = time.perf_counter()
            total, hits = 0.0, 0
            for batch in batches(range(len(pairs)), size, shuffle=shuffle, seed=rng):
                outputs = program.forward(X[batch])
                part = [targets[i] for i in batch]
                losses, seed_grads, correct = head(
                    outputs, part, True, None if columns is None else columns[batch])
                if len(batch) > 1:  # the batch loss is the mean, as in eager fit
                    seed_grads = seed_grads * (1.0 / len(batch))
                gtheta = program.gradient(seed_grads)
                update(gtheta)
                total += sum(losses)
                hits = None if hits is None or correct is None else hits + correct
                history.steps += 1
                history.samples += len(batch)
                bar.update(1)
            history.train_loss.append(total / len(pairs))
            if hits is not None:
                history.train_accuracy.append(hits / len(pairs))
            shown = {"loss": f"{history.train_loss[-1]:.4g}"}
            if val_pairs is not None:
                val_loss, val_accuracy = evaluate_compiled(program, head, X_val, val_targets)
                history.val_loss.append(val_loss)
                shown["val_loss"] = f"{val_loss:.4g}"
                if val_accuracy is not None:
                    history.val_accuracy.append(val_accuracy)
            bar.set_postfix(shown)
            if timings is not None:
                timings["epochs"].append(time.perf_counter() - epoch_start)
    update.finish(gtheta)
    return history
