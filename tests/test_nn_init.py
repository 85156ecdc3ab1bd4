"""nn.init: gains and fans as torch computes them, the distributions' bounds and moments,
orthogonality, reproducibility with manual_seed, and the errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import chaingrad as cg
from chaingrad import nn
from chaingrad.nn import init


def test_calculate_gain_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    for args in [("linear",), ("conv2d",), ("sigmoid",), ("tanh",), ("relu",), ("selu",),
                 ("leaky_relu",), ("leaky_relu", 0.2), ("leaky_relu", math.sqrt(5))]:
        assert init.calculate_gain(*args) == pytest.approx(torch.nn.init.calculate_gain(*args))
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="not a valid number"):
        init.calculate_gain("leaky_relu", True)


def test_fans() -> None:
    assert init._calculate_fan_in_and_fan_out(cg.empty(5, 3)) == (3, 5)
    assert init._calculate_fan_in_and_fan_out(cg.empty(8, 4, 3, 3)) == (36, 72)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(cg.empty(4))
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_uniform_(cg.empty(3, 3), mode="fan_avg")


def test_distributions() -> None:
    cg.manual_seed(0)
    w = cg.empty(400, 300)
    a = math.sqrt(6 / 700)
    init.xavier_uniform_(w)
    assert np.abs(w.numpy()).max() <= a and np.abs(w.numpy()).max() > 0.99 * a
    init.xavier_normal_(w, gain=2.0)
    assert w.numpy().std() == pytest.approx(2 * math.sqrt(2 / 700), rel=0.02)
    init.kaiming_uniform_(w, nonlinearity="relu")
    b = math.sqrt(2) * math.sqrt(3 / 300)
    assert np.abs(w.numpy()).max() <= b and np.abs(w.numpy()).max() > 0.99 * b
    init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")
    assert w.numpy().std() == pytest.approx(math.sqrt(2 / 400), rel=0.02)
    init.normal_(w, 3.0, 0.5)
    assert w.numpy().mean() == pytest.approx(3.0, abs=0.01)
    init.uniform_(w, -2, -1)
    assert w.numpy().min() >= -2 and w.numpy().max() <= -1
    init.trunc_normal_(w, 0.0, 1.0, -0.5, 1.0)
    assert w.numpy().min() >= -0.5 and w.numpy().max() <= 1.0
    # mean of N(0, 1) truncated to [a, b]: (pdf(a) - pdf(b)) / (cdf(b) - cdf(a)) = 0.2066
    assert w.numpy().mean() == pytest.approx(0.2066, abs=0.01)
    for fn, val in ((init.zeros_, 0.0), (init.ones_, 1.0), (lambda t: init.constant_(t, 2.5),
                                                            2.5)):
        fn(w)
        assert np.all(w.numpy() == val)
    e = cg.empty(3, 4)
    init.eye_(e)
    np.testing.assert_array_equal(e.numpy(), np.eye(3, 4))


def test_orthogonal() -> None:
    cg.manual_seed(1)
    for shape in [(5, 3), (3, 5), (4, 2, 2)]:
        w = cg.empty(*shape)
        init.orthogonal_(w, gain=2.0)
        m = w.numpy().reshape(shape[0], -1)
        small = min(m.shape)
        gram = m @ m.T if m.shape[0] == small else m.T @ m
        np.testing.assert_allclose(gram, 4 * np.eye(small), atol=1e-5)
    with pytest.raises(ValueError, match="2 or more dimensions"):
        init.orthogonal_(cg.empty(3))


def test_init_is_in_place_reproducible_and_bumps_version() -> None:
    p = nn.Parameter(cg.empty(3, 3))
    y = (p * p).sum()  # saves p for backward
    cg.manual_seed(5)
    init.normal_(p)
    first = p.detach().numpy().copy()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()
    cg.manual_seed(5)
    init.normal_(p)
    np.testing.assert_array_equal(p.detach().numpy(), first)
    assert p.requires_grad and p.grad_fn is None


def test_default_layer_inits_reproducible() -> None:
    cg.manual_seed(42)
    a = nn.Sequential(nn.Linear(4, 4), nn.Conv2d(2, 3, 3), nn.Embedding(5, 2), nn.GRU(2, 3))
    cg.manual_seed(42)
    b = nn.Sequential(nn.Linear(4, 4), nn.Conv2d(2, 3, 3), nn.Embedding(5, 2), nn.GRU(2, 3))
    for (k, v), (_, w) in zip(a.state_dict().items(), b.state_dict().items()):
        np.testing.assert_array_equal(v.numpy(), w.numpy(), err_msg=k)
    emb = nn.Embedding(1000, 10)
    assert emb.weight.detach().numpy().std() == pytest.approx(1.0, rel=0.05)  # N(0, 1)
