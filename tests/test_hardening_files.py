"""Issue 9, files: linear model loading, hostile model and IDX files, devices, gzip bombs,
and saves that keep permissions, follow symlinks and clean up after themselves."""

import builtins
import gzip
import json
import os
import stat
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import nn
from nn.files import write_atomic
from nn.idx import read_idx

ROOT = Path(__file__).resolve().parent.parent


# --- loading is linear -------------------------------------------------------------------

class _CountingSet(set):
    """A set that adds the size of everything it is built from to a shared counter."""

    built = 0

    def __init__(self, items=()):
        items = list(items)
        _CountingSet.built += len(items)
        super().__init__(items)


def test_loading_builds_sets_linear_in_the_parameter_count(tmp_path, monkeypatch):
    # nn.load of 784-50-100-10 took ~117 s: a set of every name was rebuilt for each key.
    # Count the items put into set() during a load instead of timing it (the benchmark
    # benchmarks/bench_load.py reports the seconds).
    model = nn.MLP(100, [20, 10], seed=0)
    count = model.num_parameters()
    path = tmp_path / "m.json"
    model.save(path)
    _CountingSet.built = 0
    monkeypatch.setattr(builtins, "set", _CountingSet)
    loaded = nn.load(path)
    loaded.load_state_dict(model.state_dict())
    monkeypatch.undo()
    assert count == 2230
    assert _CountingSet.built <= 5 * count  # quadratic was 2 × 2230² ≈ 10⁷
    assert loaded.state_dict() == model.state_dict()


# --- hostile model files -----------------------------------------------------------------

def _model_text(**replace):
    document = {"format": "stepgrad-model", "version": 1,
                "architecture": {"class": "Neuron", "nin": 1, "activation": "linear"},
                "parameters": {"w.0": 0.5, "b": 0.6}}
    text = json.dumps(document)
    for old, new in replace.items():
        text = text.replace(old, new)
    return text


@pytest.mark.parametrize("text, message", [
    (_model_text(**{'"Neuron"': '["MLP"]'}),
     r"'architecture.class' must be one of Neuron, Layer, MLP, got \['MLP'\]"),
    (_model_text(**{"0.6": "1" + "0" * 399}),
     r"parameter 'b' must be a finite number, got 1000000000.*\(400 characters\)"),
    (_model_text(**{"0.6": "-" + "9" * 5000}),
     "parameter 'b' must be a finite number, got a 5,000-digit integer"),
    (_model_text(**{'"nin": 1': '"nin": ' + "7" * 5000}),
     "'architecture.nin' must be int, got a 5,000-digit integer"),
    (_model_text(**{'"version": 1': '"version": ' + "1" * 4500}),
     "unsupported 'version' a 4,500-digit integer"),
])
def test_hostile_numbers_and_types_are_value_errors_naming_file_and_key(tmp_path, text,
                                                                         message):
    # were: TypeError unhashable type, OverflowError, Python's int digit-limit ValueError
    path = tmp_path / "hostile.json"
    path.write_text(text)
    with pytest.raises(ValueError, match=r"model file '.*hostile.json': " + message):
        nn.load(path)


def test_model_file_over_the_size_limit_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.json"
    with open(path, "wb") as handle:  # sparse: costs no disk and no time
        handle.truncate(nn.serialize.MAX_FILE_BYTES + 1)
    with pytest.raises(ValueError, match=r"model file '.*huge.json' is larger than "
                                         r"268,435,456 bytes, the limit for model files "
                                         r"\(pass max_bytes= to nn.load"):
        nn.load(path)
    small = tmp_path / "small.json"
    nn.Neuron(1, weights=[0.5], bias=0.6).save(small)
    with pytest.raises(ValueError, match="larger than 100 bytes"):
        nn.load(small, max_bytes=100)
    assert nn.load(small, max_bytes=10_000).b.data == 0.6


# --- devices, pipes and gzip bombs, under a memory limit ---------------------------------

def _run_limited(code: str, megabytes: int = 400) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh Python whose address space is capped at ``megabytes``."""
    prelude = textwrap.dedent(f"""
        import resource
        limit = {megabytes} * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    """)
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)],
                          capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)


def _gzip_bomb(path: Path, promised_dims: list[int], member_mb: int, members: int) -> None:
    """An images file whose header promises ``promised_dims`` and whose gzip inflates to
    ``member_mb × members`` MB of zeros after it (concatenated gzip members, cheap to make)."""
    header = bytes([0, 0, 8, len(promised_dims)]) + b"".join(
        struct.pack(">I", d) for d in promised_dims)
    zeros = gzip.compress(b"\0" * (member_mb << 20), compresslevel=9)
    with open(path, "wb") as handle:
        handle.write(gzip.compress(header + b"\0" * (member_mb << 20), compresslevel=9))
        for _ in range(members - 1):
            handle.write(zeros)


def test_gzip_bomb_stops_at_what_the_header_promises_under_a_memory_limit(tmp_path):
    # A ~0.6 MB file whose header promises 1 × 1 × 1 but which inflates to 640 MB: it
    # used to be inflated whole (MemoryError under this 400 MB limit) before any check.
    bomb = tmp_path / "bomb-images.gz"
    _gzip_bomb(bomb, [1, 1, 1], member_mb=16, members=40)
    assert bomb.stat().st_size < 1 << 20
    done = _run_limited(f"""
        from nn.idx import read_idx
        try:
            read_idx({str(bomb)!r}, 3, "images")
        except ValueError as exc:
            print(exc)
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (f"images file {str(bomb)!r} is longer than its header "
                                   "says: header promises 1 bytes (1 × 1 × 1), the data "
                                   "goes on past them")


def test_gzip_promising_more_than_deflate_can_hold_is_refused_before_inflating(tmp_path):
    small = tmp_path / "small.gz"
    small.write_bytes(gzip.compress(bytes([0, 0, 8, 3]) + struct.pack(">III", 60000, 28, 28)))
    size = small.stat().st_size
    with pytest.raises(ValueError, match=rf"is truncated: header promises 47040000 bytes "
                                         rf"\(60000 × 28 × 28\), a {size}-byte gzip file "
                                         rf"holds at most {1032 * size:,}"):
        read_idx(small, 3, "images")


def test_devices_pipes_and_folders_are_refused_by_name_under_a_memory_limit(tmp_path):
    # /dev/zero was read until memory ran out; opening a named pipe waited forever.
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    done = _run_limited(f"""
        import nn
        from nn.idx import read_idx
        for call in (lambda: read_idx("/dev/zero", 3, "images"),
                     lambda: nn.load("/dev/zero"),
                     lambda: read_idx({str(fifo)!r}, 1, "labels"),
                     lambda: nn.load({str(fifo)!r}),
                     lambda: nn.load({str(tmp_path)!r})):
            try:
                call()
            except ValueError as exc:
                print(exc)
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "images file '/dev/zero' is a character device, not a regular file",
        "model file '/dev/zero' is a character device, not a regular file",
        f"labels file {str(fifo)!r} is a pipe, not a regular file",
        f"model file {str(fifo)!r} is a pipe, not a regular file",
        f"model file {str(tmp_path)!r} is a folder, not a regular file",
    ]


# --- saving: permissions, symlinks, clean failures, durable renames ----------------------

@pytest.fixture
def umask():
    """Set the process umask for one test, then put the old one back."""
    old = os.umask(0o022)
    os.umask(old)
    yield lambda mask: os.umask(mask)
    os.umask(old)


def test_save_keeps_an_existing_files_permissions(tmp_path):
    path = tmp_path / "private.json"
    nn.Neuron(1, weights=[0.5], bias=0.6).save(path)
    path.chmod(0o600)
    nn.Neuron(1, weights=[0.7], bias=0.1).save(path)  # was: forced to 0o644
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert nn.load(path).b.data == 0.1


@pytest.mark.parametrize("mask, mode", [(0o077, 0o600), (0o022, 0o644), (0o002, 0o664)],
                         ids=["umask-077", "umask-022", "umask-002"])
def test_a_new_file_gets_the_umasks_permissions(tmp_path, umask, mask, mode):
    umask(mask)
    path = tmp_path / "new.json"
    nn.Neuron(1, weights=[0.5], bias=0.6).save(path)
    write_atomic(tmp_path / "new.svg", b"<svg/>")
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert stat.S_IMODE((tmp_path / "new.svg").stat().st_mode) == mode


def test_save_writes_through_a_symlink(tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    target = models / "v1.json"
    nn.Neuron(1, weights=[0.5], bias=0.6).save(target)
    target.chmod(0o640)
    link = tmp_path / "current.json"
    link.symlink_to(target)
    nn.Neuron(1, weights=[0.5], bias=0.9).save(link)
    assert link.is_symlink() and os.readlink(link) == str(target)  # was: replaced by a file
    assert nn.load(target).b.data == 0.9
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(os.listdir(models)) == ["v1.json"]  # the temp file was beside the target


def test_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.svg"
    link.symlink_to(tmp_path / "real.svg")
    write_atomic(link, b"<svg/>")
    assert link.is_symlink() and (tmp_path / "real.svg").read_bytes() == b"<svg/>"


@pytest.mark.parametrize("breaks", ["write", "fsync", "replace", "interrupt"])
def test_every_failure_removes_the_temp_file_and_names_the_users_path(
        tmp_path, monkeypatch, breaks):
    path = tmp_path / "m.json"
    path.write_text("old")
    data = b"new"
    if breaks == "write":
        data = "not bytes"  # TypeError from the write itself
    elif breaks == "fsync":
        monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(
            OSError(5, "Input/output error", "/tmp/.m.json.1234.tmp")))
    elif breaks == "replace":
        monkeypatch.setattr(os, "replace", lambda a, b: (_ for _ in ()).throw(
            PermissionError(13, "Permission denied", str(a))))
    else:
        monkeypatch.setattr(os, "replace", lambda a, b: (_ for _ in ()).throw(
            KeyboardInterrupt()))
    expected = {"write": TypeError, "fsync": OSError, "replace": PermissionError,
                "interrupt": KeyboardInterrupt}[breaks]
    with pytest.raises(expected) as info:
        write_atomic(path, data, durable=True)
    if breaks in ("fsync", "replace"):
        assert info.value.filename == str(path)  # not the temp file's name
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["m.json"] and path.read_text() == "old"


def test_durable_write_fsyncs_the_file_then_renames_then_fsyncs_the_folder(tmp_path,
                                                                          monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append("fsync folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "fsync file")
        real_fsync(fd)

    def replace(a, b):
        events.append("rename")
        real_replace(a, b)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    nn.Neuron(1, weights=[0.5], bias=0.6).save(tmp_path / "m.json")
    assert events == ["fsync file", "rename", "fsync folder"]
    events.clear()
    write_atomic(tmp_path / "g.svg", b"<svg/>")  # drawings: atomic, not durable
    assert events == ["rename"]


def test_unwritable_place_names_the_users_path_not_the_temp_file():
    with pytest.raises(OSError) as info:
        write_atomic("/proc/g.svg", b"<svg/>")
    assert info.value.filename == "/proc/g.svg"
    assert ".tmp" not in str(info.value)
