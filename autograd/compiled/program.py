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
from .plan import Plan
from .replay import eager_gradient, forward_error
from .steps import Dense, Elementwise, Rows, SegmentSum
from .trace import (
    StructureError,
    Trace,
    check_sample,
    retrace_signature,
    signature_difference,
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
        self.theta = np.zeros(len(self.params))
        self.input_grads: np.ndarray | None = None  # set by backward when wrt_inputs
        # numpy warns on inf/nan; the program explains them itself. A training loop that
        # already runs inside np.errstate(all="ignore") sets this False to save the cost.
        self.quiet = True
        self.load_params()
        self._steps = plan.steps
        k = plan.shared_steps
        self._shared_backward = [s for s in reversed(plan.steps[:k]) if _has_backward(s)]
        self._sample_backward = [s for s in reversed(plan.steps[k:]) if _has_backward(s)]
        self._output_rows = Rows(plan.output_rows)
        self._buffers: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._last: tuple[np.ndarray, int] | None = None

    def __repr__(self) -> str:
        return (
            f"Program({self.n_inputs} inputs -> {self.n_outputs} outputs, "
            f"{len(self.params)} params, {len(self.trace.order)} nodes in "
            f"{len(self._steps)} steps)"
        )

    # --- parameters ----------------------------------------------------------------

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
        V, _ = self._buffer(len(batch))
        V[: self.n_inputs] = batch.T
        plan = self.plan
        if len(plan.loose_rows):
            V[plan.loose_rows] = self.theta[plan.loose_params][:, None]
        if self.quiet:
            with np.errstate(all="ignore"):  # non-finite results are looked at below
                self._run_steps(V)
                finite = math.isfinite(V.sum())  # (a sum of big finite rows may overflow)
        else:
            self._run_steps(V)
            finite = math.isfinite(V.sum())
        if not finite:  # one number: cheaper than testing every entry
            self._explain(V, self._steps)
        self._last = (V, len(batch))
        out = V[plan.output_rows].T  # fancy indexing: already a copy
        if self.n_outputs == 1:
            out = out[:, 0]
            return float(out[0]) if single else out
        return out[0] if single else out

    def _run_steps(self, V: np.ndarray) -> None:
        theta, shared, rows = self.theta, self.plan.shared_steps, self.plan.shared_rows
        for k, step in enumerate(self._steps):
            try:
                # shared steps (no input read) compute sample 0's column only
                step.forward(V[:, :1] if k < shared else V, theta)
            except (ValueError, ZeroDivisionError, OverflowError):
                # an op without an array forward runs its scalar one, which raises
                self._explain(V, self._steps[:k], failed=step)
                raise
            if k == shared - 1 and V.shape[1] > 1 and len(rows):
                V[rows, 1:] = V[rows, :1]

    def _run_backward(self, V: np.ndarray, G: np.ndarray, gtheta: np.ndarray) -> None:
        theta, rows = self.theta, self.plan.shared_rows
        for step in self._sample_backward:
            step.backward(V, G, theta, gtheta)
        if self._shared_backward:
            if V.shape[1] > 1 and len(rows):
                G[rows, 0] = G[rows].sum(axis=1)  # every sample's share flows back once
            V0, G0 = V[:, :1], G[:, :1]
            for step in self._shared_backward:
                step.backward(V0, G0, theta, gtheta)

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
        V, n = self._last
        G = self._buffer(n)[1]
        G.fill(0.0)
        seed = self._seed(grad, n)
        if reduction == "mean":
            seed = seed / n
        self._output_rows.add(G, seed.T)
        gtheta = np.zeros(len(self.theta))
        if self.quiet:
            with np.errstate(all="ignore"):
                self._run_backward(V, G, gtheta)
        else:
            self._run_backward(V, G, gtheta)
        if len(self.plan.loose_rows):
            np.add.at(gtheta, self.plan.loose_params, G[self.plan.loose_rows].sum(axis=1))
        if self.wrt_inputs:
            self.input_grads = G[: self.n_inputs].T.copy()
        if not math.isfinite(gtheta.sum()) or (
                self.wrt_inputs and not math.isfinite(self.input_grads.sum())):
            gtheta = self._undefined_backward(V, seed, gtheta)
        if local.anomaly and not np.isfinite(gtheta).all():
            bad = int(np.flatnonzero(~np.isfinite(gtheta))[0])
            raise AnomalyError(
                f"detect_anomaly: compiled backward gave gradient {gtheta[bad]!r} for "
                f"parameter {bad} ({_describe(self.params[bad])})"
            )
        return gtheta

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
            found, _ = retrace_signature(self.fn, sample, self.trace.params)
            difference = signature_difference(self.trace.signature, found)
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

    def _buffer(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        if n not in self._buffers:
            if len(self._buffers) >= 2:  # a fit uses one batch size and maybe a last one
                self._buffers.pop(next(iter(self._buffers)))
            # zeros, not empty: shared rows leave columns 1.. unwritten, and the
            # finiteness test reads them
            V = np.zeros((self.plan.n_rows, n))
            for row, value in self.plan.constants:
                V[row] = value
            self._buffers[n] = (V, np.zeros_like(V))
        return self._buffers[n]

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

    def _undefined_backward(self, V: np.ndarray, seed: np.ndarray,
                            gtheta: np.ndarray) -> np.ndarray:
        """``gtheta``, or eager backward's if a derivative in the batch is undefined.

        Eager backward gives 0 where a gradient of 0 meets an undefined derivative (√ at
        0) and raises DomainError where a needed one does; numpy gives nan or inf. Only
        then is the batch replayed eagerly, sample by sample (``replay.eager_gradient``).
        """
        k = self.plan.shared_steps
        views = [V[:, :1]] * k + [V] * (len(self._steps) - k)
        if not has_undefined_derivative(self._steps, views):
            return gtheta  # the inf or nan eager backward gives too
        gtheta, input_grads = eager_gradient(self.trace, self.plan, self.theta,
                                             V[: self.n_inputs].T, seed, self.wrt_inputs)
        if self.wrt_inputs:
            self.input_grads = input_grads
        return gtheta

    def _explain(self, V: np.ndarray, done: list, failed: object = None) -> None:
        """Raise the error eager evaluation would have raised for this batch, if any."""
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


def _has_backward(step: object) -> bool:
    if isinstance(step, Elementwise):
        return bool(step.grad_positions)
    if isinstance(step, SegmentSum):
        return step.needs_grad
    return isinstance(step, Dense)
