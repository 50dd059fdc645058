"""The loss of each sample, compiled per target, applied to a model's outputs.

A loss's graph often depends on its target (``cross_entropy`` picks the class index)
and on the outputs (its max-shift is a constant computed from them), so it cannot be
traced once with the model. ``LossHead`` compiles it per target instead: as it is when
its graph does not depend on the outputs, or on outputs with their largest value
already subtracted when that gives exactly the eager numbers (a shift-invariant loss
like ``cross_entropy``). Each candidate is re-traced and compared with eager on many
output rows; one that fails stays eager (leaf Values holding the outputs). For a few
distinct targets, ``prepare`` builds one program giving every target's loss at once;
for many real-valued ones (a regression), one program taking the target as an input.
One sample in ``GUARD_EVERY`` is always recomputed eagerly and compared, so a graph
that changes with the data is reported rather than trained on silently. The programs
are compiled and checked in ``losscheck``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..graph import grad
from ..modes import no_grad
from ..value import Value
from .fused import FusedStep
from .losscheck import (
    close,
    compile_by_value,
    compile_every_target,
    compile_target,
    run_by_value,
    run_every,
    run_target,
    target_key,
    target_rows,
)
from .program import Program
from .trace import StructureError

__all__ = ["LossHead"]


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
        self._fused: dict[object, FusedStep | None] = {}  # per target, for one sample
        # A regression's loss with the target as more inputs: (program, width, scalar),
        # compiled at the first batch of several samples (one sample: eager is cheaper)
        self.by_value: tuple[Program, int, bool] | None = None
        self._by_value_from: tuple[Program, np.ndarray, list] | None = None

    def prepare(self, model: Program, X: np.ndarray, targets: list) -> None:
        """Compile the per-target programs, and one for every target at once when there are
        a few (class indices; see ``losscheck.compile_every_target``)."""
        first: dict[object, int] = {}
        for i, t in enumerate(targets):
            first.setdefault(target_key(t), i)
        if len(first) > self.MAX_COMPILED:
            # regression: a program per target would not pay; one with the target as an
            # input, or eager
            self.limit = 0
            self._by_value_from = (model, X, targets)
            return
        if len(first) < 2:
            return
        if all(key[0] == "int" for key in first):  # class k's loss reads output k: in order
            first = dict(sorted(first.items()))
        self.combined = compile_every_target(self, model, X, targets, first)

    def columns(self, targets: list) -> np.ndarray | None:
        """Each target's output column in the combined program, or None if one is missing."""
        if self.combined is None:
            return None
        where = self.combined[2]
        keys = [target_key(t) for t in targets]
        if any(key not in where for key in keys):
            return None
        return np.array([where[key] for key in keys], dtype=np.intp)

    def eager(self, row: list[float], t: object, want_grad: bool) -> tuple[float, list | None]:
        """(loss, ∂loss/∂outputs or None) from the eager graph of one sample."""
        leaves = [Value(z) for z in row]
        prediction = leaves[0] if self.single else leaves
        if not want_grad:
            with no_grad():
                return self.loss(prediction, t).data, None
        value = self.loss(prediction, t)
        return value.data, grad(value, leaves)

    def sample(self, model: Program, XT: np.ndarray, t: object,
               column: np.ndarray | None = None) -> float | None:
        """One sample's training step as one generated call (``FusedStep``): the model's
        forward on XT, the loss for target ``t``, the model's backward; the loss.

        ``column`` (from ``columns``) selects the program of every class at once. None
        (nothing run) when ``t``'s loss has no program yet or runs eagerly.
        """
        # the every-class program when there is one: one step for every sample, its
        # buffers and code warm (a program per class measured a little slower)
        key = None if column is not None else ("int", t) if type(t) is int else target_key(t)
        step = self._fused.get(key, _MISSING)
        if step is _MISSING:
            kernel = model.kernel(1)
            if key is None:
                program, shifted, _ = self.combined
                compiled = (program, shifted, True)
            elif key not in self.cache:
                return None  # train_step compiles it at its first sample
            else:
                compiled = self.cache[key] and (*self.cache[key], False)
            step = self._fused[key] = None if not compiled or kernel.outputs is None \
                else FusedStep(model, *compiled)
        if step is None:
            return None
        loss = step(XT, column)
        self._guard(step.mk.outputs, [t], (loss,), step.loss_grads)
        return loss

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
            self._guard(Z, targets, losses, kernel.G[: program.n_inputs])
            return sum(losses.tolist())
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
        if self._by_value_from is not None and len(targets) > 1:
            self.by_value = compile_by_value(self, *self._by_value_from)
            self._by_value_from = None
        if self.by_value is not None and len(targets) > 1:
            program, width, scalar = self.by_value
            T = target_rows(targets, width, scalar)
            if T is not None:
                losses, grads = run_by_value(program, Z, T, want_grad)
                self._guard(Z, targets, losses, grads)
                return losses.tolist(), grads
        if len(targets) == 1:  # per-sample training: the short way
            return self._one(Z, targets[0], want_grad)
        if columns is not None:
            losses, grads = run_every(self.combined, Z, columns, want_grad)
            self._guard(Z, targets, losses, grads)
            return losses.tolist(), grads
        groups: dict[object, list[int]] = {}
        for i, t in enumerate(targets):
            groups.setdefault(target_key(t), []).append(i)
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
            values, part_grads = run_target(*compiled, part, want_grad)
            losses[members] = values
            if want_grad:
                grads[:, members] = part_grads
        self._guard(Z, targets, losses, grads)
        return losses.tolist(), grads

    def _compile(self, row: list[float], t: object) -> tuple[Program, bool] | None:
        """A program for target ``t`` (maybe on max-shifted rows), or None to stay eager."""
        if len(self.cache) >= self.limit:
            return None
        return compile_target(self, row, t)

    def _program(self, Z: np.ndarray, t: object) -> tuple[Program, bool] | None:
        """The per-target program for ``t`` (compiled at Z's first sample when new)."""
        key = ("int", t) if type(t) is int else target_key(t)
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
            values, grads = run_target(*compiled, Z, want_grad)
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
        ok = close(losses[i], want, abs(want))
        if grads is not None:
            scale = max(abs(g) for g in want_grad)
            ok = ok and all(close(a, b, scale)
                            for a, b in zip(grads[:, i].tolist(), want_grad, strict=True))
        if not ok:
            raise StructureError(
                f"{self.name} gave {want!r} eagerly but {float(losses[i])!r} compiled for target "
                f"{targets[i]!r}: its graph depends on the outputs' values in a way the "
                "compiled loss cannot follow; train with nn.fit(..., compiled=False)"
            )


_MISSING = object()
