"""Helpers for the browser tests of the walkthrough page: finding frames and nodes,
stepping by the #step= fragment, measuring what the browser renders."""

from __future__ import annotations

from playwright.sync_api import expect


def index_of(wt, step, phase, name) -> int:
    (frame,) = [f for f in wt.frames if f.step == step and f.phase == phase
                and f.node is not None and f.graph.names[f.node] == name]
    return frame.index


def visible_index(page) -> list[int]:
    return page.evaluate(
        "Array.from(document.querySelectorAll('#graph .frame'))"
        ".filter(f => !f.hidden).map(f => Number(f.dataset.index))")


def caption(page) -> str:
    return page.text_content("#caption")


def inspector(page) -> str:
    return page.text_content("#inspector-body")


NODE_IN_VIEW = """([index, id]) => {
  const frame = document.querySelector(`#graph .frame[data-index="${index}"]`);
  const title = Array.from(frame.querySelectorAll('g.node > title'))
    .find(t => t.textContent === id);
  if (!title) return 'no node ' + id;
  const b = document.getElementById('graph').getBoundingClientRect();
  const r = title.parentNode.getBoundingClientRect();
  return r.left >= b.left - 1 && r.right <= b.right + 1 && r.top >= b.top - 1
    && r.bottom <= b.bottom + 1;
}"""

NODE_TEXTS = """([index, id]) => {
  const frame = document.querySelector(`#graph .frame[data-index="${index}"]`);
  const title = Array.from(frame.querySelectorAll('g.node > title'))
    .find(t => t.textContent === id);
  return Array.from(title.parentNode.querySelectorAll('text')).map(t => t.textContent);
}"""


def click_node(page, index: int, node_id: str) -> None:
    """Click a node's box as a learner would (found by its id, v0, v1, …)."""
    box = page.evaluate("""([index, id]) => {
      const frame = document.querySelector(`#graph .frame[data-index="${index}"]`);
      const title = Array.from(frame.querySelectorAll('g.node > title'))
        .find(t => t.textContent === id);
      const r = title.parentNode.getBoundingClientRect();
      return [r.left + r.width / 2, r.top + r.height / 2];
    }""", [index, node_id])
    page.mouse.click(*box)


def go(page, index: int, node: str | None = None) -> None:
    fragment = f"#step={index + 1}" + (f"&node={node}" if node else "")
    page.evaluate(f"location.hash = {fragment!r}")
    expect(page.locator("#counter")).to_contain_text(f" {index + 1} /")


TEXT_SIZES = """() => {
  const frame = Array.from(document.querySelectorAll('#graph .frame')).find(f => !f.hidden);
  return Array.from(frame.querySelectorAll('text')).filter(t => t.textContent.trim())
    .map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a);
}"""

