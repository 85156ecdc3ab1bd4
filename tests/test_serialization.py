"""chaingrad.save / chaingrad.load: round trips of state dicts and nested structures, the
documented format, atomic writes, and clear errors for corrupt, truncated or foreign files."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest

import chaingrad as cg
from chaingrad import nn, optim
from chaingrad.serialization import CheckpointError


def _trained_model_and_optimizer() -> tuple[nn.Module, optim.Optimizer]:
    cg.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(8, 3))
    opt = optim.AdamW(model.parameters(), lr=0.01)
    for _ in range(2):
        opt.zero_grad()
        nn.functional.cross_entropy(model(cg.randn(4, 1, 4, 4)), cg.tensor([0, 1, 2, 1])
                                    ).backward()
        opt.step()
    return model, opt


def test_model_and_optimizer_round_trip(tmp_path: Path) -> None:
    model, opt = _trained_model_and_optimizer()
    path = tmp_path / "ck.pt"
    cg.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 2}, path)
    ck = cg.load(path)
    assert ck["epoch"] == 2
    sd = model.state_dict()
    assert list(ck["model"]) == list(sd)
    for k, v in sd.items():
        assert ck["model"][k].dtype == v.dtype
        np.testing.assert_array_equal(ck["model"][k].numpy(), v.numpy())
    assert ck["model"]["1.num_batches_tracked"].dtype == np.int64
    assert ck["model"]["1.num_batches_tracked"].shape == ()
    cg.manual_seed(1)
    fresh, fresh_opt = _trained_model_and_optimizer()
    fresh.load_state_dict(ck["model"])
    fresh_opt.load_state_dict(ck["optimizer"])
    assert fresh_opt.state_dict()["param_groups"] == opt.state_dict()["param_groups"]
    x = cg.randn(2, 1, 4, 4)
    model.eval()
    fresh.eval()
    np.testing.assert_array_equal(fresh(x).detach().numpy(), model(x).detach().numpy())


def test_nested_values_round_trip(tmp_path: Path) -> None:
    shared = cg.tensor([1.0, 2.0])
    obj = {
        "none": None, "t": True, "f": False, "int": -(2**70), "float": 0.1, "nan": float("nan"),
        "inf": float("-inf"), "str": "ünïcode ✓", "list": [1, [2.5, "x"], ()],
        "tuple": (1, (2, None)), 3: "int key", (1, "a"): "tuple key", None: 0,
        "arr": np.arange(6, dtype=np.int16).reshape(2, 3), "bool_t": cg.tensor([True, False]),
        "param": nn.Parameter(cg.ones(2)), "grad_t": cg.ones(2, requires_grad=True),
        "a": shared, "b": shared, "f64": cg.zeros((2, 0), dtype=cg.float64),
        "np_scalar": np.float32(1.5),
    }
    cg.save(obj, tmp_path / "x.ckpt")
    r = cg.load(tmp_path / "x.ckpt")
    for k in ("none", "t", "f", "int", "float", "inf", "str", "list", "tuple", 3, (1, "a"),
              None):
        assert r[k] == obj[k] and type(r[k]) is type(obj[k]), k
    assert np.isnan(r["nan"])
    assert isinstance(r["arr"], np.ndarray) and r["arr"].dtype == np.int16
    np.testing.assert_array_equal(r["arr"], obj["arr"])
    assert r["bool_t"].dtype == np.bool_
    assert isinstance(r["param"], nn.Parameter) and r["param"].requires_grad
    assert r["grad_t"].requires_grad and not isinstance(r["grad_t"], nn.Parameter)
    assert r["a"] is r["b"]  # shared tensors stay shared
    assert r["f64"].shape == (2, 0) and r["f64"].dtype == np.float64
    assert r["np_scalar"] == 1.5 and type(r["np_scalar"]) is float


def test_documented_format(tmp_path: Path) -> None:
    path = tmp_path / "fmt.ckpt"
    cg.save({"w": cg.tensor([[1.0, 2.0]]), "n": 3}, path)
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == ["__chaingrad__.npy", "t0.npy"]
    with np.load(path, allow_pickle=False) as npz:
        meta = json.loads(npz["__chaingrad__"].tobytes().decode("utf-8"))
        assert meta["format"] == "chaingrad.checkpoint" and meta["version"] == 1
        items = meta["root"]["items"]
        assert items[0][0] == {"type": "str", "value": "w"}
        assert items[0][1] == {"type": "tensor", "key": "t0", "dtype": "<f4", "shape": [1, 2],
                               "requires_grad": False, "parameter": False}
        assert items[1][1] == {"type": "int", "value": 3}
        np.testing.assert_array_equal(npz["t0"], [[1.0, 2.0]])


def test_file_objects_and_pathlike(tmp_path: Path) -> None:
    import io

    buf = io.BytesIO()
    cg.save([cg.ones(2)], buf)
    buf.seek(0)
    assert cg.load(buf)[0].tolist() == [1.0, 1.0]
    cg.save({"a": 1}, str(tmp_path / "s.ckpt"))
    assert cg.load(os.fspath(tmp_path / "s.ckpt")) == {"a": 1}


def test_atomic_write_keeps_old_file_on_failure(tmp_path: Path) -> None:
    path = tmp_path / "ck.pt"
    cg.save({"v": 1}, path)
    with pytest.raises(TypeError, match=r"cannot store an object of type object at "
                       r"obj\['bad'\]"):
        cg.save({"v": 2, "bad": object()}, path)
    assert cg.load(path) == {"v": 1}
    assert os.listdir(tmp_path) == ["ck.pt"]  # no temporary file left behind

    class Boom:
        pass

    with pytest.raises(TypeError, match=r"obj\['x'\]\[1\]"):
        cg.save({"x": [1, Boom()]}, path)
    with pytest.raises(TypeError, match="dtype <U1"):
        cg.save(np.array(["a"]), path)
    with pytest.raises(IsADirectoryError):
        cg.save({"v": 3}, tmp_path)
    assert cg.load(path) == {"v": 1} and os.listdir(tmp_path) == ["ck.pt"]


def test_save_is_atomic_under_interrupted_write(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "ck.pt"
    cg.save({"v": 1}, path)

    def exploding_savez(*a: object, **k: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", exploding_savez)
    with pytest.raises(KeyboardInterrupt):
        cg.save({"v": 2}, path)
    monkeypatch.undo()
    assert cg.load(path) == {"v": 1}
    assert os.listdir(tmp_path) == ["ck.pt"]


def test_truncated_and_corrupt_files(tmp_path: Path) -> None:
    model, opt = _trained_model_and_optimizer()
    good = tmp_path / "good.pt"
    cg.save({"model": model.state_dict()}, good)
    data = good.read_bytes()
    for cut in (0, 10, len(data) // 2, len(data) - 5):
        bad = tmp_path / f"cut{cut}.pt"
        bad.write_bytes(data[:cut])
        with pytest.raises(CheckpointError, match=f"cut{cut}.pt"):
            cg.load(bad)
    flipped = bytearray(data)
    flipped[len(data) // 3] ^= 0xFF
    (tmp_path / "flip.pt").write_bytes(bytes(flipped))
    with pytest.raises(CheckpointError, match="flip.pt"):
        cg.load(tmp_path / "flip.pt")
    with pytest.raises(FileNotFoundError, match="missing.pt"):
        cg.load(tmp_path / "missing.pt")
    assert issubclass(CheckpointError, RuntimeError)


def test_foreign_and_malicious_files_rejected(tmp_path: Path) -> None:
    np.savez(tmp_path / "plain.npz", a=np.ones(2))
    with pytest.raises(CheckpointError, match="without chaingrad metadata"):
        cg.load(tmp_path / "plain.npz")
    np.save(tmp_path / "one.npy", np.ones(2))
    with pytest.raises(CheckpointError, match="single .npy array"):
        cg.load(tmp_path / "one.npy")
    # an object array would need pickle: refused, never executed
    meta = json.dumps({"format": "chaingrad.checkpoint", "version": 1,
                       "root": {"type": "ndarray", "key": "t0", "dtype": "|O", "shape": [1]}})
    np.savez(tmp_path / "evil.npz", __chaingrad__=np.frombuffer(meta.encode(), np.uint8),
             t0=np.array([print], dtype=object))
    with pytest.raises(CheckpointError, match="evil.npz"):
        cg.load(tmp_path / "evil.npz")
    for root, why in [({"type": "tensor", "key": "t9", "dtype": "<f4", "shape": [1]},
                       "missing"),
                      ({"type": "set", "items": []}, "unknown node type"),
                      ({"type": "int", "value": "1"}, "holds str")]:
        meta = json.dumps({"format": "chaingrad.checkpoint", "version": 1, "root": root})
        np.savez(tmp_path / "m.npz", __chaingrad__=np.frombuffer(meta.encode(), np.uint8))
        with pytest.raises(CheckpointError, match=why):
            cg.load(tmp_path / "m.npz")
    meta = json.dumps({"format": "chaingrad.checkpoint", "version": 99, "root": {}})
    np.savez(tmp_path / "v.npz", __chaingrad__=np.frombuffer(meta.encode(), np.uint8))
    with pytest.raises(CheckpointError, match="format version 99"):
        cg.load(tmp_path / "v.npz")
    (tmp_path / "text.pt").write_text("not a checkpoint")
    with pytest.raises(CheckpointError, match="text.pt"):
        cg.load(tmp_path / "text.pt")


def test_loading_bad_checkpoint_into_model_changes_nothing(tmp_path: Path) -> None:
    model, _ = _trained_model_and_optimizer()
    before = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    other = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(8, 4))
    cg.save(other.state_dict(), tmp_path / "other.pt")
    with pytest.raises(RuntimeError, match="size mismatch for 3.weight"):
        model.load_state_dict(cg.load(tmp_path / "other.pt"))
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), before[k])
