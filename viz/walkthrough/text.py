"""The plain-text transcript: every frame's caption, numbered, grouped by training pair."""

from __future__ import annotations

from ..numbers import format_number
from . import captions
from .model import Frame, StepRecord

__all__ = ["transcript"]


def transcript(frames: list[Frame], records: list[StepRecord], lang: str,
               precision: int) -> str:
    """One line per frame (``[12] backward: …``), then a table of the parameters per step."""
    lines: list[str] = []
    step = None
    for frame in frames:
        if frame.step != step:
            step = frame.step
            if lines:
                lines.append("")
            lines.append(f"== {captions.text(lang, 'step')} {step + 1} ==")
        lines.append(f"[{frame.index + 1}] {frame.caption}")
    if records:
        names = list(records[0].after)[:6]
        lines += ["", captions.text(lang, "table_caption") + ":"]
        rows = [[captions.text(lang, "step"), "L", *names]]
        for r in records:
            rows.append([str(r.step + 1), format_number(r.loss, precision)]
                        + [format_number(r.after[name], precision) for name in names])
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
                         .rstrip())
    return "\n".join(lines) + "\n"
