"""``stepgrad walkthrough``: its limits, divergence, quiz, weight decay and long runs."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from viz.cli import EXIT_OK, EXIT_USAGE, main

REPO = Path(__file__).resolve().parent.parent


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("argv, message", [
    (("--steps", "10000000", "--text"), r"steps=10,000,000 is more than a walkthrough keeps "
                                        r"\(at most 10,000"),
    (("--lr", "1", "--steps", "2000", "--text"), r"training diverged at pair \d+ of 2000"),
    (("--lr", "1e308", "--text"), r"training diverged at pair 2 of 6 \(a value overflowed; "
                                  r"w = 0.5, b = 4e\+307\)"),
    (("--w", "1e308", "--text"), r"training diverged at pair \d of 6"),
    (("--detail", "0", "--text"), r"argument --detail: expected 1 or more"),
])
def test_limits_and_divergence_are_one_line_usage_errors(capsys, argv, message):
    code, out, err = run(capsys, "walkthrough", *argv)
    assert code == EXIT_USAGE
    assert re.search(message, err), err
    errors = [line for line in err.splitlines() if line.startswith("stepgrad walkthrough: error")]
    assert "Traceback" not in err and len(errors) == 1 and err.strip().endswith(errors[0])


def test_quiz_and_weight_decay_reach_the_page(capsys, tmp_path):
    page = tmp_path / "l2.html"
    code, out, _ = run(capsys, "walkthrough", "--example", "l2", "--steps", "2", "--quiz",
                       "--text", "-o", str(page))
    assert code == EXIT_OK
    assert "summed over the 2 nodes that read w" in out
    data = re.search(r'<script type="application/json" id="walkthrough-data">(.*?)</script>',
                     page.read_text(encoding="utf-8"), re.S).group(1)
    assert json.loads(data)["quiz"] is True


def test_181_steps_print_the_honest_43_and_181_within_bounded_memory(tmp_path):
    """The long run records frames for 6 pairs and numbers for the rest: it stays under
    the 400 MB the README documents, and its header tells after how many pairs w and b
    come within 0.05 of 2 and 1."""
    page = tmp_path / "long.html"
    # VmHWM, this process's own peak: ru_maxrss carries the parent's peak across the
    # fork/exec (pytest's, over 600 MB once earlier tests have imported torch).
    script = ("import sys\nfrom viz.cli import main\n"
              f"code = main(['walkthrough', '--steps', '181', '--text', '-o', {str(page)!r}])\n"
              "peak = next(int(line.split()[1]) for line in open('/proc/self/status')\n"
              "            if line.startswith('VmHWM:')) // 1024\n"
              "print('PEAK_MB', peak)\nsys.exit(code)\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "after 43 pairs" in done.stdout and "after 181" in done.stdout
    peak = int(done.stdout.split("PEAK_MB")[1].split()[0])
    assert peak < 400, peak
    rows = [line for line in done.stdout.splitlines() if re.match(r"\d+ +\d", line)]
    assert len(rows) == 181
    assert page.stat().st_size < 4_000_000
