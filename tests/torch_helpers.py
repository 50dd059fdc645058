"""PyTorch for the export tests: skipped without it, except where it is required (CI)."""

from __future__ import annotations

import importlib
import os

import pytest

REASON = ("PyTorch is not installed: pip install 'stepgrad[torch]' to run this test "
          "(CI installs it and sets STEPGRAD_REQUIRE_TORCH=1, where a missing torch fails)")


def import_torch():
    """The torch module, one thread; skip without it unless STEPGRAD_REQUIRE_TORCH=1."""
    if os.environ.get("STEPGRAD_REQUIRE_TORCH") == "1":
        torch = importlib.import_module("torch")
    else:
        torch = pytest.importorskip("torch", reason=REASON)
    torch.set_num_threads(1)  # small matrices on shared cores: threads only contend
    return torch
