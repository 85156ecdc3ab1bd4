"""The C++ forward of F.cross_entropy's common case (csrc/forward_nn.cpp) gives the NumPy
specification's bits (nn/functional/loss.py), and hands every other case back to it."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import chaingrad as cg
import chaingrad.nn.functional as F
from chaingrad import _core

CODES = {"none": 0, "sum": 1, "mean": 2}


def numpy_spec(d: np.ndarray, t: np.ndarray, code: int) -> tuple[np.ndarray, np.ndarray]:
    """The NumPy lines of _cross_entropy_native, verbatim."""
    n = d.shape[0]
    shifted = d - np.maximum.reduce(d, axis=1, keepdims=True)
    logp = shifted - np.log(np.add.reduce(np.exp(shifted), axis=1, keepdims=True))
    losses = -logp[np.arange(n), t]
    if code == 0:
        return losses, logp
    total = np.asarray(np.add.reduce(losses))
    return (total if code == 1 else np.asarray(total / d.dtype.type(n))), logp


SHAPES = [(1, 1), (3, 1), (32, 10), (7, 1000), (500, 3), (2, 129), (64, 17), (1, 8), (9, 9)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("reduction", list(CODES))
@pytest.mark.parametrize("scale", [1.0, 30.0])
def test_bits_equal_numpy(both, dtype, shape, reduction, scale):
    rng = np.random.default_rng(hash((shape, reduction)) % 2**32)
    d = (rng.standard_normal(shape) * scale).astype(dtype)
    t = rng.integers(0, shape[1], shape[0])
    got = _core.cross_entropy_forward(d, t, -100, CODES[reduction])
    assert got is not None  # exp underflows at scale 30: ignored, as NumPy's default errstate
    want = numpy_spec(d, t, CODES[reduction])
    for g, w in zip(got, want):
        assert g.dtype == w.dtype and g.shape == w.shape
        assert g.tobytes() == w.tobytes()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_through_F_both_engines_agree_bitwise(both, dtype):
    rng = np.random.default_rng(5)
    d = rng.standard_normal((32, 10)).astype(dtype)
    t = rng.integers(0, 10, 32)
    res = {}
    for eng in ("cpp", "python"):
        with cg.engine.use(eng):
            x = cg.tensor(d, requires_grad=True)
            loss = F.cross_entropy(x, cg.from_numpy(t))
            loss.backward()
            res[eng] = (loss.detach().numpy().tobytes(), x.grad.numpy().tobytes())
    assert res["cpp"] == res["python"]


def test_declines_what_it_does_not_cover(both):
    d = np.zeros((4, 3))
    t = np.array([0, 1, 2, 1])
    assert _core.cross_entropy_forward(d, np.array([0, 1, 3, 1]), -100, 2) is None  # range
    assert _core.cross_entropy_forward(d, np.array([0, -1, 2, 1]), -100, 2) is None
    assert _core.cross_entropy_forward(d, t, 1, 2) is None  # a target is ignore_index
    assert _core.cross_entropy_forward(d, t.astype(np.int32), -100, 2) is None  # int32
    assert _core.cross_entropy_forward(d[:, ::2], t, -100, 2) is None  # not contiguous
    assert _core.cross_entropy_forward(d.astype(np.float16), t, -100, 2) is None
    assert _core.cross_entropy_forward(d, t[:3], -100, 2) is None  # length
    assert _core.cross_entropy_forward(d, t, -100, 3) is None  # reduction code
    assert _core.cross_entropy_forward(d[:0], t[:0], -100, 2) is None  # empty
    assert _core.cross_entropy_forward(np.zeros(3), t[:3], -100, 2) is None  # 1-D
    assert _core.cross_entropy_forward(d, t, -100, 2) is not None


def test_inf_logits_fall_back_with_numpys_warning(engine):
    # inf - inf raises 'invalid': the native call declines and NumPy's code warns as before.
    d = np.array([[np.inf, 0.0], [1.0, 2.0]])
    assert _core.cross_entropy_forward(d, np.array([0, 1]), -100, 2) is None
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        loss = F.cross_entropy(cg.tensor(d), cg.tensor([0, 1]))
    assert np.isnan(loss.item())
    assert any("invalid value" in str(x.message) for x in w)


def test_underflow_follows_numpy_errstate(engine):
    # exp(-900) underflows: ignored by default (the native result stands), raised or warned
    # on request (the native call declines and NumPy's lines do it).
    d = np.array([[900.0, 0.0], [0.0, 1.0]])
    t = cg.tensor([0, 1])
    want = float(numpy_spec(d, np.array([0, 1]), 2)[0])
    assert F.cross_entropy(cg.tensor(d), t).item() == want
    with np.errstate(under="raise"):
        assert _core.cross_entropy_forward(d, np.array([0, 1]), -100, 2) is None
        with pytest.raises(FloatingPointError, match="underflow"):
            F.cross_entropy(cg.tensor(d), t)
    with np.errstate(under="warn"), pytest.warns(RuntimeWarning, match="underflow"):
        F.cross_entropy(cg.tensor(d), t)


def test_nan_logits_give_numpys_nan(both):
    d = np.array([[np.nan, 0.0, 1.0], [1.0, 2.0, 3.0]])
    t = np.array([1, 2])
    got = _core.cross_entropy_forward(d, t, -100, 0)
    want = numpy_spec(d, t, 0)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])
