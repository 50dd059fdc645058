"""stepgrad's visualizer: draw a Value graph, render it, and step through backprop.

>>> from autograd import Value
>>> import viz
>>> w, x, b = Value(0.5, "w"), Value(0.0, "x"), Value(0.6, "b")
>>> L = (w * x + b - 1) ** 2 / 2
>>> L.backward()
>>> dot = viz.draw(L, params=[w, b])       # a graphviz.Digraph; Jupyter shows it inline
>>> # viz.render(L, "graph.svg", params=[w, b]) writes .svg/.png/.pdf/.dot
"""

from __future__ import annotations

try:
    import autograd as _autograd
except ImportError:  # pragma: no cover - a broken install
    _autograd = None
if not getattr(_autograd, "__stepgrad__", False):
    raise ImportError(
        "viz needs stepgrad's own `autograd` package, but the `autograd` found "
        f"({getattr(_autograd, '__file__', 'none')}) is a different one: PyPI's HIPS "
        "autograd has the same import name. Use a virtual environment for stepgrad, or "
        "`pip uninstall autograd` and reinstall stepgrad."
    )

from .draw import draw  # noqa: E402
from .render import GraphvizNotFound, render  # noqa: E402
from .walkthrough import Frame, Walkthrough, walkthrough  # noqa: E402

__all__ = ["draw", "render", "GraphvizNotFound", "walkthrough", "Walkthrough", "Frame"]
