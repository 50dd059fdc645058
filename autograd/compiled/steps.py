"""The instructions of a compiled program: each one computes a whole group of nodes.

Every node's value lives in one row of a matrix ``V`` (one column per sample of the
batch); its gradient in the same row of ``G``. Parameters live in a flat vector
``theta`` (gradients in ``gtheta``). A step reads rows, writes its own contiguous
block of rows, and knows how to send gradients back to the rows it read. Forward
values and local derivatives come from the op table (``Op.vector_forward`` and
``Op.local_grads``), never from formulas written here.

A step does not run itself: it writes its forward and backward as lines of straight
code (``emit_forward``, ``emit_backward``) that ``kernel.Kernel`` compiles once per
batch size into one function per direction.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..ops import Op

__all__ = ["Rows", "Elementwise", "SegmentSum", "Dense"]


class Rows:
    """A set of rows of ``V``/``G``: a slice when contiguous (no copy), else an index array."""

    __slots__ = ("index", "unique", "count")

    def __init__(self, slots: Sequence[int]) -> None:
        slots = np.asarray(slots, dtype=np.intp)
        self.count = len(slots)
        start = int(slots[0]) if self.count else 0
        if self.count and np.array_equal(slots, np.arange(start, start + self.count)):
            self.index: slice | np.ndarray = slice(start, start + self.count)
        else:
            self.index = slots
        self.unique = len(np.unique(slots)) == self.count

    def add(self, G: np.ndarray, contribution: np.ndarray) -> None:
        """G[rows] += contribution, counting a row listed twice twice (``x*x``)."""
        if self.unique:
            G[self.index] += contribution
        else:
            np.add.at(G, self.index, contribution)


class Elementwise:
    """``out[j] = op(args[0][j], args[1][j], …)`` for every node j of the group."""

    __slots__ = ("op", "out", "args", "grad_positions", "nodes", "_forward")

    def __init__(
        self, op: Op, out: slice, args: list[Rows | float], grad_positions: list[int],
        nodes: list,
    ) -> None:
        self.op = op
        self.out = out
        self.args = args  # a float: the same constant for the whole group, broadcast
        self.grad_positions = grad_positions
        self.nodes = nodes  # the traced Values, for error messages
        self._forward = op.array_forward or op.vector_forward

    def read(self, V: np.ndarray) -> list:
        """The step's operands in V: arrays of rows, or the float constants."""
        return [a if type(a) is float else V[a.index] for a in self.args]

    def reads(self) -> list[Rows]:
        """The rows of V the forward reads."""
        return [a for a in self.args if type(a) is not float]

    def writes_theta(self) -> slice:
        """The entries of gtheta the backward writes (none: it adds into G)."""
        return slice(0, 0)

    def _operands(self, e) -> list[str]:
        # an operand row shared by the whole group is read once and broadcast
        return [e.bind(a, "k") if type(a) is float else e.value(a, broadcast=True)
                for a in self.args]

    def emit_forward(self, e, kernel) -> None:
        """out = op(*operands), into the group's rows (in place when the op is a ufunc)."""
        f = self._forward
        call = f"{e.bind(f, 'f')}({', '.join(self._operands(e))}"
        out = e.out(self.out)
        if isinstance(f, np.ufunc) and f.nout == 1 and f.nin == len(self.args):
            e.emit(f"{call}, {out})")
        else:
            e.emit(f"{out}[...] = {call})")

    def emit_backward(self, e, kernel) -> None:
        """Add local derivative × upstream gradient into each input row (chain rule)."""
        if not self.grad_positions:
            return
        local = kernel.local_name()
        operands = ", ".join(self._operands(e))
        e.emit(f"{local} = {e.bind(self.op.local_grads, 'f')}({operands}, {e.out(self.out)})")
        upstream = e.upstream(self.out)
        for k in self.grad_positions:
            e.add_product(self.args[k], f"{local}[{k}]", upstream)


class SegmentSum:
    """``out[j] = Σ rows of segment j``: a layer of n-ary ``sum`` nodes in one reduction.

    Summed strictly left to right, as Python's ``sum`` does: ``np.add.accumulate`` over
    the segments laid side by side (short ones padded with the row of zeros). numpy's
    ``reduce``/``reduceat`` may add in another order, which after cancellation
    (1 + x − 1) differs by more than rounding.
    """

    __slots__ = ("out", "flat", "columns", "counts", "needs_grad", "nodes")

    def __init__(self, out: slice, segments: list[list[int]], needs_grad: bool, nodes: list,
                 zero_row: int) -> None:
        self.out = out
        self.flat = Rows([s for segment in segments for s in segment])
        self.counts = np.array([len(segment) for segment in segments], dtype=np.intp)
        width = max(len(segment) for segment in segments)
        padded = [segment + [zero_row] * (width - len(segment)) for segment in segments]
        self.columns = np.array(padded, dtype=np.intp).T  # (terms, sums): term k of each
        self.needs_grad = needs_grad
        self.nodes = nodes

    def writes_theta(self) -> slice:
        """The entries of gtheta the backward writes (none: it adds into G)."""
        return slice(0, 0)

    def reads(self) -> list[Rows]:
        """The rows of V the forward reads."""
        if len(self.counts) == 1 and isinstance(self.flat.index, slice):
            return [self.flat]
        return [Rows(self.columns.ravel())]

    def emit_forward(self, e, kernel) -> None:
        """Sum each segment of input rows into its output row, first term first."""
        terms, sums = self.columns.shape
        if sums == 1 and isinstance(self.flat.index, slice):
            rows = e.value(self.flat)  # one sum over consecutive rows: a view, no gather
            partial = e.bind(np.empty((terms, e.V.shape[1])), "b")
        else:
            rows = e.bind(np.empty((terms, sums, e.V.shape[1])), "b")
            e.emit(f"_take({e.bind(e.V, 'm')}, {e.bind(self.columns, 'i')}, 0, {rows}, 'clip')")
            partial = rows
        e.emit(f"_accumulate({rows}, 0, None, {partial})")
        e.emit(f"{e.out(self.out)}[...] = {partial}[-1]")

    def emit_backward(self, e, kernel) -> None:
        """∂(Σ aᵢ)/∂aᵢ = 1 (the op table's rule): every input row gets the upstream gradient."""
        if not self.needs_grad:
            return
        upstream = e.upstream(self.out)
        if len(self.counts) == 1 and self.flat.unique:  # the upstream row broadcasts
            e.add(self.flat, upstream)
        else:
            e.add(self.flat, f"_repeat({upstream}, {e.bind(self.counts, 'i')}, 0)")


class Dense:
    """A layer of ``sum(w_jk × x_k for k) + rest_j`` nodes as one matrix product.

    ``W`` (rows: the sums, columns: the shared operands ``x``) is a contiguous block of
    ``theta``, so reading it costs nothing; an optional ``bias`` block holds one
    parameter per sum; any other summands (``rest``) are gathered rows, padded with a
    row of zeros to the same count.
    """

    __slots__ = (
        "out", "x", "w", "shape", "bias", "rest", "rest_width", "x_needs_grad",
        "rest_needs_grad", "nodes",
    )

    def __init__(
        self, out: slice, x: Rows, w: slice, shape: tuple[int, int], bias: slice | None,
        rest: Rows | None, rest_width: int, x_needs_grad: bool, rest_needs_grad: bool,
        nodes: list,
    ) -> None:
        self.out = out
        self.x = x
        self.w = w
        self.shape = shape
        self.bias = bias
        self.rest = rest
        self.rest_width = rest_width
        self.x_needs_grad = x_needs_grad
        self.rest_needs_grad = rest_needs_grad
        self.nodes = nodes

    def writes_theta(self) -> np.ndarray:
        """The entries of gtheta the backward writes (not adds): its W and bias blocks."""
        blocks = [np.arange(self.w.start, self.w.stop)]
        if self.bias is not None:
            blocks.append(np.arange(self.bias.start, self.bias.stop))
        return np.concatenate(blocks)

    def reads(self) -> list[Rows]:
        """The rows of V the forward reads."""
        return [self.x] + ([self.rest] if self.rest is not None else [])

    def emit_forward(self, e, kernel) -> None:
        """out = W @ x (+ bias) (+ Σ rest), for every sample at once."""
        W = e.bind(kernel.theta[self.w].reshape(self.shape), "w")
        out = e.out(self.out)
        e.emit(kernel.product(W, e.value(self.x), out))
        if self.bias is not None:
            e.emit(f"_add({out}, {e.bind(kernel.theta[self.bias][:, None], 'w')}, {out})")
        if self.rest is not None:
            rows = e.value(self.rest)
            e.emit(f"_add({out}, {rows}.reshape({self.shape[0]}, {self.rest_width}, -1)"
                   f".sum(axis=1), {out})")

    def emit_backward(self, e, kernel) -> None:
        """∂/∂w_jk = x_k and ∂/∂x_k = w_jk (the table's mul rule), summed over the batch."""
        upstream = e.upstream(self.out)
        # Written, not added: a Dense step is the only writer of its W and bias blocks.
        x = e.value(self.x)
        grad_w = e.bind(kernel.gtheta[self.w].reshape(self.shape), "w")
        x_T = e.bind(kernel.namespace[x].T, "v") if x in kernel.namespace else f"{x}.T"
        e.emit(kernel.product(upstream, x_T, grad_w))
        if self.bias is not None:
            grad_b = e.bind(kernel.gtheta[self.bias], "w")
            if kernel.namespace[upstream].shape[1] == 1:  # one sample: its column is the sum
                e.emit(f"{grad_b}[...] = {e.bind(kernel.namespace[upstream][:, 0], 'u')}")
            else:
                e.emit(f"_sum({upstream}, 1, None, {grad_b})")
        if self.x_needs_grad:
            W_T = e.bind(kernel.theta[self.w].reshape(self.shape).T, "w")
            if isinstance(self.x.index, slice) and e.fresh(self.x):  # straight into G
                e.emit(kernel.product(W_T, upstream, e.grad(self.x)))
            else:
                tmp = e.scratch(self.shape[1])
                e.emit(kernel.product(W_T, upstream, tmp))
                e.add(self.x, tmp)
        if self.rest_needs_grad:
            e.add(self.rest, f"_repeat({upstream}, {self.rest_width}, 0)")
