"""The documentation site (docs/build.py, ./run docs), opened as a reader would: from the
file system, in headless Chromium, with every request that is not file:// or data:
blocked and failing the test.

The site is built once per session from the notebooks the notebook tests ran.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

import autograd
import nn
import viz

playwright_api = pytest.importorskip("playwright.sync_api")



class Loads(HTMLParser):
    """Every address an HTML page loads by itself (not the links a reader may click)."""

    LOADING = {"script": "src", "img": "src", "iframe": "src", "source": "src",
               "audio": "src", "video": "src", "embed": "src", "object": "data"}

    def __init__(self) -> None:
        super().__init__()
        self.addresses: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.LOADING and attrs.get(self.LOADING[tag]):
            self.addresses.append(attrs[self.LOADING[tag]])
        if tag == "link" and attrs.get("href") and "stylesheet" in (attrs.get("rel") or "") \
                or tag == "link" and (attrs.get("rel") or "") in ("preload", "icon", "manifest"):
            self.addresses.append(attrs["href"])


def outside(address: str) -> bool:
    return bool(re.match(r"(https?:)?//", address.strip(), re.IGNORECASE))


def test_no_page_or_stylesheet_loads_anything_from_outside(docs_site):
    pages = sorted(docs_site.rglob("*.html"))
    assert len(pages) > 15
    for page in pages:
        parser = Loads()
        parser.feed(page.read_text(encoding="utf-8"))
        assert [a for a in parser.addresses if outside(a)] == [], page
        assert "mathjax" not in page.read_text(encoding="utf-8").lower(), page
    for sheet in docs_site.rglob("*.css"):
        text = sheet.read_text(encoding="utf-8")
        assert not re.search(r"url\(\s*['\"]?(https?:)?//|@import\s+['\"]?(https?:)?//", text), \
            sheet


def test_the_api_reference_names_every_public_name(docs_site):
    for package in (autograd, nn, viz):
        html = (docs_site / "api" / f"{package.__name__}.html").read_text(encoding="utf-8")
        ids = set(re.findall(r'id="([\w.\-]+)"', html))
        missing = [name for name in package.__all__
                   if f"{package.__name__}.{name}" not in ids
                   and f"module-{package.__name__}.{name}" not in ids]
        assert missing == [], f"{package.__name__}: no entry for {missing}"


def test_every_section_is_there(docs_site):
    for page in ("index", "getting-started", "tutorials", "notebooks/tour", "howto/index",
                 "howto/gradcheck", "howto/big-model", "howto/compiled", "howto/mnist",
                 "howto/save-load", "api/index", "zh/index", "notebooks/tour_zh",
                 "notebooks/article_001_deepin", "notebooks/article_002_ice_cream",
                 "notebooks/article_003_notes", "notebooks/article_004_guess_number",
                 "notebooks/article_000_function_fit", "search"):
        assert (docs_site / f"{page}.html").is_file(), page
    start = re.sub(r"<[^>]+>", "", (docs_site / "getting-started.html").read_text("utf-8"))
    assert "./run demo" in start and "./run docs" in start  # the README's quick start


@pytest.fixture()
def site_page(open_page, docs_site):
    """Open a page of the site from file:// (conftest's open_page: outside requests, script
    errors and dialogs fail the test)."""
    return lambda name, query="": open_page(docs_site / name, query, ready="")


def test_index_opens_offline(site_page):
    page = site_page("index.html")
    assert page.title().startswith("stepgrad")
    for text in ("Getting started", "Tutorials", "How-to guides", "API reference", "中文"):
        playwright_api.expect(page.locator(".sidebar-tree")).to_contain_text(text)


def test_the_tutorial_walkthrough_steps_inside_the_page(site_page):
    page = site_page("notebooks/tour.html")
    page.wait_for_load_state("load")  # the graphs and figures above it are laid out
    frame = page.frame_locator("iframe.stepgrad-walkthrough").first
    counter = frame.locator("#counter")
    playwright_api.expect(counter).to_contain_text("1 /")
    before = frame.locator("#caption").text_content()
    frame.locator("#next").click()
    playwright_api.expect(counter).to_contain_text("2 /")
    assert frame.locator("#caption").text_content() != before
    frame.locator("#last").click()
    playwright_api.expect(frame.locator("#caption")).to_contain_text("w = 0.51796, b = 0.62196")
    assert page.locator("img, svg").count() > 3  # the graphs and the learning curve


def test_graphs_keep_their_own_size_and_scroll_sideways(site_page):
    page = site_page("notebooks/tour.html")
    sizes = page.evaluate("""() => Array.from(document.querySelectorAll(
        'div.cell_output > img[src$=".svg"]')).map(i => [i.getBoundingClientRect().width,
        i.naturalWidth])""")
    assert sizes and all(abs(shown - natural) <= 1 for shown, natural in sizes), sizes
    assert any(natural > 800 for _, natural in sizes)  # one wider than the column: scrolls


def test_api_examples_read_as_python_without_escapes(site_page):
    text = site_page("api/autograd.html").locator("body").inner_text()
    assert ">>> L = (w * x + b - 1) ** 2 / 2" in text and "\\*" not in text


def test_an_api_page_documents_gradcheck(site_page):
    page = site_page("api/autograd.html")
    entry = page.locator('[id="autograd.gradcheck"]')
    playwright_api.expect(entry).to_contain_text("gradcheck")
    playwright_api.expect(page.locator('[id="autograd.gradcheck"] + dd')).to_contain_text(
        "central-difference")


@pytest.mark.parametrize("query, page", [
    ("gradcheck", "api/autograd.html"),
    ("反向传播", "notebooks/article_001_deepin.html"),
    ("学习率", "notebooks/article_001_deepin.html"),  # the browser splits it 学习 | 率
    ("过拟合", "notebooks/article_003_notes.html"),  # 过 | 拟 | 合: one character each
])
def test_search_works_offline(site_page, query, page):
    search = site_page("search.html", f"?q={query}")
    results = search.locator("#search-results ul.search li")
    playwright_api.expect(results.first).to_be_visible(timeout=15_000)
    links = [a.get_attribute("href") for a in search.locator("#search-results ul.search li a")
             .all()]
    assert any(href.split("#")[0].endswith(page) for href in links), links
