"""erf/erfc over whole arrays in C++ (_core.erf_array) give math.erf's values bit for bit, for
every layout and dtype the ops pass, and GELU uses them."""

from __future__ import annotations

import math

import numpy as np
import pytest

import chaingrad as cg
from chaingrad import _core
from chaingrad.ops import special


def test_native_path_is_in_use(engine):
    # Falls back silently only if the C library disagrees with math.erf: then this fails, so
    # the 8x slower path is never taken unnoticed.
    assert special._NATIVE_ERF is _core.erf_array


@pytest.mark.parametrize("complement", [False, True])
def test_values_equal_math_erf(engine, complement):
    rng = np.random.default_rng(7)
    x = np.concatenate([rng.standard_normal(20_000) * 3, rng.uniform(-40, 40, 5_000),
                        rng.standard_normal(1_000) * 1e-300, [0.0, -0.0, np.inf, -np.inf]])
    f = math.erfc if complement else math.erf
    want = np.array([f(v) for v in x])
    got = special._erf_array(x, complement)
    assert got.tobytes() == want.tobytes()


@pytest.mark.parametrize("make", [
    lambda a: a.reshape(4, 6, 5)[:, ::2, :].transpose(2, 0, 1),  # strided
    lambda a: a[3].reshape(()),  # 0-d
    lambda a: a.astype(np.float32),  # float32, computed in float64
    lambda a: a[:0],  # empty
], ids=["strided", "0-d", "float32", "empty"])
def test_layouts(engine, make):
    d = make(np.linspace(-3, 3, 120))
    got = special._erf_array(d)
    assert got.shape == d.shape and got.dtype == np.float64
    want = np.array([math.erf(float(v)) for v in d.reshape(-1)]).reshape(d.shape)
    assert got.tobytes() == want.tobytes()


def test_erf_array_rejects_what_it_does_not_take(engine):
    with pytest.raises(TypeError, match="float64"):
        _core.erf_array(np.zeros(3, np.float32))
    with pytest.raises(TypeError, match="C-contiguous"):
        _core.erf_array(np.zeros((3, 4))[:, ::2])
    with pytest.raises(TypeError, match="ndarray"):
        _core.erf_array([0.5])


def test_tiny_inputs_raise_no_flag(engine):
    # erf of a subnormal underflows inside the C library; math.erf reports nothing, nor may this.
    x = cg.tensor([5e-324, 1e-310], dtype=cg.float64)
    with np.errstate(all="raise"):
        y = cg.erf(x)
    assert y.numpy().tobytes() == np.array([math.erf(5e-324), math.erf(1e-310)]).tobytes()


def test_gelu_matches_math_erf(engine):
    x = np.linspace(-5, 5, 1001)
    want = np.array([v * 0.5 * (1 + math.erf(v / math.sqrt(2.0))) for v in x])
    got = cg.nn.functional.gelu(cg.tensor(x)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-15, atol=1e-300)
