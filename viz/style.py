"""The look of a drawing, set once: role colours, gradient-sign colours, fonts, the legend."""

from __future__ import annotations

from .escape import html_label
from .numbers import format_number

__all__ = ["FONT", "ROLES", "ROLE_NAMES", "WORDS", "LANGS", "words", "cell_text",
           "grad_colours", "legend_label", "FADED", "HIGHLIGHT"]

# A Latin face first, then a CJK face, then anything: Graphviz (pango) and the browser
# both read this as a fallback list, so Chinese labels render instead of boxes.
FONT = "Helvetica,Arial,Noto Sans CJK SC,Noto Sans CJK,sans-serif"

# role -> (fill, border). Roles: learnable parameters, data inputs, constants from the
# expression (x * 2), the loss (the root), and intermediate results.
ROLES: dict[str, tuple[str, str]] = {
    "param": ("#e0e7ff", "#4338ca"),
    "input": ("#f1f5f9", "#475569"),
    "constant": ("#ffffff", "#94a3b8"),
    "loss": ("#fef3c7", "#b45309"),
    "result": ("#ffffff", "#334155"),
}
ROLE_NAMES = {
    "param": "parameter",
    "input": "input",
    "constant": "constant",
    "loss": "loss (root)",
    "result": "computed",
}

# The words a drawing writes, per language (viz.draw(lang=...)): a Chinese notebook's
# graphs say 值 / 梯度 like its walkthrough.
WORDS = {
    "en": {"data": "data", "grad": "grad", "legend": "legend", **ROLE_NAMES},
    "zh": {"data": "值", "grad": "梯度", "legend": "图例", "param": "参数", "input": "输入",
           "constant": "常数", "loss": "损失（根）", "result": "计算结果"},
}
LANGS = tuple(WORDS)


def words(lang: str) -> dict[str, str]:
    """The words for ``lang``, or a ValueError naming the languages there are."""
    if lang not in WORDS:
        raise ValueError(f"lang must be one of {', '.join(map(repr, LANGS))}, got {lang!r}")
    return WORDS[lang]


def cell_text(lang: str, kind: str, x: float | None, precision: int = 6) -> str:
    """A node's value or gradient row, ``kind`` "data" or "grad": ``data 0.5``, ``梯度 −1.796``
    (``grad …`` not computed yet). The one wording of drawings and walkthrough frames."""
    return f"{words(lang)[kind]} {format_number(x, precision)}"


POSITIVE = ("#fee2e2", "#991b1b")  # grad > 0: raising this value raises the loss
NEGATIVE = ("#dbeafe", "#1e40af")  # grad < 0: raising this value lowers the loss
ZERO = ("", "#64748b")

FADED = ("#ffffff", "#cbd5e1")  # not computed yet in a walkthrough frame: (fill, ink)
HIGHLIGHT = "#ea580c"  # the node or edge the current frame is about


def grad_colours(grad: float | None) -> tuple[str, str]:
    """(background, text colour) for a gradient cell: red above 0, blue below, grey at 0."""
    if grad is None or grad == 0 or grad != grad:
        return ZERO
    return POSITIVE if grad > 0 else NEGATIVE


def legend_label(roles: list[str], grad_signs: bool = True, lang: str = "en") -> str:
    """An HTML-like label: one swatch per role present, then (if grads are shown) the two
    gradient signs, so the legend never explains a colour the drawing does not use."""
    said = words(lang)
    rows = [f'<TR><TD COLSPAN="2"><B>{html_label(said["legend"])}</B></TD></TR>']
    for role in roles:
        fill, border = ROLES[role]
        rows.append(
            f'<TR><TD BGCOLOR="{fill}" COLOR="{border}" BORDER="1" WIDTH="18"> </TD>'
            f'<TD ALIGN="LEFT">{html_label(said[role])}</TD></TR>'
        )
    grad = html_label(said["grad"])
    signs = ((POSITIVE, f"{grad} &gt; 0"), (NEGATIVE, f"{grad} &lt; 0")) if grad_signs else ()
    for (fill, ink), text in signs:
        rows.append(
            f'<TR><TD BGCOLOR="{fill}" BORDER="1" WIDTH="18"> </TD>'
            f'<TD ALIGN="LEFT"><FONT COLOR="{ink}">{text}</FONT></TD></TR>'
        )
    return (
        '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="2">'
        + "".join(rows)
        + "</TABLE>>"
    )
