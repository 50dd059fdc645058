"""Every ```python block of README.md runs on its own, so the README cannot drift from the code.

Each block runs in a fresh interpreter (nothing carried over from the block before) in an
empty folder, so the files it writes land there. A block whose first lines say
``# run from the repository root`` runs there instead (the examples are not installed).
Blocks are found wherever they are, indented inside a list item or not: a section
another change adds is tested without touching this file. A block that imports PyTorch
(the optional ``torch`` extra) is skipped where torch is not installed, like the other
torch tests, unless ``STEPGRAD_REQUIRE_TORCH=1`` (CI), where it must run.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.torch_helpers import REASON

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
FROM_ROOT = "# run from the repository root"
_FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[\w+-]*)[ \t]*$")


def python_blocks(text: str) -> list[tuple[int, str]]:
    """(first line number, dedented code) of each ```python block of a Markdown text."""
    blocks, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        start, indent = i + 1, opening["indent"]
        i += 1
        while i < len(lines) and not re.match(rf"^{re.escape(indent)}```[ \t]*$", lines[i]):
            i += 1
        if opening["lang"] == "python":
            blocks.append((start + 1, textwrap.dedent("\n".join(lines[start:i]))))
        i += 1  # past the closing fence
    return blocks


BLOCKS = python_blocks(README.read_text(encoding="utf-8"))


def test_the_readme_has_python_blocks_and_the_parser_finds_indented_ones():
    assert len(BLOCKS) >= 8
    sample = "text\n- item:\n  ```python\n  x = 1\n    y = 2\n  ```\n```bash\nls\n```\n"
    assert python_blocks(sample) == [(4, "x = 1\n  y = 2")]


@pytest.mark.parametrize("line, code", BLOCKS, ids=[f"README.md:{n}" for n, _ in BLOCKS])
def test_readme_python_block_runs_on_its_own(tmp_path, line, code):
    if (re.search(r"^\s*(import|from)\s[^#\n]*\btorch\b", code, re.M)
            and importlib.util.find_spec("torch") is None
            and os.environ.get("STEPGRAD_REQUIRE_TORCH") != "1"):
        pytest.skip(REASON)
    cwd = ROOT if any(row.startswith(FROM_ROOT) for row in code.splitlines()[:3]) else tmp_path
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
    env.pop("PYTHONPATH", None)  # as a reader runs it: the installed stepgrad, nothing else
    done = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, (
        f"README.md line {line}: the block failed when run on its own:\n{done.stderr[-3000:]}")
