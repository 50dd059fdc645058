"""The walkthrough as ONE self-contained HTML file: inline SVG frames, CSS and JS.

No network and no server: the page opens from file://, and a Content-Security-Policy
forbids it from fetching anything. Every user-given string is escaped (``html_text``
for markup, ``json_for_script`` for the data block); SVG comes from ``dot``, which
escapes labels itself. What the page shows at a frame comes with the frame index it
becomes known at, so the script can never show a number before its time.
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
from .chart import trajectory_svg
from .frames import frame_svgs, inline_svg

if TYPE_CHECKING:
    from . import Walkthrough

__all__ = ["page_html", "page_text", "write_page"]

MAX_PARAM_COLUMNS = 4  # beyond that the step table shows the loss only

_UI_KEYS = ("frame_counter", "play", "pause", "value", "gradient", "not_yet",
            "inspector_forward", "inspector_loss", "inspector_backward", "inspector_update",
            "inspector", "inspector_following", "inspector_pinned",
            "role_param", "role_input", "role_target", "role_result", "role_loss",
            "quiz_prompt", "quiz_right", "quiz_wrong", "quiz_shown", "quiz_score",
            "quiz_check", "quiz_show", "quiz_bad_number", "step_n")


def _asset(folder: str, name: str) -> str:
    return resources.files("viz").joinpath(folder, name).read_text(encoding="utf-8")


def _fill(template: str, values: dict[str, str]) -> str:
    # One pass, so text inserted for one placeholder is never read as another.
    return re.sub(r"\{\{(\w+)\}\}", lambda m: values[m.group(1)], template)


def _frames_data(wt: Walkthrough) -> list[dict]:
    last_of_step = {f.step: f.index for f in wt.frames}
    out = []
    for f in wt.frames:
        item: dict = {"caption": f.caption, "phase": f.phase, "step": f.step,
                      "node": f.node_id, "done": last_of_step[f.step] == f.index}
        if f.answer is not None:
            item["q"] = {"question": f.answer.question, "line": f.answer.line,
                         "answer": f.answer.text,
                         "value": f.answer.value, "cells": list(f.answer.cells),
                         "near": list(f.answer.near)}
        out.append(item)
    return out


def _facts_data(wt: Walkthrough) -> dict[int, list[dict]]:
    return {step: [{"id": f.id, "name": f.name, "full": f.full, "role": f.role,
                    "value": f.value, "grad": f.grad, "new": f.new, "lines": f.lines}
                   for f in facts] for step, facts in wt.facts.items()}


def _known_at(wt: Walkthrough) -> dict[int, dict[str, int]]:
    """Per detailed step, the frame at which the table learns L and each parameter."""
    known: dict[int, dict[str, int]] = {}
    for f in wt.frames:
        cells = known.setdefault(f.step, {})
        if f.node is f.graph.root and f.phase in ("loss", "forward") and "L" not in cells:
            cells["L"] = f.index
        if f.phase == "update" and f.node in f.graph.params:
            cells.setdefault(f.graph.params[f.node], f.index)
    return known


def _table(wt: Walkthrough) -> tuple[str, str, list[str]]:
    """The step table's head and rows; each cell says from which frame it is known
    (``data-at``); numbers-only pairs are known at the end (``data-at`` = last frame)."""
    t = lambda key, **kw: captions.text(wt.lang, key, **kw)  # noqa: E731
    num = lambda x: html_text(format_number(x, wt.precision))  # noqa: E731
    names = list(wt.records[0].after) if wt.records else []
    shown = names if len(names) <= MAX_PARAM_COLUMNS else []
    head = "".join(f"<th>{html_text(h)}</th>" for h in [t("pair_column"), "L", *shown])
    known = _known_at(wt)
    last = len(wt.frames) - 1
    rows = []
    if wt.records and shown:
        start = wt.records[0].before
        cells = "".join(f'<td data-at="0">{num(start[name])}</td>' for name in shown)
        rows.append(f'<tr data-step="-1"><td>0</td><td></td>{cells}</tr>')
    for r in wt.records:
        at = known.get(r.step, {})
        cells = [f'<td data-at="{at.get("L", last)}">{num(r.loss)}</td>']
        cells += [f'<td data-at="{at.get(name, last)}" data-param="{html_text(name)}">'
                  f"{num(r.after[name])}</td>" for name in shown]
        extra = "" if r.detailed else ' class="numbers-only"'
        rows.append(f'<tr data-step="{r.step}"{extra}><td>{r.step + 1}</td>{"".join(cells)}</tr>')
    return head, "\n".join(rows), shown


def page_data(wt: Walkthrough, *, quiz: bool = False) -> dict:
    """Everything the page script reads: frames, node facts, texts."""
    return {
        "lang": wt.lang,
        "quiz": quiz,
        "frames": _frames_data(wt),
        "facts": _facts_data(wt),
        "text": captions.texts(wt.lang, _UI_KEYS),
        # the frame at which each detailed pair's loss is known (its chart point appears)
        "chart": {"steps": len(wt.records),
                  "loss_at": {str(k): v["L"] for k, v in _known_at(wt).items() if "L" in v}},
    }


def page_html(wt: Walkthrough, svgs: list[str], *, quiz: bool = False) -> str:
    """The page's HTML text for ``wt`` with one rendered SVG per frame."""
    lang = wt.lang
    t = lambda key, **kw: captions.text(lang, key, **kw)  # noqa: E731
    frames_html = "\n".join(
        f'<div class="frame" data-index="{i}"{"" if i == 0 else " hidden"}>'
        f"{inline_svg(svg)}</div>" for i, svg in enumerate(svgs))
    head, rows, columns = _table(wt)
    phases = "".join(f'<li><button type="button" data-phase="{p}">{html_text(t(p))}</button></li>'
                     for p in captions.PHASES)
    legend = "".join(f'<span class="{cls}">{html_text(t(key))}</span>' for cls, key in (
        ("param", "legend_param"), ("input", "legend_input"), ("loss", "legend_loss"),
        ("now", "legend_now"), ("faded", "legend_faded"), ("stale", "legend_stale"),
        ("gradflow", "legend_grad")))
    about = "".join(f"<span>{html_text(line)}</span> " for line in wt.about.lines)
    return _fill(_asset("templates", "walkthrough.html"), {
        "lang": "zh-Hans" if lang == "zh" else "en",
        "title": html_text(t("title")),
        "css": _asset("static", "walkthrough.css"),
        "js": _asset("static", "walkthrough.js"),
        "about": about,
        "phases": phases,
        "keys": html_text(t("keys")),
        "first_caption": html_text(wt.frames[0].caption),
        **{key: html_text(t(key)) for key in (
            "prev", "next", "play", "first", "last", "prev_phase", "next_phase",
            "prev_pair", "next_pair", "speed", "zoom_in", "zoom_out", "zoom_fit", "frame",
            "table_caption", "nodes_caption", "inspector_title", "quiz_toggle",
            "presenter", "quiz_check", "quiz_show", "quiz_prompt", "pair", "phase_word",
            "quiz_word", "play_title")},
        "chart_caption": html_text(t("chart_caption" if wt.about.targets else
                                     "chart_caption_user")),
        "counter": html_text(t("frame_counter", i=1, n=len(wt.frames))),
        "last_index": str(len(wt.frames) - 1),
        "frames": frames_html,
        "node_head": "".join(f"<th>{html_text(t(k))}</th>"
                             for k in ("node", "value", "gradient")),
        "table_head": head, "table_rows": rows,
        "inspector_hint": html_text(t("inspector")),
        "legend": legend,
        "chart": trajectory_svg(wt),
        "quiz_checked": " checked" if quiz else "",
        # a table of the loss alone (many parameters) leaves its room to the node table
        "body_class": "" if columns else "loss-only",
        "data": json_for_script(json.dumps(page_data(wt, quiz=quiz), ensure_ascii=False)),
    })


def page_text(wt: Walkthrough, *, quiz: bool = False) -> str:
    """The whole page as a string: every frame rendered by ``dot``."""
    svgs = frame_svgs(wt.frames, lang=wt.lang, precision=wt.precision, title=False)
    return page_html(wt, svgs, quiz=quiz)


def write_page(wt: Walkthrough, path: Path, *, quiz: bool = False) -> Path:
    """Render every frame with ``dot`` and write the page atomically; returns ``path``."""
    if path.suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"the walkthrough page is HTML: give a .html path, got {str(path)!r}")
    write_atomic(path, page_text(wt, quiz=quiz).encode("utf-8"))
    return path
