"""The notebooks, run top to bottom in a real Jupyter kernel (nbclient), and what they show.

Each notebook (notebooks/*.md) and how-to page (docs/howto/*.md) runs once per session
(the ``executed_notebooks`` fixture, shared with the site build). A notebook passes when
no cell raised, nothing was written to stderr (a warning, a font without Chinese
glyphs), and its outputs carry the numbers the article, or the page, states.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from tests.conftest import docs_build

BUILD = docs_build()
PAGES = [str(BUILD.page_of(p).with_suffix("")) for p in BUILD.notebook_paths()]

# Text each notebook's outputs must contain: the articles' numbers, computed live.
EXPECTED = {
    "notebooks/tour": ["0.6 0.08", "0.0 -0.4", "0.5 0.604", "0.51796  0.62196",
                       "accuracy 1.0", "gradients disagree"],
    "notebooks/tour_zh": ["0.6 0.08", "0.0 -0.4", "0.5 0.604", "0.51796  0.62196",
                          "准确率 1.0", "gradients disagree"],
    "notebooks/article_000_function_fit": [
        "个参数", "一致：True", "区间外的差距超过区间内的 10 倍： True"],
    "notebooks/article_001_deepin": [
        "AND: w1 = 0.5, w2 = 0.5, θ = 0.7 → 输出 (0, 0, 0, 1)，正确答案 (0, 0, 0, 1)",
        "能算 XOR  的：0", "45,360 个参数", "b      文章 0.604     计算 0.604",
        "w      文章 0.51796   计算 0.51796", "b      文章 0.62196   计算 0.62196",
        "|w − 2| < 0.05 要 43 对；|b − 1| < 0.05 要 181 对",
        "反向传播（一遍前向 + 一遍反向）： (0.0, -0.4)"],
    "notebooks/article_002_ice_cream": [
        "= 9 个参数", "1,000 次迭代 90,000 个", "1,000 次 900,000,000 个", "步长一路缩小：True"],
    "notebooks/article_003_notes": [
        "能算异或的有 0 个", "S′ = 0.250000  S(1 − S) = 0.250000", "四个神经元完全相同 → True",
        "隐藏层权重从没离开 0 → True"],
    "notebooks/article_004_guess_number": [
        "最坏情况： 7 = ⌈log₂ 102⌉ = 7", "一步梯度下降后猜 37", "每个答案调整的步数都是 1"],
    "howto/gradcheck": ["True\nTrue", "softsign_wrong", "both properties hold"],
    "howto/big-model": ["parameters", "digits.svg", "digits.dot"],
    "howto/compiled": ["[0.08 1.62]", "-1.8 -2.2", "same losses to 1e-9: True"],
    "howto/mnist": ["6 3 (784,) float32 True"],
    "howto/save-load": ["True\n[0, 1, 1, 0]", "cut.json"],
}


def output_text(notebook) -> str:
    """Every text a notebook printed or returned, in order."""
    parts = []
    for cell in notebook.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                parts.append(out.text)
            elif "data" in out and "text/plain" in out.data:
                parts.append(out.data["text/plain"])
    return "\n".join(parts)


def test_every_notebook_has_its_expectations():
    assert sorted(PAGES) == sorted(EXPECTED)


def test_notebooks_are_kept_as_text_without_outputs():
    assert list(BUILD.NOTEBOOKS.glob("*.ipynb")) == []
    for source in BUILD.notebook_paths():
        text = source.read_text(encoding="utf-8")
        assert text.startswith("---\njupytext:") and "format_name: myst" in text, source
        assert "name: python3" in text, source


@pytest.mark.parametrize("page", PAGES)
def test_notebook_runs_top_to_bottom(executed_notebooks, page):
    run = executed_notebooks[page]
    assert run.error is None, f"{page} failed:\n{run.error}"
    notebook = nbformat.read(run.path, as_version=4)
    stderr = [out.text for cell in notebook.cells for out in cell.get("outputs", [])
              if out.output_type == "stream" and out.name == "stderr"]
    assert stderr == [], f"{page} wrote to stderr: {stderr}"
    text = output_text(notebook)
    missing = [expected for expected in EXPECTED[page] if expected not in text]
    assert missing == [], f"{page} does not show {missing}"


@pytest.mark.parametrize("page", ["notebooks/tour", "notebooks/tour_zh",
                                  "notebooks/article_001_deepin"])
def test_walkthroughs_are_the_page_itself(executed_notebooks, page):
    notebook = nbformat.read(executed_notebooks[page].path, as_version=4)
    frames = [out.data["text/html"] for cell in notebook.cells
              for out in cell.get("outputs", []) if "text/html" in out.get("data", {})
              and "stepgrad-walkthrough" in out.data["text/html"]]
    assert frames and all(html.startswith('<div class="stepgrad-walkthrough-box"')
                          and '<iframe class="stepgrad-walkthrough"' in html for html in frames)
    assert all(not re.search(r"(src|href)=\"https?:", html) for html in frames)


def test_in_a_kernel_fit_shows_a_bar_plots_a_picture_walkthrough_a_frame(tmp_path):
    """What the notebook display of each object is, in a real kernel (not a tty)."""
    from nbformat.v4 import new_code_cell, new_notebook

    notebook = new_notebook(cells=[
        new_code_cell("import nn\n"
                      "h = nn.fit(nn.Neuron(1, seed=0), nn.datasets.linear_pairs(20), epochs=2)"),
        new_code_cell("import nn\n"
                      "h = nn.fit(nn.Neuron(1, seed=0), nn.datasets.linear_pairs(20), epochs=2,\n"
                      "           progress=False)"),
        new_code_cell("from viz.plots import loss_curve\n"
                      "loss_curve([0, 0.1, 0.2], [0.3, 0.1, 0.2])"),
        new_code_cell("import viz\nviz.walkthrough(steps=1)"),
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                "language": "python"}})
    assert BUILD.run_notebook(notebook, tmp_path) is None
    bar, quiet, plot, walk = (cell.outputs for cell in notebook.cells)
    # the notebook widget (tqdm.auto), although a kernel's stderr is not a terminal
    assert [sorted(out.get("data", {})) for out in bar] == \
        [["application/vnd.jupyter.widget-view+json", "text/plain"]]
    assert quiet == []
    assert "image/png" in plot[0].data  # a Figure without pyplot still shows as a picture
    assert '<iframe class="stepgrad-walkthrough"' in walk[0].data["text/html"]
    assert walk[0].data["text/plain"].startswith("Walkthrough(1 step, ")
