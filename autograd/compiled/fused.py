"""One per-sample training step — model forward, loss, model backward — as one function.

Per-sample training is bound by Python's overhead between numpy calls, not by the
calls. ``FusedStep`` splices the lines a model's kernel and a loss's kernel generate
(see ``kernel``) into one function per loss program: the model's forward on the
sample, its gradient rows cleared, the loss on the outputs (maybe max-shifted), the
loss's backward writing ∂loss/∂outputs into the model's output gradient rows, the
model's backward. The four finiteness sums come back together and are looked at in
eager order only when one of them is not finite, so errors are the ones the separate
calls (``Program.run``, ``run_loss``, ``run_backward``) give.
"""

from __future__ import annotations

import math
import re

import numpy as np

from ..modes import local
from .emit import Emitter
from .kernel import Kernel
from .program import Program

__all__ = ["FusedStep"]

_NAME = re.compile(r"\b_([a-z])(\d+)\b")  # the globals a kernel binds: _v12, _w3, …


def _renamed(part: Emitter, tag: str, inputs: str) -> tuple[list[str], list[int | None]]:
    """A part's lines and their steps, the kernel's globals tagged (two kernels' names
    cannot clash) and its ``_x_in`` (the inputs it reads) a local of the fused function."""
    lines, steps = [], []
    for line, step in zip(part.lines, part.line_steps, strict=True):
        if line.strip() == "global _x_in":
            continue
        line = _NAME.sub(lambda m: f"_{m.group(1)}{tag}{m.group(2)}", line)
        lines.append(line.replace("_x_in", inputs))
        steps.append(step)
    return lines, steps


class FusedStep:
    """``step(XT)`` for one sample XT (inputs × 1): the loss, after forward and backward.

    Afterwards the model's kernel holds the gradient (``gtheta``) for the optimizer, as
    after ``Program.run`` and ``Program.run_backward``.
    """

    def __init__(self, model: Program, loss: Program, shifted: bool,
                 picked: bool = False) -> None:
        self.model, self.loss = model, loss
        self.mk, self.lk = model.kernel(1), loss.kernel(1)
        mk, lk = self.mk, self.lk
        # every part first: building them binds names in the kernels' namespaces
        head, glue, tail = (Emitter(mk, mk.V, mk.G) for _ in range(3))
        if not mk.direct:  # the model reads its inputs from V: copy them there
            head.emit(f"{mk.bind(mk.inputs, 'v')}[...] = xm")
        glue.emit(f"f1 = {mk.forward_total}")
        glue.lines += mk.clear_body.lines
        glue.line_steps += mk.clear_body.line_steps
        glue.emit(f"Z, dZ, scale = {mk.bind(mk.outputs, 'o')}, {mk.bind(mk.seed, 'g')}, None")
        if picked:  # one output per class: the sample's own is ``column``
            glue.emit(f"columns, samples = column, {mk.bind(np.zeros(1, np.intp), 'i')}")
        tail.lines += mk.backward_body.lines
        tail.line_steps += [None] * len(mk.backward_body.lines)
        tail.emit(f"return f1, f, b, {mk.backward_total}, losses")
        loss_head, loss_forward, *loss_rest = lk.loss_parts(shifted, picked)
        parts = [(head, "m", None, "xm"), (mk.forward_body, "m", mk, "xm"),
                 (glue, "m", None, "xm"), (loss_head, "l", None, "xl"),
                 (loss_forward, "l", lk, "xl"), *((p, "l", None, "xl") for p in loss_rest),
                 (tail, "m", None, "xm")]
        lines: list[str] = []
        owners: list[tuple[Kernel | None, int | None]] = []
        for part, tag, kernel, inputs in parts:
            part_lines, steps = _renamed(part, tag, inputs)
            lines += part_lines
            owners += [(kernel, step) for step in steps]
        names: dict[str, object] = {}
        for kernel, tag in ((mk, "m"), (lk, "l")):
            for key, value in kernel.namespace.items():
                names[_NAME.sub(lambda m, t=tag: f"_{m.group(1)}{t}{m.group(2)}", key)] = value
        body = "\n".join("    " + line for line in lines)
        code = compile(f"def step(xm, column):\n{body}\n", "<autograd.compiled step>", "exec")
        exec(code, names)  # noqa: S102 - generated from the kernels' own lines (see kernel)
        self.run = names["step"]
        # an exception on a line of the model's or the loss's forward names its step
        for kernel in (mk, lk):
            kernel.line_steps[self.run.__code__] = [
                step if owner is kernel else None for owner, step in owners]
        self.loss_grads = lk.G[: loss.n_inputs]

    def __call__(self, XT: np.ndarray, column: np.ndarray | None = None) -> float:
        """Forward, loss and backward for one sample; its loss (errors as eager's).

        With one output per class, ``column`` (shape (1,)) picks the sample's.
        """
        model, loss, mk, lk = self.model, self.loss, self.mk, self.lk
        try:
            if model.quiet:
                with np.errstate(all="ignore"):
                    totals = self.run(XT, column)
            else:
                totals = self.run(XT, column)
        except (ValueError, ZeroDivisionError, OverflowError) as exc:
            self._sync(XT)
            model._explain_failure(mk, exc)
            loss._explain_failure(lk, exc)
            raise
        self._sync(XT)
        model._last, loss._last = mk, lk
        forward, loss_forward, loss_backward, backward, losses = totals
        if not math.isfinite(forward + loss_forward + loss_backward + backward) \
                or local.anomaly:  # rare: look at each, in eager's order
            if not math.isfinite(forward):
                model._explain(mk, model._steps)
            if not math.isfinite(loss_forward):
                loss._explain(lk, loss._steps)
            if loss._check_backward(lk, loss_backward) or not math.isfinite(loss_backward):
                # the loss's gradient was eager's (an undefined derivative) or not finite:
                # the model's backward again, from it, as the separate calls would run it
                mk.clear()
                np.add(mk.seed, lk.G[: loss.n_inputs], out=mk.seed)
                model.run_backward(mk)
            else:
                model._check_backward(mk, backward)
        return float(losses[0])

    def _sync(self, XT: np.ndarray) -> None:
        """What the kernels' own functions and explanations read as their inputs."""
        if self.mk.direct:
            self.mk.namespace["_x_in"] = XT
        if self.lk.direct:
            self.lk.namespace["_x_in"] = self.lk.inputs
