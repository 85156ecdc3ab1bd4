"""NAdam, RAdam, Adamax, Rprop, ASGD (and LBFGS): 20 float64 steps from the same weights give
torch's parameters to ~1e-12, the same state entries and values, state dicts round-trip
(through chaingrad.save) and resume identically, and bad options raise torch's errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import chaingrad as cg
from chaingrad import nn, optim

CASES = [
    ("NAdam", dict()),
    ("NAdam", dict(lr=0.01, betas=(0.8, 0.95), weight_decay=0.1, momentum_decay=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict(lr=0.01)),
    ("RAdam", dict(lr=0.01, betas=(0.9, 0.6), eps=1e-6, weight_decay=0.1)),
    ("RAdam", dict(lr=0.01, betas=(0.5, 0.7), weight_decay=0.2, decoupled_weight_decay=True,
                   maximize=True)),
    ("Adamax", dict()),
    ("Adamax", dict(lr=0.01, betas=(0.5, 0.9), weight_decay=0.1, maximize=True)),
    ("Rprop", dict()),
    ("Rprop", dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.1), maximize=True)),
    ("ASGD", dict()),
    ("ASGD", dict(lr=0.05, lambd=0.01, alpha=0.5, t0=5, weight_decay=0.1)),
    ("ASGD", dict(lr=0.05, t0=0)),
]

N_STEPS = 20


def _problem(seed: int = 0) -> tuple[list[np.ndarray], np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((3, 4)), rng.standard_normal(4)], rng.standard_normal((5, 3))


def _loss(params: list, x: Any) -> Any:
    w, b = params
    h = (x @ w + b).tanh()
    return (h * h).sum() + (w * w * w * w).sum() * 0.1 - 0.3 * b.sum()


def _run(lib: Any, name: str, kwargs: dict, init: list[np.ndarray], x: np.ndarray,
         steps: int = N_STEPS) -> tuple[list, Any]:
    ps = [lib.nn.Parameter(lib.tensor(a, dtype=lib.float64)) for a in init]
    opt = getattr(lib.optim, name)(ps, **kwargs)
    xs = lib.tensor(x, dtype=lib.float64)
    for _ in range(steps):
        opt.zero_grad()
        _loss(ps, xs).backward()
        opt.step()
    return ps, opt


def _value(v: Any) -> np.ndarray:
    return np.asarray(v._data if isinstance(v, cg.Tensor) else v)


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{i}" for i, (n, _) in
                                                    enumerate(CASES)])
def test_matches_torch(name: str, kwargs: dict) -> None:
    torch = pytest.importorskip("torch")
    init, x = _problem()
    ps, opt = _run(cg, name, kwargs, init, x)
    tps, topt = _run(torch, name, kwargs, init, x)
    for p, tp in zip(ps, tps):
        assert np.isfinite(p.detach().numpy()).all()
        np.testing.assert_allclose(p.detach().numpy(), tp.detach().numpy(), rtol=1e-12,
                                   atol=1e-13)
    sd, tsd = opt.state_dict(), topt.state_dict()
    assert sorted(sd["state"]) == sorted(tsd["state"])
    for k in tsd["state"]:
        assert sorted(sd["state"][k]) == sorted(tsd["state"][k])
        for key, tv in tsd["state"][k].items():
            ours = sd["state"][k][key]
            assert ours._data.dtype == np.dtype(str(tv.dtype).replace("torch.", "")), key
            np.testing.assert_allclose(_value(ours), tv.detach().numpy(), rtol=1e-12,
                                       atol=1e-13)
    for g, tg in zip(sd["param_groups"], tsd["param_groups"]):
        assert sorted(k for k in g if k != "param_names") == sorted(tg), name
        for key in tg:
            assert g[key] == tg[key], key


@pytest.mark.parametrize("name,kwargs", CASES[::2], ids=[f"{n}-{i}" for i, (n, _) in
                                                         enumerate(CASES[::2])])
def test_state_dict_resume_is_identical(name: str, kwargs: dict, tmp_path) -> None:
    init, x = _problem(1)
    full, _ = _run(cg, name, kwargs, init, x, steps=12)
    ps, opt = _run(cg, name, kwargs, init, x, steps=5)
    cg.save({"opt": opt.state_dict(), "p": [p.detach() for p in ps]}, tmp_path / "o.ckpt")
    ck = cg.load(tmp_path / "o.ckpt")
    ps2 = [nn.Parameter(t.clone()) for t in ck["p"]]
    opt2 = getattr(optim, name)(ps2, **kwargs)
    opt2.load_state_dict(ck["opt"])
    xs = cg.tensor(x, dtype=cg.float64)
    for _ in range(7):
        opt2.zero_grad()
        _loss(ps2, xs).backward()
        opt2.step()
    for a, b in zip(full, ps2):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def test_scalar_state_is_float32_and_validated() -> None:
    init, x = _problem()
    ps, opt = _run(cg, "NAdam", {}, init, x, steps=2)
    sd = opt.state_dict()
    assert sd["state"][0]["mu_product"]._data.dtype == np.float32
    assert sd["state"][0]["mu_product"].shape == ()
    bad = {"state": {0: dict(sd["state"][0], mu_product=cg.ones(3))},
           "param_groups": sd["param_groups"]}
    with pytest.raises(ValueError, match="mu_product.*scalar"):
        opt.load_state_dict(bad)
    ps, opt = _run(cg, "ASGD", {}, init, x, steps=2)
    assert {k: v.shape for k, v in opt.state_dict()["state"][1].items()} == {
        "step": (), "eta": (), "mu": (), "ax": (4,)}


def test_float32_parameters_stay_float32() -> None:
    for name, _ in CASES[::3]:
        w = nn.Parameter(cg.tensor([1.0, -2.0, 3.0]))
        opt = getattr(optim, name)([w])
        for _ in range(3):
            opt.zero_grad()
            (w * w).sum().backward()
            opt.step()
        assert w.dtype == cg.float32, name
        for v in opt.state[w].values():
            assert v._data.dtype == np.float32, name


@pytest.mark.parametrize("make,message", [
    (lambda p: optim.NAdam(p, lr=-1.0), "Invalid learning rate"),
    (lambda p: optim.NAdam(p, betas=(1.0, 0.9)), "Invalid beta parameter at index 0"),
    (lambda p: optim.NAdam(p, momentum_decay=-0.1), "Invalid momentum_decay value"),
    (lambda p: optim.RAdam(p, eps=-1.0), "Invalid epsilon value"),
    (lambda p: optim.RAdam(p, betas=(0.9, 1.5)), "Invalid beta parameter at index 1"),
    (lambda p: optim.Adamax(p, weight_decay=-0.1), "Invalid weight_decay value"),
    (lambda p: optim.Rprop(p, etas=(1.5, 1.2)), "Invalid eta values"),
    (lambda p: optim.Rprop(p, etas=(0.5, 0.9)), "Invalid eta values"),
    (lambda p: optim.ASGD(p, weight_decay=-1.0), "Invalid weight_decay value"),
    (lambda p: optim.ASGD(p, lr=-0.1), "Invalid learning rate"),
])
def test_invalid_options(make: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make([nn.Parameter(cg.zeros(2))])


def test_group_options_and_skipped_params() -> None:
    a, b, c = (nn.Parameter(cg.ones(2)) for _ in range(3))
    opt = optim.RAdam([{"params": [a]}, {"params": [b, c], "lr": 0.5}], lr=0.1)
    (a.sum() + b.sum()).backward()
    opt.step()
    assert c not in opt.state and a in opt.state and b in opt.state
    with pytest.raises(ValueError, match="Invalid eta values"):
        optim.Rprop([a], lr=0.1).add_param_group({"params": [c], "etas": (2.0, 3.0)})


def _rosen(lib: Any, ps: list, x: Any) -> Any:
    w, b = ps
    r = (x @ w + b).tanh()
    return (r * r).sum() + ((w[1:] - w[:-1] ** 2) ** 2).sum() * 5 + ((1 - w) ** 2).sum() \
        + (b * b * b * b).sum()


@pytest.mark.parametrize("kwargs", [
    dict(), dict(lr=0.5, max_iter=5, history_size=3),
    dict(line_search_fn="strong_wolfe"),
    dict(lr=0.8, max_iter=7, history_size=4, line_search_fn="strong_wolfe"),
], ids=["fixed", "fixed-short", "wolfe", "wolfe-short"])
def test_lbfgs_matches_torch(kwargs: dict) -> None:
    torch = pytest.importorskip("torch")
    init, x = _problem(2)
    init[0] = init[0] * 0.3

    def run(lib: Any) -> tuple[list, Any, list]:
        ps = [lib.nn.Parameter(lib.tensor(a, dtype=lib.float64)) for a in init]
        xs = lib.tensor(x, dtype=lib.float64)
        opt = lib.optim.LBFGS(ps, **kwargs)

        def closure() -> Any:
            opt.zero_grad()
            loss = _rosen(lib, ps, xs)
            loss.backward()
            return loss

        losses = [opt.step(closure).item() for _ in range(4)]
        return ps, opt, losses

    ps, opt, losses = run(cg)
    tps, topt, tlosses = run(torch)
    np.testing.assert_allclose(losses, tlosses, rtol=1e-10)
    assert losses[-1] < losses[0]
    for p, tp in zip(ps, tps):
        np.testing.assert_allclose(p.detach().numpy(), tp.detach().numpy(), rtol=1e-9,
                                   atol=1e-11)
    st, tst = opt.state[ps[0]], topt.state[tps[0]]
    assert sorted(st) == sorted(k for k in tst if k != "al")
    assert st["func_evals"] == tst["func_evals"] and st["n_iter"] == tst["n_iter"]
    assert len(st["old_dirs"]) == len(tst["old_dirs"])
    np.testing.assert_allclose(st["d"]._data, tst["d"].numpy(), rtol=1e-8, atol=1e-10)


def test_lbfgs_state_dict_resume_and_errors(tmp_path) -> None:
    init, x = _problem(3)
    xs = cg.tensor(x, dtype=cg.float64)

    def make() -> tuple[list, Any, Any]:
        ps = [nn.Parameter(cg.tensor(a, dtype=cg.float64)) for a in init]
        opt = optim.LBFGS(ps, max_iter=4, line_search_fn="strong_wolfe")

        def closure() -> Any:
            opt.zero_grad()
            loss = _rosen(cg, ps, xs)
            loss.backward()
            return loss
        return ps, opt, closure

    ps, opt, closure = make()
    for _ in range(2):
        opt.step(closure)
    cg.save({"o": opt.state_dict(), "p": [p.detach() for p in ps]}, tmp_path / "l.ckpt")
    opt.step(closure)
    ck = cg.load(tmp_path / "l.ckpt")
    ps2, opt2, closure2 = make()
    for p, v in zip(ps2, ck["p"]):
        p.data = v.clone()
    opt2.load_state_dict(ck["o"])
    opt2.step(closure2)
    for a, b in zip(ps, ps2):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    with pytest.raises(ValueError, match="per-parameter options"):
        optim.LBFGS([{"params": [ps[0]]}, {"params": [ps[1]]}])
    with pytest.raises(ValueError, match="strong_wolfe"):
        optim.LBFGS(ps, line_search_fn="backtracking")
    with pytest.raises(TypeError, match="closure"):
        opt.step(None)  # type: ignore[arg-type]
    bad = opt.state_dict()
    bad["state"][0]["d"] = cg.zeros(3)
    with pytest.raises(ValueError, match="state 'd' has shape"):
        opt.load_state_dict(bad)
