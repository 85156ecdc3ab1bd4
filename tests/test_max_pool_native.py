"""Max pooling's C++ loops (csrc/forward_nn.cpp) give the NumPy code's values, indices and
backward sums bit for bit (nn/functional/pooling.py), and hand back what they do not cover."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import numpy as np
import pytest

import chaingrad as cg
from chaingrad import _core
from chaingrad.nn.functional import pooling as P


def numpy_forward(x: cg.Tensor, geom: tuple) -> tuple[np.ndarray, np.ndarray]:
    ctx = SimpleNamespace(mark_non_differentiable=lambda *a: None)
    core, P._CORE = P._CORE, None
    try:
        vals, idx = P._MaxPool.forward(ctx, x, geom)
    finally:
        P._CORE = core
    return vals._data, idx._data


def numpy_scatter(g: np.ndarray, idx: np.ndarray, shape: tuple) -> np.ndarray:
    core, P._CORE = P._CORE, None
    try:
        return P._ScatterPlane.forward(SimpleNamespace(), cg.tensor(g), idx, shape)._data
    finally:
        P._CORE = core


CASES = list(itertools.product([(2, 2), (3, 2), (1, 3)], [None, (1, 1), (2, 3)],
                               [(0, 0), (1, 1)], [(1, 1), (2, 1)], [False, True]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("hw", [(7, 9), (8, 8)])
def test_bits_equal_numpy(both, dtype, hw):
    rng = np.random.default_rng(3)
    checked = 0
    for k, s, p, d, ceil in CASES:
        a = rng.standard_normal((2, 3, *hw)).astype(dtype)
        a[0, 0, 1, :3] = [np.nan, 1.0, 1.0]  # NaN wins, first
        a[1, 2, :2, :2] = 5.0  # ties: the first in row-major order
        a[0, 1, 0, 0], a[1, 1, 2, 2] = -np.inf, -0.0
        x = cg.tensor(a)
        try:
            geom = P._geometry(x, k, s, p, d, ceil, "t")
        except (ValueError, RuntimeError):
            continue  # torch refuses this geometry
        kk, ss, pp, dd, out, _ = geom
        got = _core.max_pool2d_forward(a, kk, ss, pp, dd, out)
        want = numpy_forward(x, geom)
        assert got[0].tobytes() == want[0].tobytes() and got[1].tobytes() == want[1].tobytes()
        g = rng.standard_normal(got[0].shape).astype(dtype)
        assert ((got[1] >= 0) & (got[1] < hw[0] * hw[1])).all()  # never a padding cell
        assert _core.max_pool2d_scatter(g, got[1], a.shape).tobytes() == \
            numpy_scatter(g, got[1], a.shape).tobytes()
        checked += 1
    assert checked > 40


def test_declines_what_it_does_not_cover(both):
    a = np.zeros((1, 1, 4, 4))
    geom = ((2, 2), (2, 2), (0, 0), (1, 1), (2, 2))
    assert _core.max_pool2d_forward(a[..., ::2], *geom) is None  # not contiguous
    assert _core.max_pool2d_forward(a.astype(np.float16), *geom) is None
    assert _core.max_pool2d_forward(a[0], *geom) is None  # 3-D
    assert _core.max_pool2d_forward(a, (0, 2), *geom[1:]) is None  # bad kernel
    g, idx = np.ones((1, 1, 2, 2)), np.zeros((1, 1, 2, 2), np.int64)
    assert _core.max_pool2d_scatter(g, idx - 1, (1, 1, 4, 4)) is None  # index outside
    assert _core.max_pool2d_scatter(g, idx + 16, (1, 1, 4, 4)) is None
    assert _core.max_pool2d_scatter(g, idx.astype(np.int32), (1, 1, 4, 4)) is None
    assert _core.max_pool2d_scatter(g, idx, (1, 2, 4, 4)) is None  # planes differ
    assert _core.max_pool2d_scatter(g, idx, (1, 1, 4, 4)).sum() == 4.0


def test_layer_gradients_through_native_loops(engine):
    rng = np.random.default_rng(0)
    x = cg.tensor(rng.standard_normal((2, 3, 6, 6)), requires_grad=True)
    assert cg.autograd.gradcheck(lambda t: cg.nn.functional.max_pool2d(t, 3, 2, 1), (x,))
    assert cg.autograd.gradgradcheck(lambda t: cg.nn.functional.max_pool2d(t, 2), (x,))


@pytest.mark.parametrize("args", [(2,), (3, 2, 1), ((2, 3), (1, 2), (1, 1), (2, 1)),
                                  (3, 2, 1, 1, True)], ids=str)
def test_indices_match_torch_on_ties_nan_and_inf(engine, args):
    # torch scans the cells inside the input from -inf: the first maximum, the last NaN, and
    # for a window of -inf its first cell inside the input (the padding never).
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    a = rng.standard_normal((2, 2, 7, 7))
    a[0, 0, :2, :2] = [[np.nan, 2.0], [np.nan, 1.0]]
    a[0, 1, :3, :3] = -np.inf
    a[1, 0, 2:4, 2:4] = 9.0
    a[1, 1, 0, :] = np.nan
    got = cg.nn.functional.max_pool2d(cg.tensor(a), *args, return_indices=True)
    want = torch.nn.functional.max_pool2d(torch.tensor(a), *args, return_indices=True)
    np.testing.assert_array_equal(got[1].numpy(), want[1].numpy())
    np.testing.assert_array_equal(got[0].numpy(), want[0].numpy())
