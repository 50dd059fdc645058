"""Writing drawings to files: the format from the suffix, the real ``dot`` program, atomically."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import graphviz

from autograd import Value
from nn.files import write_atomic  # one atomic writer for models and drawings

__all__ = ["GraphvizNotFound", "render", "run_dot", "write_atomic", "FORMATS"]

# suffix -> dot's -T format; None: the DOT source itself, no dot program needed.
FORMATS: dict[str, str | None] = {".svg": "svg", ".png": "png", ".pdf": "pdf",
                                  ".dot": None, ".gv": None}
DEFAULT_TIMEOUT = 300.0


class GraphvizNotFound(RuntimeError):
    """The Graphviz ``dot`` program is not installed (or not on PATH)."""

    def __init__(self, program: str = "dot") -> None:
        super().__init__(
            f"the Graphviz program {program!r} was not found on PATH; it draws the graph. "
            "Install it: `sudo apt-get install graphviz` (Debian/Ubuntu), "
            "`brew install graphviz` (macOS), `conda install graphviz`, or see "
            "https://graphviz.org/download/. Writing the DOT source still works without "
            "it: render(..., 'graph.dot')."
        )


def run_dot(source: str, fmt: str, *, engine: str = "dot",
            timeout: float = DEFAULT_TIMEOUT) -> bytes:
    """The output of Graphviz ``engine -T<fmt>`` on ``source`` (SVG text, PNG bytes, …)."""
    program = shutil.which(engine)
    if program is None:
        raise GraphvizNotFound(engine)
    try:
        done = subprocess.run([program, f"-T{fmt}"], input=source.encode("utf-8"),
                              capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise RuntimeError(
            f"Graphviz {engine} took more than {timeout:g} s on a graph of "
            f"{source.count(' -> ')} edges; draw with a smaller max_nodes "
            "(stepgrad graph --max-nodes N)"
        ) from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise RuntimeError(f"Graphviz {engine} failed (exit {done.returncode}): {message}")
    return done.stdout


def render(root_or_digraph: Value | graphviz.Digraph, path: str | os.PathLike,
           *, timeout: float = DEFAULT_TIMEOUT, **draw_kwargs: object) -> Path:
    """Draw (``viz.draw(**draw_kwargs)``) and write to ``path``; returns the path written.

    The format comes from the suffix: .svg, .png, .pdf (rendered by Graphviz ``dot``)
    or .dot/.gv (the DOT source, which needs no Graphviz program).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"cannot tell the format of {str(path)!r}: use one of "
                         f"{', '.join(FORMATS)}")
    if isinstance(root_or_digraph, graphviz.Digraph):
        if draw_kwargs:
            raise TypeError("draw options ("
                            f"{', '.join(sorted(draw_kwargs))}) only apply to a Value, "
                            "not to an already drawn Digraph")
        digraph = root_or_digraph
    elif isinstance(root_or_digraph, Value):
        from .draw import draw

        digraph = draw(root_or_digraph, **draw_kwargs)
    else:
        raise TypeError(f"render takes a Value or a graphviz.Digraph, got "
                        f"{root_or_digraph!r} ({type(root_or_digraph).__name__})")
    fmt = FORMATS[suffix]
    if fmt is None:
        data = digraph.source.encode("utf-8")
    else:
        data = run_dot(digraph.source, fmt, engine=digraph.engine, timeout=timeout)
    write_atomic(path, data)
    return path
