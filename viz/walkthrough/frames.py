"""Walkthrough frames as pictures: the DOT of a frame, its SVG, numbered SVG files."""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import graphviz

from ..render import run_dot, write_atomic
from .model import Frame
from .picture import frame_picture, measure

__all__ = ["frame_digraph", "frame_svgs", "write_frame_files", "inline_svg"]


def frame_digraph(frames: list[Frame], index: int, *, lang: str, precision: int,
                  title: bool = True) -> graphviz.Digraph:
    """Frame ``index`` as a Digraph, with box sizes fixed over all ``frames``."""
    sizes = measure(frames, lang, precision)
    return frame_picture(frames[index], sizes, lang=lang, precision=precision, title=title)


def frame_svgs(frames: list[Frame], *, lang: str, precision: int, title: bool = True,
               workers: int | None = None) -> list[str]:
    """The SVG text of every frame, rendered by ``dot`` (several at once: it is a subprocess)."""
    sizes = measure(frames, lang, precision)
    sources = [frame_picture(f, sizes, lang=lang, precision=precision, title=title).source
               for f in frames]
    workers = workers or min(4, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda src: run_dot(src, "svg").decode("utf-8"), sources))


def write_frame_files(frames: list[Frame], directory: str | os.PathLike, *, lang: str,
                      precision: int) -> list[Path]:
    """Write ``frame_001.svg``, ``frame_002.svg``, … (caption included) and return their paths."""
    folder = Path(directory)
    if folder.exists() and not folder.is_dir():  # mkdir would say only "File exists"
        raise NotADirectoryError(f"cannot write the frames to {str(folder)!r}: it is a file, "
                                 "not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    width = max(3, len(str(len(frames))))
    paths = []
    for i, svg in enumerate(frame_svgs(frames, lang=lang, precision=precision)):
        path = folder / f"frame_{i + 1:0{width}d}.svg"
        write_atomic(path, svg.encode("utf-8"))
        paths.append(path)
    return paths


_PROLOG = re.compile(r"<\?xml.*?\?>|<!DOCTYPE.*?>|<!--.*?-->", re.DOTALL)
_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"')


def inline_svg(svg: str) -> str:
    """SVG text ready to sit inside HTML: no XML prolog or comments; its natural size in
    points kept as ``data-width``/``data-height`` for the page's zoom."""
    svg = _PROLOG.sub("", svg).strip()
    match = _SIZE.search(svg)
    if match:
        width_pt, height_pt = match.groups()
        svg = _SIZE.sub(f'<svg data-width="{width_pt}" data-height="{height_pt}"', svg, 1)
    return svg
