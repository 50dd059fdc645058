"""viz.draw / viz.render: DOT golden files, stable ids, every edge, roles, errors, collapse."""

from __future__ import annotations

import os
import re
from pathlib import Path

import graphviz
import pytest
from hypothesis import given, settings

import autograd
import viz
from autograd import Value
from autograd.testing import expressions
from viz.collapse import module_of, parent_module
from viz.numbers import format_factor, format_number

GOLDEN = Path(__file__).parent / "golden"


def article_graph(x: float = 0.0, t: float = 1.0, w: float = 0.5, b: float = 0.6):
    """The deepin example's first pair: y = w·x + b, L = (y − t)²/2, backward done."""
    w, b = Value(w, "w"), Value(b, "b")
    x, t = Value(x, "x"), Value(t, "t")
    y = w * x + b
    y.label = "y"
    L = (y - t) ** 2 / 2
    L.label = "L"
    L.backward()
    return L, w, b


def check_golden(name: str, source: str) -> None:
    path = GOLDEN / name
    if os.environ.get("STEPGRAD_UPDATE_GOLDEN"):
        path.write_text(source, encoding="utf-8")
    assert source == path.read_text(encoding="utf-8"), f"DOT differs from {path}"


def test_article_graph_matches_golden_dot():
    L, w, b = article_graph()
    check_golden("article_graph.dot", viz.draw(L, params=[w, b]).source)


def test_article_graph_with_edge_labels_matches_golden_dot():
    L, w, b = article_graph()
    check_golden("article_graph_edges.dot", viz.draw(L, params=[w, b], edge_labels=True).source)


def test_edge_labels_show_local_derivative_and_contribution():
    L, w, b = article_graph()
    source = viz.draw(L, params=[w, b], edge_labels=True).source
    # ∂(w·x)/∂w = x = 0, upstream −0.4: the article's dL/dw = −0.4 × 0 = 0
    assert "v0 -> v2_op [label=<∂ = 0<BR/>−0.4 × 0 = 0>]" in source
    # ∂(y − t)/∂t = −1: contribution 0.4
    assert "∂ = −1<BR/>−0.4 × (−1) = 0.4" in source


def test_edge_label_of_an_undefined_derivative_says_so():
    # √x at 0 is 0, but its derivative 1/(2√x) is not a number: the drawing says
    # "undefined" on that edge instead of raising ZeroDivisionError.
    x, k = Value(0.0, "x"), Value(3.0, "k")
    y = x.sqrt() + x * k
    source = viz.draw(y, edge_labels=True).source
    ids = {node: f"v{i}" for i, node in enumerate(autograd.topo_order(y))}
    sqrt_node = y.inputs[0]
    assert f"{ids[x]} -> {ids[sqrt_node]}_op [label=<∂ undefined>]" in source
    assert f"{ids[x]} -> {ids[y.inputs[1]]}_op [label=<∂ = 3<BR/>" in source  # others stay


def test_ids_follow_topo_order_and_repeat_runs_give_same_text():
    L, w, b = article_graph()
    order = autograd.topo_order(L)
    source = viz.draw(L, params=[w, b]).source
    ids = re.findall(r"^\t(v\d+) \[", source, flags=re.M)
    assert ids == [f"v{i}" for i in range(len(order))]
    assert "id(" not in source and "0x" not in source
    L2, w2, b2 = article_graph()
    assert viz.draw(L2, params=[w2, b2]).source == source


def test_every_edge_is_drawn_even_repeats():
    a = Value(3.0, "a")
    out = a + a
    source = viz.draw(out).source
    assert source.count("v0 -> v1_op") == 2


def test_roles_and_gradient_sign_colours():
    L, w, b = article_graph()
    source = viz.draw(L, params={"w": w, "b": b}).source
    line = {m.group(1): m.group(0) for m in re.finditer(r"^\t(v\d+) \[.*$", source, re.M)}
    assert 'COLOR="#4338ca"' in line["v0"]  # w is a parameter
    assert 'COLOR="#475569"' in line["v1"]  # x is an input
    assert 'COLOR="#b45309"' in line["v10"]  # L is the loss
    assert 'COLOR="#94a3b8"' in line["v7"]  # the constant 2
    assert 'BGCOLOR="#dbeafe"' in line["v3"]  # b.grad = −0.4 < 0: blue
    assert 'BGCOLOR="#fee2e2"' in line["v5"]  # t.grad = 0.4 > 0: red
    assert "legend" in source


def test_show_data_and_grad_switches():
    L, _, _ = article_graph()
    source = viz.draw(L, show_grad=False, legend=False).source
    assert ">grad " not in source and "data 0.6" in source
    source = viz.draw(L, show_data=False).source
    assert "data " not in source and "grad −0.4" in source


def test_legend_lists_gradient_colours_only_when_grads_are_shown():
    L, w, b = article_graph()
    assert "grad &gt; 0" in viz.draw(L, params=[w, b]).source
    source = viz.draw(L, params=[w, b], show_grad=False).source
    assert "legend" in source and "parameter" in source
    assert "grad &gt; 0" not in source and "grad &lt; 0" not in source


def test_collapsed_drawing_honours_show_grad_and_show_data():
    loss, params = mlp([4, 6, 3])
    source = viz.draw(loss, params=params, max_nodes=60, show_grad=False).source
    assert "nodes hidden" in source
    assert ">grad " not in source and "grad &gt; 0" not in source
    source = viz.draw(loss, params=params, max_nodes=60, show_data=False, legend=False).source
    assert "nodes hidden" in source and ">data " not in source and ">grad " in source


def test_article_numbers_need_the_default_precision():
    assert format_number(0.5 + 0.01 * 1.796) == "0.51796"
    assert format_number(0.604 + 0.01 * 1.796) == "0.62196"
    assert format_number(1.104 - 2.9) == "−1.796"
    assert format_number(0.5 * 1 + 0.6 + 0.004) == "1.104"
    assert format_number(-0.0) == "0" and format_number(None) == "…"
    assert format_factor(-0.4) == "(−0.4)" and format_factor(0.4) == "0.4"


def test_svg_shows_the_article_numbers():
    L, w, b = article_graph()
    svg = viz.draw(L, params=[w, b]).pipe(format="svg").decode()
    for text in ("data 0.6", "grad −0.4", "data 0.08", "grad 0.4"):
        assert f">{text}<" in svg
    L2, _, _ = article_graph(x=1.0, t=2.9, b=0.604)
    svg = viz.draw(L2).pipe(format="svg").decode()
    assert ">data 1.104<" in svg and ">grad −1.796<" in svg


@given(expressions(max_steps=6))
@settings(max_examples=25)
def test_random_graphs_draw_one_node_per_value_and_one_edge_per_input(expr):
    xs = [Value(p, f"x{i}") for i, p in enumerate(expr.point)]
    out = expr(*xs)
    out.backward()
    order = autograd.topo_order(out)
    source = viz.draw(out, legend=False).source
    assert len(re.findall(r"^\tv\d+ \[", source, re.M)) == len(order)
    n_inputs = sum(len(n.inputs) for n in order)
    n_ops = sum(1 for n in order if n.inputs)
    assert source.count(" -> ") == n_inputs + n_ops
    assert viz.draw(out, legend=False).source == source


def test_draw_rejects_bad_arguments_by_name():
    L, _, _ = article_graph()
    with pytest.raises(TypeError, match="draw needs a Value.*got 3"):
        viz.draw(3)
    with pytest.raises(ValueError, match="rankdir must be one of LR, RL, TB, BT, got 'XY'"):
        viz.draw(L, rankdir="XY")
    with pytest.raises(ValueError, match="precision.*got 0"):
        viz.draw(L, precision=0)
    with pytest.raises(ValueError, match="max_nodes.*got -1"):
        viz.draw(L, max_nodes=-1)
    with pytest.raises(TypeError, match="params must be a Module, a dict of name -> Value or "
                                        "Values, got 42 \\(int\\)"):
        viz.draw(L, params=42)
    with pytest.raises(TypeError, match="params must hold Values, got 3 for 'w'"):
        viz.draw(L, params={"w": 3})
    with pytest.raises(ValueError, match="fields must be 'row' or 'column', got 'diag'"):
        viz.draw(L, fields="diag")
    with pytest.raises(ValueError, match="edge_labels must be True, False or 'highlighted', "
                                         "got 'yes'"):
        viz.draw(L, edge_labels="yes")


def test_render_dot_needs_no_graphviz_program(tmp_path, monkeypatch):
    L, w, b = article_graph()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    path = viz.render(L, tmp_path / "g.dot", params=[w, b])
    assert path.read_text(encoding="utf-8") == viz.draw(L, params=[w, b]).source
    with pytest.raises(viz.GraphvizNotFound) as err:
        viz.render(L, tmp_path / "g.svg")
    message = str(err.value)
    assert "apt-get install graphviz" in message and "brew install graphviz" in message
    assert ".dot" in message
    assert not (tmp_path / "g.svg").exists()


@pytest.mark.parametrize("suffix, magic", [(".svg", b"<svg"), (".png", b"\x89PNG"),
                                           (".pdf", b"%PDF")])
def test_render_writes_each_format_atomically(tmp_path, suffix, magic):
    L, _, _ = article_graph()
    path = viz.render(L, tmp_path / f"graph{suffix}")
    assert magic in path.read_bytes()[:400]
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"graph{suffix}"]  # no temp left


def test_render_errors_are_clear(tmp_path):
    L, _, _ = article_graph()
    with pytest.raises(ValueError, match=r"cannot tell the format of .*\.jpg.*\.svg"):
        viz.render(L, tmp_path / "g.jpg")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        viz.render(L, tmp_path / "missing" / "g.dot")
    with pytest.raises(TypeError, match=r"draw options \(rankdir\) only apply to a Value, "
                                        "not to an already drawn Digraph"):
        viz.render(viz.draw(L), tmp_path / "g.dot", rankdir="TB")
    with pytest.raises(TypeError, match="render takes a Value or a graphviz.Digraph, got 'L'"):
        viz.render("L", tmp_path / "g.dot")
    assert list(tmp_path.iterdir()) == []


def test_cjk_labels_keep_their_spaces_in_svg():
    v = Value(1.0, "损失 函数")
    svg = viz.draw(v * 2).pipe(format="svg").decode()
    assert ">损失 函数<" in svg
    assert "Noto Sans CJK SC" in svg


def mlp(sizes: list[int]):
    """A small sigmoid MLP per-sample graph with nn-style parameter names."""
    params = {}
    xs = [Value(0.1 * (i + 1), f"x.{i}") for i in range(sizes[0])]
    for layer, (n_in, n_out) in enumerate(zip(sizes, sizes[1:], strict=False)):
        outs = []
        for j in range(n_out):
            name = f"layers.{layer}.neurons.{j}"
            ws = [Value(0.01 * (i - j), f"{name}.w.{i}") for i in range(n_in)]
            bias = Value(0.0, f"{name}.b")
            params.update({v.label: v for v in [*ws, bias]})
            outs.append(autograd.sum([*(wi * xi for wi, xi in zip(ws, xs, strict=True)),
                                      bias]).sigmoid())
        xs = outs
    loss = autograd.sum([(y - 1.0) ** 2 for y in xs])
    loss.backward()
    return loss, params


def test_module_names_give_neurons_and_layers():
    assert module_of("layers.1.neurons.3.w.2") == "layers.1.neurons.3"
    assert module_of("layers.1.neurons.3.b") == "layers.1.neurons.3"
    assert parent_module("layers.1.neurons.3") == "layers.1"
    assert parent_module("layers.1") == "" and module_of("w") == ""


def test_large_graph_collapses_by_neuron_and_says_how_many_are_hidden():
    loss, params = mlp([4, 6, 3])
    total = len(autograd.topo_order(loss))
    assert total > 60
    source = viz.draw(loss, params=params, max_nodes=60, legend=False).source
    boxes = re.findall(r"^\t(g\d+|v\d+) \[", source, re.M)
    assert len(boxes) <= 60
    assert "layers.0.neurons.5" in source and "layers.1.neurons.2" in source
    hidden = int(re.search(r"([\d,]+) of ([\d,]+) nodes hidden", source).group(1))
    assert f"of {total} nodes hidden" in source and hidden > total - 60
    assert "grouped by module" in source


def test_collapse_goes_up_to_layers_when_neurons_are_too_many():
    loss, params = mlp([4, 6, 3])
    source = viz.draw(loss, params=params, max_nodes=10, legend=False).source
    assert ">layers.0<" in source and ">layers.1<" in source
    assert "neurons" not in source


def test_graph_without_names_collapses_by_depth():
    x = Value(0.5, "x")
    node = x
    for _ in range(3000):  # a deep chain: drawing must neither recurse nor hang
        node = node * 1.0001 + 0.001
    node.backward()
    source = viz.draw(node, max_nodes=40, legend=False).source
    assert "grouped by depth" in source
    assert len(re.findall(r"^\t(g\d+|v\d+) \[", source, re.M)) <= 40
    assert "depths 0–" in source


def test_digraph_is_a_graphviz_object_for_jupyter():
    L, _, _ = article_graph()
    dot = viz.draw(L)
    assert isinstance(dot, graphviz.Digraph) and hasattr(dot, "_repr_mimebundle_")


def test_import_explains_the_hips_autograd_name_clash(tmp_path):
    import subprocess
    import sys

    fake = tmp_path / "autograd"
    fake.mkdir()
    (fake / "__init__.py").write_text("# PyPI's HIPS autograd stand-in\n")
    repo = Path(__file__).resolve().parent.parent
    code = ("import sys; sys.path[:0] = [sys.argv[1], sys.argv[2]]\n"
            "try:\n    import viz\nexcept ImportError as e:\n    print(e)\n")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path), str(repo)],
                          capture_output=True, text=True, timeout=60, check=True)
    assert "HIPS" in done.stdout and "pip uninstall autograd" in done.stdout
    assert "virtual environment" in done.stdout


def test_a_chinese_drawing_says_its_words_in_chinese():
    w, x = Value(0.5, "w"), Value(2.0, "x")
    y = w * x
    y.backward()
    source = viz.draw(y, params=[w], lang="zh").source
    assert "值 0.5" in source and "梯度 2" in source and "图例" in source and "参数" in source
    assert ">data " not in source and ">grad " not in source and ">legend<" not in source
    with pytest.raises(ValueError, match=r"lang must be one of 'en', 'zh', got 'fr'"):
        viz.draw(y, lang="fr")
