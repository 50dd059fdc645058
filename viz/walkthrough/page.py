"""The walkthrough as ONE self-contained HTML file: inline SVG frames, CSS and JS.

No network and no server: the page opens from file://, and a Content-Security-Policy
forbids it from fetching anything. Every user-given string is escaped (``html_text``
for markup, ``json_for_script`` for the data block); SVG comes from ``dot``, which
escapes labels itself.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from ..escape import html_text, json_for_script
from ..numbers import format_number
from ..render import write_atomic
from . import captions
from .frames import frame_svgs, inline_svg

if TYPE_CHECKING:
    from . import Walkthrough

__all__ = ["page_html", "write_page"]

MAX_PARAM_COLUMNS = 4  # beyond that the step table shows the loss only
MAX_NODE_ROWS = 40  # the node table is for small graphs; bigger ones have the inspector


def _asset(folder: str, name: str) -> str:
    return resources.files("viz").joinpath(folder, name).read_text(encoding="utf-8")


def _fill(template: str, values: dict[str, str]) -> str:
    # One pass, so text inserted for one placeholder is never read as another.
    return re.sub(r"\{\{(\w+)\}\}", lambda m: values[m.group(1)], template)


def _inspect_data(wt: Walkthrough) -> dict[int, dict[str, dict[str, str]]]:
    """Per step, per node id: its name and its forward and backward captions."""
    table: dict[int, dict[str, dict[str, str]]] = {}
    for frame in wt.frames:
        if frame.node is None or frame.phase == "update":
            continue
        entry = table.setdefault(frame.step, {}).setdefault(
            frame.node_id, {"name": frame.graph.names[frame.node], "forward": "",
                            "backward": ""})
        entry["backward" if frame.phase == "backward" else "forward"] = frame.caption
    return table


def _node_rows(wt: Walkthrough) -> dict[int, list[dict[str, object]]]:
    """Per step, the side table's rows: node name, value and gradient, and the frame
    index from which each is known (so the page fills the table in as the pass goes)."""
    table: dict[int, list[dict[str, object]]] = {}
    seen: dict[tuple[int, str], dict[str, object]] = {}
    for frame in wt.frames:
        g = frame.graph
        if len(g.order) > MAX_NODE_ROWS:
            continue
        rows = table.setdefault(frame.step, [])
        for node in g.order:
            if node.is_constant:
                continue
            key = (frame.step, g.ids[node])
            row = seen.get(key)
            if row is None:
                row = seen[key] = {"id": g.ids[node], "name": g.names[node], "data": "",
                                   "grad": "", "df": None, "gf": None}
                rows.append(row)
            data, grad = frame.numbers[node]
            if data is not None and row["df"] is None:
                row["data"], row["df"] = format_number(data, wt.precision), frame.index
            if grad is not None and row["gf"] is None:
                row["grad"], row["gf"] = format_number(grad, wt.precision), frame.index
    return table


def _table(wt: Walkthrough) -> tuple[str, str]:
    t = lambda key: captions.text(wt.lang, key)  # noqa: E731
    num = lambda x: html_text(format_number(x, wt.precision))  # noqa: E731
    names = list(wt.records[0].after) if wt.records else []
    shown = names if len(names) <= MAX_PARAM_COLUMNS else []
    head = "".join(f"<th>{html_text(h)}</th>" for h in [t("step"), "L", *shown])
    rows = []
    if wt.records and shown:
        start = wt.records[0].before
        cells = "".join(f"<td>{num(start[name])}</td>" for name in shown)
        rows.append(f'<tr data-step="-1"><td>0</td><td></td>{cells}</tr>')
    for r in wt.records:
        cells = "".join(f"<td>{num(r.after[name])}</td>" for name in shown)
        rows.append(f'<tr data-step="{r.step}"><td>{r.step + 1}</td>'
                    f"<td>{num(r.loss)}</td>{cells}</tr>")
    return head, "\n".join(rows)


def page_html(wt: Walkthrough, svgs: list[str]) -> str:
    """The page's HTML text for ``wt`` with one rendered SVG per frame."""
    lang = wt.lang
    t = lambda key: captions.text(lang, key)  # noqa: E731
    frames_html = "\n".join(
        f'<div class="frame" data-index="{i}"{"" if i == 0 else " hidden"}>'
        f"{inline_svg(svg)}</div>" for i, svg in enumerate(svgs))
    last_of_step = {f.step: f.index for f in wt.frames}
    data = {
        "frames": [{"caption": f.caption, "phase": f.phase, "step": f.step,
                    "node": f.node_id, "done": last_of_step[f.step] == f.index}
                   for f in wt.frames],
        "inspect": _inspect_data(wt),
        "nodes": _node_rows(wt),
        "text": {key: t(key) for key in ("frame", "play", "pause")},
    }
    head, rows = _table(wt)
    phases = "".join(f'<li data-phase="{p}">{html_text(t(p))}</li>' for p in captions.PHASES)
    legend = "".join(f'<span class="{cls}">{html_text(t(key))}</span>' for cls, key in (
        ("param", "legend_param"), ("input", "legend_input"), ("loss", "legend_loss"),
        ("now", "legend_now"), ("faded", "legend_faded")))
    return _fill(_asset("templates", "walkthrough.html"), {
        "lang": "zh-Hans" if lang == "zh" else "en",
        "title": html_text(t("title")),
        "css": _asset("static", "walkthrough.css"),
        "js": _asset("static", "walkthrough.js"),
        "phases": phases,
        "keys": html_text(t("keys")),
        "first_caption": html_text(wt.frames[0].caption),
        "prev": html_text(t("prev")), "next": html_text(t("next")),
        "play": html_text(t("play")), "frame": html_text(t("frame")),
        "last_index": str(len(wt.frames) - 1),
        "frames": frames_html,
        "table_caption": html_text(t("table_caption")),
        "nodes_caption": html_text(t("nodes_caption")),
        "node_head": "".join(f"<th>{html_text(t(k))}</th>"
                             for k in ("node", "value", "gradient")),
        "table_head": head, "table_rows": rows,
        "inspector_title": html_text(t("inspector_title")),
        "inspector_hint": html_text(t("inspector")),
        "legend": legend,
        "data": json_for_script(json.dumps(data, ensure_ascii=False)),
    })


def write_page(wt: Walkthrough, path: Path) -> Path:
    """Render every frame with ``dot`` and write the page atomically; returns ``path``."""
    if path.suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"the walkthrough page is HTML: give a .html path, got {str(path)!r}")
    svgs = frame_svgs(wt.frames, precision=wt.precision, title=False)
    write_atomic(path, page_html(wt, svgs).encode("utf-8"))
    return path
