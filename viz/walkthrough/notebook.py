"""The walkthrough inside a Jupyter cell: the whole page in a sandboxed ``<iframe srcdoc>``.

Why an iframe of the page, not widgets: the page is already self-contained (inline SVG,
CSS and JS, a Content-Security-Policy forbidding any fetch), so inside its own document
it works as the saved file does, in JupyterLab, Notebook 7, VS Code and a static
documentation page alike, with no kernel round trips and no extension to install. Its
element ids and keyboard handlers cannot collide with the notebook's or with another
walkthrough's, and ``sandbox="allow-scripts"`` (no same-origin) keeps it out of the
notebook's own page.

The page is gzipped and base64-encoded into the frame, where a few lines of script
unpack it (``DecompressionStream``): an SVG per frame repeats itself, so the cell
output is 27× smaller than the raw page for the default example (72 KB for 1.9 MB of
HTML), 7× for an MLP's. The page fills whatever window it has (its controls never
move), so the frame has a fixed height, in a box the reader can drag taller.
"""

from __future__ import annotations

import base64
import gzip
import html
import re
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from . import Walkthrough

__all__ = ["notebook_html", "unpack_page"]

_HEAD = re.compile(r"<head(\s[^>]*)?>", re.IGNORECASE)
FRAME_HEIGHT = 720  # px: a laptop screen's worth; the box below it drags taller
# What the frame's own document may do: run its inline script and styles, nothing else.
# The unpacked page brings the same policy; this one already covers the unpacking.
_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
           "img-src data:")


def _script(name: str) -> str:
    return resources.files("viz").joinpath("static", name).read_text(encoding="utf-8")


def _frame_document(page: str) -> str:
    """A small HTML document that unpacks ``page`` (gzipped, base64) and shows it."""
    # A srcdoc document resolves relative URLs against the NOTEBOOK's address, so the
    # page's "#step=N" links would make the frame load the notebook inside itself; the
    # page's own address is about:srcdoc.
    page, found = _HEAD.subn(r'\g<0><base href="about:srcdoc">', page, count=1)
    if not found:
        raise ValueError("the walkthrough page has no <head> to put its base address in")
    packed = base64.b64encode(gzip.compress(page.encode("utf-8"), 9, mtime=0)).decode("ascii")
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_POLICY}"></head>'
        '<body><p id="stepgrad-status" style="font-family: sans-serif">'
        "Unpacking the walkthrough…</p>"
        f'<script type="application/octet-stream" id="stepgrad-page">{packed}</script>'
        f"<script>{_script('notebook_loader.js')}</script></body></html>"
    )


def notebook_html(wt: Walkthrough, *, height: int = FRAME_HEIGHT) -> str:
    """The cell output showing ``wt``'s interactive page: a sandboxed iframe, ``height`` px."""
    if type(height) is not int or height < 100:
        raise ValueError(f"height is the frame's starting height in px (≥ 100), got {height!r}")
    from .page import page_text

    title = f"stepgrad walkthrough: {wt.size_text()}"
    return (
        f'<div class="stepgrad-walkthrough-box" style="height: {height}px; min-height: 300px; '
        'resize: vertical; overflow: hidden; border: 1px solid #e2e8f0; border-radius: 4px">'
        f'<iframe class="stepgrad-walkthrough" title="{html.escape(title)}" '
        'sandbox="allow-scripts" style="display: block; width: 100%; height: 100%; border: 0" '
        f'srcdoc="{html.escape(_frame_document(page_text(wt)), quote=True)}"></iframe></div>'
    )


def unpack_page(cell_html: str) -> str:
    """The page inside a ``notebook_html`` output (for tests and for saving it to a file)."""
    start = cell_html.find('srcdoc="')
    if start < 0:
        raise ValueError("not a walkthrough cell output: it has no srcdoc attribute")
    document = html.unescape(cell_html[start + 8:cell_html.index('"', start + 8)])
    marker = 'id="stepgrad-page">'
    begin = document.index(marker) + len(marker)
    packed = document[begin:document.index("</script>", begin)]
    return gzip.decompress(base64.b64decode(packed)).decode("utf-8")
