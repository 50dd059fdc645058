"""Compiling a loss per target, and checking the program against eager evaluation.

A candidate program for one target is traced as the loss is written, or on outputs
with their largest value already subtracted (a shift-invariant loss like
``cross_entropy``, whose shift is a constant computed from the outputs). It is kept
only if its graph is the eager one and its numbers match eager at the traced row and at
variant rows (see ``variant_rows``); for a few classes, one program gives every class's
loss at once; for many real-valued targets (a regression), one program takes the
target as one more input. ``LossHead`` runs what this module compiles.
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING

import numpy as np

from ..value import Value
from . import compile
from .program import Program
from .trace import StructureError

if TYPE_CHECKING:
    from .losshead import LossHead

__all__ = ["target_key", "variant_rows", "compile_target", "compile_every_target",
           "compile_by_value", "target_rows", "run_target", "run_every", "run_by_value",
           "close"]

Combined = tuple[Program, bool, dict[object, int]]


def _is_real(t: object) -> bool:
    return isinstance(t, numbers.Real) and not isinstance(t, bool)


def target_key(t: object) -> object:
    """A hashable stand-in for a target: the loss graph is cached per target."""
    if _is_real(t):
        return (type(t).__name__, t)
    try:
        return ("seq", tuple(t))
    except TypeError:
        return ("obj", id(t))


def variant_rows(row: list[float]) -> list[list[float]]:
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


def compile_target(head: LossHead, row: list[float], t: object
                   ) -> tuple[Program, bool] | None:
    """A program for target ``t`` (maybe on max-shifted rows), or None to stay eager."""
    def per_target(*zs: Value) -> Value:
        return head.loss(zs[0] if head.single else list(zs), t)

    per_target.__name__ = head.name
    for shifted in (False, True):
        try:
            start = [z - max(row) for z in row] if shifted else row
            program = compile(per_target, start, wrt_inputs=True)
        except (ValueError, TypeError, ArithmeticError):
            return None  # the eager path will raise the user's real error
        if _holds(head, program, shifted, row, t):
            program.quiet = False  # fit runs inside np.errstate
            return program, shifted
    return None

def _holds(head: LossHead, program: Program, shifted: bool, row: list[float], t: object) -> bool:
    """Whether the program's graph and numbers match eager at ``row`` and its variants.

    Graphs first, each distinct row once (a loss that depends on the outputs mostly
    fails there, before a number is computed), then the numbers.
    """
    in_domain: dict[bytes, bool] = {}
    kept = []
    for variant in [row, *variant_rows(row)]:
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
            if not _agrees(head, program, shifted, variant, t):
                return False
        except (ValueError, TypeError, ArithmeticError):
            continue  # no evidence either way
    return True

def _agrees(head: LossHead, program: Program, shifted: bool, row: list[float], t: object) -> bool:
    want, want_grad = head.eager(row, t, True)
    loss_, grads = run_target(program, shifted, np.array(row)[:, None], True)
    return _same(loss_[0], grads[:, 0], want, want_grad)

def _same(loss_: float, grads, want: float, want_grad: list) -> bool:
    """Whether a compiled loss and its gradient are eager's (to ``close``)."""
    scale = max(abs(g) for g in want_grad)
    return close(loss_, want, abs(want)) and all(
        close(a, b, scale) for a, b in zip(grads, want_grad, strict=True))

def run_target(program: Program, shifted: bool, Z: np.ndarray, want_grad: bool):
    """(losses, ∂loss/∂Z or None) of a per-target program on outputs Z (outputs ×
    samples). Views of the program's buffers: read them before its next run."""
    return _losses(program, load(program, shifted, Z), program.n_inputs, want_grad)

def _losses(program: Program, kernel, k: int, want_grad: bool):
    """The losses of a loss program's forward just run, and (want_grad) its backward's
    gradient for the first ``k`` inputs, seeded with ∂loss/∂loss = 1 for every sample."""
    losses = kernel.V[program.plan.output_rows[0]]
    if not want_grad:
        return losses, None
    kernel.clear()
    np.add(kernel.seed, 1.0, out=kernel.seed)
    program.run_backward(kernel)
    return losses, kernel.G[:k]

def run_every(combined: Combined, Z: np.ndarray, columns: np.ndarray, want_grad: bool):
    """(losses, ∂loss/∂Z or None) for outputs Z (outputs × samples) by the combined
    program, sample j's loss being its output ``columns[j]``. Views of its buffers."""
    program, shifted, _ = combined
    kernel = load(program, shifted, Z)
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

def compile_every_target(head: LossHead, model: Program, X: np.ndarray, targets: list,
                         first: dict[object, int]) -> Combined | None:
    """One program giving the loss for every distinct target at once, or None.

    For a few distinct targets (class indices), a batch then costs one forward and
    one backward of the loss instead of one per class present: output k is the loss
    for target k, and the backward seeds 1 at each sample's own target, 0 elsewhere
    (adding zeros leaves every gradient's bits as the per-target program's). ``first``
    maps each target's key to its first sample.
    """
    index = list(first.values())  # the first sample of each target, in output order
    rows = np.asarray(model.forward(X[index]), dtype=float).reshape(len(index), -1)
    kinds = set()
    for (key, i), row in zip(first.items(), rows, strict=True):
        if key not in head.cache:
            head.cache[key] = head._compile(row.tolist(), targets[i])
        if head.cache[key] is None:
            return None
        kinds.add(head.cache[key][1])
    if len(kinds) != 1:
        return None
    shifted = kinds.pop()
    classes = [targets[i] for i in index]

    def every_target(*zs: Value) -> list[Value]:
        prediction = zs[0] if head.single else list(zs)
        return [head.loss(prediction, t) for t in classes]

    every_target.__name__ = head.name
    shown = rows - rows.max(axis=1, keepdims=True) if shifted else rows
    try:
        program = compile(every_target, shown[0], check=shown[1:4], wrt_inputs=True)
    except (StructureError, ValueError, TypeError, ArithmeticError):
        return None
    columns = {key: k for k, key in enumerate(first)}
    candidate = (program, shifted, columns)
    for k, (row, t) in enumerate(zip(rows, classes, strict=True)):
        want, want_grad = head.eager(row.tolist(), t, True)
        losses, grads = run_every(candidate, row[:, None], np.array([k]), True)
        if not _same(losses[0], grads[:, 0], want, want_grad):
            return None
    program.quiet = False  # fit runs inside np.errstate
    return candidate


def target_shape(targets: list) -> tuple[int, bool] | None:
    """(numbers per target, whether each is a bare number): (1, True) for numbers,
    (k, False) for k-number lists, the same for every target; None otherwise."""
    if all(_is_real(t) for t in targets):
        return 1, True
    widths = set()
    for t in targets:
        if isinstance(t, (str, bytes)) or not hasattr(t, "__len__"):
            return None
        if not all(_is_real(x) for x in t):
            return None
        widths.add(len(t))
    return (widths.pop(), False) if len(widths) == 1 and 0 not in widths else None


def target_rows(targets: list, width: int, scalar: bool) -> np.ndarray | None:
    """The targets as rows (width × samples) for a by-value program, or None if one does
    not fit (then the caller takes the per-target path)."""
    try:
        rows = np.array(targets, dtype=float)
    except (TypeError, ValueError):
        return None
    if scalar and rows.ndim == 1:
        return rows[None, :]
    if not scalar and rows.ndim == 2 and rows.shape[1] == width:
        return rows.T
    return None


def compile_by_value(head: LossHead, model: Program, X: np.ndarray, targets: list
                     ) -> tuple[Program, int, bool] | None:
    """One program of the loss with the target as more inputs: (program, width, scalar).

    For a regression every target differs, so a program per target would not pay. The
    loss is traced with Values for the target (``nn``'s squared errors accept them), on
    rows spread over the data, and kept only if its graph is the same for each of them
    and its numbers match eager at each (a loss that reads ``float(t)`` fails there).
    None: the loss runs eagerly, as before.
    """
    shape = target_shape(targets) if len(targets) else None
    if shape is None:
        return None
    width, scalar = shape
    picks = sorted(set(np.linspace(0, len(targets) - 1, 9).round().astype(int).tolist()))
    outputs = np.asarray(model.forward(X[picks]), dtype=float).reshape(len(picks), -1)
    n_out = outputs.shape[1]
    samples = []
    for i, row in zip(picks, outputs.tolist(), strict=True):
        t = [float(targets[i])] if scalar else [float(x) for x in targets[i]]
        samples.append(row + t)
        samples.extend(v + t for v in variant_rows(row)[-8:])  # the constant sweep

    def by_value(*zs: Value) -> Value:
        prediction = zs[0] if head.single else list(zs[:n_out])
        return head.loss(prediction, zs[n_out] if scalar else list(zs[n_out:]))

    by_value.__name__ = head.name
    try:
        program = compile(by_value, samples[0], check=samples[1:], wrt_inputs=True)
    except (StructureError, ValueError, TypeError, ArithmeticError):
        return None
    for sample in samples:
        row, t = sample[:n_out], sample[n_out:]
        try:
            want, want_grad = head.eager(row, t[0] if scalar else t, True)
        except (ValueError, TypeError, ArithmeticError):
            continue  # outside the loss's domain: no evidence either way
        losses, grads = run_by_value(program, np.array(row)[:, None], np.array(t)[:, None], True)
        if not _same(losses[0], grads[:, 0], want, want_grad):
            return None
    program.quiet = False  # fit runs inside np.errstate
    return program, width, scalar


def run_by_value(program: Program, Z: np.ndarray, T: np.ndarray, want_grad: bool):
    """(losses, ∂loss/∂Z or None) of a by-value program on outputs Z and targets T (rows ×
    samples). Views of the program's buffers: read them before its next run."""
    kernel = program.kernel(Z.shape[1])
    k = Z.shape[0]
    np.copyto(kernel.inputs[:k], Z)
    np.copyto(kernel.inputs[k:], T)
    program.run(None, kernel)
    return _losses(program, kernel, k, want_grad)


def load(program: Program, shifted: bool, Z: np.ndarray):
    """Run ``program`` forward on outputs Z (maybe max-shifted per sample); its kernel."""
    kernel = program.kernel(Z.shape[1])
    if shifted:
        np.subtract(Z, Z.max(axis=0), out=kernel.inputs)
    else:
        np.copyto(kernel.inputs, Z)
    program.run(None, kernel)
    return kernel


def close(a: float, b: float, scale: float) -> bool:
    # Loose on purpose: a wrong graph is off by far more, while numpy's and libm's exp
    # and log may differ by an ulp, which log(1 + tiny) turns into ~1e-12 relative.
    # nan and nan agree (nan outputs give nan losses both ways), as do equal infinities.
    if a == b or (a != a and b != b):
        return True
    return abs(a - b) <= 1e-8 * max(abs(a), abs(b), scale, 1e-300)
