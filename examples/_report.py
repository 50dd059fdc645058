"""Printing helpers shared by the examples: the article's number beside the computed one."""

from __future__ import annotations

import argparse
import numbers
from collections.abc import Iterable
from pathlib import Path


def fmt(x: object) -> str:
    """``x`` as short text: floats to 6 significant digits (0.5179600000000001 → 0.51796)."""
    if isinstance(x, bool) or x is None:
        return str(x)
    if isinstance(x, numbers.Integral):
        return f"{int(x):,}"
    if isinstance(x, numbers.Real):
        return f"{float(x):.6g}"
    return str(x)


def row(what: str, article: object, computed: object) -> str:
    """One aligned line: ``what   article: A   computed: C``; '—' when the article gives none."""
    shown = "—" if article is None else fmt(article)
    return f"  {what:<44} article: {shown:<14} computed: {fmt(computed)}"


def heading(title: str) -> str:
    """A section title underlined, for the printed report."""
    return f"\n{title}\n{'-' * len(title)}"


def show(lines: Iterable[str]) -> None:
    """Print each line (one place to send the report, so tests can capture it)."""
    for line in lines:
        print(line)


def parser(name: str, description: str) -> argparse.ArgumentParser:
    """An argument parser for ``python -m examples.<name>`` with the ``--seed`` option."""
    p = argparse.ArgumentParser(prog=f"python -m examples.{name}", description=description)
    p.add_argument("--seed", type=int, default=0, help="seed of every random choice (default 0)")
    return p


def add_plots_option(p: argparse.ArgumentParser, what: str) -> None:
    """``--plots DIR``: also draw ``what`` as PNGs into DIR."""
    p.add_argument("--plots", metavar="DIR", default=None,
                   help=f"also draw {what} as PNGs into DIR")


def check_plots_folder(p: argparse.ArgumentParser, folder: str | None) -> None:
    """Refuse a --plots that names a file, before the work that precedes the drawing."""
    if folder is not None and Path(folder).exists() and not Path(folder).is_dir():
        p.error(f"--plots {folder!r} is a file; give a folder")


def plot_lines(write_plots, result: object, folder: str | None) -> list[str]:
    """The report's "Plots" lines after drawing with ``write_plots(result, folder)``
    (none without --plots)."""
    if folder is None:
        return []
    return [heading("Plots")] + [f"  wrote {path}" for path in write_plots(result, folder)]
