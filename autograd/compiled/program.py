"""``Program``: a traced graph replayed forward and backward on whole batches."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from ..modes import AnomalyError, local
from ..value import Value, _describe
from .explain import explain_non_finite, has_undefined_derivative
from .kernel import Kernel
from .plan import Plan
from .replay import eager_gradient, forward_error
from .steps import Rows
from .trace import (
    StructureError,
    Trace,
    check_sample,
    retrace_difference,
)

__all__ = ["Program"]

_REDUCTIONS = ("sum", "mean")


class Program:
    """A function of Values traced once, replayed on batches without building Values.

    ``program(X)`` reads every parameter's ``.data``, runs the graph on each row of
    ``X`` (shape ``(batch, n_inputs)``, or one sample) and returns the outputs;
    ``program.backward()`` then adds the batch's gradients into each parameter's
    ``.grad``, summed over the batch (``reduction="sum"``, what calling eager
    ``backward()`` once per sample gives) or averaged (``"mean"``).

    Training loops can skip the Values: ``theta`` holds the parameters (in the order
    of ``params``), ``forward(X)`` runs on ``theta`` as it is, ``gradient()`` returns
    the gradient in the same order, and ``load_params()`` / ``store_params()`` copy
    between ``theta`` and the parameters' ``.data``.
    """

    def __init__(self, fn: Callable, trace: Trace, plan: Plan, wrt_inputs: bool) -> None:
        self.fn = fn
        self.trace = trace
        self.plan = plan
        self.params: list[Value] = plan.params
        self.n_inputs = plan.n_inputs
        self.n_outputs = len(trace.outputs)
        self.wrt_inputs = wrt_inputs
        self._theta = np.zeros(len(self.params))
        self.input_grads: np.ndarray | None = None  # set by backward when wrt_inputs
        # numpy warns on inf/nan; the program explains them itself. A training loop that
        # already runs inside np.errstate(all="ignore") sets this False to save the cost.
        self.quiet = True
        self.load_params()
        self._steps = plan.steps
        self._output_rows = Rows(plan.output_rows)
        self._kernels: dict[int, Kernel] = {}
        self._last: Kernel | None = None

    def __repr__(self) -> str:
        return (
            f"Program({self.n_inputs} inputs -> {self.n_outputs} outputs, "
            f"{len(self.params)} params, {len(self.trace.order)} nodes in "
            f"{len(self._steps)} steps)"
        )

    # --- parameters ----------------------------------------------------------------

    @property
    def theta(self) -> np.ndarray:
        """The parameters as one vector, in the order of ``params`` (update it in place)."""
        return self._theta

    @theta.setter
    def theta(self, values: np.ndarray) -> None:
        # The generated code holds views of this one array: assigning copies into it.
        values = np.asarray(values, dtype=float)
        if values.shape != self._theta.shape:
            raise ValueError(f"theta holds {len(self._theta)} parameters, got an array of "
                             f"shape {values.shape}")
        self._theta[...] = values

    def load_params(self) -> None:
        """Copy every parameter's ``.data`` into ``theta``."""
        self.theta[:] = np.fromiter((p.data for p in self.params), float, len(self.params))

    def store_params(self) -> None:
        """Copy ``theta`` back into every parameter's ``.data`` (so drawings show it)."""
        for p, x in zip(self.params, self.theta.tolist(), strict=True):
            p.data = x

    def store_grads(self, gtheta: np.ndarray) -> None:
        """Add ``gtheta`` into the parameters' ``.grad`` (leaves accumulate, as in eager)."""
        for p, g in zip(self.params, gtheta.tolist(), strict=True):
            p.grad += g

    # --- running ---------------------------------------------------------------------

    def __call__(self, X: Sequence | np.ndarray) -> np.ndarray | float:
        """The outputs for each sample of ``X``, with parameters read from their Values."""
        self.load_params()
        return self.forward(X)

    def forward(self, X: Sequence | np.ndarray) -> np.ndarray | float:
        """Outputs for the samples of ``X`` at the current ``theta``.

        ``X`` of shape (batch, n_inputs) gives (batch, n_outputs), squeezed to (batch,)
        for one output; one sample (n_inputs,) gives (n_outputs,) or a float.
        """
        batch, single = self._as_batch(X)
        # the backward reads the inputs again: keep them as they are now
        kernel = self.run((batch.copy() if batch is X else batch).T)
        out = kernel.V[self.plan.output_rows].T  # fancy indexing: already a copy
        if self.n_outputs == 1:
            out = out[:, 0]
            return float(out[0]) if single else out
        return out[0] if single else out

    def kernel(self, n: int) -> Kernel:
        """The buffers and generated code for batches of ``n`` samples (made once)."""
        kernel = self._kernels.get(n)
        if kernel is None:
            if len(self._kernels) >= 4:  # a fit's batch size, its last batch, validation
                self._kernels.pop(next(iter(self._kernels)))
            kernel = self._kernels[n] = Kernel(self.plan, self._theta, n, self.wrt_inputs)
        return kernel

    def run(self, XT: np.ndarray | None, kernel: Kernel | None = None) -> Kernel:
        """Forward on XT (inputs × samples) at the current theta; the kernel holding V.

        The training loop's entry: no conversion and no output copy. The backward reads
        XT again, so leave it unchanged until then. With ``XT`` None, ``kernel``'s input
        rows were written by the caller.
        """
        if kernel is None:
            kernel = self.kernel(XT.shape[1])
        try:
            if self.quiet:
                with np.errstate(all="ignore"):  # non-finite results are looked at below
                    total = kernel.forward(XT)
            else:
                total = kernel.forward(XT)
        except (ValueError, ZeroDivisionError, OverflowError) as exc:
            self._explain_failure(kernel, exc)
            raise
        if not math.isfinite(total):  # one number: cheaper than testing every entry
            self._explain(kernel, self._steps)
        self._last = kernel
        return kernel

    def run_loss(self, kernel: Kernel, shifted: bool, Z: np.ndarray, dZ: np.ndarray,
                 scale: float | None = None, columns: np.ndarray | None = None,
                 samples: np.ndarray | None = None) -> np.ndarray:
        """This loss program's forward on outputs Z (maybe max-shifted), its backward, and
        dZ += ∂loss/∂Z × scale (dZ holding zeros before); the losses. A program with one
        output per class picks ``columns[j]`` for sample ``samples[j]``. Errors and
        undefined derivatives as ``run`` and ``gradient``.
        """
        picked = columns is not None
        step = kernel.loss_step(shifted, picked)
        try:
            if self.quiet:
                with np.errstate(all="ignore"):
                    forward, backward, losses = step(Z, dZ, scale, columns, samples)
            else:
                forward, backward, losses = step(Z, dZ, scale, columns, samples)
        except (ValueError, ZeroDivisionError, OverflowError) as exc:
            self._explain_failure(kernel, exc)
            raise
        self._last = kernel
        if not math.isfinite(forward):
            self._explain(kernel, self._steps)
        if self._check_backward(kernel, backward) or picked and not math.isfinite(backward):
            # eager's gradients replaced numpy's (or, picked, the step left dZ alone)
            grads = kernel.G[: self.n_inputs]
            dZ[...] = grads if scale is None else grads * scale
        return losses

    def _explain_failure(self, kernel: Kernel, exc: Exception) -> None:
        """Raise eager's error if ``exc`` came from a step's forward (a scalar op raising)."""
        k = kernel.failed_step(exc)
        if k is not None:
            self._explain(kernel, self._steps[:k], failed=self._steps[k])

    def gradient(self, grad: Sequence | np.ndarray | float | None = None,
                 reduction: str = "sum") -> np.ndarray:
        """∂(outputs · grad)/∂theta for the last forward, summed or averaged over the batch.

        ``grad`` is the gradient of whatever the outputs feed (default 1 for a single
        output, per sample); it does not touch any ``.grad``.
        """
        if self._last is None:
            raise RuntimeError("call the program on a batch before asking for gradients")
        if reduction not in _REDUCTIONS:
            raise ValueError(f"reduction must be 'sum' or 'mean', got {reduction!r}")
        kernel = self._last
        n = kernel.n
        seed = self._seed(grad, n)
        if reduction == "mean":
            seed = seed / n
        kernel.clear()
        self.seed(kernel, seed.T)
        self.run_backward(kernel)
        if self.wrt_inputs:
            self.input_grads = kernel.G[: self.n_inputs].T.copy()
        return kernel.gtheta.copy()

    def seed(self, kernel: Kernel, grads: np.ndarray) -> None:
        """Add ``grads`` (outputs × samples) into the gradient rows of the outputs."""
        self._output_rows.add(kernel.G, grads)

    def run_backward(self, kernel: Kernel) -> None:
        """Backward through ``kernel``'s last forward, G already seeded: fills its gtheta."""
        if self.quiet:
            with np.errstate(all="ignore"):
                total = kernel.backward()
        else:
            total = kernel.backward()
        self._check_backward(kernel, total)

    def _check_backward(self, kernel: Kernel, total: float) -> bool:
        """After a backward: eager's gradients if a derivative was undefined; True then.

        An undefined local derivative makes some G entry inf or nan (whatever the
        upstream gradient: numpy's 0 × inf is nan), so G's sum is the one test needed.
        """
        replaced = not math.isfinite(total) and self._undefined_backward(kernel)
        if local.anomaly and not np.isfinite(kernel.gtheta).all():
            bad = int(np.flatnonzero(~np.isfinite(kernel.gtheta))[0])
            raise AnomalyError(
                f"detect_anomaly: compiled backward gave gradient {kernel.gtheta[bad]!r} for "
                f"parameter {bad} ({_describe(self.params[bad])})"
            )
        return replaced

    def backward(self, grad: Sequence | np.ndarray | float | None = None,
                 reduction: str = "sum") -> None:
        """Add the last batch's gradients into the parameters' ``.grad``.

        ``reduction="sum"`` gives what one eager ``backward()`` per sample would;
        ``"mean"`` divides by the batch size. With ``wrt_inputs=True`` at compile time
        ``input_grads`` holds ∂/∂X, shape (batch, n_inputs).
        """
        self.store_grads(self.gradient(grad, reduction))

    def check(self, samples: Sequence[Sequence[float]]) -> None:
        """Re-trace ``fn`` eagerly on each sample; raise StructureError if a graph differs."""
        for i, sample in enumerate(samples):
            # a bare number (check=[1.0, 2.0] for one input) gets a TypeError naming it
            sample = check_sample(sample, f"check sample {i}")
            if len(sample) != self.n_inputs:
                raise ValueError(f"check sample {i} has {len(sample)} numbers, the program "
                                 f"takes {self.n_inputs}: {sample[:8]}")
            difference = retrace_difference(self.trace, self.fn, sample)
            if difference is not None:
                name = getattr(self.fn, "__name__", "the traced function")
                raise StructureError(
                    f"{name} builds a different graph for sample {i} ({sample[:8]}"
                    f"{' …' if len(sample) > 8 else ''}): {difference}. A compiled program "
                    "replays one fixed graph, so Python control flow on Values' data "
                    "(if/else, min/max, constants computed from data) cannot be compiled; "
                    "express it with ops (relu, step, abs) or run eagerly"
                )

    def export_onnx(self, path: str | os.PathLike, *, dtype: str = "float64") -> Path:
        """Write the traced graph as an ONNX model (input ``x``: batch × inputs); returns path.

        Parameters are stored with their current ``.data`` (what ``program(X)`` reads).
        Needs ``onnx`` (``pip install 'stepgrad[export]'``); see ``compiled.onnx_export``.
        """
        from .onnx_export import export_program

        return export_program(self.trace, path, dtype, getattr(self.fn, "__name__", "program"))

    # --- helpers ---------------------------------------------------------------------

    def _as_batch(self, X: Sequence | np.ndarray) -> tuple[np.ndarray, bool]:
        if type(X) is np.ndarray and X.ndim == 2 and X.dtype == np.float64 \
                and X.shape[1] == self.n_inputs and X.shape[0]:
            return X, False  # the training loop's case: nothing to convert
        try:
            batch = np.asarray(X, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(
                f"inputs must be numbers of shape (batch, {self.n_inputs}) or "
                f"({self.n_inputs},), got {X!r:.80}"
            ) from None
        single = batch.ndim == 1
        if single:
            batch = batch[None, :]
        if batch.ndim != 2 or batch.shape[1] != self.n_inputs or batch.shape[0] == 0:
            raise ValueError(
                f"inputs must have shape (batch, {self.n_inputs}) or ({self.n_inputs},) "
                f"with batch ≥ 1, got shape {np.shape(X)}"
            )
        return batch, single

    def _seed(self, grad: object, n: int) -> np.ndarray:
        if type(grad) is np.ndarray and grad.shape == (n, self.n_outputs):
            return grad  # the training loop's case: no conversion needed
        if grad is None:
            if self.n_outputs != 1:
                raise ValueError(
                    f"the program has {self.n_outputs} outputs: pass grad, the gradient "
                    f"for each, shape (batch, {self.n_outputs})"
                )
            return np.ones((n, 1))
        seed = np.asarray(grad, dtype=float)
        if self.n_outputs == 1 and seed.ndim <= 1:
            seed = seed.reshape(-1, 1)
        try:
            return np.broadcast_to(seed, (n, self.n_outputs))
        except ValueError:
            raise ValueError(
                f"grad must have shape ({n}, {self.n_outputs}) for this batch, got "
                f"{np.shape(grad)}"
            ) from None

    def _undefined_backward(self, kernel: Kernel) -> bool:
        """Put eager backward's gradients in ``kernel`` if a derivative in the batch is
        undefined; whether it did.

        Eager backward gives 0 where a gradient of 0 meets an undefined derivative (√ at
        0) and raises DomainError where a needed one does; numpy gives nan or inf. Only
        then is the batch replayed eagerly, sample by sample (``replay.eager_gradient``),
        its gradients written into gtheta and G's input rows.
        """
        kernel.sync_inputs()
        V = kernel.V
        k = self.plan.shared_steps
        views = [V[:, :1]] * k + [V] * (len(self._steps) - k)
        if not has_undefined_derivative(self._steps, views):
            return False  # the inf or nan eager backward gives too
        gtheta, input_grads = eager_gradient(self.trace, self.plan, self.theta,
                                             V[: self.n_inputs].T, kernel.seed_values(),
                                             self.wrt_inputs)
        kernel.gtheta[...] = gtheta
        if self.wrt_inputs:
            kernel.G[: self.n_inputs] = input_grads.T
        return True

    def _explain(self, kernel: Kernel, done: list, failed: object = None) -> None:
        """Raise the error eager evaluation would have raised for this batch, if any."""
        kernel.sync_inputs()
        V = kernel.V
        theta_finite = bool(np.isfinite(self.theta).all())

        def replay(b: int) -> tuple[int, Exception] | None:
            # only where every leaf is finite: then a non-finite sum means an overflow
            sample = V[: self.n_inputs, b]
            if not theta_finite or not np.isfinite(sample).all():
                return None
            return forward_error(self.trace, self.plan, self.theta, sample.tolist(), b)

        error = explain_non_finite(self.trace.order, V, done, failed, replay)
        if error is not None:
            raise error
