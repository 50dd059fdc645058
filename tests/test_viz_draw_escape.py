"""Hostile labels render as the text typed, in DOT, SVG and the HTML page."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import graphviz
import pytest

import viz
from autograd import Value
from viz.escape import dot_record, dot_string, html_label, json_for_script

HOSTILE = [
    "<script>alert(1)</script>",
    "a|b{c}",
    'quote " and back\\slash',
    "<<B>bold</B>>",
    "amp & lt < gt > {x|y} \\N \\G",
    "line\nbreak",
]
SVG = "{http://www.w3.org/2000/svg}"


def svg_texts(svg: str) -> list[str]:
    """Every <text> of an SVG, parsed as XML (so the SVG must be well-formed)."""
    root = ET.fromstring(svg)
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


@pytest.mark.parametrize("label", HOSTILE)
def test_hostile_label_in_dot_is_escaped_html(label):
    v = Value(1.0, label)
    source = viz.draw(v * 2, legend=False).source
    assert "<script>" not in source and "<B>bold" not in source
    assert html_label(label) in source


@pytest.mark.parametrize("label", HOSTILE)
def test_hostile_label_renders_as_text_in_svg(label):
    v = Value(1.0, label)
    svg = viz.draw(v * 2, legend=False).pipe(format="svg").decode()
    texts = svg_texts(svg)
    for line in label.split("\n"):
        assert line.strip() in texts, (line, texts)
    root = ET.fromstring(svg)
    assert not list(root.iter(f"{SVG}script")) and not list(root.iter("script"))


@pytest.mark.parametrize("label", ["a|b{c}", "<port> x", 'q"uote', "back\\slash", "{x|y}"])
def test_record_escape_keeps_one_field(label):
    dot = graphviz.Digraph()
    dot.node("n", dot_record(label), shape="record")
    svg = dot.pipe(format="svg").decode()
    assert svg_texts(svg) == [label]


def test_dot_string_escapes_quotes_and_backslashes():
    dot = graphviz.Digraph()
    dot.node("n", dot_string('say "hi" \\ <b>'), shape="box")
    svg = dot.pipe(format="svg").decode()
    assert svg_texts(svg) == ['say "hi" \\ <b>']


def test_json_for_script_cannot_close_the_script():
    text = json_for_script('{"a": "</script><script>alert(1)</script><!--"}')
    assert "</script" not in text and "<!--" not in text and "<" not in text


def test_hostile_label_in_walkthrough_page(tmp_path):
    a = Value(0.5, "<script>alert(1)</script>")
    c = Value(0.1, "a|b{c}")

    def model(x):
        return a * x + c

    wt = viz.walkthrough(model, pairs=[(1.0, 2.0)])
    page = wt.write_html(tmp_path / "page.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page
    assert page.count("<script") == 2  # the data block and the player, nothing else
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # inside the inline SVG
    assert "a|b{c}" in page
    assert "\\u003cscript\\u003e" in page  # in the JSON captions


def test_hostile_module_names_and_title_in_a_collapsed_drawing():
    import autograd

    hostile = "<script>alert(1)</script>|{x}"
    ws = [Value(0.1 * i, f"w{i}") for i in range(30)]
    params = {f"{hostile}.{i // 5}.w{i}": w for i, w in enumerate(ws)}
    loss = autograd.sum([w * w for w in ws])
    loss.backward()
    dot = viz.draw(loss, params=params, max_nodes=10, title=hostile)
    assert "nodes hidden" in dot.source and "<script>" not in dot.source
    svg = dot.pipe(format="svg").decode()
    texts = svg_texts(svg)
    assert hostile in texts  # the title, as typed
    assert any(t.startswith(hostile + ".") for t in texts)  # a collapsed module's name
    root = ET.fromstring(svg)
    assert not list(root.iter(f"{SVG}script")) and not list(root.iter("script"))
