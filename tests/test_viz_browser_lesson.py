"""The walkthrough as a lesson, in headless Chromium: predict-then-reveal, the trajectory
toward 2 and 1, presenter mode, and the gradient trail of a node that feeds two others."""

from __future__ import annotations

import re

import pytest

import nn
import viz
from tests.pages import NODE_IN_VIEW, TEXT_SIZES, go, index_of

pytest.importorskip("playwright.sync_api")


def visible_text(page) -> str:
    return page.inner_text("body")


@pytest.fixture(scope="module")
def quiz_page(tmp_path_factory):
    wt = viz.walkthrough(steps=2)
    return wt, wt.write_html(tmp_path_factory.mktemp("quiz") / "quiz.html", quiz=True)


# --- 1. predict, then reveal -------------------------------------------------------------

def test_the_answer_is_hidden_everywhere_until_the_learner_answers(quiz_page, open_page,
                                                                   screenshots):
    wt, path = quiz_page
    index = index_of(wt, 1, "backward", "x")
    page = open_page(path, width=1024, height=768)
    go(page, index, "x")
    assert "−0.898" not in visible_text(page)  # caption, graph, tables, inspector
    assert page.text_content("#caption").endswith("= ? (rule: ∂(w × x)/∂x = w = 0.5) — x is "
                                                  "an input: its gradient is not used.")
    assert page.locator("#quiz-answer").is_visible()
    # The inspector asks the same question in its own form (its label says the phase).
    assert page.text_content("#inspector-body").endswith(
        "backward:∂L/∂x = ∂L/∂(w × x) · ∂(w × x)/∂x = −1.796 × 0.5 = ? (rule: ∂(w × x)/∂x = "
        "w = 0.5) — x is an input: its gradient is not used.")
    page.screenshot(path=str(screenshots / "walkthrough-quiz-question.png"))
    page.fill("#quiz-answer", "0.9")
    page.keyboard.press("Enter")
    assert "think again" in page.text_content("#quiz-feedback")
    assert "−0.898" not in visible_text(page)
    page.fill("#quiz-answer", "−0.898")
    page.keyboard.press("Enter")
    assert page.text_content("#quiz-feedback") == "Right: −0.898."
    assert page.text_content("#score") == "score 1 / 1"
    text = visible_text(page)
    assert "= −1.796 × 0.5 = −0.898" in page.text_content("#caption")
    assert "grad −0.898" in page.text_content(f'#graph .frame[data-index="{index}"]')
    assert "−0.898" in page.text_content("#inspector-body") and "−0.898" in text
    page.screenshot(path=str(screenshots / "walkthrough-quiz-answered.png"))


def test_update_questions_hide_the_new_value_in_the_table_too(quiz_page, open_page):
    wt, path = quiz_page
    index = index_of(wt, 1, "update", "b")
    page = open_page(path, width=1024, height=768)
    go(page, index, "b")
    assert "0.62196" not in visible_text(page)
    assert page.locator('#steps tr[data-step="1"] td').all_text_contents()[-1] == "?"
    assert page.text_content("#inspector-body").endswith(
        "update:b ← b − lr·∂L/∂b = 0.604 − 0.01 × (−1.796) = ?")
    page.click("#quiz-show")
    assert page.text_content("#quiz-feedback") == "The answer is 0.62196."
    assert page.text_content("#score") == "score 0 / 1"
    assert page.locator('#steps tr[data-step="1"] td').all_text_contents()[-1] == "0.62196"


def test_a_hidden_answer_keeps_no_colour_that_tells_its_sign(quiz_page, open_page):
    wt, path = quiz_page
    index = index_of(wt, 0, "backward", "t")  # grad 0.4: drawn on red when shown
    page = open_page(path, width=1024, height=768)
    go(page, index)
    cell_fill = f"""() => {{
      const frame = document.querySelector('#graph .frame[data-index="{index}"]');
      const text = Array.from(frame.querySelectorAll('text')).find(t =>
        t.textContent.startsWith('grad ') && t.closest('g.node').querySelector('title')
          .textContent === '{wt.frames[index].node_id}');
      let cell = text.previousElementSibling;
      while (cell.tagName !== 'polygon' || cell.getAttribute('fill') === 'none')
        cell = cell.previousElementSibling;
      return [text.textContent, cell.getAttribute('fill'), text.getAttribute('fill')];
    }}"""
    text, fill, ink = page.evaluate(cell_fill)
    assert text == "grad ?" and fill == "#f8fafc" and ink == "#0f172a"
    page.click("#quiz-show")
    text, fill, ink = page.evaluate(cell_fill)
    assert text == "grad 0.4" and fill != "#f8fafc" and ink != "#0f172a"


def test_a_rounding_that_also_fits_the_old_value_is_not_right(quiz_page, open_page):
    wt, path = quiz_page
    page = open_page(path, width=1024, height=768)
    go(page, index_of(wt, 0, "update", "b"))  # b: 0.6 → 0.604; 0.60 fits both
    page.fill("#quiz-answer", "0.60")
    page.keyboard.press("Enter")
    assert "think again" in page.text_content("#quiz-feedback")
    page.fill("#quiz-answer", "0.604")
    page.keyboard.press("Enter")
    assert page.text_content("#quiz-feedback").startswith("Right")


def test_keyboard_alone_and_the_articles_rounding(quiz_page, open_page):
    wt, path = quiz_page
    page = open_page(path, width=1024, height=768)
    start = index_of(wt, 1, "backward", "y")
    go(page, start - 1)
    page.keyboard.press("ArrowRight")  # to the question about ∂L/∂y = −1.796
    for key in "-1.8":  # typing a number starts the answer
        page.keyboard.press(key)
    page.keyboard.press("Enter")
    assert page.text_content("#quiz-feedback") == "Right: −1.796."
    page.keyboard.press("ArrowRight")  # focus left the field: arrows step again
    assert page.text_content("#counter").startswith(f"frame {start + 2} /")
    assert "?" in page.text_content("#caption")  # the next question waits for its answer
    page.keyboard.press("ArrowRight")  # or can be skipped
    assert page.text_content("#counter").startswith(f"frame {start + 3} /")


def test_the_toggle_turns_the_quiz_on_and_off(open_page, tmp_path):
    wt = viz.walkthrough(steps=1)
    page = open_page(wt.write_html(tmp_path / "plain.html"), width=1024, height=768)
    index = index_of(wt, 0, "backward", "b")
    go(page, index)
    assert "−0.4" in page.text_content("#caption")
    page.check("#quiz")
    assert page.text_content("#caption").count("?") == 1 and "= ? (rule" in \
        page.text_content("#caption")
    page.uncheck("#quiz")
    assert "= −0.4 (rule" in page.text_content("#caption")


def test_chinese_quiz_and_an_mlp_quiz(open_page, tmp_path):
    wt = viz.walkthrough(steps=1, lang="zh")
    page = open_page(wt.write_html(tmp_path / "zh.html", quiz=True), width=1024, height=768)
    go(page, index_of(wt, 0, "backward", "b"))
    assert "先算一算" in page.text_content("#quiz-form")
    page.fill("#quiz-answer", "-0.4")
    page.keyboard.press("Enter")
    assert page.text_content("#quiz-feedback") == "正确：−0.4。"
    assert page.text_content("#score") == "得分 1 / 1"
    model = nn.MLP(2, [2, 1], activation="tanh", seed=0)
    mlp = viz.walkthrough(model, pairs=[([0.5, 1.0], 1.0)], loss=nn.mse)
    page = open_page(mlp.write_html(tmp_path / "mlp.html", quiz=True), width=1024, height=768)
    frame = next(f for f in mlp.frames if f.answer is not None and f.phase == "backward")
    go(page, frame.index)
    assert page.text_content("#caption") == frame.answer.question
    page.fill("#quiz-answer", frame.answer.text)
    page.keyboard.press("Enter")
    assert page.text_content("#quiz-feedback").startswith("Right")


# --- 2. the trajectory beside the graph --------------------------------------------------

@pytest.mark.parametrize("lang, label", [("en", "trajectory of w, b and L"),
                                         ("zh", "w、b 和 L 的变化轨迹")])
def test_the_trajectory_chart_moves_with_the_frame(open_page, tmp_path, lang, label):
    wt = viz.walkthrough(lang=lang)
    page = open_page(wt.write_html(tmp_path / f"{lang}.html"), width=1024, height=768)
    chart = page.locator("svg#trajectory")
    assert chart.get_attribute("role") == "img" and chart.get_attribute("aria-label") == label
    assert chart.locator("text").filter(has_text=re.compile("w = 2")).count() == 1
    assert chart.locator("rect.article-band").count() == 1  # the article's pairs, apart
    xs = []
    for step in (0, 2, 5):
        go(page, min(f.index for f in wt.frames if f.step == step))
        xs.append(float(page.locator("#trajectory-now").get_attribute("x1")))
    assert xs[0] < xs[1] < xs[2]


CHART_TEXT_PX = """() => Array.from(document.querySelectorAll('#trajectory text'))
  .map(t => t.getBoundingClientRect().height)"""
REVEALED = """() => ['trajectory-past-rect', 'trajectory-past-loss-rect'].map(id =>
  parseFloat(document.getElementById(id).getAttribute('width')))"""


def test_the_chart_reads_at_1024_and_shows_nothing_from_a_later_frame(open_page, tmp_path):
    wt = viz.walkthrough()
    page = open_page(wt.write_html(tmp_path / "chart.html"), width=1024, height=768)
    assert min(page.evaluate(CHART_TEXT_PX)) >= 12  # rendered line boxes, CSS px
    chart = page.locator("svg#trajectory")
    x0, dx = float(chart.get_attribute("data-x0")), float(chart.get_attribute("data-dx"))
    pair = lambda x: (x - x0) / dx  # noqa: E731 - how many pairs' worth is revealed
    frames = lambda step, phase: [f.index for f in wt.frames  # noqa: E731
                                  if f.step == step and f.phase == phase]
    go(page, 0)  # the first frame: nothing after the start
    params, loss = map(pair, page.evaluate(REVEALED))
    assert params < 0.5 and loss < 0.5
    go(page, frames(1, "backward")[0])  # pair 2's loss is known, its update is not
    params, loss = map(pair, page.evaluate(REVEALED))
    assert 1 <= params < 1.5 and 1.5 <= loss < 2
    go(page, frames(1, "update")[0])  # w's new value only: b's point would be the future
    assert pair(page.evaluate(REVEALED)[0]) < 1.5
    go(page, max(f.index for f in wt.frames if f.step == 1))  # pair 2 done
    assert pair(page.evaluate(REVEALED)[0]) >= 2


def test_a_long_run_shows_its_numbers_only_pairs(open_page, tmp_path):
    wt = viz.walkthrough(steps=181)
    page = open_page(wt.write_html(tmp_path / "long.html"), width=1024, height=768)
    assert page.locator("#steps tbody tr.numbers-only").count() == 175
    assert "pairs 7–181 only as numbers" in page.text_content("#about")
    page.keyboard.press("End")
    last = page.locator('#steps tr[data-step="180"] td').all_text_contents()
    assert last[0] == "181" and abs(float(last[3].replace("−", "-")) - 1) < 0.05


# --- 3. presenter mode -------------------------------------------------------------------



def test_presenter_mode_fills_the_window_with_16px_text(open_page, tmp_path, screenshots):
    wt = viz.walkthrough()
    page = open_page(wt.write_html(tmp_path / "present.html"), width=1024, height=768)
    page.keyboard.press("f")
    assert page.evaluate("document.body.classList.contains('presenter')")
    assert not page.locator("#panels").is_visible() and not page.locator("#about").is_visible()
    assert page.locator("#phases").is_visible()  # which phase we are in stays in view
    for step in range(len(wt.records)):
        index = max(f.index for f in wt.frames if f.step == step and f.phase == "backward")
        go(page, index)
        assert min(page.evaluate(TEXT_SIZES)) >= 16, index
        assert page.evaluate(NODE_IN_VIEW, [index, wt.frames[index].node_id]) is True
    assert float(page.evaluate("getComputedStyle(document.getElementById('caption')).fontSize"
                               ".replace('px', '')")) >= 20
    page.screenshot(path=str(screenshots / "walkthrough-presenter-1024.png"))
    page.keyboard.press("Escape")
    assert page.locator("#panels").is_visible()


# --- 4. a node that feeds two others, and the gradient trail -----------------------------

def test_weight_decay_page_shows_the_sum_and_keeps_the_trail(open_page, tmp_path, screenshots):
    wt = viz.walkthrough(example="l2", steps=2)
    page = open_page(wt.write_html(tmp_path / "l2.html"), width=1024, height=768)
    index = index_of(wt, 1, "backward", "w")
    go(page, index, "w")
    text = page.text_content("#caption")
    assert "summed over the 2 nodes that read w" in text
    assert "∂L/∂w = ∂L/∂(w × x) · ∂(w × x)/∂w + ∂L/∂w² · ∂w²/∂w" in text
    assert "summed over the 2 nodes that read w" in page.text_content("#inspector-body")
    dashed = page.locator(f'#graph .frame[data-index="{index}"] g.edge path'
                          '[stroke-dasharray]').count()
    frame = wt.frames[index]
    assert dashed == len(set(frame.trail) | set(frame.edges))  # the whole trail so far
    page.screenshot(path=str(screenshots / "walkthrough-l2-backward_w.png"))
