"""Issue 9, a newcomer's first hour: ./run, packaging, the version, optional extras, the
HIPS autograd clash after an uninstall, and benchmarks that leave tracked results alone."""

from __future__ import annotations

import configparser
import importlib.metadata
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
from pathlib import Path

import pytest

import autograd
import nn
import viz

ROOT = Path(__file__).resolve().parent.parent
CACHES = shutil.ignore_patterns(".venv", ".git", "__pycache__", "*.egg-info", "out", "build",
                                "dist", ".hypothesis", ".pytest_cache", ".ruff_cache")


def _python(code: str, *args: str, cwd: Path | str = ROOT, flags: tuple = (), **env: str):
    return subprocess.run([sys.executable, *flags, "-c", code, *args], capture_output=True,
                          text=True, timeout=120, cwd=cwd, env={**os.environ, **env})


# --- ./run -------------------------------------------------------------------------------

def test_run_waits_for_the_apt_lock_and_prints_no_colour_codes_into_a_pipe(tmp_path):
    # A fake PATH: the real tools run needs, no `dot` (so it installs graphviz), and an
    # apt-get that records its arguments and then fails, so nothing is really installed.
    fake = tmp_path / "bin"
    fake.mkdir()
    for tool in ("dirname", "dpkg", "fc-list", "grep", "cat", "sha256sum", "cut", "env",
                 "mkdir", "id"):
        found = shutil.which(tool)
        if found:
            (fake / tool).symlink_to(found)
    log = tmp_path / "apt.log"
    (fake / "apt-get").write_text(f'#!/bin/sh\necho "$*" >> {log}\n'
                                  '[ "$1 $2" = "-o DPkg::Lock::Timeout=600" ] || exit 3\n'
                                  'case "$*" in *" install "*) exit 42;; esac\n')
    (fake / "sudo").write_text('#!/bin/sh\nexec "$@"\n')
    for script in ("apt-get", "sudo"):
        (fake / script).chmod(0o755)
    done = subprocess.run(["/bin/bash", str(ROOT / "run"), "setup"], capture_output=True,
                          text=True, timeout=120,
                          env={"PATH": str(fake), "PYTHON": sys.executable, "HOME": str(tmp_path),
                               "TERM": "xterm-256color"})
    assert done.returncode == 42, done.stderr
    calls = log.read_text().splitlines()
    assert calls[0] == "-o DPkg::Lock::Timeout=600 update -qq"
    assert calls[1].startswith("-o DPkg::Lock::Timeout=600 install -y -qq "
                               "--no-install-recommends graphviz")
    assert "==> installing system packages: graphviz" in done.stderr
    assert "\x1b[" not in done.stderr  # was: bold escape codes in every log


def test_the_editable_install_is_a_plain_path_entry_without_warnings():
    # setuptools' import-hook install printed "Please be careful with folders in your
    # working directory with the same name as your package" on every install; with
    # package_dir "=." it adds the repository root with a plain .pth line instead.
    found = list(Path(sysconfig.get_paths()["purelib"]).glob("__editable__.stepgrad-*.pth"))
    if not found:
        pytest.skip("stepgrad is not installed in editable mode in this environment")
    assert found[0].read_text().strip() == str(ROOT)
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    assert cfg["options"]["package_dir"].split() == ["=."]


# --- packaging ---------------------------------------------------------------------------

def test_license_is_mit_and_declared():
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License") and "WITHOUT WARRANTY OF ANY KIND" in text
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    assert cfg["metadata"]["license"] == "MIT"
    assert cfg["metadata"]["license_files"] == "LICENSE"


def test_the_sdist_holds_tests_golden_files_examples_benchmarks_and_page_assets(tmp_path):
    tree = tmp_path / "stepgrad"
    shutil.copytree(ROOT, tree, ignore=CACHES)
    done = _python("from setuptools import build_meta; print(build_meta.build_sdist('dist'))",
                   cwd=tree)
    assert done.returncode == 0, done.stderr
    archive = tree / "dist" / done.stdout.strip().splitlines()[-1]
    with tarfile.open(archive) as sdist:
        members = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    wanted = {"LICENSE", "README.md", "run", ".ci/run", "setup.cfg", "pyproject.toml"}
    for folder in ("tests", "examples", "benchmarks", "docs", "viz/templates", "viz/static"):
        wanted |= {str(p.relative_to(tree)) for p in (tree / folder).rglob("*")
                   if p.is_file() and "dist" not in p.parts}
    assert "tests/golden/article_graph.dot" in wanted
    assert sorted(wanted - members) == []  # was: golden files, examples, run, LICENSE


def test_one_version_for_the_package_the_modules_and_the_command():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    assert cfg["metadata"]["version"] == "attr: autograd.__version__"  # the one source
    assert autograd.__version__ == nn.__version__ == viz.__version__
    assert importlib.metadata.version("stepgrad") == autograd.__version__
    done = subprocess.run([sys.executable, "-m", "viz", "--version"], capture_output=True,
                          text=True, timeout=60, cwd=ROOT)
    assert (done.returncode, done.stdout) == (0, f"stepgrad {autograd.__version__}\n")


# --- optional extras and the name clash --------------------------------------------------

def test_autograd_testing_without_hypothesis_names_the_extra():
    code = ("import sys\n"
            "class NoHypothesis:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name.split('.')[0] == 'hypothesis':\n"
            "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
            "sys.meta_path.insert(0, NoHypothesis())\n"
            "try:\n    import autograd.testing\n"
            "except ModuleNotFoundError as exc:\n    print(exc.name, '|', exc)\n")
    done = _python(code)
    assert done.stdout.strip() == (
        "hypothesis | autograd.testing needs hypothesis, which the 'test' extra installs: "
        "pip install 'stepgrad[test]' (from a checkout: pip install -e '.[test]'), or "
        "pip install hypothesis")


@pytest.mark.parametrize("package", ["nn", "viz"])
def test_after_pip_uninstall_autograd_the_message_says_reinstall_stepgrad(tmp_path, package):
    # A non-editable stepgrad and HIPS autograd share site-packages/autograd/; uninstalling
    # HIPS removes the shared __init__.py. The old message said "at None" and to uninstall.
    left = tmp_path / "site" / "autograd"
    left.mkdir(parents=True)
    (left / "value.py").write_text("# one of stepgrad's files the uninstall left\n")
    for name in ("nn", "viz"):
        (tmp_path / "site" / name).symlink_to(ROOT / name)
    # -S: no site-packages, so no editable .pth puts this checkout's autograd in reach
    done = _python(f"import {package}", cwd=tmp_path, flags=("-S",),
                   PYTHONPATH=str(tmp_path / "site"))
    assert done.returncode == 1
    message = done.stderr.strip().splitlines()[-1]
    assert message == (
        f"ImportError: stepgrad's `autograd` package is incomplete: {str(left)!r} has no "
        "__init__.py. `pip uninstall autograd` (PyPI's HIPS autograd, which has the same "
        "import name and overwrote the same files) removed stepgrad's files with its own. "
        "Do not uninstall again: reinstall stepgrad into it: from the stepgrad folder, "
        "`pip install --force-reinstall --no-deps -e .` (or `./run setup`).")
    assert "None" not in message


# --- benchmarks --------------------------------------------------------------------------

def test_a_benchmark_run_leaves_the_tracked_results_alone_unless_asked(tmp_path):
    copy = tmp_path / "benchmarks"
    shutil.copytree(ROOT / "benchmarks", copy, ignore=CACHES)
    tracked = copy / "results" / "engine.md"
    tracked.write_text("the tracked table\n")
    command = [sys.executable, str(copy / "bench_engine.py"), "--quick", "--only", "BYTES"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    assert "| stepgrad (a) micrograd's graph |" in done.stdout
    assert tracked.read_text() == "the tracked table\n"  # was: overwritten by every run
    elsewhere = tmp_path / "trial.md"
    done = subprocess.run(command + ["--out", str(elsewhere)], capture_output=True, text=True,
                          timeout=300, env=env)
    assert done.returncode == 0 and "| stepgrad (a)" in elsewhere.read_text()
