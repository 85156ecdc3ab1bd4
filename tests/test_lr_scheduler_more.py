"""LinearLR, ConstantLR, MultiplicativeLR, PolynomialLR, SequentialLR, ChainedScheduler,
CosineAnnealingWarmRestarts and CyclicLR: the lr (and momentum) sequences equal torch's step by
step, state dicts round-trip through chaingrad.save, and bad arguments raise torch's errors."""

from __future__ import annotations

from typing import Any

import pytest

import chaingrad as cg
from chaingrad import nn, optim
from chaingrad.optim import lr_scheduler as S


class Halving:
    """A callable object (its __dict__ is saved in state dicts, unlike a lambda)."""

    def __init__(self) -> None:
        self.f = 0.5

    def __call__(self, e: int) -> float:
        return self.f if e % 3 == 0 else 0.97


def _opt(lib: Any, opt_name: str = "SGD") -> Any:
    params = [lib.nn.Parameter(lib.zeros(1)), lib.nn.Parameter(lib.zeros(1))]
    kw = dict(momentum=0.9) if opt_name == "SGD" else {}
    return getattr(lib.optim, opt_name)([{"params": [params[0]]},
                                         {"params": [params[1]], "lr": 0.05}], lr=0.1, **kw)


def _simple(name: str, **kw: Any) -> Any:
    return lambda lib, opt: getattr(lib.optim.lr_scheduler, name)(opt, **kw)


def _sequential(lib: Any, opt: Any) -> Any:
    L = lib.optim.lr_scheduler
    return L.SequentialLR(opt, [L.LinearLR(opt, start_factor=0.25, total_iters=4),
                                L.ExponentialLR(opt, gamma=0.9),
                                L.CosineAnnealingLR(opt, T_max=6)], milestones=[5, 11])


def _chained(lib: Any, opt: Any) -> Any:
    L = lib.optim.lr_scheduler
    return L.ChainedScheduler([L.ConstantLR(opt, factor=0.5, total_iters=3),
                               L.ExponentialLR(opt, gamma=0.95), L.StepLR(opt, 4, 0.5)])


CASES = {
    "LinearLR": _simple("LinearLR"),
    "LinearLR-down": _simple("LinearLR", start_factor=1.0, end_factor=0.1, total_iters=7),
    "ConstantLR": _simple("ConstantLR", factor=0.25, total_iters=4),
    "MultiplicativeLR": _simple("MultiplicativeLR", lr_lambda=lambda e: 0.9),
    "MultiplicativeLR-list": lambda lib, opt: lib.optim.lr_scheduler.MultiplicativeLR(
        opt, [lambda e: 0.9, Halving()]),
    "PolynomialLR": _simple("PolynomialLR", total_iters=8, power=2.0),
    "SequentialLR": _sequential,
    "ChainedScheduler": _chained,
    "CosineAnnealingWarmRestarts": _simple("CosineAnnealingWarmRestarts", T_0=3, T_mult=2,
                                           eta_min=0.001),
    "CosineAnnealingWarmRestarts-1": _simple("CosineAnnealingWarmRestarts", T_0=4),
    "CyclicLR": _simple("CyclicLR", base_lr=0.01, max_lr=0.1, step_size_up=4),
    "CyclicLR-tri2": _simple("CyclicLR", base_lr=[0.01, 0.02], max_lr=0.1, step_size_up=3,
                             step_size_down=5, mode="triangular2"),
    "CyclicLR-exp": _simple("CyclicLR", base_lr=0.01, max_lr=0.1, step_size_up=3,
                            mode="exp_range", gamma=0.9),
    "CyclicLR-fn": _simple("CyclicLR", base_lr=0.01, max_lr=0.1, step_size_up=2,
                           scale_fn=lambda x: 0.5 ** x, scale_mode="iterations"),
}


def _same(opt: Any, topt: Any, sched: Any, tsched: Any) -> None:
    assert sched.get_last_lr() == pytest.approx(tsched.get_last_lr(), rel=1e-14, abs=1e-16)
    for g, tg in zip(opt.param_groups, topt.param_groups):
        assert g["lr"] == pytest.approx(tg["lr"], rel=1e-14, abs=1e-16)
        for key in ("momentum", "betas"):
            if key in tg:
                assert g[key] == pytest.approx(tg[key], rel=1e-14)


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("opt_name", ["SGD", "Adam"])
@pytest.mark.parametrize("case", list(CASES))
def test_lr_sequence_matches_torch(case: str, opt_name: str) -> None:
    torch = pytest.importorskip("torch")
    opt, topt = _opt(cg, opt_name), _opt(torch, opt_name)
    sched, tsched = CASES[case](cg, opt), CASES[case](torch, topt)
    for _ in range(30):
        _same(opt, topt, sched, tsched)
        topt.step()
        opt.step()
        sched.step()
        tsched.step()
    _same(opt, topt, sched, tsched)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_warm_restarts_fractional_epochs_match_torch() -> None:
    torch = pytest.importorskip("torch")
    opt, topt = _opt(cg), _opt(torch)
    sched = S.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=3, eta_min=0.01)
    tsched = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(topt, T_0=2, T_mult=3,
                                                                  eta_min=0.01)
    for epoch in [0.25, 0.5, 1.75, 2.0, 3.5, 7.9, 8.0, 8.1, 30.0, 1.0]:
        sched.step(epoch)
        tsched.step(epoch)
        _same(opt, topt, sched, tsched)


@pytest.mark.parametrize("case", ["SequentialLR", "ChainedScheduler", "CyclicLR",
                                  "CosineAnnealingWarmRestarts", "MultiplicativeLR-list",
                                  "PolynomialLR"])
def test_state_dict_round_trip(case: str, tmp_path) -> None:
    opt = _opt(cg)
    sched = CASES[case](cg, opt)
    for _ in range(6):
        opt.step()
        sched.step()
    cg.save({"s": sched.state_dict(), "o": opt.state_dict()}, tmp_path / "s.ckpt")
    ck = cg.load(tmp_path / "s.ckpt")
    opt2 = _opt(cg)
    sched2 = CASES[case](cg, opt2)
    opt2.load_state_dict(ck["o"])
    sched2.load_state_dict(ck["s"])
    for _ in range(9):
        for o, s in ((opt, sched), (opt2, sched2)):
            o.step()
            s.step()
        assert sched2.get_last_lr() == sched.get_last_lr()
        assert opt2.param_groups[0]["momentum"] == opt.param_groups[0]["momentum"]


def test_state_dict_contents() -> None:
    opt = _opt(cg)
    seq = _sequential(cg, opt)
    sd = seq.state_dict()
    assert "optimizer" not in sd and len(sd["_schedulers"]) == 3
    assert sd["_milestones"] == [5, 11]
    cyc = S.CyclicLR(opt, 0.01, 0.1, scale_fn=Halving())
    assert cyc.state_dict()["_scale_fn_custom"] == {"f": 0.5}
    assert S.CyclicLR(opt, 0.01, 0.1, scale_fn=lambda x: 1.0).state_dict()[
        "_scale_fn_custom"] is None
    mult = S.MultiplicativeLR(opt, [lambda e: 1.0, Halving()])
    assert mult.state_dict()["lr_lambdas"] == [None, {"f": 0.5}]


def test_errors() -> None:
    opt = _opt(cg)
    with pytest.raises(ValueError, match="Starting multiplicative factor"):
        S.LinearLR(opt, start_factor=0.0)
    with pytest.raises(ValueError, match="Ending multiplicative factor"):
        S.LinearLR(opt, end_factor=1.5)
    with pytest.raises(ValueError, match="between 0 and 1"):
        S.ConstantLR(opt, factor=2.0)
    with pytest.raises(TypeError, match="lr_lambda should be a function"):
        S.MultiplicativeLR(opt, 0.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas"):
        S.MultiplicativeLR(opt, [lambda e: 1.0])
    with pytest.raises(ValueError, match="positive integer T_0"):
        S.CosineAnnealingWarmRestarts(opt, T_0=0)
    with pytest.raises(ValueError, match="T_mult >= 1"):
        S.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=0)
    with pytest.raises(ValueError, match="non-negative epoch"):
        S.CosineAnnealingWarmRestarts(opt, T_0=2).step(-1)
    with pytest.raises(ValueError, match="mode is invalid"):
        S.CyclicLR(opt, 0.01, 0.1, mode="sine")
    with pytest.raises(ValueError, match="max_lr must have the same length"):
        S.CyclicLR(opt, 0.01, [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="must support momentum"):
        S.CyclicLR(optim.Adagrad([nn.Parameter(cg.zeros(1))]), 0.01, 0.1)
    with pytest.raises(ValueError, match="at least one scheduler"):
        S.SequentialLR(opt, [], [])
    with pytest.raises(ValueError, match="one more than the number of milestone"):
        S.SequentialLR(opt, [S.ConstantLR(opt)], [3])
    other = _opt(cg)
    with pytest.raises(ValueError, match="same optimizer"):
        S.ChainedScheduler([S.ConstantLR(opt), S.ConstantLR(other)])
    with pytest.raises(ValueError, match="ReduceLROnPlateau"):
        S.ChainedScheduler([S.ReduceLROnPlateau(opt)])
    with pytest.raises(TypeError, match="should have `optimizer`"):
        S.SequentialLR(opt, [object()], [])  # type: ignore[list-item]
