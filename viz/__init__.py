"""stepgrad's visualizer: draw a Value graph, render it, and step through backprop.

>>> from autograd import Value
>>> import viz
>>> w, x, b = Value(0.5, "w"), Value(0.0, "x"), Value(0.6, "b")
>>> L = (w * x + b - 1) ** 2 / 2
>>> L.backward()
>>> dot = viz.draw(L, params=[w, b])       # a graphviz.Digraph; Jupyter shows it inline
>>> # viz.render(L, "graph.svg", params=[w, b]) writes .svg/.png/.pdf/.dot

The plots (``viz.learning_curve``, ``viz.loss_curve``, ``viz.loss_surface``,
``viz.save_figure``) load matplotlib on first use only: it takes a second to import.
"""

from __future__ import annotations

import nn as _nn  # noqa: F401 - its import checks that `autograd` is stepgrad's (not HIPS')
from autograd import __version__ as __version__  # one version for the whole of stepgrad

from .draw import draw  # noqa: E402
from .render import GraphvizNotFound, render  # noqa: E402
from .walkthrough import Frame, Walkthrough, walkthrough  # noqa: E402

# Names served by viz.plots, imported on first access (module __getattr__, PEP 562) so
# `import viz` for drawing or the walkthrough never pays for matplotlib.
_PLOTS = ("learning_curve", "loss_curve", "loss_surface", "save_figure")

__all__ = ["draw", "render", "GraphvizNotFound", "walkthrough", "Walkthrough", "Frame",
           *_PLOTS]


def __getattr__(name: str) -> object:
    """The plot function ``name`` from viz.plots, importing matplotlib only now."""
    if name in _PLOTS:
        from . import plots

        return getattr(plots, name)
    raise AttributeError(f"module 'viz' has no attribute {name!r}")


def __dir__() -> list[str]:
    """Module attributes plus the lazily imported plot functions."""
    return sorted({*globals(), *_PLOTS})
