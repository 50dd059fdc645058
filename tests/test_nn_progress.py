"""nn.fit's progress bar: a text bar on a terminal, nothing when stderr is a pipe or a log.

(The notebook widget needs a Jupyter kernel: tests/test_notebooks.py checks it.)
"""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIT = ("import nn; nn.fit(nn.Neuron(1, seed=0), nn.datasets.linear_pairs(40), epochs=3, "
       "compiled={compiled}, progress={progress})")


def stderr_of(code: str, terminal: bool) -> str:
    """What ``python -c code`` writes to stderr: a 100-column terminal, or a pipe."""
    if not terminal:
        done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                              text=True, timeout=120, stdin=subprocess.DEVNULL)
        assert done.returncode == 0, done.stderr
        return done.stderr
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    child = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    out = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(leader)
    assert child.wait(timeout=120) == 0, out
    return out.decode("utf-8", "replace")


@pytest.mark.parametrize("compiled", [False, True])
def test_a_terminal_shows_the_bar(compiled):
    err = stderr_of(FIT.format(compiled=compiled, progress=True), terminal=True)
    desc = "fit (compiled)" if compiled else "fit"
    assert f"{desc}:" in err and "0/120" in err  # drawn at once, then cleared (leave=False)


@pytest.mark.parametrize("compiled", [False, True])
def test_a_pipe_or_a_log_gets_nothing(compiled):
    assert stderr_of(FIT.format(compiled=compiled, progress=True), terminal=False) == ""


def test_progress_false_is_quiet_even_on_a_terminal():
    assert "fit" not in stderr_of(FIT.format(compiled=False, progress=False), terminal=True)
