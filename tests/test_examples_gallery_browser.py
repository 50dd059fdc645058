"""The gallery's index.html in a real headless Chromium, opened from file:// with no network.

``open_page`` (tests/conftest.py) records every request, blocks anything but file:// and
data:, and fails on a script error; here every image must also load (a decoded PNG has a
natural width, a blocked one none).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from examples import gallery


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("gallery")
    gallery.write_gallery(folder, gallery.choose("guess_bisection"), progress=False)
    return folder / "index.html"


def test_every_image_loads_from_file_with_the_network_blocked(index, open_page):
    page = open_page(index, ready="h1")
    page.wait_for_load_state("load")
    images = page.eval_on_selector_all(
        "img", "imgs => imgs.map(i => [i.getAttribute('src'), i.complete, i.naturalWidth])")
    assert [src for src, _, _ in images] == ["guess_bisection.png"]
    assert all(complete and width > 500 for _, complete, width in images), images
    assert "文章插图的重新生成" in page.text_content("h1")
    assert page.text_content("#guess_bisection blockquote") == "本例中可以采用二分法调整参数"
    assert page.get_attribute("#guess_bisection a", "href") == "guess_bisection.svg"
