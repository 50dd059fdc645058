"""Images with captions (digits and what a network read in them) and a confusion matrix.

Both return a ``matplotlib.figure.Figure``; write it with ``viz.plots.save_figure``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from .figure import ACCENT, check_title, finish, new_figure

__all__ = ["image_grid", "confusion_matrix"]


def _image(pixels: object, index: int) -> np.ndarray:
    try:
        image = np.asarray(pixels, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"image {index} must be a 2-D table of numbers, got {pixels!r}") from None
    if image.ndim != 2 or not np.isfinite(image).all():
        raise ValueError(f"image {index} must be a 2-D table of finite numbers, got shape "
                         f"{image.shape}")
    return image


def image_grid(images: Sequence[object], captions: Sequence[str], *,
               wrong: Sequence[bool] | None = None, columns: int = 10,
               title: str | None = None) -> Figure:
    """Grey-scale images in rows of ``columns``, each with its caption; ``wrong`` ones in red."""
    check_title(title)
    if len(images) == 0 or len(captions) != len(images):
        raise ValueError(f"image_grid needs one caption per image, got {len(images)} images "
                         f"and {len(captions)} captions")
    if wrong is not None and len(wrong) != len(images):
        raise ValueError(f"wrong needs one flag per image, got {len(wrong)} for "
                         f"{len(images)} images")
    if isinstance(columns, bool) or not isinstance(columns, int) or columns < 1:
        raise ValueError(f"columns must be a whole number ≥ 1, got {columns!r}")
    columns = min(columns, len(images))
    rows = -(-len(images) // columns)
    fig = new_figure(1.15 * columns + 0.3, 1.35 * rows + 0.7)
    axes = fig.subplots(rows, columns, squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if k >= len(images):
            continue
        ax.imshow(_image(images[k], k), cmap="gray_r", interpolation="nearest")
        bad = bool(wrong[k]) if wrong is not None else False
        ax.set_title(captions[k], fontsize="small", color=ACCENT if bad else "#111827")
    return finish(fig, title)


def confusion_matrix(matrix: Sequence[Sequence[int]], labels: Sequence[str], *,
                     title: str | None = None, xlabel: str = "predicted",
                     ylabel: str = "true") -> Figure:
    """``matrix[i][j]`` = how many of class i were predicted j, as shaded cells with counts."""
    check_title(title)
    counts = np.asarray(matrix, dtype=float)
    n = len(labels)
    if counts.shape != (n, n):
        raise ValueError(f"matrix must be {n} × {n} (one row and column per label), "
                         f"got shape {counts.shape}")
    if not np.isfinite(counts).all() or (counts < 0).any():
        raise ValueError("matrix must hold counts ≥ 0")
    fig = new_figure(6, 5.2)
    ax = fig.subplots()
    shown = ax.imshow(counts, cmap="Blues")
    fig.colorbar(shown, ax=ax)
    top = counts.max() if counts.size else 0
    for i in range(n):
        for j in range(n):
            ax.text(j, i, f"{int(counts[i, j])}", ha="center", va="center", fontsize="small",
                    color="white" if counts[i, j] > top / 2 else "#111827")
    ax.set_xticks(range(n), [str(x) for x in labels])
    ax.set_yticks(range(n), [str(x) for x in labels])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return finish(fig, title)
