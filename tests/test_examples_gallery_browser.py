"""The gallery's index.html in a real headless Chromium, opened from file:// with no network.

Every request the page makes is recorded and anything but file:// is blocked; every image
must load (a decoded PNG has a natural width). Set STEPGRAD_CHROMIUM for another browser.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from examples import gallery

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = os.environ.get("STEPGRAD_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("gallery")
    gallery.write_gallery(folder, gallery.choose("softmax_temperature,guess_bisection"),
                          progress=False)
    return folder / "index.html"


def test_every_image_loads_from_file_with_the_network_blocked(index):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: install it or set STEPGRAD_CHROMIUM")
    requests, errors, console = [], [], []
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            page = browser.new_page()
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)

            def route(r):
                requests.append(r.request.url)
                if r.request.url.startswith("file:"):
                    r.continue_()
                else:
                    r.abort()

            page.route("**/*", route)
            page.goto(index.as_uri())
            page.wait_for_load_state("load")
            images = page.eval_on_selector_all(
                "img", "imgs => imgs.map(i => [i.getAttribute('src'), i.complete, "
                       "i.naturalWidth])")
            heading = page.text_content("h1")
            quote = page.text_content("#guess_bisection blockquote")
        finally:
            browser.close()
    assert [src for src, _, _ in images] == ["softmax_temperature.png", "guess_bisection.png"]
    assert all(complete and width > 500 for _, complete, width in images), images
    assert "文章插图的重新生成" in heading and quote == "本例中可以采用二分法调整参数"
    assert [u for u in requests if not u.startswith("file:")] == []
    assert errors == [] and console == []  # no script error, no blocked resource
