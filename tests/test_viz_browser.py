"""The walkthrough page driven in a real headless Chromium (Playwright, system browser).

Every request the page makes is recorded; only file:// and data: may appear.
Set STEPGRAD_CHROMIUM to use another Chromium binary.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import viz
from autograd import Value

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = os.environ.get("STEPGRAD_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: install it or set STEPGRAD_CHROMIUM")
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def article(tmp_path_factory):
    wt = viz.walkthrough(steps=2)
    path = wt.write_html(tmp_path_factory.mktemp("page") / "walkthrough.html")
    return wt, path


@pytest.fixture()
def open_page(browser):
    """Open a page from file:// with every request recorded and outside ones blocked."""
    pages, requests, dialogs = [], [], []

    def opener(path: Path, fragment: str = "", width: int = 1280):
        page = browser.new_page(viewport={"width": width, "height": 800})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

        def route(r):
            requests.append(r.request.url)
            if r.request.url.startswith(("file:", "data:")):
                r.continue_()
            else:
                r.abort()

        page.route("**/*", route)
        page.on("request", lambda req: requests.append(req.url))
        page.goto(path.as_uri() + fragment)
        # expect() polls from Python: the page's CSP forbids wait_for_function's eval
        playwright_api.expect(page.locator("#counter")).not_to_have_text("")
        page.errors = errors
        pages.append(page)
        return page

    yield opener
    for page in pages:
        assert page.errors == [], page.errors
        page.close()
    outside = [u for u in requests if not u.startswith(("file:", "data:"))]
    assert outside == [], f"requests left the page: {outside}"
    assert dialogs == []


def visible_index(page) -> int:
    return page.evaluate(
        "Array.from(document.querySelectorAll('#graph .frame'))"
        ".filter(f => !f.hidden).map(f => Number(f.dataset.index))")


def caption(page) -> str:
    return page.text_content("#caption")


def test_buttons_keys_and_slider_change_frame_and_caption(article, open_page):
    wt, path = article
    page = open_page(path)
    assert visible_index(page) == [0] and caption(page) == wt.frames[0].caption
    page.click("#next")
    assert visible_index(page) == [1] and caption(page) == wt.frames[1].caption
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert visible_index(page) == [3] and caption(page) == wt.frames[3].caption
    page.keyboard.press("ArrowLeft")
    assert visible_index(page) == [2] and caption(page) == wt.frames[2].caption
    page.fill("#slider", "20")
    assert visible_index(page) == [20] and caption(page) == wt.frames[20].caption
    assert page.evaluate("location.hash") == "#step=21"
    page.click("#prev")
    assert caption(page) == wt.frames[19].caption
    assert page.text_content("#phases li.current") == wt.frames[19].phase


def test_end_shows_the_article_result_and_home_goes_back(article, open_page):
    wt, path = article
    page = open_page(path)
    page.keyboard.press("End")
    last = len(wt.frames) - 1
    assert visible_index(page) == [last]
    assert "w = 0.51796, b = 0.62196" in caption(page)
    svg_text = page.text_content(f'#graph .frame[data-index="{last}"] svg')
    assert "data 0.51796" in svg_text and "data 0.62196" in svg_text
    row = page.locator('#steps tr[data-step="1"]')
    assert row.get_attribute("class") == "current"
    assert row.locator("td").all_text_contents() == ["2", "1.61281", "0.51796", "0.62196"]
    page.keyboard.press("Home")
    assert visible_index(page) == [0]


def test_fragment_opens_that_step(article, open_page):
    wt, path = article
    page = open_page(path, "#step=17")
    assert visible_index(page) == [16] and caption(page) == wt.frames[16].caption
    page.evaluate("location.hash = '#step=5'")
    playwright_api.expect(page.locator("#counter")).to_contain_text(" 5 /")
    assert caption(page) == wt.frames[4].caption


def test_node_table_fills_in_as_the_pass_goes(article, open_page):
    wt, path = article
    page = open_page(path, "#step=12")  # backward has reached b, not yet w × x or w
    assert wt.frames[11].node.label == "b"

    def row(name):
        cells = page.locator("#nodes tbody tr").filter(
            has=page.locator(f'td:text-is("{name}")')).locator("td")
        return cells.all_text_contents()

    assert row("b") == ["b", "0.6", "−0.4"]
    assert row("w") == ["w", "0.5", ""]
    assert row("L") == ["L", "0.08", "1"]
    page.keyboard.press("Home")
    assert row("y") == ["y", "", ""]


def test_play_advances_and_pause_stops(article, open_page):
    wt, path = article
    page = open_page(path)
    page.click("#play")
    playwright_api.expect(page.locator('.frame[data-index="0"]')).to_be_hidden(timeout=5000)
    page.click("#play")
    stopped = visible_index(page)
    assert stopped[0] >= 1
    page.wait_for_timeout(1600)
    assert visible_index(page) == stopped


def test_clicking_a_node_shows_its_chain_rule(article, open_page):
    wt, path = article
    page = open_page(path, "#step=15")  # ∂L/∂w of the first pair
    frame = wt.frames[14]
    assert frame.phase == "backward" and frame.node.label == "w"
    page.click(f'#graph .frame[data-index="14"] g.node:has(title:text-is("{frame.node_id}"))')
    text = page.text_content("#inspector-body")
    assert "∂L/∂w = ∂L/∂(w × x) · ∂(w × x)/∂w = −0.4 × 0 = 0" in text


def test_default_example_needs_no_horizontal_scrolling(article, open_page, tmp_path):
    _, path = article
    page = open_page(path, "#step=13", width=1280)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(tmp_path / "walkthrough.png"))  # for a person to look at


OVERFLOWING = """() => Array.from(document.querySelectorAll('aside section, #nodes td'))
    .filter(e => e.scrollWidth > e.clientWidth + 1)
    .map(e => (e.id || e.tagName) + ' ' + e.scrollWidth + '>' + e.clientWidth)"""


@pytest.fixture(scope="module")
def demo_page(tmp_path_factory):
    """The page `./run demo` writes: six steps, numbers like 0.0596306 in the step table."""
    return viz.walkthrough().write_html(tmp_path_factory.mktemp("demo") / "demo.html")


@pytest.mark.parametrize("width", [1280, 1024])
def test_side_panel_fits_the_demo_numbers_without_clipping(open_page, demo_page, width):
    page = open_page(demo_page, "#step=30", width=width)
    assert page.evaluate(OVERFLOWING) == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    graph = page.locator("#graph")  # the article's graph shrinks to fit: no inner scroll
    assert graph.evaluate("g => g.scrollWidth <= g.clientWidth")
    assert page.locator("#steps").evaluate("t => t.getBoundingClientRect().right") \
        <= page.locator("#steps").evaluate("t => t.parentNode.getBoundingClientRect().right")


def test_mlp_page_keeps_names_whole_and_the_current_node_in_view(open_page, tmp_path):
    import nn

    model = nn.MLP(2, [2, 1], activation="tanh", seed=0)
    wt = viz.walkthrough(model, pairs=[([0.0, 1.0], 1.0)], lr=0.1)
    path = wt.write_html(tmp_path / "mlp.html")
    page = open_page(path, width=1280)
    assert page.evaluate(OVERFLOWING) == []  # layers.1.neurons.0.w.1 wraps, never clipped
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # Too wide to shrink legibly, the graph scrolls inside its box and follows the frame.
    graph = page.locator("#graph")
    assert graph.evaluate("g => g.scrollWidth > g.clientWidth")
    for index in (len(wt.frames) // 3, 2 * len(wt.frames) // 3, 0):
        frame = wt.frames[index]
        if frame.node is None:
            continue
        page.fill("#slider", str(index))
        node = page.locator(f'#graph .frame[data-index="{index}"] '
                            f'g.node:has(> title:text-is("{frame.node_id}"))')
        inside = node.evaluate("""(n) => { const b = document.getElementById('graph')
            .getBoundingClientRect(), r = n.getBoundingClientRect();
            return r.left >= b.left - 1 && r.right <= b.right + 1; }""")
        assert inside, (index, frame.node_id, frame.caption)


def test_hostile_labels_and_chinese_render_as_text(open_page, tmp_path):
    evil = Value(0.5, "<img src=x onerror=alert(1)>")

    def model(x):
        return evil * x

    wt = viz.walkthrough(model, pairs=[(1.0, 2.0)], lang="zh")
    path = wt.write_html(tmp_path / "evil.html")
    page = open_page(path)
    page.keyboard.press("End")
    assert "<img src=x onerror=alert(1)>" in caption(page)
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert "参数更新" in page.text_content("#phases")
