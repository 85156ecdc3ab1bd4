"""Losses: every option against torch (values and gradients), finite-difference gradients,
torch's reduction/weighting semantics, and the errors for bad targets."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import chaingrad as cg
from chaingrad import nn
from chaingrad.autograd import gradcheck, gradgradcheck
from chaingrad.nn import functional as F

from ._nn_helpers import assert_close, rand64, to_torch

REDUCTIONS = ["none", "mean", "sum"]


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(11)


def _compare(ours: object, theirs: object, inputs: list, tinputs: list, rng) -> None:
    """Values, then gradients w.r.t. every input that requires grad."""
    assert_close(ours, theirs, rtol=1e-10, atol=1e-12)
    g = rng.standard_normal(np.shape(theirs.detach().numpy()))
    ours.backward(cg.tensor(g))
    import torch

    theirs.backward(torch.tensor(g))
    for a, b in zip(inputs, tinputs):
        if a.requires_grad:
            assert_close(a.grad, b.grad, rtol=1e-9, atol=1e-12)


# ---------------------------------------------------------------------------- regression
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,kwargs", [
    ("mse_loss", {}), ("l1_loss", {}), ("smooth_l1_loss", {"beta": 0.5}),
    ("smooth_l1_loss", {"beta": 0.0}), ("huber_loss", {"delta": 0.7}),
])
def test_regression_losses_match_torch(name: str, kwargs: dict, reduction: str, rng) -> None:
    torch = pytest.importorskip("torch")
    x, t = rand64(rng, 3, 4), rand64(rng, 3, 4)
    xt, tt = to_torch(x), to_torch(t)
    ours = getattr(F, name)(x, t, reduction=reduction, **kwargs)
    theirs = getattr(torch.nn.functional, name)(xt, tt, reduction=reduction, **kwargs)
    _compare(ours, theirs, [x, t], [xt, tt], rng)


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
def test_regression_weight_semantics(name: str, rng) -> None:
    torch = pytest.importorskip("torch")
    x, t = rand64(rng, 5), rand64(rng, 5, requires_grad=False)
    w = cg.tensor(rng.uniform(0.5, 2, 5), dtype=cg.float64)
    for reduction in REDUCTIONS:
        ours = getattr(F, name)(x, t, reduction=reduction, weight=w)
        theirs = getattr(torch.nn.functional, name)(to_torch(x), to_torch(t),
                                                     reduction=reduction, weight=to_torch(w))
        assert_close(ours, theirs, rtol=1e-12)
    with pytest.raises(ValueError, match="same size"):
        getattr(F, name)(x, t, weight=cg.ones(4, dtype=cg.float64))


def test_regression_gradcheck_and_broadcast_warning(rng) -> None:
    x, t = rand64(rng, 3, 4), rand64(rng, 3, 4)
    for fn in (F.mse_loss, F.l1_loss, lambda a, b: F.smooth_l1_loss(a, b, beta=0.3),
               lambda a, b: F.huber_loss(a, b, delta=0.4)):
        assert gradcheck(fn, (x, t))
    assert gradgradcheck(F.mse_loss, (x, t))
    with pytest.warns(UserWarning, match="different to the input size"):
        F.mse_loss(x, rand64(rng, 4))
    with pytest.raises(ValueError, match="cannot be broadcast"), pytest.warns(UserWarning):
        F.l1_loss(x, rand64(rng, 5))
    with pytest.raises(ValueError, match="bogus is not a valid value for reduction"):
        F.mse_loss(x, t, reduction="bogus")
    with pytest.raises(ValueError, match="negative values for beta"):
        F.smooth_l1_loss(x, t, beta=-1.0)


# ---------------------------------------------------------------------------- binary
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_bce_matches_torch(reduction: str, weighted: bool, rng) -> None:
    torch = pytest.importorskip("torch")
    p = cg.tensor(rng.uniform(0.05, 0.95, (3, 4)), dtype=cg.float64, requires_grad=True)
    t = cg.tensor(rng.uniform(0, 1, (3, 4)), dtype=cg.float64, requires_grad=True)
    w = cg.tensor(rng.uniform(0.5, 2, (3, 4)), dtype=cg.float64) if weighted else None
    pt, tt = to_torch(p), to_torch(t)
    ours = F.binary_cross_entropy(p, t, w, reduction=reduction)
    theirs = torch.nn.functional.binary_cross_entropy(
        pt, tt, to_torch(w) if weighted else None, reduction=reduction)
    _compare(ours, theirs, [p, t], [pt, tt], rng)


def test_bce_edges_and_errors() -> None:
    torch = pytest.importorskip("torch")
    p = cg.tensor([0.0, 1.0, 0.5, 1.0], dtype=cg.float64, requires_grad=True)
    t = cg.tensor([1.0, 0.0, 0.5, 1.0], dtype=cg.float64)
    pt = to_torch(p)
    ours = F.binary_cross_entropy(p, t, reduction="none")
    theirs = torch.nn.functional.binary_cross_entropy(pt, to_torch(t), reduction="none")
    assert_close(ours, theirs)  # log clamped at -100: finite
    ours.sum().backward()
    theirs.sum().backward()
    assert_close(p.grad, pt.grad)
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(cg.tensor([1.5]), cg.tensor([1.0]))
    with pytest.raises(ValueError, match="different to the input size"):
        F.binary_cross_entropy(cg.tensor([0.5, 0.5]), cg.tensor([1.0]))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("pos_weight,weight", list(itertools.product([False, True], repeat=2)))
def test_bce_with_logits_matches_torch(reduction: str, pos_weight: bool, weight: bool,
                                       rng) -> None:
    torch = pytest.importorskip("torch")
    x = rand64(rng, 3, 4, scale=3)
    t = cg.tensor(rng.uniform(0, 1, (3, 4)), dtype=cg.float64, requires_grad=True)
    # torch has no gradient for pos_weight (ours does: see the gradcheck below)
    pw = cg.tensor(rng.uniform(0.5, 3, 4), dtype=cg.float64) if pos_weight else None
    w = cg.tensor(rng.uniform(0.5, 2, (3, 1)), dtype=cg.float64) if weight else None
    xt, tt, pwt = to_torch(x), to_torch(t), (to_torch(pw) if pos_weight else None)
    ours = F.binary_cross_entropy_with_logits(x, t, w, reduction=reduction, pos_weight=pw)
    theirs = torch.nn.functional.binary_cross_entropy_with_logits(
        xt, tt, to_torch(w) if weight else None, reduction=reduction, pos_weight=pwt)
    _compare(ours, theirs, [x, t], [xt, tt], rng)


def test_bce_with_logits_stable_and_gradcheck(rng) -> None:
    x = cg.tensor([-800.0, -30.0, 0.0, 30.0, 800.0], dtype=cg.float64, requires_grad=True)
    t = cg.tensor([0.0, 1.0, 0.5, 0.0, 1.0], dtype=cg.float64)
    loss = F.binary_cross_entropy_with_logits(x, t, reduction="none")
    np.testing.assert_allclose(loss.detach().numpy()[[0, 4]], [0.0, 0.0], atol=1e-300)
    np.testing.assert_allclose(loss.detach().numpy()[1], 30.0, rtol=1e-12)
    xs, ts = rand64(rng, 2, 3), cg.tensor(rng.uniform(0, 1, (2, 3)), dtype=cg.float64,
                                          requires_grad=True)
    pw = cg.tensor([0.5, 2.0, 1.5], dtype=cg.float64, requires_grad=True)
    fn = lambda a, b, c: F.binary_cross_entropy_with_logits(a, b, pos_weight=c)  # noqa: E731
    assert gradcheck(fn, (xs, ts, pw))
    assert gradgradcheck(fn, (xs, ts, pw))
    p = cg.tensor(rng.uniform(0.1, 0.9, (2, 3)), dtype=cg.float64, requires_grad=True)
    assert gradcheck(F.binary_cross_entropy, (p, ts))
    assert gradgradcheck(F.binary_cross_entropy, (p, ts))
    with pytest.raises(ValueError, match="must be the same as input size"):
        F.binary_cross_entropy_with_logits(xs, cg.zeros(3, dtype=cg.float64))


# ---------------------------------------------------------------------------- classes
CE_OPTIONS = [
    dict(),
    dict(weight=True),
    dict(ignore_index=2),
    dict(weight=True, ignore_index=1),
    dict(label_smoothing=0.2),
    dict(label_smoothing=0.1, weight=True, ignore_index=0),
]


def _ce_args(opts: dict, c: int, rng) -> tuple[dict, dict]:
    import torch

    ours, theirs = {}, {}
    if opts.get("weight"):
        w = rng.uniform(0.5, 2.0, c)
        ours["weight"], theirs["weight"] = cg.tensor(w, dtype=cg.float64), torch.tensor(w)
    for k in ("ignore_index", "label_smoothing"):
        if k in opts:
            ours[k] = theirs[k] = opts[k]
    return ours, theirs


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("opts", CE_OPTIONS)
@pytest.mark.parametrize("shape", [(5, 4), (2, 4, 3), (2, 4, 2, 3), (4,)])
def test_cross_entropy_indices_match_torch(shape: tuple, opts: dict, reduction: str,
                                           rng) -> None:
    torch = pytest.importorskip("torch")
    x = rand64(rng, *shape, scale=2)
    cdim = 0 if len(shape) == 1 else 1
    c = shape[cdim]
    tshape = () if len(shape) == 1 else (shape[0],) + shape[2:]
    target = rng.integers(0, c, tshape)
    if tshape:
        target.flat[0] = opts.get("ignore_index", 0) if "ignore_index" in opts else 0
    ours_kw, theirs_kw = _ce_args(opts, c, rng)
    xt = to_torch(x)
    ours = F.cross_entropy(x, cg.tensor(target), reduction=reduction, **ours_kw)
    theirs = torch.nn.functional.cross_entropy(xt, torch.tensor(target), reduction=reduction,
                                               **theirs_kw)
    _compare(ours, theirs, [x], [xt], rng)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("opts", [dict(), dict(weight=True), dict(label_smoothing=0.3),
                                  dict(weight=True, label_smoothing=0.1)])
@pytest.mark.parametrize("shape", [(5, 4), (2, 4, 3)])
def test_cross_entropy_probabilities_match_torch(shape: tuple, opts: dict, reduction: str,
                                                 rng) -> None:
    torch = pytest.importorskip("torch")
    x = rand64(rng, *shape)
    probs = rng.dirichlet(np.ones(shape[1]), size=(shape[0],) + shape[2:])
    probs = np.moveaxis(probs, -1, 1)
    t = cg.tensor(probs, dtype=cg.float64, requires_grad=True)
    ours_kw, theirs_kw = _ce_args(opts, shape[1], rng)
    xt, tt = to_torch(x), to_torch(t)
    ours = F.cross_entropy(x, t, reduction=reduction, **ours_kw)
    theirs = torch.nn.functional.cross_entropy(xt, tt, reduction=reduction, **theirs_kw)
    _compare(ours, theirs, [x, t], [xt, tt], rng)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_matches_torch(reduction: str, rng) -> None:
    torch = pytest.importorskip("torch")
    x = rand64(rng, 6, 5)
    target = np.array([0, 4, 2, 2, -100, 1])
    w = rng.uniform(0.5, 2, 5)
    xt = to_torch(x)
    ours = F.nll_loss(x, cg.tensor(target), cg.tensor(w), reduction=reduction)
    theirs = torch.nn.functional.nll_loss(xt, torch.tensor(target), torch.tensor(w),
                                          reduction=reduction)
    _compare(ours, theirs, [x], [xt], rng)


def test_weighted_mean_divides_by_weight_of_kept_targets() -> None:
    x = cg.tensor(np.log(np.full((3, 2), 0.5)), dtype=cg.float64)
    target = cg.tensor([0, 1, 1])
    w = cg.tensor([1.0, 3.0], dtype=cg.float64)
    loss = F.nll_loss(x, target, w, ignore_index=0)
    # only targets 1, 1 are kept: (3 + 3) * log 2 / (3 + 3)
    np.testing.assert_allclose(loss.item(), np.log(2.0))
    all_ignored = F.cross_entropy(cg.zeros(2, 3), cg.tensor([-100, -100]))
    assert np.isnan(all_ignored.item())


def test_class_losses_gradcheck(rng) -> None:
    x = rand64(rng, 3, 4, 2)
    target = cg.tensor(np.array([[0, 3], [1, 1], [2, 0]]))
    w = cg.tensor([0.5, 1.0, 2.0, 1.5], dtype=cg.float64)
    for kw in (dict(), dict(weight=w, ignore_index=1), dict(label_smoothing=0.2, weight=w)):
        assert gradcheck(lambda a: F.cross_entropy(a, target, **kw), (x,))  # noqa: B023
        assert gradgradcheck(lambda a: F.cross_entropy(a, target, **kw), (x,))  # noqa: B023
    probs = cg.tensor(rng.dirichlet(np.ones(4), 3), dtype=cg.float64, requires_grad=True)
    assert gradcheck(lambda a, p: F.cross_entropy(a, p, label_smoothing=0.1),
                     (rand64(rng, 3, 4), probs))


def test_class_target_errors() -> None:
    x = cg.zeros(3, 4)
    with pytest.raises(IndexError, match=r"target 4 is out of bounds: expected class indices "
                       r"in \[0, 3\]"):
        F.cross_entropy(x, cg.tensor([0, 4, 1]))
    with pytest.raises(IndexError, match="target -1 is out of bounds"):
        F.nll_loss(x, cg.tensor([0, -1, 1]))
    with pytest.raises(ValueError, match=r"expected target of shape \(3,\)"):
        F.cross_entropy(x, cg.tensor([0, 1]))
    with pytest.raises(RuntimeError, match="integer dtype"):
        F.nll_loss(x, cg.tensor([0.0, 1.0, 1.0]))
    with pytest.raises(ValueError, match="class-probability target"):
        F.cross_entropy(x, cg.zeros(3, 5))
    with pytest.raises(RuntimeError, match="weight tensor should be defined"):
        F.cross_entropy(x, cg.tensor([0, 1, 2]), weight=cg.ones(3))
    with pytest.raises(ValueError, match="label_smoothing must be between"):
        nn.CrossEntropyLoss(label_smoothing=1.5)
    # ignore_index may lie outside the class range
    assert np.isfinite(F.cross_entropy(x, cg.tensor([0, -100, 1])).item())


# ---------------------------------------------------------------------------- KL
@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides:UserWarning")
@pytest.mark.parametrize("reduction", ["none", "sum", "batchmean", "mean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_matches_torch(reduction: str, log_target: bool, rng) -> None:
    torch = pytest.importorskip("torch")
    x = cg.tensor(np.log(rng.dirichlet(np.ones(4), 3)), dtype=cg.float64, requires_grad=True)
    p = rng.dirichlet(np.ones(4), 3)
    # A zero-probability target contributes 0 (its gradient w.r.t. the target is -inf in
    # theory; torch gives NaN there and chaingrad 0, so only the input needs grad then).
    p[0, 1] = 0.0 if not log_target else p[0, 1]
    t = cg.tensor(np.log(p + 1e-3) if log_target else p, dtype=cg.float64,
                  requires_grad=log_target)
    xt, tt = to_torch(x), to_torch(t)
    with pytest.warns(UserWarning) if reduction == "mean" else _nullcontext():
        ours = F.kl_div(x, t, reduction=reduction, log_target=log_target)
    theirs = torch.nn.functional.kl_div(xt, tt, reduction=reduction, log_target=log_target)
    _compare(ours, theirs, [x, t], [xt, tt], rng)


class _nullcontext:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *a: object) -> None:
        return None


def test_kl_div_gradcheck(rng) -> None:
    x = cg.tensor(np.log(rng.dirichlet(np.ones(3), 2)), dtype=cg.float64, requires_grad=True)
    t = cg.tensor(rng.dirichlet(np.ones(3), 2), dtype=cg.float64, requires_grad=True)
    assert gradcheck(lambda a, b: F.kl_div(a, b, reduction="batchmean"), (x, t))
    assert gradcheck(lambda a, b: F.kl_div(a, b, reduction="sum", log_target=True), (x, t))


# ---------------------------------------------------------------------------- modules
def test_loss_modules_match_functional(rng) -> None:
    x, t = rand64(rng, 4, 3), rand64(rng, 4, 3)
    probs = cg.tensor(rng.uniform(0.1, 0.9, (4, 3)), dtype=cg.float64)
    target01 = cg.tensor(rng.integers(0, 2, (4, 3)).astype(np.float64))
    idx = cg.tensor([0, 2, 1, 1])
    w = cg.tensor([1.0, 2.0, 0.5], dtype=cg.float64)
    cases = [
        (nn.MSELoss(reduction="sum"), F.mse_loss(x, t, reduction="sum"), (x, t)),
        (nn.L1Loss(), F.l1_loss(x, t), (x, t)),
        (nn.SmoothL1Loss(beta=0.5), F.smooth_l1_loss(x, t, beta=0.5), (x, t)),
        (nn.HuberLoss(delta=2.0), F.huber_loss(x, t, delta=2.0), (x, t)),
        (nn.BCELoss(), F.binary_cross_entropy(probs, target01), (probs, target01)),
        (nn.BCEWithLogitsLoss(pos_weight=w), F.binary_cross_entropy_with_logits(
            x, target01, pos_weight=w), (x, target01)),
        (nn.CrossEntropyLoss(weight=w, label_smoothing=0.1),
         F.cross_entropy(x, idx, w, label_smoothing=0.1), (x, idx)),
        (nn.NLLLoss(ignore_index=2), F.nll_loss(x, idx, ignore_index=2), (x, idx)),
        (nn.KLDivLoss(reduction="batchmean"), F.kl_div(x, probs, reduction="batchmean"),
         (x, probs)),
    ]
    for mod, expected, args in cases:
        np.testing.assert_array_equal(mod(*args).detach().numpy(), expected.detach().numpy(),
                                      err_msg=repr(mod))
    assert "weight" in nn.CrossEntropyLoss(weight=w).state_dict()  # a buffer, like torch
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        nn.L1Loss(reduction="avg")
    assert nn.MSELoss(size_average=False).reduction == "sum"  # legacy flags
    assert nn.MSELoss(reduce=False).reduction == "none"
