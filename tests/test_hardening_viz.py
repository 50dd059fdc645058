"""Issue 9, viz: bounded layout work, --max-nodes, text that is not text, and one-line
errors for overflow, bad bytes, NUL characters and unwritable places."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

import pytest

import viz
import viz.cli
from autograd import Value
from viz.cli import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, main
from viz.escape import MAX_LABEL, html_label, printable
from viz.expr import ExpressionError, parse

REPO = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _dummy_nodes(source: str) -> int:
    """dot's hidden routing nodes for a DOT text: Σ over edges of the ranks they skip.

    Ranks are longest paths; a plain edge ``label`` makes dot double every rank (the
    label gets a rank of its own), so labelled graphs count twice. Written here from the
    DOT text alone, independently of viz.collapse's own estimate.
    """
    edges = set(re.findall(r"^\t(\w+) -> (\w+)", source, re.M))
    labelled = re.search(r"^\t\w+ -> \w+ \[.*\blabel=", source, re.M) is not None
    readers, waiting = defaultdict(list), defaultdict(int)
    for tail, head in edges:
        readers[tail].append(head)
        waiting[head] += 1
    rank = defaultdict(int)
    ready = [n for n in list(readers) if not waiting[n]]
    sources = list(ready)
    while ready:
        node = ready.pop()
        for head in readers[node]:
            rank[head] = max(rank[head], rank[node] + 1)
            waiting[head] -= 1
            if not waiting[head]:
                ready.append(head)
    for node in sources:  # dot pulls a source up to its first reader
        rank[node] = min(rank[h] for h in readers[node]) - 1
    skipped = sum(max(0, rank[h] - rank[t] - 1) for t, h in edges)
    return (2 * skipped + len(edges)) if labelled else skipped


# --- layout work is bounded ---------------------------------------------------------------

@pytest.mark.parametrize("factors", [150, 201, 500])
def test_a_product_of_many_factors_is_drawn_with_bounded_layout_work(factors, tmp_path):
    # "x*x*…*x", 500 factors (999 characters, valid): dot ran 5 minutes, then failed; 201
    # factors took 9 s. x feeds every level, so every edge from it crossed all the ranks
    # between: ~n² hidden nodes. Now such a graph is grouped until the work is bounded.
    source_text = "*".join(["x"] * factors)
    built = parse(source_text).build({"x": 1.0})
    built.root.backward()
    dot = viz.draw(built.root, title=source_text)
    assert _dummy_nodes(dot.source) <= 6000  # was 31,000 to 250,000
    why = ("max_nodes=300" if factors > 300
           else "its long edges would take Graphviz minutes to lay out in full")
    assert f"(grouped by depth; {why})" in dot.source
    svg = viz.render(dot, tmp_path / "chain.svg").read_text()  # and dot does finish
    assert f"{factors - 1} of {factors} nodes hidden" in svg


def test_a_small_graph_with_short_edges_is_still_drawn_in_full():
    built = parse("*".join(["x"] * 40)).build({"x": 1.0})
    source = viz.draw(built.root).source
    assert "hidden" not in source and source.count("_op [") == 39


def test_collapsed_edge_counts_do_not_double_the_ranks():
    x = Value(0.5, "x")
    node = x
    for _ in range(400):
        node = node * x
    source = viz.draw(node, max_nodes=40).source
    assert re.search(r"-> \w+ \[.*xlabel=\"×\d+\"", source)
    assert not re.search(r"-> \w+ \[label=", source)


def test_cli_has_max_nodes(capsys, tmp_path):
    out = tmp_path / "g.dot"
    code, stdout, _ = _run(capsys, "graph", "x*x*x*x", "--set", "x=2", "--max-nodes", "2",
                           "-o", str(out))
    assert code == EXIT_OK and stdout.splitlines()[0] == "x*x*x*x = 16"
    assert "3 of 4 nodes hidden" in out.read_text() and "max_nodes=2" in out.read_text()
    code, _, stderr = _run(capsys, "graph", "x", "--set", "x=2", "--max-nodes", "0")
    assert code == EXIT_USAGE and "--max-nodes: expected 1 or more, got '0'" in stderr


# --- text that is not text ---------------------------------------------------------------

@pytest.mark.parametrize("label, shown", [
    ("a\ufffeb", "a\ufffdb"),   # U+FFFE, U+FFFF: not XML characters, dot failed
    ("a\uffffb", "a\ufffdb"),
    ("a\ud800b", "a\ufffdb"),   # a lone surrogate: UnicodeEncodeError, even for .dot
    ("x\udcff", "x\ufffd"),     # an undecodable command-line byte
])
def test_labels_that_are_not_text_are_replaced_in_dot_and_svg(tmp_path, label, shown):
    node = Value(1.0, label) * 2
    dot = viz.render(node, tmp_path / "g.dot").read_text(encoding="utf-8")
    assert html_label(shown) in dot
    svg = viz.render(node, tmp_path / "g.svg").read_text(encoding="utf-8")
    texts = ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert shown in texts


def test_a_label_over_16_kb_is_shortened_and_says_how_long_it_was(tmp_path):
    node = Value(1.0, "&" * 20_000) * 2  # "&" escapes to "&amp;": 100,000 bytes of label
    svg = viz.render(node, tmp_path / "g.svg").read_text()
    note = "… (20,000 characters)"
    texts = ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert "&" * MAX_LABEL + note in texts
    assert len(html_label("'" * 50_000).encode()) < 16_384  # what dot accepts


def test_printable_replaces_what_is_not_text():
    assert printable("ok\t\n\x1b[31m\x00\ud83d\ufffe\uffff\ufffd") == "ok\t\n\ufffd[31m" + \
        "\ufffd" * 5


def test_an_undecodable_byte_on_the_command_line_is_one_line_exit_2(tmp_path):
    out = tmp_path / "g.svg"
    done = subprocess.run([sys.executable, "-m", "viz", "graph", b"x\xff", "--set", "x=1",
                           "-o", str(out)], capture_output=True, cwd=REPO, timeout=120)
    assert done.returncode == EXIT_USAGE
    assert b"Traceback" not in done.stderr  # was: UnicodeEncodeError from ast.parse
    assert done.stderr.decode().splitlines()[0] == (
        "stepgrad graph: error: the expression contains the byte 0xFF, which is not "
        "UTF-8 text (column 2)")
    assert not out.exists()


def test_a_noncharacter_in_a_comment_renders(capsys, tmp_path):
    out = tmp_path / "g.svg"
    code, stdout, stderr = _run(capsys, "graph", "x #\ufffe", "--set", "x=1", "-o", str(out))
    assert (code, stdout.splitlines()[0]) == (EXIT_OK, "x #\ufffd = 1"), stderr
    ET.fromstring(out.read_text())  # well-formed: dot accepted the title


@pytest.mark.parametrize("source, message, column", [
    ("x\x00 + 1", r"the expression contains a NUL character \(\\x00\)", 2),
    ("x + \ud800", "the expression contains a lone surrogate U\\+D800, which is not text", 5),
    ("x\n+ 1", "an expression is one line of text", 2),
])
def test_nul_and_surrogates_have_their_own_messages(source, message, column):
    with pytest.raises(ExpressionError, match=message) as info:
        parse(source)
    assert info.value.column == column
    assert "\x00" not in info.value.excerpt()


# --- one-line errors ---------------------------------------------------------------------

def test_overflow_anywhere_is_one_line_and_exit_2(capsys, monkeypatch):
    def overflow(args, out, err):
        raise OverflowError("(34, 'Numerical result out of range')")

    monkeypatch.setattr(viz.cli, "_walkthrough", overflow)
    code, _, stderr = _run(capsys, "walkthrough", "--text")
    assert code == EXIT_USAGE  # was: a traceback and exit 1
    assert stderr == "stepgrad walkthrough: error: (34, 'Numerical result out of range')\n"


@pytest.mark.parametrize("argv", [["--lr", "1", "--steps", "2000"], ["--lr", "1e308"],
                                  ["--w", "1e308"]])
def test_walkthrough_that_overflows_is_one_line_and_exit_2(capsys, argv):
    code, _, stderr = _run(capsys, "walkthrough", "--text", *argv)
    assert code == EXIT_USAGE
    assert len(stderr.splitlines()) == 1 and stderr.startswith("stepgrad walkthrough: error:")


@pytest.mark.parametrize("output, message", [
    ("/proc/g.svg", "cannot write /proc/g.svg: No such file or directory"),
    ("/proc/g.dot", "cannot write /proc/g.dot: No such file or directory"),
    ("/proc/sub/g.svg", "cannot write /proc/sub/g.svg: cannot create the folder '/proc/sub': "
                        "No such file or directory"),
])
def test_an_unwritable_output_names_the_users_path(capsys, output, message):
    code, _, stderr = _run(capsys, "graph", "x*x", "--set", "x=1", "-o", output)
    assert code == EXIT_FAILURE
    assert stderr == f"stepgrad graph: error: {message}\n"  # was: the temp file's name


def test_an_overflowing_power_says_it_overflowed_not_its_domain(capsys):
    """2**100000 is defined (whole-number exponent): the message says it overflowed and
    leaves out pow's domain text, which already holds."""
    from viz.cli import main

    assert main(["graph", "2**100000", "-o", "unused.svg"]) == 2
    err = capsys.readouterr().err
    assert "pow(2.0, 100000.0) overflows a float (the result is above 1.8e308)" in err
    assert "needs" not in err
