"""``stepgrad export MODEL.json MODEL.onnx``: a saved model file as an ONNX model."""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["add_export_command"]

_EPILOG = """\
The model file is what model.save(path) writes (an nn.Neuron, nn.Layer or nn.MLP).
The ONNX model takes x of shape (batch, inputs) and gives y (batch, outputs); a
softmax head gives the probabilities as y and the logits as a second output. Run it
with ONNX Runtime: onnxruntime.InferenceSession("model.onnx").run(None, {"x": X}).
Needs the export extra: pip install 'stepgrad[export]'.

examples:
  stepgrad export digits.json digits.onnx
  stepgrad export gate.json gate.onnx --no-batch --float32

exit status:
  0  written
  1  the work failed (onnx not installed, a file that cannot be written, ...)
  2  bad usage or input (a missing, malformed or mismatched model file)
"""


def add_export_command(commands: argparse._SubParsersAction,
                       formatter: type[argparse.HelpFormatter]) -> None:
    """Add the ``export`` subcommand to ``stepgrad``'s subcommands."""
    export = commands.add_parser(
        "export", formatter_class=formatter, epilog=_EPILOG,
        help="write a saved model file as ONNX (for ONNX Runtime, PyTorch, ...)",
        description="Convert a stepgrad model file (JSON) to an ONNX model, same weights.",
    )
    export.add_argument("model", metavar="MODEL.json", type=Path,
                        help="a model file written by model.save(path)")
    export.add_argument("output", metavar="MODEL.onnx", type=Path,
                        help="where to write the ONNX model")
    export.add_argument("--no-batch", action="store_true",
                        help="input x of shape (inputs,) instead of (batch, inputs)")
    export.add_argument("--float32", action="store_true",
                        help="store and compute in float32 (default float64, stepgrad's numbers)")
    export.set_defaults(run=_export)


def _export(args: argparse.Namespace, out, err) -> int:
    import nn

    from .cli import EXIT_OK, UsageError

    if args.output.suffix.lower() != ".onnx":
        raise UsageError(f"the output {str(args.output)!r} is an ONNX model: end its name "
                         "in .onnx")
    try:
        model = nn.load(args.model)
    except ValueError as exc:  # malformed, wrong version, mismatched parameters
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"cannot read model file {str(args.model)!r}: "
                         f"{exc.strerror or exc}") from None
    args.output.parent.mkdir(parents=True, exist_ok=True)
    dtype = "float32" if args.float32 else "float64"
    try:
        nn.export_onnx(model, args.output, batch=not args.no_batch, dtype=dtype)
    except ImportError as exc:  # onnx not installed: says how to install it
        raise RuntimeError(str(exc)) from None
    print(f"wrote {args.output}: {model!r}, {model.num_parameters():,} parameters, {dtype}",
          file=err)
    return EXIT_OK
