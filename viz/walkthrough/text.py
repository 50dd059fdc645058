"""The plain-text transcript: what the page says, numbered frame by frame, in a terminal."""

from __future__ import annotations

from ..numbers import format_number
from . import captions
from .model import Frame, StepRecord

__all__ = ["transcript"]

MAX_COLUMNS = 6  # parameters shown in the table at the end


def _one_line(text: str) -> str:
    """A caption on one line, whatever the labels hold: one frame, one line."""
    return " ".join(text.split())


def transcript(frames: list[Frame], records: list[StepRecord], lang: str, precision: int,
               about: tuple[str, ...] = ()) -> str:
    """The header, one line per frame (``[12] backward: …``), then a table of the
    parameters after each pair."""
    lines: list[str] = [_one_line(line) for line in about]
    step = None
    for frame in frames:
        if frame.step != step:
            step = frame.step
            if lines:
                lines.append("")
            lines.append(f"== {captions.text(lang, 'step_n', k=step + 1)} ==")
        lines.append(f"[{frame.index + 1}] {_one_line(frame.caption)}")
    if records:
        names = list(records[0].after)[:MAX_COLUMNS]
        lines += ["", captions.text(lang, "table_caption") + ":"]
        rows = [[captions.text(lang, "pair_column"), "L", *names]]
        for r in records:
            rows.append([str(r.step + 1), format_number(r.loss, precision)]
                        + [format_number(r.after[name], precision) for name in names])
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
                         .rstrip())
    return "\n".join(lines) + "\n"
