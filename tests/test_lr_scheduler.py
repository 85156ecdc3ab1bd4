"""Learning-rate schedulers: the lr sequence (and momentum for OneCycle) over many steps equals
torch's, state dicts round-trip (also through chaingrad.save), and bad arguments raise."""

from __future__ import annotations

import math

import numpy as np
import pytest

import chaingrad as cg
from chaingrad import nn, optim
from chaingrad.optim import lr_scheduler as S

SCHEDULES = [
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("MultiStepLR", dict(milestones=[2, 5, 5, 9], gamma=0.3)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=5, eta_min=0.001)),
    ("LambdaLR", dict(lr_lambda=lambda e: 1.0 / (1 + e))),
    ("OneCycleLR", dict(max_lr=0.5, total_steps=20)),
    ("OneCycleLR", dict(max_lr=[0.5, 0.2], epochs=4, steps_per_epoch=5, pct_start=0.25,
                        anneal_strategy="linear", three_phase=True, div_factor=10)),
]


def _two_groups(lib: object, params: list, opt_name: str = "SGD") -> object:
    kw = dict(momentum=0.9) if opt_name == "SGD" else {}
    return getattr(lib.optim, opt_name)([{"params": [params[0]]},
                                         {"params": [params[1]], "lr": 0.05}], lr=0.1, **kw)


@pytest.mark.parametrize("opt_name", ["SGD", "Adam"])
@pytest.mark.parametrize("name,kwargs", SCHEDULES,
                         ids=[f"{n}-{i}" for i, (n, _) in enumerate(SCHEDULES)])
def test_lr_sequence_matches_torch(name: str, kwargs: dict, opt_name: str) -> None:
    torch = pytest.importorskip("torch")
    ours_p = [nn.Parameter(cg.zeros(1)), nn.Parameter(cg.zeros(1))]
    theirs_p = [torch.nn.Parameter(torch.zeros(1)), torch.nn.Parameter(torch.zeros(1))]
    opt, topt = _two_groups(cg, ours_p, opt_name), _two_groups(torch, theirs_p, opt_name)
    sched = getattr(S, name)(opt, **kwargs)
    tsched = getattr(torch.optim.lr_scheduler, name)(topt, **kwargs)
    steps = 19 if name == "OneCycleLR" else 25
    for _ in range(steps):
        assert sched.get_last_lr() == pytest.approx(tsched.get_last_lr(), rel=1e-13, abs=1e-15)
        for g, tg in zip(opt.param_groups, topt.param_groups):
            assert g["lr"] == pytest.approx(tg["lr"], rel=1e-13, abs=1e-15)
            for key in ("momentum", "betas"):
                if key in tg:
                    assert g[key] == pytest.approx(tg[key], rel=1e-13)
        topt.step()
        opt.step()
        sched.step()
        tsched.step()


def test_reduce_on_plateau_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    metrics = [1.0, 0.9, 0.95, 0.95, 0.96, 0.97, 0.8, 0.81, 0.82, 0.83, 0.84, 0.85, 0.86, 0.5]
    for kwargs in (dict(patience=1, factor=0.5, cooldown=1), dict(mode="max", patience=2,
                   threshold=0.05, threshold_mode="abs", min_lr=[0.02, 0.04])):
        opt = _two_groups(cg, [nn.Parameter(cg.zeros(1)), nn.Parameter(cg.zeros(1))])
        topt = _two_groups(torch, [torch.nn.Parameter(torch.zeros(1)),
                                   torch.nn.Parameter(torch.zeros(1))])
        sched = S.ReduceLROnPlateau(opt, **kwargs)
        tsched = torch.optim.lr_scheduler.ReduceLROnPlateau(topt, **kwargs)
        for m in metrics:
            sched.step(m)
            tsched.step(m)
            assert sched.get_last_lr() == pytest.approx(tsched.get_last_lr(), rel=1e-14)
            assert sched.num_bad_epochs == tsched.num_bad_epochs
    assert sched.best == tsched.best
    sched.step(cg.tensor(0.1))  # a 0-d tensor metric works


def test_cosine_reaches_eta_min_and_restarts_recursively() -> None:
    opt = optim.SGD([nn.Parameter(cg.zeros(1))], lr=1.0)
    sched = S.CosineAnnealingLR(opt, T_max=4, eta_min=0.1)
    lrs = [sched.get_last_lr()[0]]
    for _ in range(8):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr()[0])
    assert lrs[4] == pytest.approx(0.1)
    assert lrs[8] == pytest.approx(1.0)  # back up after 2 * T_max, as torch's recursion does
    assert lrs[2] == pytest.approx(0.1 + 0.9 * (1 + math.cos(math.pi / 2)) / 2)


def test_state_dict_round_trip(tmp_path) -> None:
    def make() -> tuple:
        opt = optim.SGD([nn.Parameter(cg.zeros(1))], lr=0.1, momentum=0.9)
        return opt, S.OneCycleLR(opt, max_lr=1.0, total_steps=30)

    opt, sched = make()
    for _ in range(7):
        opt.step()
        sched.step()
    cg.save({"sched": sched.state_dict(), "opt": opt.state_dict()}, tmp_path / "s.ckpt")
    ck = cg.load(tmp_path / "s.ckpt")
    opt2, sched2 = make()
    opt2.load_state_dict(ck["opt"])
    sched2.load_state_dict(ck["sched"])
    for _ in range(10):
        for o, s in ((opt, sched), (opt2, sched2)):
            o.step()
            s.step()
        assert sched2.get_last_lr() == sched.get_last_lr()
        assert opt2.param_groups[0]["momentum"] == opt.param_groups[0]["momentum"]
    ms = S.MultiStepLR(optim.SGD([nn.Parameter(cg.zeros(1))], lr=1.0), [3, 3, 6])
    ms2 = S.MultiStepLR(optim.SGD([nn.Parameter(cg.zeros(1))], lr=1.0), [1])
    cg.save(ms.state_dict(), tmp_path / "m.ckpt")
    ms2.load_state_dict(cg.load(tmp_path / "m.ckpt"))
    assert ms2.milestones == ms.milestones


def test_lambda_state_dict_skips_functions() -> None:
    opt = optim.SGD([nn.Parameter(cg.zeros(1))], lr=1.0)

    class Warmup:
        def __init__(self) -> None:
            self.k = 4

        def __call__(self, e: int) -> float:
            return min(1.0, (e + 1) / self.k)

    fn_sched = S.LambdaLR(opt, lambda e: 0.5**e)
    assert fn_sched.state_dict()["lr_lambdas"] == [None]
    obj_sched = S.LambdaLR(opt, Warmup())
    sd = obj_sched.state_dict()
    assert sd["lr_lambdas"] == [{"k": 4}]
    other = Warmup()
    other.k = 10
    s2 = S.LambdaLR(optim.SGD([nn.Parameter(cg.zeros(1))], lr=1.0), other)
    s2.load_state_dict(sd)
    assert other.k == 4


def test_scheduler_errors() -> None:
    opt = optim.SGD([nn.Parameter(cg.zeros(1))], lr=0.1)
    with pytest.raises(TypeError, match="is not an Optimizer"):
        S.StepLR("opt", 2)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="step_size must be a positive integer"):
        S.StepLR(opt, 0)
    with pytest.raises(ValueError, match="Factor should be < 1.0"):
        S.ReduceLROnPlateau(opt, factor=1.5)
    with pytest.raises(ValueError, match="mode avg is unknown"):
        S.ReduceLROnPlateau(opt, mode="avg")
    with pytest.raises(ValueError, match="Expected 1 lr_lambdas, but got 2"):
        S.LambdaLR(opt, [lambda e: 1.0, lambda e: 1.0])
    with pytest.raises(ValueError, match="total_steps OR"):
        S.OneCycleLR(opt, max_lr=1.0)
    with pytest.raises(ValueError, match="must support momentum"):
        S.OneCycleLR(optim.Adagrad([nn.Parameter(cg.zeros(1))]), max_lr=1.0, total_steps=5)
    with pytest.raises(KeyError, match="initial_lr"):
        S.StepLR(optim.SGD([nn.Parameter(cg.zeros(1))], lr=0.1), 2, last_epoch=3)
    one = S.OneCycleLR(optim.SGD([nn.Parameter(cg.zeros(1))], lr=0.1, momentum=0.9),
                       max_lr=1.0, total_steps=3)
    for _ in range(2):
        one.step()
    with pytest.raises(ValueError, match="Tried to step 4 times"):
        for _ in range(2):
            one.step()


def test_scheduler_drives_training() -> None:
    cg.manual_seed(0)
    w = nn.Parameter(cg.tensor([5.0]))
    opt = optim.SGD([w], lr=0.4)
    sched = S.ExponentialLR(opt, 0.5)
    for _ in range(10):
        opt.zero_grad()
        (w * w).sum().backward()
        opt.step()
        sched.step()
    assert sched.get_last_lr()[0] == pytest.approx(0.4 * 0.5**10)
    assert 0 < abs(w.item()) < 5.0
    assert np.isfinite(w.item())
