"""Fonts for Chinese (CJK) text in matplotlib figures, with a clean fallback.

matplotlib's default font, DejaVu Sans, has no CJK glyphs: a title such as 损失曲线
draws as empty boxes with one warning per character. When a CJK font is installed we
put it after DejaVu Sans in each text's font list, so Latin text keeps its usual look
and matplotlib (3.6+) takes each CJK glyph from the fallback. A font installed after
matplotlib built its font cache is invisible to it, so the system font folders are
scanned once more before giving up. Without any CJK font: one ``CJKFontWarning``
saying how to install one, and the figure is still written.
"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import matplotlib
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.text import Text

__all__ = ["CJKFontWarning", "cjk_font", "has_cjk", "has_cjk_name", "apply_fonts",
           "quiet_missing_glyphs", "BASE_FONT"]

BASE_FONT = "DejaVu Sans"  # matplotlib's own default, always shipped with it

# Families to prefer, Simplified Chinese first (the articles are in Chinese).
_PREFERRED = (
    "Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", "Hiragino Sans GB",
    "SimHei", "Heiti SC", "Noto Sans SC", "Noto Sans CJK JP", "Noto Sans CJK TC",
    "Droid Sans Fallback", "AR PL UMing CN",
)
_CJK_NAME = re.compile(r"CJK|Han Sans|WenQuanYi|YaHei|PingFang|SimHei|Heiti|Noto Sans SC"
                       r"|Droid Sans Fallback|AR PL", re.IGNORECASE)
_CJK_FILE = re.compile(r"cjk|sourcehan|wqy|msyh|pingfang|simhei|droidsansfallback|uming",
                       re.IGNORECASE)
# CJK ideographs, kana, hangul, CJK punctuation and full-width forms.
_CJK_TEXT = re.compile(r"[\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")
# matplotlib's per-glyph complaint, replaced by our single warning when no font exists.
_MISSING_GLYPH = r"Glyph \d+ .* missing from font"


class CJKFontWarning(UserWarning):
    """No CJK font was found: Chinese text in figures will show as boxes."""


def has_cjk(text: str) -> bool:
    """True when ``text`` holds Chinese, Japanese or Korean characters."""
    return bool(_CJK_TEXT.search(text))


@functools.cache
def cjk_font() -> str | None:
    """The family name of an installed CJK font matplotlib can use, or None."""
    found = _best(font.name for font in font_manager.fontManager.ttflist)
    if found:
        return found
    # Installed after matplotlib cached its font list: look at the files themselves.
    for path in font_manager.findSystemFonts():
        if _CJK_FILE.search(path):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue  # an unreadable font file is not ours to report
    return _best(font.name for font in font_manager.fontManager.ttflist)


def has_cjk_name(family: str) -> bool:
    """True when the font family name is one of the known CJK families (Noto Sans CJK, …)."""
    return bool(_CJK_NAME.search(family))


def _best(names) -> str | None:
    available = {name for name in names if has_cjk_name(name)}
    for name in _PREFERRED:
        if name in available:
            return name
    return min(available) if available else None


_warned = False


def apply_fonts(fig: Figure) -> bool:
    """Give every text of ``fig`` a CJK fallback font; returns False when none exists.

    Without a CJK font and with CJK text in the figure, warns once per process
    (``CJKFontWarning``) and silences matplotlib's per-glyph warnings for this figure.
    """
    global _warned
    texts = fig.findobj(Text)
    font = cjk_font()
    if font is not None:
        for text in texts:
            text.set_fontfamily([BASE_FONT, font])
        return True
    if any(has_cjk(text.get_text()) for text in texts):
        if not _warned:
            _warned = True
            warnings.warn(
                "no CJK font found, so Chinese text in plots will show as boxes. Install "
                "one (`sudo apt-get install fonts-noto-cjk`, `brew install --cask "
                "font-noto-sans-cjk`), then delete matplotlib's font cache "
                f"({matplotlib.get_cachedir()}) if it still is not found.",
                CJKFontWarning, stacklevel=3,
            )
        return False
    return True


@contextmanager
def quiet_missing_glyphs() -> Iterator[None]:
    """Inside, matplotlib's "Glyph … missing from font" warnings are hidden."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_MISSING_GLYPH)
        yield
