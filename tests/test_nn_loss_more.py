"""The margin, embedding and likelihood losses, cosine_similarity, pairwise_distance and pdist
against torch (values and gradients for every reduction), by finite differences, and their
errors."""

from __future__ import annotations

import numpy as np
import pytest

import chaingrad as cg
from chaingrad import nn
from chaingrad.autograd import gradcheck, gradgradcheck
from chaingrad.nn import functional as F

from ._nn_helpers import assert_close, rand64, to_torch


def _sign(rng, *shape):
    return rng.choice([-1.0, 1.0], shape)


def _cases(rng):
    """name -> (differentiable float64 inputs, constant extra args, kwargs)."""
    idx = rng.integers(0, 5, (4,))
    return {
        "cosine_embedding_loss": ([rand64(rng, 4, 6), rand64(rng, 4, 6)],
                                  [_sign(rng, 4)], {"margin": 0.2}),
        "cosine_embedding_loss_1d": ([rand64(rng, 6), rand64(rng, 6)],
                                     [np.array(-1.0)], {"margin": -0.5}),
        "margin_ranking_loss": ([rand64(rng, 7), rand64(rng, 7)], [_sign(rng, 7)],
                                {"margin": 0.3}),
        "hinge_embedding_loss": ([rand64(rng, 3, 5)], [_sign(rng, 3, 5)], {"margin": 0.7}),
        "soft_margin_loss": ([rand64(rng, 3, 5)], [_sign(rng, 3, 5)], {}),
        "multilabel_soft_margin_loss": ([rand64(rng, 4, 5)],
                                        [(rng.random((4, 5)) > 0.5).astype(float)], {}),
        "multilabel_soft_margin_loss_w": ([rand64(rng, 4, 5), rand64(rng, 5)],
                                          [(rng.random((4, 5)) > 0.5).astype(float)], {}),
        "multi_margin_loss": ([rand64(rng, 4, 5)], [idx], {}),
        "multi_margin_loss_p2": ([rand64(rng, 4, 5)], [idx], {"p": 2, "margin": 0.5}),
        "multi_margin_loss_w": ([rand64(rng, 4, 5)], [idx, rng.random(5)], {}),
        "triplet_margin_loss": ([rand64(rng, 4, 3), rand64(rng, 4, 3), rand64(rng, 4, 3)], [],
                                {"margin": 1.5}),
        "triplet_margin_loss_swap": ([rand64(rng, 4, 3), rand64(rng, 4, 3),
                                      rand64(rng, 4, 3)], [], {"swap": True, "p": 1.0,
                                                               "margin": 2.0}),
        "poisson_nll_loss": ([rand64(rng, 3, 4)], [rng.poisson(2.0, (3, 4)).astype(float)],
                             {}),
        "poisson_nll_loss_full": ([cg.tensor(rng.random((3, 4)) + 0.1, dtype=cg.float64,
                                             requires_grad=True)],
                                  [rng.poisson(3.0, (3, 4)).astype(float)],
                                  {"log_input": False, "full": True}),
        "gaussian_nll_loss": ([rand64(rng, 4, 3), rand64(rng, 4, 3),
                               cg.tensor(rng.random((4, 3)) + 0.1, dtype=cg.float64,
                                         requires_grad=True)], [], {"full": True}),
        "gaussian_nll_loss_homo": ([rand64(rng, 4, 3), rand64(rng, 4, 3),
                                    cg.tensor(rng.random(4) + 0.1, dtype=cg.float64,
                                              requires_grad=True)], [], {}),
    }


def _call(mod, name, xs, extra, kw, reduction=None):
    fname = name.split("_loss")[0] + "_loss"
    kw = dict(kw)
    if reduction is not None:
        kw["reduction"] = reduction
    if fname == "multi_margin_loss":
        return getattr(mod, fname)(xs[0], extra[0], weight=extra[1] if len(extra) > 1 else None,
                                   **kw)
    if fname == "multilabel_soft_margin_loss":
        return getattr(mod, fname)(xs[0], extra[0], weight=xs[1] if len(xs) > 1 else None,
                                   **kw)
    return getattr(mod, fname)(*xs, *extra, **kw)


CASE_NAMES = list(_cases(np.random.default_rng(0)))


@pytest.mark.parametrize("name", CASE_NAMES)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_losses_match_torch(name, reduction) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(sum(map(ord, name)))
    xs, extra, kw = _cases(rng)[name]
    ints = name.startswith("multi_margin")
    ours_extra = [cg.tensor(e) if not (ints and i == 0) else cg.tensor(e, dtype=cg.int64)
                  for i, e in enumerate(extra)]
    theirs_extra = [torch.tensor(e) for e in extra]
    txs = [to_torch(x) for x in xs]
    out = _call(F, name, xs, ours_extra, kw, reduction)
    tout = _call(torch.nn.functional, name, txs, theirs_extra, kw, reduction)
    assert tuple(out.shape) == tuple(tout.shape) and out.dtype == cg.float64
    assert_close(out, tout, rtol=1e-10, atol=1e-12)
    g = rng.standard_normal(tuple(tout.shape))
    out.backward(cg.tensor(g))
    tout.backward(to_torch(g))
    for a, b in zip(xs, txs):
        assert_close(a.grad, b.grad, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", CASE_NAMES)
def test_losses_gradcheck(name) -> None:
    rng = np.random.default_rng(1)
    xs, extra, kw = _cases(rng)[name]
    ints = name.startswith("multi_margin")
    ours_extra = [cg.tensor(e) if not (ints and i == 0) else cg.tensor(e, dtype=cg.int64)
                  for i, e in enumerate(extra)]

    def fn(*a: cg.Tensor) -> cg.Tensor:
        return _call(F, name, list(a), ours_extra, kw, "sum")

    assert gradcheck(fn, tuple(xs))
    assert gradgradcheck(fn, tuple(xs))


def test_modules_match_functional() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    a, b = rand64(rng, 3, 4, requires_grad=False), rand64(rng, 3, 4, requires_grad=False)
    y = cg.tensor(_sign(rng, 3))
    ta, tb, ty = to_torch(a), to_torch(b), to_torch(y)
    pairs = [
        (nn.CosineEmbeddingLoss(0.1)(a, b, y), torch.nn.CosineEmbeddingLoss(0.1)(ta, tb, ty)),
        (nn.MarginRankingLoss(0.2, reduction="sum")(a[:, 0], b[:, 0], y),
         torch.nn.MarginRankingLoss(0.2, reduction="sum")(ta[:, 0], tb[:, 0], ty)),
        (nn.HingeEmbeddingLoss(0.5)(a, cg.tensor(_sign(rng, 3, 4))), None),
        (nn.SoftMarginLoss()(a, b.sign()), torch.nn.SoftMarginLoss()(ta, tb.sign())),
        (nn.MultiLabelSoftMarginLoss(weight=cg.tensor(np.arange(1.0, 5.0)))(a, (b > 0).double()),
         torch.nn.MultiLabelSoftMarginLoss(weight=torch.arange(1.0, 5.0, dtype=torch.float64))(
             ta, (tb > 0).double())),
        (nn.MultiMarginLoss(p=2, margin=0.4)(a, cg.tensor([0, 3, 1])),
         torch.nn.MultiMarginLoss(p=2, margin=0.4)(ta, torch.tensor([0, 3, 1]))),
        (nn.TripletMarginLoss(0.5, p=3.0, swap=True)(a, b, a * 2),
         torch.nn.TripletMarginLoss(0.5, p=3.0, swap=True)(ta, tb, ta * 2)),
        (nn.PoissonNLLLoss(full=True)(a, b.abs() * 3),
         torch.nn.PoissonNLLLoss(full=True)(ta, tb.abs() * 3)),
        (nn.GaussianNLLLoss(eps=0.5)(a, b, a.abs()),
         torch.nn.GaussianNLLLoss(eps=0.5)(ta, tb, ta.abs())),
        (nn.CosineSimilarity(dim=0)(a, b), torch.nn.CosineSimilarity(dim=0)(ta, tb)),
        (nn.PairwiseDistance(p=1.0, keepdim=True)(a, b),
         torch.nn.PairwiseDistance(p=1.0, keepdim=True)(ta, tb)),
    ]
    for ours, theirs in pairs:
        if theirs is not None:
            assert_close(ours, theirs, rtol=1e-10, atol=1e-12)
    assert "weight" in nn.MultiLabelSoftMarginLoss(weight=cg.ones(4)).state_dict()


@pytest.mark.parametrize("p", [0.0, 1.0, 1.5, 2.0, 3.0, float("inf")])
def test_distances_match_torch(p) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    x1, x2 = rand64(rng, 4, 5), rand64(rng, 1, 5)  # broadcast
    t1, t2 = to_torch(x1), to_torch(x2)
    out, tout = F.pairwise_distance(x1, x2, p), torch.nn.functional.pairwise_distance(t1, t2, p)
    assert_close(out, tout, rtol=1e-10, atol=1e-12)
    x = rand64(rng, 5, 3)
    xt = to_torch(x)
    out2, tout2 = F.pdist(x, p), torch.nn.functional.pdist(xt, p)
    assert tuple(out2.shape) == (10,)
    assert_close(out2, tout2, rtol=1e-10, atol=1e-12)
    if p not in (0.0, float("inf")):
        (out.sum() + out2.sum()).backward()
        (tout.sum() + tout2.sum()).backward()
        assert_close(x1.grad, t1.grad, rtol=1e-9, atol=1e-12)
        assert_close(x2.grad, t2.grad, rtol=1e-9, atol=1e-12)
        assert_close(x.grad, xt.grad, rtol=1e-9, atol=1e-12)
        assert gradcheck(lambda a: F.pdist(a, p), (x,))


def test_cosine_similarity_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(6)
    x1, x2 = rand64(rng, 3, 4, 2), rand64(rng, 3, 1, 2)
    t1, t2 = to_torch(x1), to_torch(x2)
    for dim in (0, 1, -1):
        assert_close(F.cosine_similarity(x1, x2, dim), torch.nn.functional.cosine_similarity(
            t1, t2, dim), rtol=1e-10, atol=1e-12)
    out, tout = F.cosine_similarity(x1, x2), torch.nn.functional.cosine_similarity(t1, t2)
    out.sum().backward()
    tout.sum().backward()
    assert_close(x1.grad, t1.grad, rtol=1e-9, atol=1e-12)
    assert gradcheck(lambda a, b: F.cosine_similarity(a, b, -1), (x1, x2))
    assert gradgradcheck(lambda a, b: F.cosine_similarity(a, b, -1), (x1, x2))


def test_errors() -> None:
    rng = np.random.default_rng(7)
    a = rand64(rng, 3, 4)
    with pytest.raises(ValueError, match="only p == 1 and p == 2"):
        F.multi_margin_loss(a, cg.tensor([0, 1, 2]), p=3)
    with pytest.raises(ValueError, match="only p == 1 and p == 2"):
        nn.MultiMarginLoss(p=3)
    with pytest.raises(IndexError, match="out of bounds"):
        F.multi_margin_loss(a, cg.tensor([0, 1, 4]))
    with pytest.raises(RuntimeError, match="inconsistent target size"):
        F.multi_margin_loss(a, cg.tensor([0, 1]))
    with pytest.raises(RuntimeError, match="integer target"):
        F.multi_margin_loss(a, cg.tensor([0.0, 1.0, 2.0]))
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        F.triplet_margin_loss(a, a, a[0])
    with pytest.raises(ValueError, match="margin to be greater than 0"):
        nn.TripletMarginLoss(margin=0.0)
    with pytest.raises(RuntimeError, match="same dimension"):
        F.margin_ranking_loss(a, a, a[0])
    with pytest.raises(RuntimeError, match="expected target of shape"):
        F.cosine_embedding_loss(a, a, cg.ones(3, 1))
    with pytest.raises(ValueError, match="target size"):
        F.soft_margin_loss(a, a[0])
    with pytest.raises(ValueError, match="var is of incorrect size"):
        F.gaussian_nll_loss(a, a, cg.ones(2, 2, dtype=cg.float64))
    with pytest.raises(ValueError, match="negative"):
        F.gaussian_nll_loss(a, a, -1.0)
    with pytest.raises(ValueError, match="negative"):
        F.gaussian_nll_loss(a, a, -a.detach().abs())
    with pytest.raises(ValueError, match="is not valid"):
        F.gaussian_nll_loss(a, a, 1.0, reduction="avg")
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        F.soft_margin_loss(a, a, reduction="avg")
    with pytest.raises(RuntimeError, match="pdist only supports 2D"):
        F.pdist(a[0])
    with pytest.raises(RuntimeError, match="non-negative p"):
        F.pdist(a, -1.0)
    with pytest.raises(RuntimeError, match="not broadcastable"):
        F.pairwise_distance(a, rand64(rng, 3, 5))
    with pytest.raises(TypeError, match="floating point"):
        F.cosine_similarity(cg.tensor([1, 2]), cg.tensor([1, 2]))
    assert tuple(F.pdist(rand64(rng, 1, 3)).shape) == (0,)
