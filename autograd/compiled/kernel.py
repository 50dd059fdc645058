"""A compiled program's buffers for one batch size, and the code generated to run on them.

Once per batch size, the steps' lines (see ``emit``) become plain Python functions —
``forward``, ``backward``, ``clear`` and, for losses, ``loss_step`` — whose bodies are
numpy calls on views of the value matrix ``V``, the gradient matrix ``G`` and
``theta`` made once, here: no loop over steps, no slicing and no gradient arrays
allocated at run time.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .emit import Emitter, slots
from .steps import Rows

__all__ = ["Kernel"]

_COMPILED: dict[str, object] = {}  # generated source → its compiled code


class Kernel:
    """Buffers for batches of ``n`` samples and the generated code that runs on them.

    ``forward(XT)`` copies XT (inputs × samples) into V's input rows (unless it is
    None: the caller wrote them) and returns the sum of every computed row, a single
    number whose finiteness tells whether any value is inf or nan. ``backward()``
    expects G cleared (``clear``) and seeded, writes ``gtheta`` and returns the sum of
    G in the same way.
    """

    def __init__(self, plan, theta: np.ndarray, n: int, wrt_inputs: bool) -> None:
        self.n = n
        self.namespace: dict[str, object] = {
            "_np": np, "_take": np.take, "_add": np.add, "_subtract": np.subtract,
            "_multiply": np.multiply, "_matmul": np.matmul, "_dot": np.dot,
            "_negative": np.negative, "_maximum_reduce": np.maximum.reduce,
            "_isfinite": math.isfinite,
            "_sum": np.add.reduce, "_accumulate": np.add.accumulate, "_repeat": np.repeat,
        }
        self.views: dict[tuple, str] = {}
        self.gathered: dict[tuple, str] = {}
        self._scratch = np.empty((max(plan.n_rows, 1), n))
        self._locals = 0
        self.written: set[int] = set()  # G rows a backward has given a gradient so far
        self.line_steps: dict[object, list[int | None]] = {}  # per generated function
        self.theta = theta
        self.V = np.zeros((plan.n_rows, n))
        # zeros, not empty: shared rows leave columns 1.. unwritten, and the
        # finiteness test reads them
        for row, value in plan.constants:
            self.V[row] = value
        self.G = np.zeros_like(self.V)
        self.gtheta = np.zeros(len(theta))
        first = 0 if wrt_inputs else plan.n_inputs
        self.first_grad = first  # input rows get gradients only with wrt_inputs
        self.split = plan.split if plan.split is not None else plan.n_rows
        self.inputs = self.V[: plan.n_inputs]
        self.n_in = plan.n_inputs
        self.direct = self._reads_inputs_directly(plan)
        out = Rows(plan.output_rows)
        # views of the outputs and their gradient rows, when one slice holds them
        self.outputs = self.V[out.index] if isinstance(out.index, slice) else None
        self.seed = self.G[out.index] if isinstance(out.index, slice) else None
        self._build(plan)

    # --- names for the generated code -------------------------------------------------

    def bind(self, obj: object, hint: str) -> str:
        name = f"_{hint}{len(self.namespace)}"
        self.namespace[name] = obj
        return name

    def view(self, M: np.ndarray, block: slice, hint: str) -> str:
        """A global name for the view M[block], made once."""
        key = (id(M), block.start, block.stop)
        if key not in self.views:
            self.views[key] = self.bind(M[block], hint)
        return self.views[key]

    def rows(self, M: np.ndarray, rows: np.ndarray, columns: slice | int = slice(None),
             target: bool = False) -> str:
        """An expression for M[rows, columns] (``target``: to assign to): a view made once
        when the rows are consecutive, else fancy indexing."""
        start = int(rows[0]) if len(rows) else 0
        if len(rows) and np.array_equal(rows, np.arange(start, start + len(rows))):
            view = self.bind(M[start:start + len(rows), columns], "v")
            return f"{view}[...]" if target else view
        return f"{self.bind(M, 'm')}[{self.bind(rows, 'i')}, {self.bind(columns, 'k')}]"

    def scratch(self, count: int, columns: int) -> str:
        return self.bind(self._scratch[:count, :columns], "t")

    def total(self, M: np.ndarray, first: int) -> str:
        """An expression summing M's live entries (rows ``first``..): inf or nan in, inf
        or nan out. Rows from ``split`` count in their first column only.

        A dot product with ones (one BLAS call) costs half of ``np.add.reduce``.
        """
        parts = [M[first:self.split].reshape(-1), M[self.split:, 0]]
        return " + ".join(f"{self.bind(flat, 'v')}.dot({self.bind(np.ones(len(flat)), 'k')})"
                          for flat in parts if len(flat))  or "0.0"

    def product(self, a: str, b: str, out: str) -> str:
        """A line writing the matrix product a @ b into ``out``.

        ``np.dot`` has less overhead than ``np.matmul`` but needs a C-contiguous ``out``
        (the first column only, for steps that read no input, is not).
        """
        if self.namespace[out].flags.c_contiguous:
            return f"_dot({a}, {b}, {out})"
        return f"_matmul({a}, {b}, out={out})"

    def local_name(self) -> str:
        self._locals += 1
        return f"d{self._locals}"

    # --- building --------------------------------------------------------------------

    def _reads_inputs_directly(self, plan) -> bool:
        """Whether every read of an input row is a slice of them: then the steps read the
        caller's XT as it is and V's input rows are filled only to explain an error."""
        for rows in [Rows(plan.output_rows), *(r for step in plan.steps for r in step.reads())]:
            index = rows.index
            if isinstance(index, slice):
                if index.start < self.n_in < index.stop:
                    return False
            elif (index < self.n_in).any():
                return False
        return bool((plan.output_rows >= self.n_in).all())  # outputs are read from V

    def sync_inputs(self) -> None:
        """Copy the last forward's inputs into V (error explanations read them there)."""
        if self.direct:
            inputs = self.namespace.get("_x_in")
            if inputs is not None and inputs is not self.inputs:
                self.inputs[...] = inputs

    def _build(self, plan) -> None:
        V, G, shared = self.V, self.G, plan.shared_steps
        V0, G0 = V[:, :1], G[:, :1]  # steps that read no input run on sample 0 only
        fwd, bwd = Emitter(self, V, G), Emitter(self, V, G)
        if len(plan.loose_rows):  # parameters that element-wise steps read as rows
            values = np.empty(len(plan.loose_params))
            fwd.emit(f"_take({self.bind(self.theta, 'm')}, "
                     f"{self.bind(plan.loose_params, 'i')}, 0, {self.bind(values, 'b')}, 'clip')")
            sample = int((plan.loose_rows < self.split).sum())  # these first, in every column
            if sample:
                fwd.emit(f"{self.rows(V, plan.loose_rows[:sample], target=True)} = "
                         f"{self.bind(values[:sample, None], 'b')}")
            if sample < len(values):
                fwd.emit(f"{self.rows(V, plan.loose_rows[sample:], 0, target=True)} = "
                         f"{self.bind(values[sample:], 'b')}")
        shared_rows = plan.shared_rows if self.n > 1 and plan.shared_rows is not None \
            and len(plan.shared_rows) else None
        for k, step in enumerate(plan.steps):
            here = fwd if k >= shared else Emitter(self, V0, G0)
            here.step = k
            step.emit_forward(here, self)
            if here is not fwd:
                fwd.lines += here.lines
                fwd.line_steps += here.line_steps
            if k == shared - 1 and shared_rows is not None:
                fwd.step = None
                fwd.emit(f"{self.rows(V, shared_rows, slice(1, None), target=True)} = "
                         f"{self.rows(V, shared_rows, slice(0, 1))}")
        self.forward_body = fwd
        self.forward_total = self.total(V, plan.n_inputs)
        head = Emitter(self, V, G)
        if self.direct:
            head.emit("global _x_in")
            head.emit(f"_x_in = {self.bind(self.inputs, 'v')} if XT is None else XT")
        else:
            head.emit("if XT is not None:")
            head.emit(f"    {self.bind(self.inputs, 'v')}[...] = XT")
        self.forward = self.function("forward", "XT", [head, fwd], f"return {self.forward_total}")

        self.written = set(plan.output_rows.tolist())  # seeded before backward runs
        # An output some step reads (or a shared one, summed over samples) gets more than
        # its seed in G: keep the seed, which an eager replay of the backward starts from.
        outputs = set(plan.output_rows.tolist())
        read = {row for step in plan.steps for rows in step.reads() for row in slots(rows)}
        crossing = set() if plan.shared_rows is None else set(plan.shared_rows.tolist())
        self._seed_copy = None
        if outputs & (read | crossing):
            self._seed_copy = np.empty((len(plan.output_rows), self.n))
            bwd.emit(f"{self.bind(self._seed_copy, 'b')}[...] = {self.bind(G, 'm')}"
                     f"[{self.bind(plan.output_rows, 'i')}]")
        covered = np.zeros(len(self.theta), bool)
        for step in plan.steps:
            covered[step.writes_theta()] = True
        if not covered.all():  # entries no Dense step writes start from 0 each time
            rest = np.flatnonzero(~covered)
            if rest[-1] - rest[0] == len(rest) - 1:
                bwd.emit(f"{self.bind(self.gtheta[rest[0]:], 'g')}.fill(0.0)")
            else:
                bwd.emit(f"{self.bind(self.gtheta, 'm')}[{self.bind(rest, 'i')}] = 0.0")
        for k in reversed(range(shared, len(plan.steps))):
            plan.steps[k].emit_backward(bwd, self)
        if shared:
            if shared_rows is not None:  # every sample's share flows back once
                self.written |= set(shared_rows.tolist())
                bwd.emit(f"{self.rows(G, shared_rows, 0, target=True)} = "
                         f"{self.rows(G, shared_rows)}.sum(axis=1)")
            inner = Emitter(self, V0, G0)
            for k in reversed(range(shared)):
                plan.steps[k].emit_backward(inner, self)
            bwd.lines += inner.lines
            bwd.line_steps += inner.line_steps
        sample = int((plan.loose_rows < self.split).sum())
        for rows, where, columns in ((plan.loose_rows[:sample], plan.loose_params[:sample],
                                      ".sum(axis=1)"),
                                     (plan.loose_rows[sample:], plan.loose_params[sample:],
                                      "")):
            if not len(rows):
                continue
            sums = self.rows(G, rows, slice(None) if columns else 0) + columns
            gtheta, at = self.bind(self.gtheta, "m"), self.bind(where, "i")
            if len(np.unique(plan.loose_params)) == len(plan.loose_params):
                bwd.emit(f"{gtheta}[{at}] += {sums}")
            else:
                bwd.emit(f"_add.at({gtheta}, {at}, {sums})")
        self.backward_body = bwd
        self.backward_total = self.total(G, self.first_grad)
        self.clear_body = self._clear_lines(plan)
        self.clear = self.function("clear", "", [self.clear_body], "return None")
        self.backward = self.function("backward", "", [bwd], f"return {self.backward_total}")
        self.output_rows = plan.output_rows
        self._loss_steps: dict[tuple[bool, bool], Callable] = {}

    def _clear_lines(self, plan) -> Emitter:
        """Zero G's live entries before a backward is seeded (steps add into G)."""
        clear = Emitter(self, self.V, self.G)
        G = self.G
        if self.split > self.first_grad:
            clear.emit(f"{self.bind(G[self.first_grad:self.split], 'g')}.fill(0.0)")
        if self.split < len(G):
            clear.emit(f"{self.bind(G[self.split:, 0], 'g')}.fill(0.0)")
            crossing = plan.shared_rows if plan.shared_rows is not None else []
            if self.n > 1 and len(crossing):  # per-sample steps add into their columns too
                clear.emit(f"{self.bind(G, 'm')}[{self.bind(crossing, 'i')}] = 0.0")
        return clear

    def function(self, name: str, params: str, parts: list[Emitter], last: str) -> Callable:
        """Compile the parts' lines, then ``last``, into a function (``name`` is ours)."""
        lines = [line for part in parts for line in part.lines] + [last]
        steps = [step for part in parts for step in part.line_steps] + [None]
        body = "\n".join("    " + line for line in lines)
        text = f"def {name}({params}):\n{body}\n"
        code = _COMPILED.get(text)
        if code is None:  # another batch size of the same program binds the same names
            if len(_COMPILED) > 256:
                _COMPILED.clear()
            code = _COMPILED[text] = compile(text, f"<autograd.compiled {name}>", "exec")
        exec(code, self.namespace)  # noqa: S102 - our generated text only (module docstring)
        function = self.namespace.pop(name)
        self.line_steps[function.__code__] = steps
        return function

    def loss_step(self, shifted: bool, picked: bool) -> Callable:
        """``step(Z, dZ, scale, columns, samples)`` for a loss (compiled ``wrt_inputs``).

        Writes the outputs Z (maybe minus each sample's largest) into the input rows,
        runs forward, seeds the backward, runs it and adds ∂loss/∂Z (× ``scale`` unless
        None) into ``dZ``; returns the forward's and backward's sums (see ``forward``)
        and the losses. One call instead of a dozen. A one-output program seeds 1 for
        every sample; a ``picked`` one (one output per class) seeds 1 at output
        ``columns[j]`` of sample ``samples[j]``, returns those outputs, and leaves dZ
        alone when a gradient is not finite (0 × inf at a class not picked is nan where
        eager gives 0: ``Program.run_loss`` then writes eager's).
        """
        key = (shifted, picked)
        if key not in self._loss_steps:
            self._loss_steps[key] = self.function(
                "loss_step", "Z, dZ, scale, columns, samples",
                self.loss_parts(shifted, picked), "return f, b, losses")
        return self._loss_steps[key]

    def loss_parts(self, shifted: bool, picked: bool) -> list[Emitter]:
        """The lines of ``loss_step``, reading Z, dZ, scale, columns and samples and
        setting f, b and losses (``fused`` splices them into a model's training step)."""
        V, G = self.V, self.G
        head, middle, tail = Emitter(self, V, G), Emitter(self, V, G), Emitter(self, V, G)
        inputs = self.bind(self.inputs, "v")
        if shifted:
            head.emit(f"_subtract(Z, _maximum_reduce(Z, 0), {inputs})")
        else:
            head.emit(f"{inputs}[...] = Z")
        if self.direct:
            head.emit("global _x_in")
            head.emit(f"_x_in = {inputs}")
        # output k of sample j: rows of V and G, consecutive or not
        if self.outputs is not None:
            outputs, seed, rows = self.bind(self.outputs, "o"), self.bind(self.seed, "g"), \
                "columns"
        else:
            outputs, seed = self.bind(V, "m"), self.bind(G, "m")
            rows = f"{self.bind(self.output_rows, 'i')}[columns]"
        middle.emit(f"f = {self.forward_total}")
        if picked:
            middle.emit(f"losses = {outputs}[{rows}, samples]")
        else:
            middle.emit(f"losses = {self.bind(V[self.output_rows[0]], 'o')}")
        middle.lines += self.clear_body.lines
        middle.line_steps += self.clear_body.line_steps
        middle.emit(f"{seed}[{rows}, samples] = 1.0" if picked else
                    f"{self.bind(G[self.output_rows[0]], 'g')}.fill(1.0)")
        backward = Emitter(self, V, G)  # its lines raise no step's error
        backward.lines = self.backward_body.lines
        backward.line_steps = [None] * len(backward.lines)
        tail.emit(f"b = {self.backward_total}")
        grads = self.bind(G[: self.n_in], "g")
        indent = ""
        if picked:
            tail.emit("if _isfinite(b):")
            indent = "    "
        tail.emit(f"{indent}if scale is None:")
        tail.emit(f"{indent}    _add(dZ, {grads}, dZ)")
        tail.emit(f"{indent}else:")
        tmp = self.scratch(self.n_in, self.n)
        tail.emit(f"{indent}    _multiply({grads}, scale, {tmp})")
        tail.emit(f"{indent}    _add(dZ, {tmp}, dZ)")
        return [head, self.forward_body, middle, backward, tail]

    # --- running ---------------------------------------------------------------------

    def seed_values(self) -> np.ndarray:
        """The last backward's seed: each sample's gradient for each output (samples ×
        outputs)."""
        seed = self._seed_copy if self._seed_copy is not None else self.G[self.output_rows]
        return seed.T.copy()

    def failed_step(self, exc: BaseException) -> int | None:
        """The step whose generated forward code raised ``exc``, if it was one."""
        tb = exc.__traceback__
        while tb is not None:
            steps = self.line_steps.get(tb.tb_frame.f_code)
            if steps is not None:
                k = tb.tb_lineno - 2  # line 1 is the def
                return steps[k] if 0 <= k < len(steps) else None
            tb = tb.tb_next
        return None
