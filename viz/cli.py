"""The ``stepgrad`` command: the backprop walkthrough, and the graph of a typed expression.

Exit status: 0 done, 2 bad usage or input (the message says what and where),
1 anything else that stopped the work (Graphviz missing, a file that cannot be written).
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from autograd import __version__

from .export_command import add_export_command
from .expr import ExpressionError, functions, parse

__all__ = ["main", "build_parser", "UsageError", "EXIT_OK", "EXIT_FAILURE", "EXIT_USAGE"]

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2

_EXIT_CODES = """\
exit status:
  0  done
  1  the work failed (Graphviz not installed, a file that cannot be written, ...)
  2  bad usage or input (the message names the value and, for expressions, the column)
"""

_MAIN_EPILOG = f"""\
examples:
  stepgrad walkthrough --text -o out/walkthrough.html --frames out/frames
  stepgrad walkthrough --lang zh --steps 12 -o walkthrough-zh.html
  stepgrad graph "tanh(x*w + b)" --set x=0.5 w=-1 b=2 -o graph.svg

{_EXIT_CODES}"""

_WALKTHROUGH_EPILOG = f"""\
The default is the y = 2x + 1 example of the deepin article: y = w*x + b, loss
L = (y - t)^2 / 2, w = 0.5, b = 0.6, learning rate 0.01, pairs (0, 1), (1, 2.9), ...;
after two pairs w = 0.51796 and b = 0.62196.

examples:
  stepgrad walkthrough --text                    # transcript only, in the terminal
  stepgrad walkthrough -o out/walkthrough.html   # one page; open it from the file
  stepgrad walkthrough --text -o out/walkthrough.html --frames out/frames
  stepgrad walkthrough --w 0 --b 0 --lr 0.05 --steps 20 --lang zh
  stepgrad walkthrough --steps 181               # frames for 6 pairs, numbers for 181
  stepgrad walkthrough --example l2 --quiz       # weight decay; predict each number

Without -o the page goes to walkthrough.html, unless --text is given: then only
the transcript is printed (and frames written if --frames is given).

{_EXIT_CODES}"""

_GRAPH_EPILOG = f"""\
The expression uses numbers, variable names, + - * / ** and unary -, and the
functions {", ".join(functions())}. It is parsed, never run as Python code.
Every variable needs a value: --set NAME=NUMBER (several after one --set).
The output format comes from the suffix of -o: .svg .png .pdf (drawn by Graphviz)
or .dot/.gv (the DOT source, no Graphviz needed). An expression that starts with
"-" goes after "--":  stepgrad graph --set x=2 -o g.svg -- "-x**2"

examples:
  stepgrad graph "tanh(x*w + b)" --set x=0.5 w=-1 b=2 -o graph.svg
  stepgrad graph "(w*x + b - t)**2 / 2" --set w=0.5 x=0 b=0.6 t=1 --edge-labels
  stepgrad graph "x*x + sigmoid(x)" --set x=1.5 -o square.png --no-grad
  stepgrad graph "x*x*x*x*x*x" --set x=1.1 --max-nodes 4   # collapsed into depth boxes

{_EXIT_CODES}"""


class UsageError(ValueError):
    """Bad input on the command line: reported in one line with exit status 2."""


def _finite(text: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(number):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return number


def _positive(text: str) -> float:
    number = _finite(text)
    if number <= 0:
        raise argparse.ArgumentTypeError(f"expected a number above 0, got {text!r}")
    return number


def _count(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, got {text!r}")
    return number


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``stepgrad`` with its subcommands."""
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="stepgrad", formatter_class=formatter, epilog=_MAIN_EPILOG,
        description="Follow backpropagation step by step: a walkthrough of the y = 2x + 1 "
                    "example, or the graph of any expression with its gradients.",
    )
    parser.add_argument("--version", action="version", version=f"stepgrad {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    walk = commands.add_parser(
        "walkthrough", formatter_class=formatter, epilog=_WALKTHROUGH_EPILOG,
        help="step through forward, loss, backward and update of y = w*x + b",
        description="Record training steps of y = w*x + b frame by frame: forward pass, "
                    "loss, each backward edge with its chain-rule product, the update.",
    )
    walk.add_argument("-o", "--output", metavar="PAGE.html", type=Path,
                      help="write the self-contained HTML page here "
                           "(default walkthrough.html)")
    walk.add_argument("--w", type=_finite, default=0.5, help="starting weight (default 0.5)")
    walk.add_argument("--b", type=_finite, default=0.6, help="starting bias (default 0.6)")
    walk.add_argument("--lr", type=_positive, default=0.01,
                      help="learning rate (default 0.01)")
    walk.add_argument("--steps", type=_count, metavar="N",
                      help="training pairs to step through (default: the article's)")
    walk.add_argument("--frames", metavar="DIR", type=Path,
                      help="also write one numbered SVG per frame into DIR")
    walk.add_argument("--text", action="store_true",
                      help="print the plain-text transcript of every frame")
    walk.add_argument("--lang", choices=("en", "zh"), default="en",
                      help="language of captions and transcript (default en)")
    walk.add_argument("--example", choices=("article", "l2"), default="article",
                      help="article: y = w*x + b as in the article (default); l2: the same "
                           "with weight decay, so w and b each feed two nodes")
    walk.add_argument("--weight-decay", type=_finite, default=0.1, metavar="LAMBDA",
                      help="the weight decay of --example l2 (default 0.1)")
    walk.add_argument("--detail", type=_count, metavar="N",
                      help="pairs shown frame by frame (default 6); later pairs keep their "
                           "numbers only (the table and the trajectory chart)")
    walk.add_argument("--quiz", action="store_true",
                      help="open the page in quiz mode: predict each number, then reveal it")
    walk.set_defaults(run=_walkthrough)

    graph = commands.add_parser(
        "graph", formatter_class=formatter, epilog=_GRAPH_EPILOG,
        help="draw the graph of an expression with its values and gradients",
        description="Parse an expression safely, run backward, and draw the graph.",
    )
    graph.add_argument("expression", metavar="EXPRESSION",
                       help='for example "tanh(x*w + b)"')
    graph.add_argument("--set", dest="values", metavar="NAME=NUMBER", nargs="+",
                       action="extend", default=[], help="a value for each variable")
    graph.add_argument("-o", "--output", metavar="FILE", type=Path, default=Path("graph.svg"),
                       help="where to write the drawing (default graph.svg)")
    graph.add_argument("--no-grad", action="store_true",
                       help="do not run backward; draw values only")
    graph.add_argument("--edge-labels", action="store_true",
                       help="label each edge with its local derivative (and, with "
                            "gradients, upstream grad × local derivative)")
    graph.add_argument("--max-nodes", type=_count, default=300, metavar="N",
                       help="above N values the graph is collapsed into boxes "
                            "(default 300; a graph Graphviz would be slow to lay out "
                            "is collapsed whatever N is)")
    graph.set_defaults(run=_graph)
    add_export_command(commands, formatter)
    return parser


def parse_assignments(items: Sequence[str]) -> dict[str, float]:
    """``["x=0.5", "w=-1"]`` as ``{"x": 0.5, "w": -1.0}``; malformed or repeated → UsageError."""
    values: dict[str, float] = {}
    for item in items:
        name, sign, text = item.partition("=")
        name = name.strip()
        if not sign or not name.isidentifier():
            raise UsageError(f"--set {item!r}: expected NAME=NUMBER, as in x=0.5")
        if name in values:
            raise UsageError(f"--set {item!r}: {name} is given twice")
        try:
            number = float(text)
        except ValueError:
            raise UsageError(f"--set {item!r}: {text!r} is not a number") from None
        if not math.isfinite(number):
            raise UsageError(f"--set {item!r}: expected a finite number")
        values[name] = number
    return values


def _prepare_output(path: Path, suffixes: Sequence[str] | None = None) -> None:
    if suffixes is not None and path.suffix.lower() not in suffixes:
        raise UsageError(f"cannot tell the format of {str(path)!r}: end it in "
                         f"{', '.join(suffixes)}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # name the user's file, and which folder could not be made
        raise OSError(exc.errno, f"cannot create the folder {str(path.parent)!r}: "
                                 f"{exc.strerror}", str(path)) from None


def _graph(args: argparse.Namespace, out, err) -> int:
    from .escape import printable
    from .numbers import format_number
    from .render import FORMATS, render

    values = parse_assignments(args.values)
    built = parse(args.expression).build(values)
    if not args.no_grad:
        built.backward()
    _prepare_output(args.output, list(FORMATS))
    options: dict[str, object] = {"title": args.expression, "edge_labels": args.edge_labels,
                                  "max_nodes": args.max_nodes}
    if args.no_grad:
        from autograd import topo_order

        # grad None: edge labels show the local derivative only, not a product with 0.
        options.update(show_grad=False,
                       numbers={node: (node.data, None) for node in topo_order(built.root)})
    render(built.root, args.output, **options)
    # printable: a comment ("x # …") may hold terminal escapes the parser never reads
    print(f"{printable(args.expression)} = {format_number(built.root.data)}", file=out)
    if not args.no_grad:
        for name, leaf in built.leaves.items():
            print(f"  ∂/∂{name} = {format_number(leaf.grad)}", file=out)
    print(f"wrote {args.output}", file=err)
    return EXIT_OK


def _walkthrough(args: argparse.Namespace, out, err) -> int:
    from .walkthrough import walkthrough

    html = args.output
    if html is None and not args.text:
        html = Path("walkthrough.html")
    if html is not None:
        _prepare_output(html, [".html", ".htm"])
    if args.frames is not None:
        if args.frames.exists() and not args.frames.is_dir():
            raise UsageError(f"argument --frames: {str(args.frames)!r} is a file; give a folder")
        args.frames.mkdir(parents=True, exist_ok=True)  # fail before the minute of rendering
    try:
        walk = walkthrough(w=args.w, b=args.b, lr=args.lr, steps=args.steps, lang=args.lang,
                           example=args.example, weight_decay=args.weight_decay,
                           detail=args.detail)
    except (TypeError, ValueError) as exc:
        raise UsageError(str(exc)) from None
    if args.text:
        print(walk.transcript(), file=out)
    if html is not None:
        walk.write_html(html, quiz=args.quiz)
        print(f"wrote {html}", file=err)
    if args.frames is not None:
        frames = walk.write_frames(args.frames)
        print(f"wrote {len(frames)} frames to {args.frames}", file=err)
    return EXIT_OK


def _hint_leading_minus(argv: list[str], err) -> None:
    """argparse reads "-x*w" as an option: say how to pass such an expression."""
    if "graph" not in argv:
        return
    options = {"-h", "--help", "--set", "-o", "--output", "--no-grad", "--edge-labels",
               "--max-nodes", "--"}
    tokens = argv[argv.index("graph") + 1 :]
    # "-x" (one dash, not an option) looks like an expression; "--bogus" does not.
    if any(t.startswith("-") and not t.startswith("--") and t.split("=")[0] not in options
           for t in tokens):
        print('stepgrad graph: hint: an expression that starts with "-" goes last, '
              'after "--":  stepgrad graph --set x=2 -- "-x**2"', file=err)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``stepgrad`` with ``argv`` (default: the process arguments); returns the exit status."""
    out, err = sys.stdout, sys.stderr
    for stream in (out, err):
        # ∂, −, and Chinese captions must not crash a terminal that cannot show them.
        if hasattr(stream, "reconfigure") and "utf" not in (stream.encoding or "").lower():
            stream.reconfigure(errors="backslashreplace")
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help, or argparse's own usage error (status 2)
        code = stop.code if isinstance(stop.code, int) else EXIT_USAGE
        if code == EXIT_USAGE:
            _hint_leading_minus(list(sys.argv[1:] if argv is None else argv), err)
        return code
    prefix = f"stepgrad {args.command}: error:"
    try:
        return args.run(args, out, err)
    except ExpressionError as exc:
        print(f"{prefix} {exc}", file=err)
        if exc.excerpt():
            print(exc.excerpt(), file=err)
        return EXIT_USAGE
    except (UsageError, OverflowError) as exc:  # numbers too large: the input's fault
        print(f"{prefix} {exc}", file=err)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (stepgrad ... | head): stop quietly, as cat does.
        with contextlib.suppress(OSError, ValueError):  # no real file descriptor
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILURE
    except OSError as exc:
        if exc.strerror is None:  # our own message (write_atomic) already says what and where
            print(f"{prefix} {exc}", file=err)
        else:
            where = f" {exc.filename}" if exc.filename else ""
            print(f"{prefix} cannot write{where}: {exc.strerror}", file=err)
        return EXIT_FAILURE
    except RuntimeError as exc:  # GraphvizNotFound (says how to install), dot failures
        print(f"{prefix} {exc}", file=err)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print(f"{prefix} interrupted", file=err)
        return 130
