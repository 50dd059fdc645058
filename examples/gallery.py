"""Every figure the project can regenerate from the five articles, as PNG and SVG, and an index.

``python -m examples.gallery OUT_DIR`` runs the examples (seed 0, as they print their
numbers), draws each figure of ``examples._gallery_entries.ENTRIES`` with matplotlib
through ``viz`` (``viz.curves``, ``viz.surfaces``, ``viz.diagrams``, ``viz.images``,
``viz.plots``) and writes ``NAME.png``, ``NAME.svg`` and one ``index.html`` showing every
figure with its article's file name, the article's sentence in Chinese, a caption in
Chinese and English and the command that draws it again. ``--only NAME[,NAME…]`` draws
a few (the index then lists those). Files are written atomically, and the same command
writes the same bytes. A tqdm progress bar shows the figure being drawn.

Run: ``python -m examples.gallery OUT_DIR [--only NAMES] [--list]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import time
from collections.abc import Sequence
from pathlib import Path

from nn.files import write_atomic

from ._gallery_entries import ENTRIES, Entry, by_name
from ._gallery_page import page
from ._gallery_sources import Sources

FORMATS = ("png", "svg")


def choose(only: str | None) -> list[Entry]:
    """The entries named in ``only`` (comma-separated, gallery order kept), or all of them."""
    if only is None:
        return list(ENTRIES)
    names = [n.strip() for n in only.split(",") if n.strip()]
    known = by_name()
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise ValueError(f"unknown figure name(s) {', '.join(map(repr, unknown)) or '(none given)'}"
                         f"; expected some of: {', '.join(known)}")
    return [e for e in ENTRIES if e.name in names]


def missing(entries: Sequence[Entry]) -> list[str]:
    """The modules some of ``entries`` need that are not installed (scikit-learn for digits)."""
    wanted = dict.fromkeys(m for e in entries for m in e.needs)
    return [m for m in wanted if importlib.util.find_spec(m) is None]


def write_gallery(folder: str | os.PathLike, entries: Sequence[Entry] = ENTRIES,
                  sources: Sources | None = None, progress: bool = True,
                  timings: dict | None = None) -> list[Path]:
    """Draw ``entries`` into ``folder`` (PNG and SVG each), then index.html; the paths written.

    Pass a dict as ``timings`` to get ``{name: (wall seconds, CPU seconds)}`` per figure,
    the computations it was the first to need included.
    """
    from tqdm.auto import tqdm

    from viz.plots import save_figure  # matplotlib loads here, not at import

    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"{str(folder)!r} is a file; give a folder for the gallery")
    folder.mkdir(parents=True, exist_ok=True)
    sources = sources or Sources()
    written = []
    # disable=None: the bar shows on a terminal and stays quiet in logs and tests
    with tqdm(entries, desc="gallery", unit="figure",
              disable=None if progress else True) as bar:
        for entry in bar:
            bar.set_postfix_str(entry.name)
            wall, cpu = time.perf_counter(), time.process_time()
            figure = entry.draw(sources)
            written += [save_figure(figure, folder / f"{entry.name}.{fmt}") for fmt in FORMATS]
            if timings is not None:
                timings[entry.name] = (time.perf_counter() - wall, time.process_time() - cpu)
    index = folder / "index.html"
    write_atomic(index, page(entries).encode("utf-8"))
    return [*written, index]


def main(argv: Sequence[str] | None = None) -> int:
    """Write the gallery into OUT_DIR; print what was written and how long it took; 0."""
    p = argparse.ArgumentParser(
        prog="python -m examples.gallery",
        description="Every figure stepgrad regenerates from the five articles, as PNG and "
                    "SVG, with an index.html.")
    p.add_argument("out_dir", metavar="OUT_DIR", nargs="?", help="folder to write into")
    p.add_argument("--only", metavar="NAMES", help="comma-separated figure names (see --list)")
    p.add_argument("--list", action="store_true", help="print the figure names and exit")
    args = p.parse_args(argv)
    if args.list:
        for e in ENTRIES:
            print(f"{e.name:<22} {e.caption_en}")
        return 0
    if args.out_dir is None:
        p.error("give OUT_DIR, the folder to write the gallery into (or --list)")
    try:
        entries = choose(args.only)
        if Path(args.out_dir).exists() and not Path(args.out_dir).is_dir():
            raise ValueError(f"OUT_DIR {args.out_dir!r} is a file; give a folder")
        absent = missing(entries)
        if absent:  # said before minutes of work, not after
            raise ValueError(f"the digits figures need {', '.join(absent)}: pip install "
                             "'stepgrad[examples]' (or leave them out with --only)")
    except ValueError as exc:
        p.error(str(exc))
    started = time.perf_counter()
    written = write_gallery(args.out_dir, entries)
    seconds = time.perf_counter() - started
    print(f"wrote {len(entries)} figures ({len(written) - 1} files) and "
          f"{written[-1]} in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
