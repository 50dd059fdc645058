"""The instructions of a compiled program: each one computes a whole group of nodes.

Every node's value lives in one row of a matrix ``V`` (one column per sample of the
batch); its gradient in the same row of ``G``. Parameters live in a flat vector
``theta`` (gradients in ``gtheta``). A step reads rows, writes its own contiguous
block of rows, and knows how to send gradients back to the rows it read. Forward
values and local derivatives come from the op table (``Op.vector_forward`` and
``Op.local_grads``), never from formulas written here.
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

    __slots__ = ("op", "out", "args", "grad_positions", "nodes", "_read", "_forward")

    def __init__(
        self, op: Op, out: slice, args: list[Rows | float], grad_positions: list[int],
        nodes: list,
    ) -> None:
        self.op = op
        self.out = out
        self.args = args  # a float: the same constant for the whole group, broadcast
        self.grad_positions = grad_positions
        self.nodes = nodes  # the traced Values, for error messages
        self._read: list = []
        self._forward = op.array_forward or op.vector_forward

    def forward(self, V: np.ndarray, theta: np.ndarray) -> None:
        """Compute the group's rows from its inputs' rows."""
        read = [a if type(a) is float else V[a.index] for a in self.args]
        self._read = read  # backward needs the same inputs again
        V[self.out] = self._forward(*read)

    def backward(self, V: np.ndarray, G: np.ndarray, theta: np.ndarray, gtheta: np.ndarray) -> None:
        """Add local derivative × upstream gradient into each input row (chain rule)."""
        local = self.op.local_grads(*self._read, V[self.out])
        upstream = G[self.out]
        for k in self.grad_positions:
            self.args[k].add(G, local[k] * upstream)


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

    def forward(self, V: np.ndarray, theta: np.ndarray) -> None:
        """Sum each segment of input rows into its output row, first term first."""
        V[self.out] = np.add.accumulate(V[self.columns], axis=0)[-1]

    def backward(self, V: np.ndarray, G: np.ndarray, theta: np.ndarray, gtheta: np.ndarray) -> None:
        """∂(Σ aᵢ)/∂aᵢ = 1 (the op table's rule): every input row gets the upstream gradient."""
        if self.needs_grad:
            self.flat.add(G, np.repeat(G[self.out], self.counts, axis=0))


class Dense:
    """A layer of ``sum(w_jk × x_k for k) + rest_j`` nodes as one matrix product.

    ``W`` (rows: the sums, columns: the shared operands ``x``) is a contiguous block of
    ``theta``, so reading it costs nothing; an optional ``bias`` block holds one
    parameter per sum; any other summands (``rest``) are gathered rows, padded with a
    row of zeros to the same count.
    """

    __slots__ = (
        "out", "x", "w", "shape", "bias", "rest", "rest_width", "x_needs_grad",
        "rest_needs_grad", "nodes", "_x",
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
        self._x = None

    def forward(self, V: np.ndarray, theta: np.ndarray) -> None:
        """out = W @ x (+ bias) (+ Σ rest), for every sample at once."""
        x = V[self.x.index]
        self._x = x
        out = V[self.out]
        np.matmul(theta[self.w].reshape(self.shape), x, out=out)
        if self.bias is not None:
            out += theta[self.bias][:, None]
        if self.rest is not None:
            rows = V[self.rest.index]
            out += rows.reshape(self.shape[0], self.rest_width, -1).sum(axis=1)

    def backward(self, V: np.ndarray, G: np.ndarray, theta: np.ndarray, gtheta: np.ndarray) -> None:
        """∂/∂w_jk = x_k and ∂/∂x_k = w_jk (the table's mul rule), summed over the batch."""
        upstream = G[self.out]
        # Written, not added: a Dense step is the only writer of its W and bias blocks.
        np.matmul(upstream, self._x.T, out=gtheta[self.w].reshape(self.shape))
        if self.bias is not None:
            np.sum(upstream, axis=1, out=gtheta[self.bias])
        if self.x_needs_grad:
            self.x.add(G, theta[self.w].reshape(self.shape).T @ upstream)
        if self.rest_needs_grad:
            self.rest.add(G, np.repeat(upstream, self.rest_width, axis=0))
