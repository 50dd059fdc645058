"""Writing a compiled program as straight-line code: the lines and the names they use.

A Program's steps say what to compute; each writes its forward and backward as lines
of Python (``Step.emit_forward``/``emit_backward``) through an ``Emitter``, which names
the views, buffers and functions those lines use. ``kernel.Kernel`` compiles the lines
into one function per direction. The source text holds only names generated here and
fixed syntax; every number, array and op function reaches it through the function's
globals, so no user text (a label, a function or op name) is ever compiled.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from .steps import Rows

if TYPE_CHECKING:
    from .kernel import Kernel

__all__ = ["Emitter", "one_row", "slots"]


class Emitter:
    """Source lines for one generated function, and helpers the steps write them with.

    ``V`` and ``G`` are the matrices (or, for steps that read no input, their first
    column) a step's code runs on; ``step`` is the index of the step being emitted,
    kept per line so an exception can be traced back to the step that raised.
    """

    def __init__(self, kernel: Kernel, V: np.ndarray, G: np.ndarray) -> None:
        self.kernel = kernel
        self.V = V
        self.G = G
        self.lines: list[str] = []
        self.line_steps: list[int | None] = []
        self.step: int | None = None

    def bind(self, obj: object, hint: str = "c") -> str:
        """A fresh global name holding ``obj`` (``hint`` is one of our own letters)."""
        return self.kernel.bind(obj, hint)

    def emit(self, line: str) -> None:
        """Append one line of code (indented inside the function by ``function``)."""
        self.lines.append(line)
        self.line_steps.append(self.step)

    def value(self, rows: Rows, broadcast: bool = False) -> str:
        """The name of an array holding V[rows]: a view, or a buffer gathered into once.

        With ``broadcast``, one row named for every node is its (1, n) view.
        """
        if broadcast and one_row(rows):
            return self.kernel.view(self.V, slice(rows.index[0], rows.index[0] + 1), "v")
        return self._read(self.V, rows, "v")

    def grad(self, rows: Rows) -> str:
        """The name of a view of G[rows] (steps only read their own, contiguous, rows)."""
        assert isinstance(rows.index, slice)
        return self.kernel.view(self.G, rows.index, "g")

    def out(self, block: slice) -> str:
        """The name of a view of V[block]: the rows a step writes."""
        return self.kernel.view(self.V, block, "o")

    def upstream(self, block: slice) -> str:
        """The name of a view of G[block]: the gradient of the rows a step wrote."""
        return self.kernel.view(self.G, block, "u")

    def scratch(self, count: int) -> str:
        """A temporary of ``count`` rows, free again after the step's next line that uses it."""
        return self.kernel.scratch(count, self.V.shape[1])

    def _read(self, M: np.ndarray, rows: Rows, hint: str) -> str:
        if isinstance(rows.index, slice):
            if self.kernel.direct and M is self.kernel.V and rows.index.stop <= self.kernel.n_in:
                # the caller's inputs as they are (XT may be a transposed view of X)
                if (rows.index.start, rows.index.stop) == (0, self.kernel.n_in):
                    return "_x_in"
                return f"_x_in[{rows.index.start}:{rows.index.stop}]"
            return self.kernel.view(M, rows.index, hint)
        key = (id(M), id(rows))  # one gather buffer per step operand, filled by forward
        name = self.kernel.gathered.get(key)
        if name is None:
            buffer = np.empty((rows.count, M.shape[1]))
            name = self.kernel.gathered[key] = self.bind(buffer, "b")
            self.emit(f"_take({self.bind(M, 'm')}, {self.bind(rows.index, 'i')}, 0, "
                      f"{name}, 'clip')")
        return name

    def fresh(self, rows: Rows) -> bool:
        """Whether no gradient has reached ``rows`` yet in this backward (then mark them).

        A first contribution is written instead of added to the cleared zeros: one
        numpy call fewer. (0.0 + c is c except that −0.0 would become 0.0: only the
        sign of a zero gradient can differ from eager's.)
        """
        written = self.kernel.written
        named = set(slots(rows))
        # a row listed twice gets two adds (unless it is one row read by a whole group)
        fresh = (rows.unique or one_row(rows)) and not written & named
        written |= named
        return fresh

    def add(self, rows: Rows, contribution: str, subtract: bool = False,
            fresh: bool | None = None) -> None:
        """G[rows] += contribution (−= with ``subtract``); a row listed twice gets it twice.

        ``contribution`` has one row per entry of ``rows`` (or broadcasts to them).
        """
        if fresh is None:
            fresh = self.fresh(rows)
        ufunc = "_subtract" if subtract else "_add"
        if isinstance(rows.index, slice):
            target = self.kernel.view(self.G, rows.index, "g")
            if fresh and subtract:
                self.emit(f"_negative({contribution}, {target})")
            elif fresh:
                self.emit(f"{target}[...] = {contribution}")
            else:
                self.emit(f"{ufunc}({target}, {contribution}, {target})")
        elif one_row(rows):  # a row read by every node of a group: their sum, summed
            target = self.kernel.view(self.G, slice(rows.index[0], rows.index[0] + 1), "g")
            ufunc = "_subtract" if subtract else "_add"
            total = f"_sum({contribution}, 0, None, None, True)"
            if fresh:
                self.emit(f"{ufunc}(0.0, {total}, {target})")
            else:
                self.emit(f"{ufunc}({target}, {total}, {target})")
        elif rows.unique:
            G, index = self.bind(self.G, "m"), self.bind(rows.index, "i")
            if fresh:
                self.emit(f"{G}[{index}] = {'-' if subtract else ''}{contribution}")
            else:
                self.emit(f"{G}[{index}] {'-' if subtract else '+'}= {contribution}")
        else:
            G, index = self.bind(self.G, "m"), self.bind(rows.index, "i")
            self.emit(f"{ufunc}.at({G}, {index}, {contribution})")

    def add_product(self, rows: Rows, local: str, upstream: str) -> None:
        """G[rows] += local × upstream, ``local`` being what an op's ``local_grads`` gave.

        A float ±1 (the derivatives of + and −) adds or subtracts ``upstream`` as it is:
        1.0 × g is g bit for bit, and g − u is g + (−u). Anything else is multiplied
        into a scratch buffer first (or straight into fresh rows), so no array is
        allocated.
        """
        fresh = self.fresh(rows)
        d = self.kernel.local_name()
        self.emit(f"{d} = {local}")
        self.emit(f"if {d}.__class__ is float and {d} == 1.0:")
        self._nest(lambda e: e.add(rows, upstream, fresh=fresh))
        self.emit(f"elif {d}.__class__ is float and {d} == -1.0:")
        self._nest(lambda e: e.add(rows, upstream, subtract=True, fresh=fresh))
        self.emit("else:")
        if fresh and isinstance(rows.index, slice):
            self.emit(f"    _multiply({d}, {upstream}, {self.grad(rows)})")
        else:
            tmp = self.scratch(rows.count)
            self.emit(f"    _multiply({d}, {upstream}, {tmp})")
            self._nest(lambda e: e.add(rows, tmp, fresh=fresh))

    def _nest(self, fill: Callable[[Emitter], None]) -> None:
        """Emit, one level deeper, the lines ``fill`` writes."""
        inner = Emitter(self.kernel, self.V, self.G)
        inner.step = self.step
        fill(inner)
        for line in inner.lines:
            self.emit("    " + line)


def slots(rows: Rows) -> range | list[int]:
    """The row numbers ``rows`` names."""
    index = rows.index
    return range(index.start, index.stop) if isinstance(index, slice) else index.tolist()


def one_row(rows: Rows) -> bool:
    """Whether ``rows`` names one row several times (a group's shared operand)."""
    index = rows.index
    return not isinstance(index, slice) and len(index) > 1 and (index == index[0]).all()
