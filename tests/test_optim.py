"""Optimizers: N steps from the same weights give torch's parameters (float64, 1e-6 and
tighter), per-group options, state dicts (torch's format, round trips, resumed training
identical), zero_grad, closures, and validation without partial updates."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

import chaingrad as cg
from chaingrad import nn, optim

CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.5, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.9), eps=1e-6, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, amsgrad=True, maximize=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.02, weight_decay=0.5, amsgrad=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, momentum=0.5, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.9)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.5)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-4, weight_decay=0.1, maximize=True)),
]

N_STEPS = 6


def _problem(rng: np.random.Generator) -> tuple[list[np.ndarray], np.ndarray]:
    return [rng.standard_normal((3, 4)), rng.standard_normal(4)], rng.standard_normal((5, 3))


def _loss(params: list, x: object) -> object:
    w, b = params
    h = (x @ w + b).tanh()
    return (h * h).sum() + (w * w * w).sum() * 0.1


def _run_ours(name: str, kwargs: dict, init: list[np.ndarray], x: np.ndarray,
              steps: int = N_STEPS) -> tuple[list, object]:
    ps = [nn.Parameter(cg.tensor(a, dtype=cg.float64)) for a in init]
    opt = getattr(optim, name)(ps, **kwargs)
    xs = cg.tensor(x, dtype=cg.float64)
    for _ in range(steps):
        opt.zero_grad()
        _loss(ps, xs).backward()
        opt.step()
    return ps, opt


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{i}" for i, (n, _) in
                                                    enumerate(CASES)])
def test_matches_torch(name: str, kwargs: dict) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    init, x = _problem(rng)
    ps, opt = _run_ours(name, kwargs, init, x)
    tps = [torch.nn.Parameter(torch.tensor(a)) for a in init]
    topt = getattr(torch.optim, name)(tps, **kwargs)
    xt = torch.tensor(x)
    for _ in range(N_STEPS):
        topt.zero_grad()
        _loss(tps, xt).backward()
        topt.step()
    for p, tp in zip(ps, tps):
        np.testing.assert_allclose(p.detach().numpy(), tp.detach().numpy(), rtol=1e-9,
                                   atol=1e-12)
    # Same state entries, same values, same group options.
    sd, tsd = opt.state_dict(), topt.state_dict()
    assert sorted(sd["state"]) == sorted(tsd["state"])
    for k in tsd["state"]:
        assert sorted(sd["state"][k]) == sorted(tsd["state"][k])
        for key, tv in tsd["state"][k].items():
            np.testing.assert_allclose(np.asarray(sd["state"][k][key]._data),
                                       tv.detach().numpy(), rtol=1e-9, atol=1e-12)
    for g, tg in zip(sd["param_groups"], tsd["param_groups"]):
        for key in tg:
            if key in g:
                assert g[key] == tg[key], key


def test_param_groups_with_own_options() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    init, x = _problem(rng)
    ps = [nn.Parameter(cg.tensor(a, dtype=cg.float64)) for a in init]
    tps = [torch.nn.Parameter(torch.tensor(a)) for a in init]
    opt = optim.SGD([{"params": [ps[0]]}, {"params": ps[1], "lr": 0.5, "momentum": 0.0}],
                    lr=0.1, momentum=0.9)
    topt = torch.optim.SGD([{"params": [tps[0]]}, {"params": tps[1], "lr": 0.5,
                                                   "momentum": 0.0}], lr=0.1, momentum=0.9)
    for _ in range(4):
        for o, params, xx in ((opt, ps, cg.tensor(x)), (topt, tps, torch.tensor(x))):
            o.zero_grad()
            _loss(params, xx).backward()
            o.step()
    for p, tp in zip(ps, tps):
        np.testing.assert_allclose(p.detach().numpy(), tp.detach().numpy(), rtol=1e-12)
    assert opt.param_groups[1]["lr"] == 0.5 and opt.param_groups[0]["lr"] == 0.1
    extra = nn.Parameter(cg.zeros(2, dtype=cg.float64))
    opt.add_param_group({"params": [extra], "lr": 0.01})
    assert opt.param_groups[2]["momentum"] == 0.9  # defaults fill the rest
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [extra]})
    assert len(opt.param_groups) == 3


def test_named_parameters_accepted() -> None:
    lin = nn.Linear(2, 2)
    opt = optim.Adam(lin.named_parameters(), lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["weight", "bias"]
    lin(cg.ones(1, 2)).sum().backward()
    opt.step()


@pytest.mark.parametrize("name,kwargs", [("SGD", dict(lr=0.1, momentum=0.9)),
                                         ("Adam", dict(lr=0.01, amsgrad=True)),
                                         ("RMSprop", dict(lr=0.01, centered=True, momentum=0.1)),
                                         ("Adagrad", dict(lr=0.1)),
                                         ("Adadelta", dict(lr=1.0))])
def test_state_dict_resume_is_identical(name: str, kwargs: dict, tmp_path) -> None:
    rng = np.random.default_rng(2)
    init, x = _problem(rng)
    straight, _ = _run_ours(name, kwargs, init, x, steps=6)
    half, opt = _run_ours(name, kwargs, init, x, steps=3)
    cg.save({"params": [p.detach() for p in half], "opt": opt.state_dict()},
            tmp_path / "ck.pt")
    ck = cg.load(tmp_path / "ck.pt")
    ps = [nn.Parameter(cg.tensor(t.numpy(), dtype=cg.float64)) for t in ck["params"]]
    opt2 = getattr(optim, name)(ps, **kwargs)
    opt2.load_state_dict(ck["opt"])
    xs = cg.tensor(x, dtype=cg.float64)
    for _ in range(3):
        opt2.zero_grad()
        _loss(ps, xs).backward()
        opt2.step()
    for a, b in zip(ps, straight):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def test_state_dict_format_and_copy() -> None:
    _, opt = _run_ours("Adam", dict(lr=0.01), *_problem(np.random.default_rng(3)), steps=1)
    sd = opt.state_dict()
    assert set(sd) == {"state", "param_groups"}
    assert sd["param_groups"][0]["params"] == [0, 1]
    assert list(sd["state"][0]) == ["step", "exp_avg", "exp_avg_sq"]
    assert sd["state"][0]["step"].item() == 1.0
    sd["state"][0]["exp_avg"]._data[...] = 99  # a copy: the optimizer is unaffected
    assert not np.any(opt.state_dict()["state"][0]["exp_avg"].numpy() == 99)


def _copy_sd(obj: Any) -> Any:
    """Deep copy of a state dict (chaingrad tensors do not support copy.deepcopy)."""
    if isinstance(obj, cg.Tensor):
        return obj.clone()
    if isinstance(obj, dict):
        return {k: _copy_sd(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_copy_sd(v) for v in obj]
    return obj


def test_load_state_dict_mismatch_leaves_optimizer_unchanged() -> None:
    _, opt = _run_ours("SGD", dict(lr=0.1, momentum=0.9), *_problem(np.random.default_rng(4)))
    good = opt.state_dict()
    before = copy.deepcopy({k: v for k, v in opt.param_groups[0].items() if k != "params"})
    buf = opt.state_dict()["state"][0]["momentum_buffer"].numpy().copy()
    bad_groups = {"state": good["state"], "param_groups": good["param_groups"] * 2}
    with pytest.raises(ValueError, match="different number of parameter groups"):
        opt.load_state_dict(bad_groups)
    short = _copy_sd(good)
    short["param_groups"][0]["params"] = [0]
    with pytest.raises(ValueError, match="doesn't match the size"):
        opt.load_state_dict(short)
    wrong_shape = _copy_sd(good)
    wrong_shape["param_groups"][0]["lr"] = 123.0
    wrong_shape["state"][1]["momentum_buffer"] = cg.zeros(7)
    with pytest.raises(ValueError, match="has shape"):
        opt.load_state_dict(wrong_shape)
    bad_lr = _copy_sd(good)
    bad_lr["param_groups"][0]["lr"] = -1.0
    with pytest.raises(ValueError, match="Invalid learning rate: -1.0"):
        opt.load_state_dict(bad_lr)
    assert {k: v for k, v in opt.param_groups[0].items() if k != "params"} == before
    np.testing.assert_array_equal(opt.state_dict()["state"][0]["momentum_buffer"].numpy(), buf)


@pytest.mark.parametrize("make,message", [
    (lambda p: optim.SGD(p, lr=-0.1), "Invalid learning rate: -0.1"),
    (lambda p: optim.SGD(p, lr=0.1, momentum=-1), "Invalid momentum value: -1"),
    (lambda p: optim.SGD(p, lr=0.1, weight_decay=-1e-4), "Invalid weight_decay value"),
    (lambda p: optim.SGD(p, lr=0.1, nesterov=True), "Nesterov momentum requires"),
    (lambda p: optim.Adam(p, lr=-1e-3), "Invalid learning rate: -0.001"),
    (lambda p: optim.Adam(p, betas=(1.0, 0.999)), "Invalid beta parameter at index 0: 1.0"),
    (lambda p: optim.Adam(p, betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
    (lambda p: optim.AdamW(p, eps=-1e-8), "Invalid epsilon value: -1e-08"),
    (lambda p: optim.RMSprop(p, alpha=-0.5), "Invalid alpha value: -0.5"),
    (lambda p: optim.RMSprop(p, momentum=-0.5), "Invalid momentum value"),
    (lambda p: optim.Adagrad(p, lr_decay=-1.0), "Invalid lr_decay value: -1.0"),
    (lambda p: optim.Adagrad(p, initial_accumulator_value=-1.0),
     "Invalid initial_accumulator_value value: -1.0"),
    (lambda p: optim.Adadelta(p, rho=1.5), "Invalid rho value: 1.5"),
    (lambda p: optim.SGD(p, lr=float("nan")), "Invalid learning rate: nan"),
])
def test_invalid_options(make: object, message: str) -> None:
    p = [nn.Parameter(cg.zeros(2))]
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        make(p)


def test_invalid_params_and_group_options() -> None:
    w = nn.Parameter(cg.zeros(2))
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="can only optimize Tensors"):
        optim.SGD([w, 3.0], lr=0.1)
    with pytest.raises(ValueError, match="non-leaf"):
        optim.SGD([w * 2], lr=0.1)
    with pytest.raises(ValueError, match="duplicate parameters"):
        optim.SGD([w, w], lr=0.1)
    with pytest.raises(TypeError, match="iterable of Tensors"):
        optim.SGD(w, lr=0.1)
    opt = optim.Adam([w])
    with pytest.raises(ValueError, match="Invalid beta parameter"):
        opt.add_param_group({"params": [nn.Parameter(cg.zeros(1))], "betas": (0.9, 2.0)})
    assert len(opt.param_groups) == 1


def test_zero_grad_closure_and_skipped_params() -> None:
    a, b = nn.Parameter(cg.ones(2)), nn.Parameter(cg.ones(2))
    opt = optim.SGD([a, b], lr=0.5)
    calls = []

    def closure() -> object:
        opt.zero_grad()
        loss = (a * a).sum()
        loss.backward()
        calls.append(1)
        return loss

    loss = opt.step(closure)
    assert loss.item() == 2.0 and calls == [1]
    np.testing.assert_allclose(a.detach().numpy(), [0.0, 0.0])
    np.testing.assert_array_equal(b.detach().numpy(), [1.0, 1.0])  # no grad: untouched
    assert b not in opt.state or not opt.state[b]
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(a.grad.numpy(), [0.0, 0.0])
    opt.zero_grad()
    assert a.grad is None


def test_step_bumps_version_counter() -> None:
    w = nn.Parameter(cg.ones(2))
    opt = optim.SGD([w], lr=0.1)
    y = (w * w).sum()
    (w * 3).sum().backward()
    opt.step()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_float32_training_stays_float32() -> None:
    cg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 1))
    x, y = cg.randn(16, 3), cg.randn(16, 1)
    for Opt in (optim.SGD, optim.Adam, optim.AdamW, optim.RMSprop, optim.Adagrad,
                optim.Adadelta):
        opt = Opt(model.parameters(), lr=0.01)
        first = None
        for _ in range(20):
            opt.zero_grad()
            loss = nn.functional.mse_loss(model(x), y)
            loss.backward()
            opt.step()
            first = loss.item() if first is None else first
        assert all(p.dtype == np.float32 for p in model.parameters())
        assert all(v.dtype == np.float32 for s in opt.state.values() for k, v in s.items()
                   if k != "step")
        assert loss.item() < first, Opt.__name__
    assert "Parameter Group 0" in repr(opt) and "lr: 0.01" in repr(opt)
