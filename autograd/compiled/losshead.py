"""The loss of each sample, compiled per target, applied to a model's outputs.

A loss's graph often depends on its target (``cross_entropy`` picks the class index)
and on the outputs (its max-shift is a constant computed from them), so it cannot be
traced once with the model. ``LossHead`` compiles it per target instead: as it is when
its graph does not depend on the outputs, or on outputs with their largest value
already subtracted when that gives exactly the eager numbers (a shift-invariant loss
like ``cross_entropy``). Each candidate is re-traced and compared with eager on many
output rows; one that fails stays eager (leaf Values holding the outputs). For a few
distinct targets, ``prepare`` builds one program giving every target's loss at once.
One sample in ``GUARD_EVERY`` is always recomputed eagerly and compared, so a graph
that changes with the data is reported rather than trained on silently.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable

import numpy as np

from ..graph import grad
from ..modes import no_grad
from ..value import Value
from . import compile
from .program import Program
from .trace import StructureError

__all__ = ["LossHead"]


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


class LossHead:
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

    def __init__(self, loss: Callable, single: bool, name: str = "loss") -> None:
        self.loss = loss  # loss(prediction, target) -> Value
        self.single = single  # the prediction is one Value, not a list
        self.name = name
        self.cache: dict[object, tuple[Program, bool] | None] = {}
        self.seen = 0
        self.limit = self.MAX_COMPILED
        # One program for every class at once (see prepare): (program, shifted, columns)
        self.combined: tuple[Program, bool, dict[object, int]] | None = None
        self._samples: dict[int, np.ndarray] = {}  # arange(n), per batch size

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
        if all(key[0] == "int" for key in first):  # class k's loss reads output k: in order
            first = dict(sorted(first.items()))
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
            return [self.loss(prediction, t) for t in classes]

        every_target.__name__ = self.name
        shown = rows - rows.max(axis=1, keepdims=True) if shifted else rows
        try:
            program = compile(every_target, shown[0], check=shown[1:4], wrt_inputs=True)
        except (StructureError, ValueError, TypeError, ArithmeticError):
            return
        columns = {key: k for k, key in enumerate(first)}
        candidate = (program, shifted, columns)
        for k, (row, t) in enumerate(zip(rows, classes, strict=True)):
            want, want_grad = self.eager(row.tolist(), t, True)
            losses, grads = self._run_combined(candidate, row[:, None], np.array([k]), True)
            scale = max(abs(g) for g in want_grad)
            if not (_close(losses[0], want, abs(want)) and all(
                    _close(a, b, scale) for a, b in zip(grads[:, 0], want_grad, strict=True))):
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
    def _run_combined(combined, Z: np.ndarray, columns: np.ndarray, want_grad: bool):
        """(losses, ∂loss/∂Z or None) for outputs Z (outputs × samples) by the combined
        program, sample j's loss being its output ``columns[j]``. Views of its buffers."""
        program, shifted, _ = combined
        kernel = _load(program, shifted, Z)
        samples = np.arange(Z.shape[1])
        every = kernel.outputs if kernel.outputs is not None else \
            kernel.V[program.plan.output_rows]
        losses = every[columns, samples]
        if not want_grad:
            return losses, None
        kernel.clear()
        # 1 at each sample's own target, 0 elsewhere (adding zeros leaves the bits alone)
        kernel.G[program.plan.output_rows[columns], samples] += 1.0
        program.run_backward(kernel)
        return losses, kernel.G[: program.n_inputs]

    def eager(self, row: list[float], t: object, want_grad: bool) -> tuple[float, list | None]:
        """(loss, ∂loss/∂outputs or None) from the eager graph of one sample."""
        leaves = [Value(z) for z in row]
        prediction = leaves[0] if self.single else leaves
        if not want_grad:
            with no_grad():
                return self.loss(prediction, t).data, None
        value = self.loss(prediction, t)
        return value.data, grad(value, leaves)

    def _compile(self, row: list[float], t: object) -> tuple[Program, bool] | None:
        """A program for target ``t`` (maybe on max-shifted rows), or None to stay eager."""
        if len(self.cache) >= self.limit:
            return None

        def per_target(*zs: Value) -> Value:
            return self.loss(zs[0] if self.single else list(zs), t)

        per_target.__name__ = self.name
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
        """Whether the program's graph and numbers match eager at ``row`` and its variants.

        Graphs first, each distinct row once (a loss that depends on the outputs mostly
        fails there, before a number is computed), then the numbers.
        """
        in_domain: dict[bytes, bool] = {}
        kept = []
        for variant in [row, *_variants(row)]:
            start = [z - max(variant) for z in variant] if shifted else variant
            key = np.array(start).tobytes()  # −0.0 and 0.0 apart, as the graph may tell
            if key not in in_domain:
                try:
                    program.check([start])
                    in_domain[key] = True
                except StructureError:
                    return False
                except (ValueError, TypeError, ArithmeticError):
                    in_domain[key] = False  # outside the loss's domain (BCE of 2.0, …)
            if in_domain[key]:
                kept.append(variant)
        for variant in kept:
            try:
                if not self._agrees(program, shifted, variant, t):
                    return False
            except (ValueError, TypeError, ArithmeticError):
                continue  # no evidence either way
        return True

    def _agrees(self, program: Program, shifted: bool, row: list[float], t: object) -> bool:
        want, want_grad = self.eager(row, t, True)
        loss_, grads = self._run(program, shifted, np.array(row)[:, None], True)
        scale = max(abs(g) for g in want_grad)
        return _close(loss_[0], want, abs(want)) and all(
            _close(a, b, scale) for a, b in zip(grads[:, 0], want_grad, strict=True))

    @staticmethod
    def _run(program: Program, shifted: bool, Z: np.ndarray, want_grad: bool):
        """(losses, ∂loss/∂Z or None) of a per-target program on outputs Z (outputs ×
        samples). Views of the program's buffers: read them before its next run."""
        kernel = _load(program, shifted, Z)
        losses = kernel.V[program.plan.output_rows[0]]
        if not want_grad:
            return losses, None
        kernel.clear()
        np.add(kernel.seed, 1.0, out=kernel.seed)  # ∂loss/∂loss, for every sample
        program.run_backward(kernel)
        return losses, kernel.G[: program.n_inputs]

    def train_step(self, Z: np.ndarray, targets: list, seed: np.ndarray,
                   columns: np.ndarray | None = None) -> float:
        """The sum of the batch's losses; adds ∂(mean loss)/∂Z into ``seed``.

        ``Z`` holds the model's outputs (outputs × samples: a view of its program's
        buffer) and ``seed`` the gradient rows of those outputs, cleared. ``columns``
        (from ``columns(targets)``) selects the combined program.
        """
        n = Z.shape[1]
        if n == 1:  # per-sample training: the short way, and no division
            compiled = self._program(Z, targets[0])
            if compiled is not None:  # one generated call: loss, its gradient, into seed
                program, shifted = compiled
                kernel = program.kernel(1)
                loss = program.run_loss(kernel, shifted, Z, seed)[0]
                self._guard(Z, targets, (loss,), kernel.G[: program.n_inputs])
                return float(loss)
        elif columns is not None:  # every class's loss at once, the batch loss the mean
            program, shifted, _ = self.combined
            kernel = program.kernel(n)
            samples = self._samples.get(n)
            if samples is None:
                samples = self._samples[n] = np.arange(n)
            losses = program.run_loss(kernel, shifted, Z, seed, 1.0 / n, columns, samples)
            if losses is not None:
                self._guard(Z, targets, losses, kernel.G[: program.n_inputs])
                return sum(losses.tolist())
            columns = None  # a gradient was not finite: the per-target way for this batch
        losses, grads = self.losses(Z, targets, True, columns)
        if n == 1:
            np.add(seed, grads, out=seed)
        else:  # the batch loss is the mean, as in eager fit
            np.add(seed, grads * (1.0 / n), out=seed)
        return losses[0] if n == 1 else sum(losses)

    def losses(self, Z: np.ndarray, targets: list, want_grad: bool,
               columns: np.ndarray | None = None) -> tuple[list[float], np.ndarray | None]:
        """(losses, ∂loss/∂Z or None) for outputs Z (outputs × samples) and their targets.

        The gradients may be a view of a loss program's buffer: use them before the
        next call.
        """
        if len(targets) == 1:  # per-sample training: the short way
            return self._one(Z, targets[0], want_grad)
        if columns is not None:
            losses, grads = self._run_combined(self.combined, Z, columns, want_grad)
            # 0 × inf would be nan: then take the per-target way for this batch
            if grads is None or math.isfinite(grads.sum()):
                self._guard(Z, targets, losses, grads)
                return losses.tolist(), grads
        groups: dict[object, list[int]] = {}
        for i, t in enumerate(targets):
            groups.setdefault(_target_key(t), []).append(i)
        losses = np.empty(len(targets))
        grads = np.empty(Z.shape) if want_grad else None
        for key, members in groups.items():
            t = targets[members[0]]
            if key not in self.cache:
                self.cache[key] = self._compile(Z[:, members[0]].tolist(), t)
            compiled = self.cache[key]
            if compiled is None:
                for i in members:
                    losses[i], g = self.eager(Z[:, i].tolist(), t, want_grad)
                    if want_grad:
                        grads[:, i] = g
                continue
            part = Z[:, members] if len(members) < Z.shape[1] else Z
            values, part_grads = self._run(*compiled, part, want_grad)
            losses[members] = values
            if want_grad:
                grads[:, members] = part_grads
        self._guard(Z, targets, losses, grads)
        return losses.tolist(), grads

    def _program(self, Z: np.ndarray, t: object) -> tuple[Program, bool] | None:
        """The per-target program for ``t`` (compiled at Z's first sample when new)."""
        key = ("int", t) if type(t) is int else _target_key(t)
        compiled = self.cache.get(key, _MISSING)
        if compiled is _MISSING:
            compiled = self.cache[key] = self._compile(Z[:, 0].tolist(), t)
        return compiled

    def _one(self, Z: np.ndarray, t: object, want_grad: bool):
        compiled = self._program(Z, t)
        if compiled is None:
            loss_, g = self.eager(Z[:, 0].tolist(), t, want_grad)
            losses, grads = [loss_], (np.array(g)[:, None] if want_grad else None)
        else:
            values, grads = self._run(*compiled, Z, want_grad)
            losses = [float(values[0])]
        self._guard(Z, [t], losses, grads)
        return losses, grads

    def _guard(self, Z: np.ndarray, targets: list, losses, grads) -> None:
        """Recompute one sample in GUARD_EVERY eagerly; raise if the compiled loss differs."""
        before, self.seen = self.seen, self.seen + len(targets)
        i = -before % self.GUARD_EVERY  # samples 0, 97, 194, … of the stream are guarded
        if i >= len(targets):
            return
        want, want_grad = self.eager(Z[:, i].tolist(), targets[i], grads is not None)
        ok = _close(losses[i], want, abs(want))
        if grads is not None:
            scale = max(abs(g) for g in want_grad)
            ok = ok and all(_close(a, b, scale)
                            for a, b in zip(grads[:, i].tolist(), want_grad, strict=True))
        if not ok:
            raise StructureError(
                f"{self.name} gave {want!r} eagerly but {float(losses[i])!r} compiled for target "
                f"{targets[i]!r}: its graph depends on the outputs' values in a way the "
                "compiled loss cannot follow; train with nn.fit(..., compiled=False)"
            )


_MISSING = object()


def _load(program: Program, shifted: bool, Z: np.ndarray):
    """Run ``program`` forward on outputs Z (maybe max-shifted per sample); its kernel."""
    kernel = program.kernel(Z.shape[1])
    if shifted:
        np.subtract(Z, Z.max(axis=0), out=kernel.inputs)
    else:
        np.copyto(kernel.inputs, Z)
    program.run(None, kernel)
    return kernel


def _close(a: float, b: float, scale: float) -> bool:
    # Loose on purpose: a wrong graph is off by far more, while numpy's and libm's exp
    # and log may differ by an ulp, which log(1 + tiny) turns into ~1e-12 relative.
    # nan and nan agree (nan outputs give nan losses both ways), as do equal infinities.
    if a == b or (a != a and b != b):
        return True
    return abs(a - b) <= 1e-8 * max(abs(a), abs(b), scale, 1e-300)
