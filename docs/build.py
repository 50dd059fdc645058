"""Build the documentation site: run every notebook, then Sphinx → site/index.html.

    python docs/build.py [--site DIR] [--work DIR]       (./run docs does this)

1. Each notebook of notebooks/ and each how-to page of docs/howto/ (MyST Markdown,
   read by jupytext) runs top to bottom in a fresh Jupyter kernel (nbclient), from
   its own folder as a user would run it; an error fails the build, naming the
   notebook and the cell.
2. A staging folder gets docs/ (the pages), README.md (the quick start is included
   from it) and the executed notebooks in place of their sources; Sphinx (MyST-NB,
   notebooks NOT run again) writes the site.

The test suite calls the same two functions, so it runs each notebook once and builds
the site from those very outputs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
DOCS = ROOT / "docs"
CELL_TIMEOUT = 300  # s: a hung cell fails the build instead of stalling it


@dataclass(frozen=True)
class Executed:
    """One notebook run: where its executed copy is, how long it took, the error if any."""

    name: str
    page: Path  # where it goes in the site's sources: notebooks/tour.ipynb, howto/mnist.ipynb
    path: Path
    seconds: float
    error: str | None


def notebook_paths() -> list[Path]:
    """Every notebook: notebooks/*.md, then the how-to pages docs/howto/*.md."""
    howto = [p for p in sorted((DOCS / "howto").glob("*.md")) if p.name != "index.md"]
    return sorted(NOTEBOOKS.glob("*.md")) + howto


def page_of(source: Path) -> Path:
    """The executed notebook's place among the site's sources."""
    source = source.resolve()
    base = DOCS if source.is_relative_to(DOCS) else ROOT
    return source.relative_to(base).with_suffix(".ipynb")


def run_notebook(notebook, folder: Path) -> str | None:
    """Execute ``notebook`` in place in a fresh kernel started in ``folder``; its error or None."""
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    # ipc: local socket files instead of TCP ports (no network, nothing to encrypt); an
    # absolute path, as the kernel runs in ``folder`` and this process elsewhere
    sockets = Path(tempfile.mkdtemp(prefix="stepgrad-kernel-"))
    name = notebook.metadata.get("kernelspec", {}).get("name", "python3")
    kernel = KernelManager(kernel_name=name, transport="ipc",
                           ip=str(sockets / "kernel"))
    client = NotebookClient(notebook, km=kernel, timeout=CELL_TIMEOUT,
                            resources={"metadata": {"path": str(folder)}},
                            store_widget_state=False, coalesce_streams=True)
    try:
        client.execute()
    except CellExecutionError as exc:
        return str(exc)
    finally:
        if kernel.has_kernel:  # a kernel manager given to nbclient is left running
            kernel.shutdown_kernel(now=True)
        shutil.rmtree(sockets, ignore_errors=True)
    return None


def execute(source: Path, out_dir: Path) -> Executed:
    """Run ``source`` from its own folder; write it with its outputs under ``out_dir``."""
    import jupytext
    import nbformat

    notebook = jupytext.read(source)
    started = time.perf_counter()
    error = run_notebook(notebook, source.parent)
    seconds = time.perf_counter() - started
    target = out_dir / page_of(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)
    return Executed(source.stem, page_of(source), target, seconds, error)


def execute_all(out_dir: Path, sources: list[Path] | None = None,
                workers: int | None = None) -> list[Executed]:
    """Run every notebook (or ``sources``), a few at a time (one kernel per core, at most 2)."""
    sources = notebook_paths() if sources is None else sources
    workers = workers or min(2, os.cpu_count() or 1)

    def one(source: Path) -> Executed:
        run = execute(source, out_dir)
        status = "FAILED" if run.error else "ok"
        print(f"  {str(run.page):<40} {run.seconds:6.1f} s  {status}", file=sys.stderr)
        return run

    # threads suffice: each notebook runs in its own kernel process
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, sources))


def stage(executed: list[Executed], folder: Path) -> Path:
    """A Sphinx source folder: docs/ (less this script), README.md, executed notebooks."""
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(DOCS, folder, ignore=shutil.ignore_patterns("build.py", "__pycache__"))
    shutil.copy2(ROOT / "README.md", folder / "README.md")
    if (DOCS / "figures").is_dir():  # the README's pictures, at the paths it uses
        shutil.copytree(DOCS / "figures", folder / "docs" / "figures")
    for run in executed:
        target = folder / run.page
        target.with_suffix(".md").unlink(missing_ok=True)  # a how-to page's source
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(run.path, target)
    return folder


def sphinx(source: Path, site: Path) -> None:
    """Run Sphinx's HTML builder on ``source``, then move the pages to ``site``."""
    work = source.parent  # MyST-NB writes its output files beside Sphinx's output folder
    html = work / "html"
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-E", "--keep-going",
               "-d", str(work / "doctrees"), str(source), str(html)]
    done = subprocess.run(command, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"sphinx-build failed (exit {done.returncode}): {' '.join(command)}")
    if site.exists():
        shutil.rmtree(site)
    shutil.move(html, site)


def build(site: Path, work: Path, executed: list[Executed] | None = None) -> Path:
    """Run the notebooks (unless ``executed`` is given), stage and build; returns index.html."""
    if executed is None:
        print("running the notebooks:", file=sys.stderr)
        executed = execute_all(work / "executed")
    failed = [run for run in executed if run.error]
    if failed:
        raise RuntimeError("notebook failed: " + "\n\n".join(
            f"{run.name} ({run.path}):\n{run.error}" for run in failed))
    started = time.perf_counter()
    sphinx(stage(executed, work / "src"), site)
    print(f"sphinx: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return site / "index.html"


def main(argv: list[str] | None = None) -> int:
    """The command line of ``./run docs``; returns the exit status."""
    p = argparse.ArgumentParser(prog="python docs/build.py", description=__doc__.split("\n")[0])
    p.add_argument("--site", type=Path, default=ROOT / "site", help="output folder (site/)")
    p.add_argument("--work", type=Path, default=ROOT / "build" / "docs",
                   help="executed notebooks and the staged sources (build/docs/)")
    args = p.parse_args(argv)
    try:
        index = build(args.site.resolve(), args.work.resolve())
    except RuntimeError as exc:
        print(f"docs: {exc}", file=sys.stderr)
        return 1
    print(f"open {index} (no server needed)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
