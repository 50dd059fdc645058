"""A loss over two parameters, already computed on a grid: contour map and 3-D surface.

``surface_plot`` draws what a caller measured (``heights[i][j]`` is the loss at
``(xs[i], ys[j])``) with any number of descent paths on both views, each starting at a
dot and ending at a star. ``viz.plots.loss_surface`` computes such a grid from a function
and draws it here.

>>> import numpy as np
>>> xs = ys = np.linspace(-1, 1, 11)
>>> heights = [[x * x + y * y for y in ys] for x in xs]
>>> fig = surface_plot(xs, ys, heights, paths={"descent": [(1, 1, 2), (0.5, 0.5, 0.5)]})
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from .figure import ACCENT, PALETTE, as_numbers, check_title, finish, new_figure

__all__ = ["surface_plot"]

Triple = tuple[float, float, float]


def _grid(xs: object, ys: object, heights: object) -> tuple[list[float], list[float], np.ndarray]:
    gx, gy = as_numbers(xs, "xs"), as_numbers(ys, "ys")
    for what, axis in (("xs", gx), ("ys", gy)):
        if len(axis) < 2 or any(b <= a for a, b in zip(axis, axis[1:])):
            raise ValueError(f"{what} must be at least 2 increasing numbers, got {axis!r}")
    try:
        z = np.array(heights, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"heights must be a {len(gx)} × {len(gy)} table of numbers, "
                        f"got {heights!r}") from None
    if z.shape != (len(gx), len(gy)):
        raise ValueError(f"heights must be {len(gx)} × {len(gy)} (one row per x, one column "
                         f"per y), got shape {z.shape}")
    if not np.isfinite(z).any():
        raise ValueError("the loss is undefined (or not finite) everywhere on this grid")
    return gx, gy, z


def _path(points: object, label: str) -> list[Triple]:
    out = []
    for i, point in enumerate(points):
        numbers = as_numbers(point, f"path {label!r} point {i}")
        if len(numbers) != 3:
            raise ValueError(f"path {label!r} point {i} must be (p1, p2, loss), got {point!r}")
        out.append((numbers[0], numbers[1], numbers[2]))
    if not out:
        raise ValueError(f"path {label!r} has no points")
    return out


def _scaled(values: np.ndarray, log_scale: bool) -> np.ndarray:
    if not log_scale:
        return values
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(values > 0, np.log10(np.where(values > 0, values, 1.0)), np.nan)


def surface_plot(
    xs: Sequence[float], ys: Sequence[float], heights: Sequence[Sequence[float]], *,
    paths: Mapping[str, Sequence[Triple]] | None = None,
    names: tuple[str, str] = ("w", "b"), zlabel: str = "loss", title: str | None = None,
    log_scale: bool = False, start: str | None = "start", end: str | None = "end",
    levels: int = 20,
) -> Figure:
    """The grid as a filled contour map (left) and a 3-D surface (right), paths on both.

    ``paths`` maps a legend label to the (p1, p2, loss) points gradient descent visited;
    ``start`` / ``end`` annotate each path's ends (None: no words). ``log_scale`` shows
    log₁₀ of the loss, so a deep narrow valley stays visible beside high walls;
    non-finite or (on a log scale) non-positive heights are left blank.
    """
    check_title(title)
    gx, gy, z = _grid(xs, ys, heights)
    if isinstance(names, str) or not isinstance(names, Sequence) or len(names) != 2 \
            or not all(isinstance(n, str) for n in names):
        raise ValueError(f"names must be a pair of parameter names, as ('w', 'b'), "
                         f"got {names!r}")
    drawn = {str(label): _path(points, str(label)) for label, points in (paths or {}).items()}
    shown = _scaled(z, log_scale)
    if not np.isfinite(shown).any():
        raise ValueError("no grid point has a positive loss to draw on a log scale")
    label = f"log₁₀ {zlabel}" if log_scale else zlabel
    grid1, grid2 = np.meshgrid(gx, gy, indexing="ij")

    fig = new_figure(11, 4.6)
    flat = fig.add_subplot(1, 2, 1)
    filled = flat.contourf(grid1, grid2, shown, levels=levels, cmap="viridis")
    flat.contour(grid1, grid2, shown, levels=levels, colors="white", linewidths=0.4, alpha=0.5)
    fig.colorbar(filled, ax=flat, label=label)
    flat.set_xlabel(names[0])
    flat.set_ylabel(names[1])

    # computed_zorder off: the descent paths are drawn over the surface, not hidden in it.
    solid = fig.add_subplot(1, 2, 2, projection="3d", computed_zorder=False)
    solid.plot_surface(grid1, grid2, np.ma.masked_invalid(shown), cmap="viridis",
                       alpha=0.75, linewidth=0, antialiased=True)
    solid.set_xlabel(names[0])
    solid.set_ylabel(names[1])
    solid.set_zlabel(label)
    solid.view_init(elev=40, azim=-120)  # looking down into the bowl, the path in view

    for k, (name, points) in enumerate(drawn.items()):
        colour = ACCENT if k == 0 else PALETTE[(k - 1) % len(PALETTE)]
        p1s, p2s, losses = zip(*points, strict=True)
        flat.plot(p1s, p2s, color=colour, marker=".", markersize=5 if len(points) < 60 else 1,
                  label=name)
        flat.scatter([p1s[-1]], [p2s[-1]], marker="*", s=120, color=colour, zorder=3)
        for word, at, offset in ((start, 0, (6, 6)), (end, -1, (6, -12))):
            if word:
                flat.annotate(word, (p1s[at], p2s[at]), textcoords="offset points",
                              xytext=offset, color=colour)
        heights_shown = _scaled(np.array(losses, dtype=float), log_scale)
        solid.plot(p1s, p2s, heights_shown, color=colour, marker=".",
                   markersize=4 if len(points) < 60 else 1, zorder=10)
    if drawn:
        flat.legend(loc="upper right")
    names_title = f"Loss surface over {names[0]} and {names[1]}"
    return finish(fig, title if title is not None else names_title)
