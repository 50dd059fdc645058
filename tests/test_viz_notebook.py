"""What Jupyter shows: a Walkthrough as its page in a sandboxed frame, plots as PNGs.

The cell output is checked as HTML (self-contained, no outside address, the page
inside it exactly the saved page), then opened in headless Chromium with two
walkthroughs on one page and every request other than file:// and data: blocked.
"""

from __future__ import annotations

import html
import re

import pytest

import viz
from autograd import Value
from viz.walkthrough.notebook import FRAME_HEIGHT, notebook_html, unpack_page
from viz.walkthrough.page import page_text

# The only http(s) text a page may hold: SVG's XML namespace names, which are never fetched.
NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
BASE = '<base href="about:srcdoc">'


@pytest.fixture(scope="module")
def one_step():
    return viz.walkthrough(steps=1)


@pytest.fixture(scope="module")
def cell(one_step):
    return one_step._repr_html_()


def addresses(text: str) -> set[str]:
    return set(re.findall(r"""https?://[^\s"'<>)]+""", text))


def test_the_cell_output_is_a_sandboxed_frame_holding_the_saved_page(one_step, cell):
    assert cell.startswith('<div class="stepgrad-walkthrough-box"')
    assert '<iframe class="stepgrad-walkthrough"' in cell
    assert 'sandbox="allow-scripts"' in cell  # no allow-same-origin: it cannot reach the notebook
    assert f"height: {FRAME_HEIGHT}px" in cell and "resize: vertical" in cell
    assert "<script" not in cell.split("srcdoc=")[0] + cell.split("></iframe>")[1]
    page = unpack_page(cell)
    assert page.count(BASE) == 1 and page.index(BASE) < page.index("<meta")
    assert page.replace(BASE, "") == page_text(one_step)  # the very page write_html saves


def test_nothing_in_the_output_or_the_page_points_outside(cell):
    outside = cell[:cell.index("srcdoc=")] + cell[cell.index("></iframe>"):]
    assert addresses(outside) == set()
    frame_document = html.unescape(re.search(r'srcdoc="([^"]*)"', cell).group(1))
    assert addresses(frame_document) == set()
    assert "default-src 'none'" in frame_document  # the frame may fetch nothing either
    page = unpack_page(cell)
    assert addresses(page) <= NAMESPACES
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)
    assert "@import" not in page and "url(http" not in page


def test_outputs_have_no_ids_so_several_cannot_collide(cell):
    # Everything with an id lives inside each frame's own document.
    outside = cell[:cell.index("srcdoc=")] + cell[cell.index("></iframe>"):]
    assert " id=" not in outside


def test_labels_are_escaped_inside_the_frame():
    evil = Value(0.5, '<script>alert(1)</script>" onload="x')
    wt = viz.walkthrough(lambda x: evil * x, pairs=[(1.0, 2.0)])
    cell = notebook_html(wt)
    assert "<script>alert(1)" not in cell.split("srcdoc=")[1].split("></iframe>")[0]
    assert "<script>alert(1)</script>" not in unpack_page(cell)


@pytest.mark.parametrize("height", [99, 0, 640.0, "640", True])
def test_a_bad_height_is_refused_by_name(one_step, height):
    with pytest.raises(ValueError, match="height is the frame's starting height"):
        notebook_html(one_step, height=height)


def test_unpack_page_refuses_other_html():
    with pytest.raises(ValueError, match="not a walkthrough cell output"):
        unpack_page("<p>hello</p>")


def test_every_plot_has_a_png_for_jupyter():
    import nn
    from viz.plots import learning_curve, loss_curve, loss_surface

    history = nn.History(train_loss=[1.0, 0.5, 0.25])
    figures = [
        loss_curve([0, 0.1, 0.2], [0.3, 0.1, 0.2]),
        loss_surface(lambda a, b: a * a + b * b, (-1, 1), (-1, 1), resolution=5),
        learning_curve(history),
    ]
    for fig in figures:
        png = fig._repr_png_()
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000


# --- in a real browser (the shared ``browser``/``open_page`` fixtures of conftest) -----

playwright_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def notebook_page(tmp_path_factory, cell):
    """A page standing in for a notebook: text, two walkthrough outputs, more text."""
    other = viz.walkthrough(steps=1, lang="zh")._repr_html_()
    path = tmp_path_factory.mktemp("nb") / "notebook.html"
    path.write_text(f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>"
                    f"<h1>notebook</h1><div class='out'>{cell}</div><p>between</p>"
                    f"<div class='out'>{other}</div><p>end</p></body></html>",
                    encoding="utf-8")
    return path


@pytest.fixture()
def browser_page(open_page, notebook_page):
    """The stand-in notebook, opened from file:// with outside requests failing the test."""
    page = open_page(notebook_page, width=1000, height=800, ready="")
    frames = page.frame_locator("iframe.stepgrad-walkthrough")
    for k in (0, 1):
        playwright_api.expect(frames.nth(k).locator("#counter")).not_to_have_text("")
    return page, frames


def counter(frames, k: int) -> int:
    """The frame number walkthrough ``k`` shows ("frame 3 / 18", "第 3 / 18 帧": 3)."""
    return int(re.search(r"(\d+) / \d+", frames.nth(k).locator("#counter").text_content())[1])


def test_two_walkthroughs_in_one_notebook_step_independently(browser_page, one_step):
    page, frames = browser_page
    first, second = frames.nth(0), frames.nth(1)
    assert first.locator("#caption").text_content() == one_step.frames[0].caption
    assert second.locator("h1").text_content() != first.locator("h1").text_content()  # zh
    first.locator("#next").click()
    first.locator("#next").click()
    assert (counter(frames, 0), counter(frames, 1)) == (3, 1)
    assert first.locator("#caption").text_content() == one_step.frames[2].caption
    page.keyboard.press("ArrowRight")  # the keys go to the frame that has the focus
    assert (counter(frames, 0), counter(frames, 1)) == (4, 1)
    second.locator("#slider").fill("10")
    page.keyboard.press("ArrowLeft")
    assert (counter(frames, 0), counter(frames, 1)) == (4, 10)


def test_stepping_never_navigates_the_frame_or_the_notebook(browser_page, notebook_page):
    page, frames = browser_page
    frames.nth(0).locator("#next").click()
    # "#step=N" resolves against the frame's own about:srcdoc, not the notebook's address
    # (it did: the frame then loaded the notebook inside itself)
    assert page.frames[1].url == "about:srcdoc#step=2"
    assert page.url == notebook_page.as_uri()
    blocked = page.frames[1].evaluate(
        "() => { try { return parent.document.title; } catch (e) { return 'blocked'; } }")
    assert blocked == "blocked"


def test_each_page_fills_its_frame_and_the_box_drags_taller(browser_page):
    page, frames = browser_page
    for k in (0, 1):
        inner = page.frames[k + 1]
        # the page lays itself out in the frame's window: no scrollbar inside it
        assert inner.evaluate("() => document.documentElement.scrollHeight") \
            <= inner.evaluate("() => window.innerHeight") + 1
        frame = page.locator("iframe.stepgrad-walkthrough").nth(k)
        assert abs(frame.evaluate("f => f.getBoundingClientRect().height") - FRAME_HEIGHT) <= 2
    box = page.locator(".stepgrad-walkthrough-box").first
    corner = box.bounding_box()
    page.mouse.move(corner["x"] + corner["width"] - 3, corner["y"] + corner["height"] - 3)
    page.mouse.down()
    page.mouse.move(corner["x"] + corner["width"] - 3, corner["y"] + corner["height"] + 197)
    page.mouse.up()
    taller = page.locator("iframe.stepgrad-walkthrough").first
    assert taller.evaluate("f => f.getBoundingClientRect().height") > FRAME_HEIGHT + 150
