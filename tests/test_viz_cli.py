"""The ``stepgrad`` command: success and failure paths, exit codes, messages."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from viz.cli import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, main, parse_assignments

REPO = Path(__file__).resolve().parent.parent


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _no_graphviz(monkeypatch) -> None:
    real_which = __import__("shutil").which
    monkeypatch.setattr("shutil.which", lambda name, *a, **k: None if name == "dot"
                        else real_which(name, *a, **k))


# --- stepgrad graph: success ------------------------------------------------------

def test_graph_writes_svg_with_values_and_prints_gradients(capsys, tmp_path):
    out = tmp_path / "nested" / "dir" / "graph.svg"
    code, stdout, stderr = _run(capsys, "graph", "tanh(x*w + b)",
                                "--set", "x=0.5", "w=-1", "b=2", "-o", str(out))
    assert code == EXIT_OK
    # tanh(1.5) = 0.905148; ∂/∂x = (1 − tanh²)·w, ∂/∂w = (1 − tanh²)·x
    assert stdout.splitlines() == [
        "tanh(x*w + b) = 0.905148",
        "  ∂/∂x = −0.180707",
        "  ∂/∂w = 0.0903533",
        "  ∂/∂b = 0.180707",
    ]
    assert f"wrote {out}" in stderr
    svg = out.read_text()
    assert svg.lstrip().startswith(("<?xml", "<svg"))
    for text in ["0.905148", "−0.180707", "0.0903533", "tanh"]:
        assert text in svg


def test_graph_of_the_article_loss_with_edge_labels(capsys, tmp_path):
    out = tmp_path / "loss.dot"
    code, stdout, _ = _run(capsys, "graph", "(w*x + b - t)**2 / 2", "--set", "w=0.5",
                           "x=0", "b=0.6", "--set", "t=1", "-o", str(out), "--edge-labels")
    assert code == EXIT_OK
    assert "  ∂/∂b = −0.4" in stdout.splitlines()  # WORKED_EXAMPLES §1, pair 1
    assert "  ∂/∂w = 0" in stdout.splitlines()
    dot = out.read_text()
    assert dot.startswith("digraph")
    assert "∂ = " in dot
    assert "(w*x + b - t)**2 / 2" in dot  # the title


def test_graph_no_grad_skips_backward(capsys, tmp_path):
    out = tmp_path / "g.dot"
    code, stdout, _ = _run(capsys, "graph", "x*x + 1", "--set", "x=3", "-o", str(out),
                           "--no-grad", "--edge-labels")
    assert code == EXIT_OK
    assert stdout.splitlines() == ["x*x + 1 = 10"]
    dot = out.read_text()
    assert not re.search(r"grad [0-9−…]", dot)  # no gradient field on any node
    assert "∂ = 3" in dot  # local derivatives still shown
    assert " × " not in dot  # but no product with an upstream gradient


def test_graph_no_grad_edge_labels_where_a_derivative_is_undefined(capsys, tmp_path):
    # sqrt(0) = 0 is fine forward; its derivative is not: the label says so, no traceback
    out = tmp_path / "g.dot"
    code, stdout, stderr = _run(capsys, "graph", "sqrt(x) + x", "--set", "x=0", "-o", str(out),
                                "--no-grad", "--edge-labels")
    assert (code, stdout.splitlines()) == (EXIT_OK, ["sqrt(x) + x = 0"])
    dot = out.read_text()
    assert dot.count("label=<∂ undefined>") == 1
    assert dot.count("label=<∂ = 1>") == 2  # x into +, and sqrt(x) into +


def test_graph_png_output(capsys, tmp_path):
    code, _, _ = _run(capsys, "graph", "sigmoid(a) * relu(a)", "--set", "a=0.7",
                      "-o", str(tmp_path / "g.png"))
    assert code == EXIT_OK
    assert (tmp_path / "g.png").read_bytes().startswith(b"\x89PNG")


def test_dot_output_works_without_graphviz_and_svg_says_how_to_install(
        capsys, tmp_path, monkeypatch):
    _no_graphviz(monkeypatch)
    code, _, _ = _run(capsys, "graph", "x + 1", "--set", "x=1", "-o", str(tmp_path / "g.dot"))
    assert code == EXIT_OK
    code, _, stderr = _run(capsys, "graph", "x + 1", "--set", "x=1",
                           "-o", str(tmp_path / "g.svg"))
    assert code == EXIT_FAILURE
    assert "apt-get install graphviz" in stderr
    assert "Traceback" not in stderr
    assert not (tmp_path / "g.svg").exists()


# --- stepgrad graph: failures ---------------------------------------------------------

@pytest.mark.parametrize(
    ("argv", "message", "column"),
    [
        (["x *", "--set", "x=1"], "not a valid expression: invalid syntax (column 4)", 4),
        (["x * w", "--set", "x=1"], "no value for 'w'; give one with --set w=<number> "
                                    "(column 5)", 5),
        (["foo(x)", "--set", "x=1"], "unknown function 'foo'", 1),
        (["x.real", "--set", "x=1"], "attribute access ('.') is not allowed", 2),
        (["__import__('os')"], "unknown function '__import__'", 1),
        (["log(x - 1)", "--set", "x=1"], "log(0.0) is undefined (needs a > 0) (column 1)", 1),
        (["2 ** 9 ** 9 ** 9"], "overflows a float", 8),
        (["x", "--set", "x=1", "y=2"], "'y' does not appear in the expression", None),
    ],
)
def test_graph_input_errors_are_one_line_with_position(capsys, tmp_path, argv, message,
                                                       column):
    out = tmp_path / "g.svg"
    code, stdout, stderr = _run(capsys, "graph", *argv, "-o", str(out))
    assert code == EXIT_USAGE
    lines = stderr.splitlines()
    assert lines[0].startswith("stepgrad graph: error: ")
    assert message in lines[0]
    assert "Traceback" not in stderr
    if column is None:
        assert len(lines) == 1
    else:
        assert lines[1] == "  " + argv[0]
        assert f"(column {column})" in lines[0]
        assert lines[2].index("^") == column + 1  # two spaces of indent, 1-based column
    assert stdout == ""
    assert not out.exists()


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (["x=1", "x=2"], "--set 'x=2': x is given twice"),
        (["x"], "--set 'x': expected NAME=NUMBER"),
        (["=1"], "expected NAME=NUMBER"),
        (["1x=1"], "expected NAME=NUMBER"),
        (["x=abc"], "'abc' is not a number"),
        (["x=nan"], "expected a finite number"),
        (["x=inf"], "expected a finite number"),
    ],
)
def test_malformed_set_values(capsys, tmp_path, values, message):
    code, _, stderr = _run(capsys, "graph", "x + 1", "--set", *values,
                           "-o", str(tmp_path / "g.svg"))
    assert code == EXIT_USAGE
    assert message in stderr
    assert len(stderr.splitlines()) == 1


def test_parse_assignments():
    assert parse_assignments(["x=0.5", "w=-1", " b =2e-3"]) == {"x": 0.5, "w": -1.0, "b": 0.002}


def test_unknown_output_suffix(capsys, tmp_path):
    code, _, stderr = _run(capsys, "graph", "x", "--set", "x=1", "-o", str(tmp_path / "g.txt"))
    assert code == EXIT_USAGE
    assert "cannot tell the format of" in stderr and ".svg" in stderr


def test_unwritable_output_is_a_failure_not_a_traceback(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, _, stderr = _run(capsys, "graph", "x", "--set", "x=1",
                           "-o", str(blocker / "g.dot"))
    assert code == EXIT_FAILURE
    assert "cannot write" in stderr
    assert "Traceback" not in stderr


def test_output_that_is_a_folder_is_named_once(capsys, tmp_path):
    # used to read "error: cannot write: cannot write '…': it is a folder"
    (tmp_path / "g.svg").mkdir()
    code, _, stderr = _run(capsys, "graph", "x*2", "--set", "x=1", "-o", str(tmp_path / "g.svg"))
    assert code == EXIT_FAILURE
    assert stderr == (f"stepgrad graph: error: cannot write {str(tmp_path / 'g.svg')!r}: "
                      "it is a folder; give a file name\n")


def test_expression_starting_with_minus(capsys, tmp_path):
    code, _, stderr = _run(capsys, "graph", "-x", "--set", "x=1")
    assert code == EXIT_USAGE
    assert 'goes last, after "--"' in stderr
    out = tmp_path / "neg.dot"
    code, stdout, _ = _run(capsys, "graph", "--set", "x=2", "-o", str(out), "--", "-x**2")
    assert code == EXIT_OK
    assert stdout.splitlines()[0] == "-x**2 = −4"


# --- help and usage ----------------------------------------------------------------

def test_help_lists_examples_and_exit_codes(capsys):
    code, stdout, _ = _run(capsys, "--help")
    assert code == EXIT_OK
    assert "stepgrad walkthrough --text -o out/walkthrough.html --frames out/frames" in stdout
    assert "exit status" in stdout and "2  bad usage" in stdout
    code, stdout, _ = _run(capsys, "graph", "--help")
    assert code == EXIT_OK
    for word in ["--set", "--no-grad", "--edge-labels", "tanh", "sigmoid", ".dot"]:
        assert word in stdout
    code, stdout, _ = _run(capsys, "walkthrough", "--help")
    assert code == EXIT_OK
    for word in ["--frames", "--text", "--lang", "0.51796"]:
        assert word in stdout


def test_no_command_or_unknown_option_is_a_usage_error(capsys):
    assert _run(capsys)[0] == EXIT_USAGE
    code, _, stderr = _run(capsys, "graph", "x", "--bogus")
    assert code == EXIT_USAGE
    assert "unrecognized arguments: --bogus" in stderr
    assert "hint" not in stderr  # the leading-minus hint is for expressions only


# --- the real console script ---------------------------------------------------------

def test_console_script_runs_in_a_subprocess(tmp_path):
    script = Path(sys.executable).parent / "stepgrad"
    assert script.exists(), "the stepgrad console script is not installed: pip install -e ."
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run(
        [str(script), "graph", "exp(x) / (1 + exp(x))", "--set", "x=0",
         "-o", str(tmp_path / "out" / "g.svg")],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )
    assert done.returncode == EXIT_OK, done.stderr
    assert done.stdout.splitlines()[:2] == ["exp(x) / (1 + exp(x)) = 0.5", "  ∂/∂x = 0.25"]
    assert (tmp_path / "out" / "g.svg").stat().st_size > 0
    done = subprocess.run([sys.executable, "-m", "viz", "graph", "x.y", "--set", "x=1"],
                          capture_output=True, text=True, env=env, timeout=60, check=False)
    assert done.returncode == EXIT_USAGE
    assert "Traceback" not in done.stderr
    assert "(column 2)" in done.stderr


# --- stepgrad walkthrough ---------------------------------------------------------------

def test_walkthrough_text_only_prints_the_article_numbers_and_writes_nothing(
        capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, stdout, _ = _run(capsys, "walkthrough", "--text", "--steps", "2")
    assert code == EXIT_OK
    # WORKED_EXAMPLES §1: after pair 1 b = 0.604; after pair 2 w = 0.51796, b = 0.62196
    assert "b ← b − lr·∂L/∂b = 0.6 − 0.01 × (−0.4) = 0.604" in stdout
    assert "w = 0.51796, b = 0.62196" in stdout
    assert os.listdir(tmp_path) == []


def test_walkthrough_the_readme_demo_writes_page_and_frames(capsys, tmp_path):
    page = tmp_path / "out" / "walkthrough.html"
    frames = tmp_path / "out" / "frames"
    code, stdout, stderr = _run(capsys, "walkthrough", "--text", "-o", str(page),
                                "--frames", str(frames), "--steps", "2")
    assert code == EXIT_OK
    assert "0.62196" in stdout
    html = page.read_text()
    assert "0.51796" in html and "0.62196" in html
    written = sorted(frames.iterdir())
    assert f"wrote {len(written)} frames to {frames}" in stderr
    assert len(written) == stdout.count("\n[")  # one SVG per transcript frame
    assert written[0].suffix == ".svg" and "<svg" in written[0].read_text()


def test_walkthrough_without_graphviz_says_how_to_install_and_writes_no_page(
        capsys, tmp_path, monkeypatch):
    _no_graphviz(monkeypatch)
    page = tmp_path / "walkthrough.html"
    code, stdout, stderr = _run(capsys, "walkthrough", "--text", "--steps", "1",
                                "-o", str(page))
    assert code == EXIT_FAILURE
    assert "0.604" in stdout  # the transcript needs no Graphviz
    assert stderr.startswith("stepgrad walkthrough: error: the Graphviz program 'dot' was "
                             "not found on PATH")
    assert "apt-get install graphviz" in stderr and "brew install graphviz" in stderr
    assert "Traceback" not in stderr and len(stderr.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_walkthrough_default_page_and_own_parameters(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, stderr = _run(capsys, "walkthrough", "--w", "0", "--b", "0", "--lr", "0.1",
                           "--steps", "1")
    assert code == EXIT_OK
    assert "wrote walkthrough.html" in stderr
    # pair (0, 1): y = 0, ∂L/∂b = −1, so b = 0 − 0.1 × (−1) = 0.1
    assert "0.1" in (tmp_path / "walkthrough.html").read_text()


def test_walkthrough_in_chinese(capsys):
    code, stdout, _ = _run(capsys, "walkthrough", "--text", "--steps", "1", "--lang", "zh")
    assert code == EXIT_OK
    assert "前向传播" in stdout and "反向传播" in stdout


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--lr", "0"], "argument --lr: expected a number above 0, got '0'"),
        (["--lr", "fast"], "argument --lr: expected a number, got 'fast'"),
        (["--w", "nan"], "argument --w: expected a finite number, got 'nan'"),
        (["--steps", "0"], "argument --steps: expected 1 or more, got '0'"),
        (["--steps", "2.5"], "argument --steps: expected a whole number, got '2.5'"),
        (["--lang", "fr"], "argument --lang: invalid choice: 'fr'"),
        (["-o", "page.txt"], "cannot tell the format of 'page.txt': end it in .html, .htm"),
        (["--frames", "taken"], "argument --frames: 'taken' is a file; give a folder"),
    ],
)
def test_walkthrough_bad_options(capsys, tmp_path, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "taken").write_text("mine")
    code, _, stderr = _run(capsys, "walkthrough", *argv)
    assert code == EXIT_USAGE
    assert message in stderr
    assert "Traceback" not in stderr
    assert os.listdir(tmp_path) == ["taken"] and (tmp_path / "taken").read_text() == "mine"
