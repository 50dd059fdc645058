"""The gallery's index.html: every figure with its article, sentence, captions and command.

One self-contained page (its style inline, no script, no font or file from the network)
beside the PNG and SVG files it shows; a Content-Security-Policy lets it load nothing but
those images. Every piece of text is escaped, so an article's ``<`` or ``&`` is text.
"""

from __future__ import annotations

from collections.abc import Sequence

from viz.escape import html_text

from ._gallery_entries import ARTICLES, Entry

COMMAND = "python -m examples.gallery OUT_DIR"

_STYLE = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC",
       "Microsoft YaHei", system-ui, sans-serif; margin: 0 auto; max-width: 72rem;
       padding: 1rem 1.5rem 3rem; color: #111827; line-height: 1.5; }
h1 { font-size: 1.6rem; margin-bottom: .3rem; }
h2 { font-size: 1.25rem; border-bottom: 1px solid #d1d5db; margin-top: 2.5rem; }
h2 small { font-weight: normal; color: #4b5563; font-size: .8rem; }
h3 { font-size: 1rem; margin: 0 0 .4rem; }
nav ol { columns: 2; font-size: .92rem; }
figure { margin: 1.5rem 0 2.5rem; }
figure img { max-width: 100%; height: auto; border: 1px solid #e5e7eb; }
blockquote { margin: .6rem 0; padding: .3rem .9rem; border-left: 4px solid #f59e0b;
             background: #fffbeb; }
figcaption p { margin: .35rem 0; }
code { background: #f3f4f6; padding: .1rem .3rem; border-radius: 3px; font-size: .88rem;
       word-break: break-all; }
.files { font-size: .9rem; color: #4b5563; }
"""


def _figure(number: int, entry: Entry) -> str:
    name = html_text(entry.name)
    # the 001 article is in traditional characters; the others in simplified
    quote_lang = "zh-Hant" if entry.article == "001" else "zh-Hans"
    return f"""
<figure id="{name}">
  <h3>{number}. {name}</h3>
  <a href="{name}.svg"><img src="{name}.png" alt="{html_text(entry.caption_en)}"></a>
  <figcaption>
    <blockquote lang="{quote_lang}">{html_text(entry.quote)}</blockquote>
    <p lang="zh-Hans">{html_text(entry.caption_zh)}</p>
    <p lang="en">{html_text(entry.caption_en)}</p>
    <p>Regenerate: <code>{html_text(f"{COMMAND} --only {entry.name}")}</code>
       · its numbers: <code>{html_text(entry.script)}</code></p>
    <p class="files">Files: <a href="{name}.png">{name}.png</a> ·
       <a href="{name}.svg">{name}.svg</a></p>
  </figcaption>
</figure>"""


def page(entries: Sequence[Entry]) -> str:
    """The whole index.html for ``entries``, grouped by article in the order given."""
    groups: dict[str, list[tuple[int, Entry]]] = {}
    for number, entry in enumerate(entries, start=1):
        groups.setdefault(entry.article, []).append((number, entry))
    contents = "\n".join(f'<li><a href="#{html_text(e.name)}">{html_text(e.name)}</a></li>'
                         for e in entries)
    sections = []
    for key, numbered in groups.items():
        article = ARTICLES[key]
        sections.append(
            f'<section>\n<h2 lang="zh-Hans">{html_text(article.title)} '
            f"<small>{html_text(article.file)}</small></h2>"
            + "".join(_figure(n, e) for n, e in numbered) + "\n</section>")
    policy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' file:"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{policy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>stepgrad: the articles' figures, regenerated</title>
<style>{_STYLE}</style>
</head>
<body>
<h1>The articles' figures, regenerated <span lang="zh-Hans">文章插图的重新生成</span></h1>
<p>Every figure below is computed by stepgrad from the five source articles' examples,
most of them figures the articles lost ("在这里插入图片描述"). Each shows the sentence it
belongs to, a caption in Chinese and English, and the command that draws it again
(<code>{html_text(COMMAND)}</code> draws them all; every random choice is seeded, so the
files come out the same). Click a figure for its SVG.</p>
<nav><ol>
{contents}
</ol></nav>
{"".join(sections)}
</body>
</html>
"""
