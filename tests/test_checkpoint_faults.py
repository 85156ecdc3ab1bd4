"""Checkpoints under faults: a save killed (SIGKILL) mid-write leaves the previous file intact
and loadable; loading never executes code (no pickle, object arrays refused)."""

from __future__ import annotations

import io
import json
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time
import zipfile

import numpy as np
import pytest

import chaingrad as cg
from chaingrad.serialization import CheckpointError

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")

# The child saves a ~64 MB state dict (16 members of 4 MB) over the target, forever, each
# save with different values; the parent kills it while a write is in progress.
CHILD = textwrap.dedent("""
    import sys
    import numpy as np
    import chaingrad as cg
    path = sys.argv[1]
    k = 1
    while True:
        sd = {f"layer{i}.weight": cg.full((1024, 1024), float(k)) for i in range(16)}
        sd["step"] = k
        cg.save(sd, path)
        k += 1
""")


def _old_state() -> dict:
    return {"layer0.weight": cg.full((4, 4), -1.0), "step": 0}


def _tmp_files(d: str, name: str) -> list[str]:
    return [f for f in os.listdir(d) if f.startswith("." + name + ".") and f.endswith(".tmp")]


def _size(p: os.PathLike) -> int:
    try:
        return os.path.getsize(p)
    except FileNotFoundError:  # renamed over the target meanwhile
        return 0


def _check(path: str) -> str:
    """The file is the old checkpoint or a complete new one; which."""
    ck = cg.load(path)
    if ck["step"] == 0:
        assert ck["layer0.weight"].tolist() == [[-1.0] * 4] * 4
        return "old"
    k = float(ck["step"])
    assert len(ck) == 17
    for i in range(16):
        w = ck[f"layer{i}.weight"].numpy()
        assert w.shape == (1024, 1024) and (w == k).all()
    return "new"


def test_sigkill_during_save_leaves_the_previous_file(tmp_path, both):
    name = "ckpt.pt"
    path = str(tmp_path / name)
    outcomes = []
    env = dict(os.environ, OMP_NUM_THREADS="1", CHAINGRAD_ENGINE="cpp")
    for delay in (0.0, 0.002, 0.01, 0.03, 0.3, 1.0):
        cg.save(_old_state(), path)
        for f in _tmp_files(str(tmp_path), name):
            os.unlink(tmp_path / f)
        child = subprocess.Popen([sys.executable, "-c", CHILD, path], env=env)
        try:
            deadline = time.monotonic() + 120
            # Wait until the first save has started writing its temporary file.
            while time.monotonic() < deadline:
                if any(_size(tmp_path / f) > 0 for f in _tmp_files(str(tmp_path), name)):
                    break
                assert child.poll() is None, "the child died on its own"
                time.sleep(0.0005)
            else:
                pytest.fail("the child never started writing")
            time.sleep(delay)
            child.send_signal(signal.SIGKILL)
            child.wait(30)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
        assert child.returncode == -signal.SIGKILL
        outcomes.append(_check(path))
        # The killed write leaves at most its temporary file, never a partial target.
        assert len(_tmp_files(str(tmp_path), name)) <= 1
    # Killed right after the write began, the previous file must still be there.
    assert outcomes[0] == "old", outcomes


class _Evil:
    """Unpickling this would create a directory: the canary for code execution."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (os.mkdir, (self.path,))


def test_loading_a_pickle_never_executes_it(tmp_path, both):
    canary = str(tmp_path / "pwned")
    p = tmp_path / "evil.pt"
    p.write_bytes(pickle.dumps({"w": _Evil(canary)}))
    with pytest.raises(CheckpointError, match="pickle"):
        cg.load(str(p))
    # The same payload as a zip whose members are pickles.
    z = tmp_path / "evil_zip.pt"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("data.pkl", pickle.dumps(_Evil(canary)))
    with pytest.raises(CheckpointError):
        cg.load(str(z))
    assert not os.path.exists(canary)


def test_object_array_member_is_refused_unread(tmp_path, both):
    canary = str(tmp_path / "pwned")
    meta = {"format": "chaingrad.checkpoint", "version": 1,
            "root": {"type": "ndarray", "key": "t0", "dtype": "|O", "shape": [1]}}
    members = {"__chaingrad__": np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)}
    buf = io.BytesIO()
    np.save(buf, np.array([_Evil(canary)], dtype=object), allow_pickle=True)
    path = tmp_path / "obj.pt"
    with zipfile.ZipFile(path, "w") as zf:
        for k, v in members.items():
            b = io.BytesIO()
            np.save(b, v)
            zf.writestr(k + ".npy", b.getvalue())
        zf.writestr("t0.npy", buf.getvalue())
    with pytest.raises(CheckpointError, match="object array"):
        cg.load(str(path))
    # Metadata naming the member as a float array does not get it read either.
    meta["root"]["dtype"] = "<f8"
    with zipfile.ZipFile(path, "w") as zf:
        b = io.BytesIO()
        np.save(b, np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8))
        zf.writestr("__chaingrad__.npy", b.getvalue())
        zf.writestr("t0.npy", buf.getvalue())
    with pytest.raises(CheckpointError, match="object array"):
        cg.load(str(path))
    assert not os.path.exists(canary)
