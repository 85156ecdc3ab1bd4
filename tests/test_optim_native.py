"""SGD's native step (one C++ call per parameter group on the C++ engine, csrc/optim.cpp)
agrees bit for bit with the Python reference loop (optim/sgd.py) and with torch to rounding,
and falls back to the Python loop for parameters it does not cover."""

from __future__ import annotations

import numpy as np
import pytest

import chaingrad as cg
from chaingrad import _core
from chaingrad import engine as _engine
from chaingrad.optim import optimizer as _optimizer

from ._helpers import bits_equal

OPTS = [dict(lr=0.1), dict(lr=0.1, momentum=0.9), dict(lr=0.1, momentum=0.9, dampening=0.3),
        dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
        dict(lr=0.03, weight_decay=0.1, maximize=True),
        dict(lr=0.1, momentum=0.5, weight_decay=0.2, maximize=True, dampening=0.1)]


def _arrays():
    rng = np.random.default_rng(0)
    ps = [rng.standard_normal((3, 4)).astype(np.float32), rng.standard_normal(5),
          rng.standard_normal(()).astype(np.float32)]
    gs = [[rng.standard_normal(p.shape).astype(p.dtype) for p in ps] for _ in range(4)]
    return ps, gs


def _train(engine, opts, make=lambda a: a.copy()):
    ps_np, gs_np = _arrays()
    with _engine.use(engine):
        ps = [cg.nn.Parameter(cg.tensor(make(p))) for p in ps_np]
        opt = cg.optim.SGD(ps, **opts)
        for step, gs in enumerate(gs_np):
            for p, g in zip(ps, gs):
                p.grad = None if step == 1 and p.ndim == 0 else cg.tensor(g.copy())
            opt.step()
        return [p._data for p in ps], opt.state_dict()


@pytest.mark.parametrize("opts", OPTS, ids=str)
def test_native_equals_python_loop(both, opts):
    a, sa = _train("cpp", opts)
    b, sb = _train("python", opts)
    assert all(bits_equal(x, y) for x, y in zip(a, b))
    assert sa["param_groups"] == sb["param_groups"]
    assert sa["state"].keys() == sb["state"].keys()
    for k in sa["state"]:
        assert sa["state"][k].keys() == sb["state"][k].keys()
        for name in sa["state"][k]:
            assert bits_equal(sa["state"][k][name]._data, sb["state"][k][name]._data)


def test_native_path_taken_and_fallback(both, monkeypatch):
    calls = []
    orig = _optimizer.Optimizer._step_group
    monkeypatch.setattr(_optimizer.Optimizer, "_step_group",
                        lambda self, g: calls.append(1) or orig(self, g))
    _train("cpp", dict(lr=0.1, momentum=0.9))
    assert calls == []
    _train("python", dict(lr=0.1, momentum=0.9))
    assert len(calls) == 4
    # A non-contiguous parameter: the whole group takes the Python loop, same result.
    calls.clear()
    a, _ = _train("cpp", dict(lr=0.1, momentum=0.9),
                  make=lambda p: np.asfortranarray(p) if p.ndim == 2 else p.copy())
    assert len(calls) == 4
    b, _ = _train("python", dict(lr=0.1, momentum=0.9))
    assert all(np.ascontiguousarray(x).tobytes() == y.tobytes() for x, y in zip(a, b))


def test_sgd_step_refuses_without_changes(both):
    ok = cg.nn.Parameter(cg.ones(3))
    ok.grad = cg.ones(3)
    odd = cg.nn.Parameter(cg.tensor(np.asfortranarray(np.ones((2, 3), np.float32))))
    odd.grad = cg.ones(2, 3)
    state: dict = {}
    assert not _core.sgd_step([ok, odd], state, "momentum_buffer", 0.5, 0.9, 0.0, 0.0, False,
                              False)
    assert state == {} and ok._data.tolist() == [1.0, 1.0, 1.0]
    assert _core.sgd_step([ok], state, "momentum_buffer", 0.5, 0.0, 0.0, 0.0, False, False)
    np.testing.assert_array_equal(ok._data, [0.5, 0.5, 0.5])
    assert state[ok] == {}


@pytest.mark.parametrize("opts", OPTS, ids=str)
def test_sgd_matches_torch(engine, opts):
    torch = pytest.importorskip("torch")
    ours, _ = _train(engine, opts)
    ps_np, gs_np = _arrays()
    ps = [torch.nn.Parameter(torch.tensor(p.copy())) for p in ps_np]
    opt = torch.optim.SGD(ps, **opts)
    for step, gs in enumerate(gs_np):
        for p, g in zip(ps, gs):
            p.grad = None if step == 1 and p.ndim == 0 else torch.tensor(g.copy())
        opt.step()
    for a, p in zip(ours, ps):
        np.testing.assert_allclose(a, p.detach().numpy(), rtol=1e-6, atol=1e-7)


# ------------------------------------------------------------------------------ Adam, AdamW

ADAM = [("Adam", dict(lr=0.01)), ("Adam", dict(lr=0.01, amsgrad=True)),
        ("Adam", dict(lr=0.02, weight_decay=0.1, maximize=True)),
        ("Adam", dict(lr=0.01, betas=(0.3, 0.9), eps=1e-6)),
        ("AdamW", dict(lr=0.01)), ("AdamW", dict(lr=0.01, weight_decay=0.3, amsgrad=True))]


def _train_opt(engine, cls, opts, make=lambda a: a.copy()):
    ps_np, gs_np = _arrays()
    with _engine.use(engine):
        ps = [cg.nn.Parameter(cg.tensor(make(p))) for p in ps_np]
        opt = getattr(cg.optim, cls)(ps, **opts)
        for step, gs in enumerate(gs_np):
            for p, g in zip(ps, gs):
                p.grad = None if step == 1 and p.ndim == 0 else cg.tensor(g.copy())
            opt.step()
        return [p._data for p in ps], opt.state_dict()


@pytest.mark.parametrize("cls,opts", ADAM, ids=str)
def test_adam_native_equals_python_loop(both, cls, opts, monkeypatch):
    calls = []
    orig = _optimizer.Optimizer._step_group
    monkeypatch.setattr(_optimizer.Optimizer, "_step_group",
                        lambda self, g: calls.append(1) or orig(self, g))
    a, sa = _train_opt("cpp", cls, opts)
    assert calls == []  # the native step ran
    b, sb = _train_opt("python", cls, opts)
    assert len(calls) == 4
    assert all(bits_equal(x, y) for x, y in zip(a, b))
    assert sa["state"].keys() == sb["state"].keys()
    for k in sa["state"]:
        assert list(sa["state"][k]) == list(sb["state"][k])  # same keys, same order
        for name in sa["state"][k]:
            assert bits_equal(sa["state"][k][name]._data, sb["state"][k][name]._data)


def test_adam_fallback_same_result(both):
    f = lambda p: np.asfortranarray(p) if p.ndim == 2 else p.copy()  # noqa: E731
    a, _ = _train_opt("cpp", "Adam", dict(lr=0.01, amsgrad=True), make=f)
    b, _ = _train_opt("python", "Adam", dict(lr=0.01, amsgrad=True))
    assert all(np.array_equal(x, y) for x, y in zip(a, b))


@pytest.mark.parametrize("cls,opts", ADAM, ids=str)
def test_adam_matches_torch(engine, cls, opts):
    torch = pytest.importorskip("torch")
    ours, _ = _train_opt(engine, cls, opts)
    ps_np, gs_np = _arrays()
    ps = [torch.nn.Parameter(torch.tensor(p.copy())) for p in ps_np]
    opt = getattr(torch.optim, cls)(ps, **opts)
    for step, gs in enumerate(gs_np):
        for p, g in zip(ps, gs):
            p.grad = None if step == 1 and p.ndim == 0 else torch.tensor(g.copy())
        opt.step()
    for a, p in zip(ours, ps):
        np.testing.assert_allclose(a, p.detach().numpy(), rtol=1e-6, atol=1e-7)
