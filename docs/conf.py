"""Sphinx settings for stepgrad's documentation site (built by docs/build.py, ./run docs).

Everything the pages need ships inside site/: no CDN script, font or math renderer.
The notebooks arrive already executed (docs/build.py runs them once with nbclient), so
MyST-NB only renders them.
"""

import re

project = "stepgrad"
author = "stepgrad contributors"
copyright = "stepgrad contributors"  # noqa: A001 - Sphinx's name for it
language = "en"

extensions = ["myst_nb", "sphinx.ext.autodoc", "sphinx.ext.viewcode"]
root_doc = "index"
exclude_patterns = ["README.md", "docs/**", "_build", "**.ipynb_checkpoints"]
source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}

# Notebooks: rendered as executed by docs/build.py, never run again here.
nb_execution_mode = "off"
nb_ipywidgets_js = {}  # the widget manager would come from a CDN; no page needs it
# A progress bar's widget cannot render without that manager: show its text instead.
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]
nb_merge_streams = True

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
# The README is written for GitHub: its links to files of the repository are not pages.
suppress_warnings = ["myst.xref_missing"]

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}

html_theme = "furo"
html_title = "stepgrad"
html_static_path = ["_static"]
html_css_files = ["stepgrad.css"]
html_theme_options = {"navigation_with_keys": True}
html_permalinks_icon = "#"
html_show_sourcelink = False
html_copy_source = False
# Search runs from file:// (the index is a script, not a fetch). The Chinese splitter
# (jieba) indexes the Chinese pages word by word; English words are stemmed as usual.
html_search_language = "zh"
# A result's summary would be fetched from its page, which file:// forbids: titles only.
html_show_search_summary = False


_LITERAL = re.compile(r"(``.+?``)")


def plain_text_math(app, what, name, obj, options, lines):
    """Docstrings write math as plain text (|x|, f(*xs)): keep | and * from meaning RST.

    ``literals``, the indented block after a line ending in ::, and doctest examples
    (``>>>`` lines and their output, up to a blank line) stay as they are: an escaped
    ``*`` there would be copied into the reader's Python.
    """
    block = None  # the indentation of the line that opened a literal block
    doctest = False
    for i, line in enumerate(lines):
        indent = len(line) - len(line.lstrip())
        if block is not None and (not line.strip() or indent > block):
            continue
        doctest = line.lstrip().startswith(">>>") or (doctest and bool(line.strip()))
        if doctest:
            continue
        block = indent if line.rstrip().endswith("::") else None
        parts = _LITERAL.split(line)  # odd parts are ``literals``
        lines[i] = "".join(part if k % 2 else re.sub(r"([|*])", r"\\\1", part)
                           for k, part in enumerate(parts))


def setup(app):
    """Docstrings as plain text; the search language fix below."""
    app.connect("autodoc-process-docstring", plain_text_math)
    from sphinx.search.zh import SearchChinese

    class SearchChineseAndEnglish(SearchChinese):
        # Sphinx 9's zh search ships the English stemmer but names it "ChineseStemmer"
        # in language_data.js, which then fails ("ChineseStemmer is not defined") and
        # search finds nothing. The stemmer is the English one: say so.
        language_name = "English"
        # The index splits Chinese text into words with jieba; a Chinese query is split
        # into the index's own words (below), so 反向传播 finds the pages with 反向 and
        # 传播. Other words split as Sphinx's default splitter does.
        js_splitter_code = r"""
var splitQuery = (query) => {
  const words = query.split(/[^\p{Letter}\p{Number}_\p{Emoji_Presentation}]+/gu)
    .filter((term) => term);
  // A Chinese word is split by longest match against the index's own words (jieba's,
  // at build time): 学习率 → 学习 + 率 is not indexed → 学习; 过拟合 → 拟合. Without the
  // index yet, the browser's word segmenter, keeping parts longer than one character.
  const index = typeof Search !== "undefined" && Search._index ? Search._index : null;
  const known = (part) => index && (part in index.terms || part in index.titleterms);
  const byIndex = (word) => {
    const parts = [];
    for (let i = 0; i < word.length;) {
      let j = word.length;
      while (j > i + 1 && !known(word.slice(i, j))) j -= 1;
      if (j > i + 1) { parts.push(word.slice(i, j)); i = j; } else i += 1;
    }
    return parts;
  };
  const segment = (word) => {
    if (typeof Intl === "undefined" || !Intl.Segmenter) return [word];
    const segmenter = new Intl.Segmenter("zh", { granularity: "word" });
    return Array.from(segmenter.segment(word), (part) => part.segment)
      .filter((part) => part.length > 1);
  };
  return words.flatMap((word) => {
    if (!/\p{Script=Han}/u.test(word)) return [word];
    const parts = index ? byIndex(word) : segment(word);
    return parts.length ? parts : [word];
  });
};
"""

    app.add_search_language(SearchChineseAndEnglish)
