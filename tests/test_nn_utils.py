"""Gradient clipping and parameter/vector conversion (torch parity and edge cases)."""

from __future__ import annotations

import numpy as np
import pytest

import chaingrad as cg
from chaingrad import nn
from chaingrad.nn.utils import (
    clip_grad_norm_,
    clip_grad_value_,
    parameters_to_vector,
    vector_to_parameters,
)

from ._nn_helpers import assert_close


def _params_with_grads(rng: np.random.Generator, scale: float = 1.0) -> list:
    ps = [nn.Parameter(cg.tensor(rng.standard_normal(s), dtype=cg.float64))
          for s in [(3, 4), (5,), (2, 2, 2)]]
    for p in ps:
        p.grad = cg.tensor(rng.standard_normal(p.shape) * scale, dtype=cg.float64)
    return ps


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_torch(norm_type: float, max_norm: float) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    ps = _params_with_grads(rng)
    tps = [torch.nn.Parameter(torch.tensor(p.detach().numpy())) for p in ps]
    for p, tp in zip(ps, tps):
        tp.grad = torch.tensor(p.grad.numpy().copy())
    total = clip_grad_norm_(ps, max_norm, norm_type)
    ttotal = torch.nn.utils.clip_grad_norm_(tps, max_norm, norm_type)
    assert total.item() == pytest.approx(ttotal.item(), rel=1e-12)
    for p, tp in zip(ps, tps):
        assert_close(p.grad, tp.grad, rtol=1e-12)


def test_clip_grad_norm_nonfinite_and_empty() -> None:
    rng = np.random.default_rng(1)
    ps = _params_with_grads(rng)
    ps[1].grad._data[0] = np.nan
    before = [p.grad.numpy().copy() for p in ps]
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_(ps, 1.0, error_if_nonfinite=True)
    for p, b in zip(ps, before):  # nothing was scaled
        np.testing.assert_array_equal(p.grad.numpy(), b)
    assert np.isnan(clip_grad_norm_(ps, 1.0).item())
    assert clip_grad_norm_([nn.Parameter(cg.zeros(2))], 1.0).item() == 0.0
    single = nn.Parameter(cg.ones(4))
    single.grad = cg.full((4,), 2.0)
    assert clip_grad_norm_(single, 1.0).item() == pytest.approx(4.0)
    np.testing.assert_allclose(single.grad.numpy(), 0.5, rtol=1e-5)


def test_clip_grad_value() -> None:
    rng = np.random.default_rng(2)
    ps = _params_with_grads(rng, scale=3.0)
    clip_grad_value_(ps, 0.5)
    assert all(np.abs(p.grad.numpy()).max() <= 0.5 for p in ps)
    assert any(np.abs(p.grad.numpy()).max() == 0.5 for p in ps)


def test_parameters_vector_round_trip() -> None:
    lin = nn.Linear(3, 2)
    vec = parameters_to_vector(lin.parameters())
    assert vec.shape == (8,)
    (vec * vec).sum().backward()  # differentiable w.r.t. the parameters
    np.testing.assert_allclose(lin.weight.grad.numpy(), 2 * lin.weight.detach().numpy())
    vector_to_parameters(cg.arange(8.0), lin.parameters())
    np.testing.assert_array_equal(lin.weight.detach().numpy().ravel(), np.arange(6.0))
    np.testing.assert_array_equal(lin.bias.detach().numpy(), [6.0, 7.0])
    with pytest.raises(RuntimeError, match="hold 8 values"):
        vector_to_parameters(cg.zeros(7), lin.parameters())
