"""Escaping user text for every place it lands: DOT records, HTML-like labels, SVG, HTML.

A node label is user text (``Value(1, "<script>alert(1)</script>")``, ``"a|b{c}"``) and
must always render as the characters typed, never as markup or record structure.
"""

from __future__ import annotations

import html
import re

import graphviz

__all__ = ["printable", "dot_record", "dot_string", "html_label", "html_text", "xml_text",
           "json_for_script", "shorten", "MAX_LABEL"]

# Not text anywhere a label lands: control characters (except tab/newline) break XML and
# mean nothing on screen; lone surrogates (undecodable bytes of a command line) cannot
# be written as UTF-8 at all; U+FFFE and U+FFFF are not XML characters, so dot fails.
_NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
# Characters of one label in a drawing. dot refuses an HTML-like label over 16,384
# bytes; escaping can make a character 6 ("'" → "&#x27;"), so 1,000 always fit.
MAX_LABEL = 1000
# Characters with a meaning inside a DOT record label: fields, ports, quoting, escapes.
_RECORD_SPECIAL = re.compile(r'([\\{}|<>"])')


def printable(text: str) -> str:
    """``text`` with what is not text (control characters such as terminal escapes, NUL
    and bell; lone surrogates; U+FFFE, U+FFFF) shown as U+FFFD."""
    if not isinstance(text, str):
        raise TypeError(f"expected label text as str, got {text!r} ({type(text).__name__})")
    return _NOT_TEXT.sub("\N{REPLACEMENT CHARACTER}", text)


def shorten(text: str, limit: int = MAX_LABEL) -> str:
    """``text`` cut to ``limit`` characters, its full length noted: ``aaa… (20,000 characters)``."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


def _drawable(text: str) -> str:
    return shorten(printable(text))


def dot_record(text: str) -> graphviz.quoting.NoHtml:
    r"""``text`` as one field of a DOT ``shape=record`` label: ``a|b{c}`` → ``a\|b\{c\}``.

    Newlines become ``\n`` (a centred line break in DOT). Wrapped in ``nohtml`` so the
    graphviz library never mistakes ``<...>`` for an HTML-like label.
    """
    escaped = _RECORD_SPECIAL.sub(r"\\\1", _drawable(text))
    return graphviz.nohtml(escaped.replace("\r", "").replace("\n", r"\n"))


def dot_string(text: str) -> graphviz.quoting.NoHtml:
    r"""``text`` as a plain quoted DOT attribute (tooltip, comment): quotes and ``\`` escaped."""
    escaped = _drawable(text).replace("\\", "\\\\").replace('"', '\\"')
    return graphviz.nohtml(escaped.replace("\r", "").replace("\n", r"\n"))


def html_label(text: str) -> str:
    """``text`` for a Graphviz HTML-like label cell: ``<`` → ``&lt;``, newline → ``<BR/>``.

    HTML-like labels keep spaces around CJK text, which record labels drop. Text over
    ``MAX_LABEL`` characters is cut, saying how long it was (dot would refuse it).
    """
    escaped = html.escape(_drawable(text), quote=True)
    # Graphviz expands \N, \G, \L even inside HTML-like labels: keep backslashes literal.
    escaped = escaped.replace("\\", "\\\\")  # "\\N" is drawn as \N
    return escaped.replace("\r", "").replace("\n", "<BR/>")


def html_text(text: str) -> str:
    """``text`` escaped for HTML element content or a quoted attribute value."""
    return html.escape(printable(text), quote=True)


def xml_text(text: str) -> str:
    """``text`` escaped for SVG/XML content or a quoted attribute value."""
    return html.escape(printable(text), quote=True).replace("&#x27;", "&#39;")


def json_for_script(json_text: str) -> str:
    """JSON text made safe inside ``<script>``: ``<``, ``>``, ``&`` as ``\\u`` escapes.

    ``</script>`` or ``<!--`` inside a label must not end or comment out the script.
    """
    return (
        json_text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
