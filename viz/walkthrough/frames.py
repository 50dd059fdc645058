"""Walkthrough frames as pictures: the DOT of a frame, its SVG, numbered SVG files."""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import graphviz

from ..draw import draw
from ..render import run_dot, write_atomic
from .model import Frame

__all__ = ["frame_digraph", "frame_svgs", "write_frame_files", "inline_svg"]


def frame_digraph(frame: Frame, *, precision: int, rankdir: str = "LR",
                  title: bool = True) -> graphviz.Digraph:
    """The graph as this frame shows it: computed nodes, the highlighted node and edges."""
    g = frame.graph
    return draw(
        g.root, params=g.params, names=g.names, numbers=frame.numbers, precision=precision,
        highlight=frame.node, highlight_edges=frame.edges,
        gradient_flow=frame.phase == "backward", edge_labels="highlighted",
        max_nodes=max(300, len(g.order) + 1), legend=False, rankdir=rankdir,
        title=f"{frame.index + 1}. {frame.caption}" if title else None, fields="column",
        steady=True,
    )


def frame_svgs(frames: list[Frame], *, precision: int, rankdir: str = "LR",
               title: bool = True, workers: int | None = None) -> list[str]:
    """The SVG text of every frame, rendered by ``dot`` (several at once: it is a subprocess)."""
    sources = [frame_digraph(f, precision=precision, rankdir=rankdir, title=title).source
               for f in frames]
    workers = workers or min(4, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        outputs = list(pool.map(lambda src: run_dot(src, "svg").decode("utf-8"), sources))
    return outputs


def write_frame_files(frames: list[Frame], directory: str | os.PathLike, *,
                      precision: int, rankdir: str = "LR") -> list[Path]:
    """Write ``frame_001.svg``, ``frame_002.svg``, … (caption included) and return their paths."""
    folder = Path(directory)
    if folder.exists() and not folder.is_dir():  # mkdir would say only "File exists"
        raise NotADirectoryError(f"cannot write the frames to {str(folder)!r}: it is a file, "
                                 "not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    width = max(3, len(str(len(frames))))
    paths = []
    for i, svg in enumerate(frame_svgs(frames, precision=precision, rankdir=rankdir)):
        path = folder / f"frame_{i + 1:0{width}d}.svg"
        write_atomic(path, svg.encode("utf-8"))
        paths.append(path)
    return paths


_PROLOG = re.compile(r"<\?xml.*?\?>|<!DOCTYPE.*?>|<!--.*?-->", re.DOTALL)
_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"')
MIN_SCALE = 0.5  # the smallest a frame is shrunk to fit the page (the article's fits at 1024 px)


def inline_svg(svg: str) -> str:
    """SVG text ready to sit inside HTML: no XML prolog or comments, scaled to fit its box.

    The fixed point size becomes a ``max-width`` so a wide graph shrinks to the page
    instead of making it scroll sideways; small graphs keep their natural size. It
    shrinks to ``MIN_SCALE`` at most (11 pt labels stay ~7 px): below that the text is
    unreadable, so a wide graph (an MLP's) scrolls inside its box instead.
    """
    svg = _PROLOG.sub("", svg).strip()
    match = _SIZE.search(svg)
    if match:
        width_px = float(match.group(1)) * 4 / 3
        width_pt, height_pt = match.groups()
        svg = _SIZE.sub(f'<svg style="max-width:{width_px:.0f}px;'
                        f'min-width:{width_px * MIN_SCALE:.0f}px" '
                        f'data-width="{float(width_pt):.0f}" data-height="{height_pt}"', svg, 1)
    return svg
