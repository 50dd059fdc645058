"""The walkthrough page driven in a real headless Chromium (Playwright, system browser),
as a learner uses it: at 1024×768 and 1440×900, in English and Chinese.

Every request the page makes is recorded; only file:// and data: may appear (see the
``open_page`` fixture). Screenshots of the main frames go to out/screenshots/ for a
person to look at.
"""

from __future__ import annotations

import pytest

import nn
import viz
from autograd import Value
from tests.pages import (
    NODE_IN_VIEW,
    NODE_TEXTS,
    TEXT_SIZES,
    caption,
    click_node,
    go,
    index_of,
    inspector,
    visible_index,
)

pytest.importorskip("playwright.sync_api")

SIZES = {"1024": (1024, 768), "1440": (1440, 900)}


@pytest.fixture(scope="module")
def article(tmp_path_factory):
    wt = viz.walkthrough()  # what `./run demo` shows: six pairs
    return wt, wt.write_html(tmp_path_factory.mktemp("page") / "walkthrough.html")


@pytest.fixture(scope="module")
def chinese(tmp_path_factory):
    wt = viz.walkthrough(lang="zh")
    return wt, wt.write_html(tmp_path_factory.mktemp("zh") / "walkthrough-zh.html")


@pytest.fixture(scope="module")
def mlp(tmp_path_factory):
    model = nn.MLP(2, [3, 1], activation="tanh", seed=1)
    wt = viz.walkthrough(model, pairs=[([0.5, -1.0], 1.0), ([1.0, 0.5], -1.0)], loss=nn.mse,
                         lr=0.05)
    return wt, wt.write_html(tmp_path_factory.mktemp("mlp") / "mlp.html")


# --- 2. readable at 1024×768 and on a projector -----------------------------------------

OVERLAPS = """() => {
  const frame = Array.from(document.querySelectorAll('#graph .frame')).find(f => !f.hidden);
  const boxes = Array.from(frame.querySelectorAll('g.node')).map(n => n.getBoundingClientRect());
  const found = [];
  for (const edge of frame.querySelectorAll('g.edge')) {
    for (const label of edge.querySelectorAll('text')) {
      if (!label.textContent.trim()) continue;
      const r = label.getBoundingClientRect();
      const inside = (x, y) => x > r.left + 1 && x < r.right - 1
        && y > r.top + 1 && y < r.bottom - 1;
      for (const b of boxes) {
        if (b.left < r.right && r.left < b.right && b.top < r.bottom && r.top < b.bottom)
          found.push(label.textContent + ' on a node');
      }
      for (const path of frame.querySelectorAll('g.edge path')) {
        const m = path.getScreenCTM(), n = path.getTotalLength();
        for (let k = 0; k <= 60; k++) {
          const p = path.getPointAtLength(n * k / 60);
          if (inside(m.a * p.x + m.c * p.y + m.e, m.b * p.x + m.d * p.y + m.f)) {
            found.push(label.textContent + ' on an edge'); break;
          }
        }
      }
    }
  }
  return found;
}"""


@pytest.mark.parametrize("size", SIZES)
def test_every_graph_text_is_at_least_12px_with_no_horizontal_scroll(article, open_page, size,
                                                                     screenshots):
    wt, path = article
    width, height = SIZES[size]
    page = open_page(path, width=width, height=height)
    for step in range(len(wt.records)):  # every pair: their numbers differ in width
        for phase in ("forward", "backward", "update"):
            index = max(f.index for f in wt.frames if f.step == step and f.phase == phase)
            go(page, index)
            sizes = page.evaluate(TEXT_SIZES)
            assert sizes and min(sizes) >= 12, (index, min(sizes))
            assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
            assert page.locator("#graph").evaluate("g => g.scrollWidth <= g.clientWidth + 1"), index
    for name, index in (("forward", 19), ("backward_w", index_of(wt, 1, "backward", "w")),
                        ("update_w", index_of(wt, 1, "update", "w"))):
        go(page, index, "w")
        page.screenshot(path=str(screenshots / f"walkthrough-en-{size}-{name}.png"))


@pytest.mark.parametrize("which", ["article", "chinese", "long run"])
def test_no_panel_scrolls_sideways_at_1024_in_any_frame(article, chinese,
                                                                      open_page, tmp_path,
                                                                      which):
    if which == "long run":  # small losses print long: L = 0.00480938
        path = viz.walkthrough(steps=181).write_html(tmp_path / "long.html")
    else:
        path = (article if which == "article" else chinese)[1]
    page = open_page(path, width=1024, height=768)
    wider = page.evaluate("""() => {  // every frame: pair 5's −0.0389364 is the widest
      const n = parseInt(document.getElementById('slider').max, 10) + 1, found = [];
      for (let i = 1; i <= n; i++) {
        location.hash = '#step=' + i;
        window.dispatchEvent(new HashChangeEvent('hashchange'));
        const ids = Array.from(document.querySelectorAll('#panels > section'))
          .filter(s => s.scrollWidth > s.clientWidth + 1).map(s => s.id);
        if (ids.length) found.push([i, ids]);
      }
      return found; }""")
    assert wider == []


def test_edge_labels_sit_on_neither_edges_nor_nodes(article, open_page):
    wt, path = article
    page = open_page(path, width=1024, height=768)
    for step in range(3):
        go(page, max(f.index for f in wt.frames if f.step == step))  # every label drawn
        assert page.evaluate(OVERLAPS) == []


def test_mlp_graph_zooms_pans_and_keeps_the_current_node_in_view(mlp, open_page, screenshots):
    wt, path = mlp
    page = open_page(path, width=1024, height=768)
    width = lambda: page.evaluate(  # noqa: E731
        "parseFloat(Array.from(document.querySelectorAll('#graph .frame'))"
        ".find(f => !f.hidden).querySelector('svg').style.width)")
    fitted = width()
    page.keyboard.press("+")
    assert width() == pytest.approx(fitted * 1.25, rel=1e-3)
    page.click("#zoom-in")
    zoomed = width()
    assert zoomed == pytest.approx(fitted * 1.25 ** 2, rel=1e-3)
    page.keyboard.press("ArrowRight")  # zoom survives stepping
    assert width() == pytest.approx(zoomed, rel=1e-3)
    page.keyboard.press("-")
    assert width() == pytest.approx(zoomed / 1.25, rel=1e-3)
    page.locator("#graph").hover()
    page.keyboard.down("Control")
    page.mouse.wheel(0, -100)
    page.keyboard.up("Control")
    assert width() > zoomed / 1.25
    page.keyboard.press("0")
    assert width() == pytest.approx(fitted, rel=1e-3)
    for index in (len(wt.frames) // 3, 2 * len(wt.frames) // 3, len(wt.frames) // 2):
        frame = wt.frames[index]
        if frame.node is None:
            continue
        go(page, index)
        assert page.evaluate(NODE_IN_VIEW, [index, frame.node_id]) is True, (index, frame.caption)
    page.screenshot(path=str(screenshots / "walkthrough-mlp-1024.png"))


# --- 3. an inspector that follows the frame ---------------------------------------------

def test_inspector_shows_nothing_from_the_future(article, open_page):
    wt, path = article
    page = open_page(path, width=1024, height=768)
    forward = index_of(wt, 1, "forward", "y")
    go(page, forward, "w")
    text = inspector(page)
    assert "w · parameter" in text and "0.5" in text
    assert "not computed yet" in text and "−1.796" not in text  # w's gradient comes later
    go(page, index_of(wt, 1, "backward", "w"), "w")
    text = inspector(page)
    assert "gradient: −1.796" in text
    assert "∂L/∂w = ∂L/∂(w × x) · ∂(w × x)/∂w = −1.796 × 1 = −1.796" in text
    assert "0.51796" not in text  # the update is the next frame
    go(page, index_of(wt, 1, "update", "w"), "w")
    assert "0.5 → 0.51796" in inspector(page)
    assert "w ← w − lr·∂L/∂w = 0.5 − 0.01 × (−1.796) = 0.51796" in inspector(page)


def test_inspector_follows_the_pair_and_shows_results(article, open_page):
    wt, path = article
    page = open_page(path, width=1024, height=768)
    go(page, index_of(wt, 0, "backward", "b"), "b")
    assert "gradient: −0.4" in inspector(page)
    page.keyboard.press("]")  # next pair: b's numbers of pair 2, nothing of pair 1
    text = inspector(page)
    assert "b · parameter" in text and "0.604" in text and "−0.4" not in text
    go(page, index_of(wt, 1, "forward", "w × x"))
    click_node(page, index_of(wt, 1, "forward", "w × x"), "v2")
    text = inspector(page)
    assert "w × x · computed node" in text and "w × x = 0.5 × 1 = 0.5" in text
    assert "#step=" in page.evaluate("location.hash") and "node=w%20%C3%97%20x" in \
        page.evaluate("location.hash")


def test_inspector_follows_the_frames_node_until_one_is_pinned(article, open_page):
    wt, path = article
    page = open_page(path, width=1024, height=768)
    index = index_of(wt, 1, "backward", "w")
    go(page, index)  # nothing pinned: the inspector explains this frame's node
    text = inspector(page)
    assert text.startswith("this frame's node") and "w · parameter" in text
    assert "∂L/∂w = ∂L/∂(w × x) · ∂(w × x)/∂w = −1.796 × 1 = −1.796" in text
    page.keyboard.press("ArrowRight")
    frame = wt.frames[index + 1]
    assert f"{wt.frames[index + 1].graph.names[frame.node]} · " in inspector(page)
    click_node(page, index + 1, wt.frames[index].node_id)  # pin w
    assert inspector(page).startswith("kept here") and "w · parameter" in inspector(page)
    page.keyboard.press("ArrowRight")
    assert "w · parameter" in inspector(page)
    assert "node=w" in page.evaluate("location.hash")
    click_node(page, index + 2, wt.frames[index].node_id)  # a second click: follow again
    assert inspector(page).startswith("this frame's node")
    assert "node=" not in page.evaluate("location.hash")


ROW_IN_VIEW = """(selector) => {
  const row = document.querySelector(selector), box = row.closest('section');
  const r = row.getBoundingClientRect(), b = box.getBoundingClientRect();
  const head = row.closest('table').tHead.getBoundingClientRect();
  return r.top >= head.bottom - 1 && r.bottom <= b.bottom + 1 && window.scrollY === 0;
}"""


def test_the_current_rows_stay_in_view_in_long_tables(mlp, open_page, tmp_path):
    wt, path = mlp
    page = open_page(path, width=1024, height=768)
    for index in (len(wt.frames) // 4, len(wt.frames) * 2 // 3, 3):
        assert wt.frames[index].node is not None
        go(page, index)
        assert page.evaluate(ROW_IN_VIEW, "#nodes tr.current") is True, wt.frames[index].caption
    path = viz.walkthrough(steps=40, detail=2).write_html(tmp_path / "long.html")
    page = open_page(path, width=1024, height=768)
    page.keyboard.press("End")
    assert page.evaluate(ROW_IN_VIEW, "#steps tr.current") is True


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("which", ["article", "mlp"])
def test_inspector_is_in_view_without_scrolling(article, mlp, open_page, size, which):
    wt, path = article if which == "article" else mlp
    width, height = SIZES[size]
    page = open_page(path, "#step=3", width=width, height=height)
    box = page.locator("#inspector").bounding_box()
    assert box["y"] + box["height"] <= height and box["x"] + box["width"] <= width
    assert page.evaluate("document.documentElement.scrollHeight <= innerHeight + 1")


def test_a_link_without_a_node_or_with_an_unknown_one_follows_the_frame(article, open_page):
    wt, path = article
    index = index_of(wt, 1, "backward", "b")
    page = open_page(path, f"#step={index + 1}&node=w", width=1024, height=768)
    assert "w · parameter" in inspector(page) and inspector(page).startswith("kept here")
    go(page, 9)  # a link with no node: nothing stays pinned from the one before
    assert inspector(page).startswith("this frame's node")
    assert "node=" not in page.evaluate("location.hash")
    for name in ("zzz", "v0"):  # not a name in the graph (v0 is an internal id)
        page = open_page(path, f"#step={index + 1}&node={name}", width=1024, height=768)
        assert inspector(page).startswith("this frame's node") and "b · parameter" in \
            inspector(page)


def test_a_teachers_link_opens_the_frame_with_the_node_selected(article, open_page):
    wt, path = article
    index = index_of(wt, 1, "backward", "b")
    page = open_page(path, f"#step={index + 1}&node=b", width=1024, height=768)
    assert visible_index(page) == [index]
    assert "b · parameter" in inspector(page) and "gradient: −1.796" in inspector(page)
    page = open_page(path, "#step=5", width=1024, height=768)  # the old form still works
    assert visible_index(page) == [4] and caption(page) == wt.frames[4].caption


def test_node_table_fills_in_as_the_pass_goes(article, open_page):
    wt, path = article
    page = open_page(path, f"#step={index_of(wt, 0, 'backward', 'b') + 1}")

    def row(name):
        cells = page.locator("#nodes tbody tr").filter(
            has=page.locator(f'td:text-is("{name}")')).locator("td")
        return cells.all_text_contents()

    assert row("b") == ["b", "0.6", "−0.4"]
    assert row("w") == ["w", "0.5", ""]
    assert row("L") == ["L", "0.08", "1"]
    page.keyboard.press("Home")
    assert row("y") == ["y", "", ""]


# --- 4. the update frame agrees with itself -----------------------------------------------

def test_update_frame_fills_its_table_cell_and_marks_old_values(article, open_page):
    wt, path = article
    index = index_of(wt, 1, "update", "w")
    page = open_page(path, f"#step={index + 1}", width=1024, height=768)
    assert caption(page) == ("update (learning rate lr = 0.01): w ← w − lr·∂L/∂w = "
                             "0.5 − 0.01 × (−1.796) = 0.51796")
    cells = page.locator('#steps tr[data-step="1"] td').all_text_contents()
    assert cells == ["2", "1.61281", "0.51796", ""]  # b is updated on the next frame
    assert page.evaluate(NODE_TEXTS, [index, "v0"]) == ["w", "data 0.51796", "grad −1.796"]
    stale = page.evaluate(f"""Array.from(document.querySelectorAll(
        '#graph .frame[data-index="{index}"] g.node text')).filter(t =>
        t.getAttribute('fill') === '#94a3b8').map(t => t.textContent)""")
    assert "data 0.5" in stale and "data 1.104" in stale  # w × x and y: before the update
    page.keyboard.press("ArrowRight")
    assert page.locator('#steps tr[data-step="1"] td').all_text_contents() == [
        "2", "1.61281", "0.51796", "0.62196"]


# --- 5. say what we are looking at ----------------------------------------------------------

def test_header_states_the_model_the_goal_and_the_pairs(article, open_page):
    wt, path = article
    page = open_page(path, width=1024, height=768)
    about = page.text_content("#about")
    for text in ("y = w·x + b", "L = (y − t)²/2", "learning rate 0.01", "w = 0.5, b = 0.6",
                 "w should approach 2 and b approach 1", "deepin", "(0, 1) and (1, 2.9)",
                 "pairs 3–6 are generated"):
        assert text in about, text
    box = page.locator("#about").bounding_box()
    assert box["y"] + box["height"] < 140  # the header stays a header


# --- 6. navigation that stays under the mouse ---------------------------------------------

BUTTON_BOXES = """() => Array.from(document.querySelectorAll('#controls button'))
    .map(b => b.id + ':' + Object.values(b.getBoundingClientRect().toJSON()).join(','))"""


def test_buttons_never_move_as_captions_and_labels_change(article, open_page):
    wt, path = article
    page = open_page(path, width=1024, height=768)
    first = page.evaluate(BUTTON_BOXES)
    lengths = set()
    for index in range(0, 40, 3):
        go(page, index)
        lengths.add(len(caption(page)))
        assert page.evaluate(BUTTON_BOXES) == first, index
    assert max(lengths) > 2 * min(lengths)  # the captions really differ in length
    page.click("#play")
    assert page.text_content("#play").endswith(" pause")
    assert page.evaluate(BUTTON_BOXES) == first
    page.click("#play")


def test_space_always_plays_and_pauses_even_after_clicking_a_button(article, open_page):
    wt, path = article
    page = open_page(path, width=1024, height=768)
    page.click("#next")
    assert visible_index(page) == [1]
    page.keyboard.press(" ")  # the focused "next" button must not take it as a click
    assert page.text_content("#play").endswith(" pause")
    page.keyboard.press(" ")
    assert page.text_content("#play").endswith(" play")
    assert visible_index(page)[0] in (1, 2)  # at most one tick of play in between


def test_phase_and_pair_jumps_by_keys_and_buttons(article, open_page):
    wt, path = article
    page = open_page(path, width=1024, height=768)
    starts = {}
    for f in wt.frames:
        starts.setdefault((f.step, f.phase), f.index)
    page.keyboard.press("PageDown")
    assert visible_index(page) == [starts[(0, "loss")]]
    page.click("#next-phase")
    assert visible_index(page) == [starts[(0, "backward")]]
    page.keyboard.press("ArrowRight")
    page.keyboard.press("PageUp")  # back to the start of this phase
    assert visible_index(page) == [starts[(0, "backward")]]
    page.click("#prev-phase")
    assert visible_index(page) == [starts[(0, "loss")]]
    page.keyboard.press("]")
    assert visible_index(page) == [starts[(1, "forward")]]
    page.click("#next-pair")
    assert visible_index(page) == [starts[(2, "forward")]]
    page.keyboard.press("[")
    assert visible_index(page) == [starts[(1, "forward")]]
    page.click('#phases button[data-phase="update"]')
    assert visible_index(page) == [starts[(1, "update")]]
    page.select_option("#speed", "350")  # 4×
    page.click("#play")
    page.wait_for_timeout(1600)
    page.click("#play")
    assert visible_index(page)[0] >= starts[(1, "update")] + 3


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
    assert visible_index(page) == [2]
    page.fill("#slider", "20")
    assert visible_index(page) == [20] and caption(page) == wt.frames[20].caption
    assert page.evaluate("location.hash") == "#step=21"
    page.keyboard.press("End")
    last = len(wt.frames) - 1
    assert visible_index(page) == [last] and "After pair 6:" in caption(page)
    page.keyboard.press("Home")
    assert visible_index(page) == [0]


# --- 7. Chinese that reads as Chinese -------------------------------------------------------

@pytest.mark.parametrize("size", SIZES)
def test_chinese_page_wording(chinese, open_page, size, screenshots):
    wt, path = chinese
    width, height = SIZES[size]
    page = open_page(path, width=width, height=height)
    assert page.text_content("#counter") == f"第 1 / {len(wt.frames)} 帧"
    assert page.text_content("#phases") == "前向传播损失反向传播参数更新"
    assert "训练对" in caption(page) and "训练对" in page.text_content("#controls")
    index = index_of(wt, 1, "backward", "w")
    go(page, index, "w")
    svg = page.text_content(f'#graph .frame[data-index="{index}"] svg')
    assert "值 0.5" in svg and "梯度 −1.796" in svg and "data" not in svg and "grad" not in svg
    assert "链式法则" in caption(page) and "（规则：∂(w × x)/∂w = x = 1）" in caption(page)
    assert "参数（需要学习）" in inspector(page)
    assert page.evaluate(TEXT_SIZES) and min(page.evaluate(TEXT_SIZES)) >= 12
    page.screenshot(path=str(screenshots / f"walkthrough-zh-{size}-backward_w.png"))
    go(page, index_of(wt, 1, "update", "b"), "b")
    page.screenshot(path=str(screenshots / f"walkthrough-zh-{size}-update_b.png"))


def test_hostile_labels_render_as_text(open_page, tmp_path):
    evil = Value(0.5, "<img src=x onerror=alert(1)>")
    wt = viz.walkthrough(lambda x: evil * x, pairs=[(1.0, 2.0)], lang="zh")
    page = open_page(wt.write_html(tmp_path / "evil.html"))
    page.keyboard.press("End")
    assert "<img src=x onerror=alert(1)>" in caption(page)
    assert page.evaluate("document.querySelectorAll('img').length") == 0


@pytest.mark.parametrize("which", ["article", "chinese", "mlp"])
def test_captions_never_exceed_two_lines_at_1024(article, chinese, mlp, open_page, which):
    wt, path = {"article": article, "chinese": chinese, "mlp": mlp}[which]
    page = open_page(path, width=1024, height=768)
    line = page.evaluate("parseFloat(getComputedStyle(document.getElementById('caption'))"
                         ".lineHeight)")
    too_long = []
    for index in range(len(wt.frames)):
        go(page, index)
        height = page.evaluate("document.getElementById('caption').scrollHeight")
        if height > 2 * line + 2:
            too_long.append((index + 1, caption(page)))
    assert too_long == []
