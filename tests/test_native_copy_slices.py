"""The kinds of in-place ops on views (AS_STRIDED, COPY_SLICES; csrc/kernels_shape.cpp) agree
bit for bit with the reference NumPy kernels over views, dtypes and base layouts, run without
the reference kernel, keep torch's names, and share cached view placements safely.

Values and gradients against torch are in tests/test_inplace_views.py; here each comparison
builds the same computation in both engines (so it runs once, under ``cpp``).
"""

from __future__ import annotations

import numpy as np
import pytest

import chaingrad as cg
from chaingrad import _kinds as K
from chaingrad import engine as _engine
from chaingrad._reference import kernels as ref_kernels
from chaingrad.ops import _views

from ._helpers import bits_equal

F32, F64 = np.float32, np.float64


def _base(t, layout):
    """A non-leaf base of the computation: contiguous, or a transposed copy's view."""
    y = t * 1.5
    if layout == "transposed":
        y = (t.T * 1.5).T  # a non-C-contiguous base (its own memory, strides reversed)
    return y


# name -> fn(base, w) returning a scalar to differentiate. ``w`` is a (4,) leaf.
CASES = {
    "row_add": lambda y, w: (y[1].add_(w), y)[1].sum(),
    "row_mul": lambda y, w: (y[0].mul_(w), (y * y).sum())[1],
    "col_setitem": lambda y, w: (y.__setitem__((slice(None), 2), w[:3]), (y * 2).sum())[1],
    "step_slice": lambda y, w: (y[::2, 1::2].mul_(w[:2]), (y ** 2).sum())[1],
    "neg_step": lambda y, w: (y[::-1, ::-2].add_(w[1:3] * 2), (y * y).sum())[1],
    "element": lambda y, w: (y[2, 3].mul_(w[0]), (y * y).sum())[1],
    "live_views": lambda y, w: _live_views(y, w),
    "expanded_view": lambda y, w: _expanded(y, w),
    "view_of_view": lambda y, w: (y.reshape(12)[2:10].reshape(2, 4)[1].mul_(w), (y * y).sum())[1],
}


def _live_views(y, w):
    a, b, c = y[0], y[:, 1], y.view(12)
    a.mul_(w)
    return (y * y).sum() + (b * b).sum() + (c * 3).sum() + a.sum()


def _expanded(y, w):
    e = y[0:1].expand(3, 4)  # a live view whose elements share memory: AS_STRIDED overlap
    y[1].mul_(w)
    return (e * e).sum() + (y * y).sum()


def run(engine_name, name, x, wv, layout, create_graph=False):
    with _engine.use(engine_name):
        t = cg.tensor(x, requires_grad=True)
        w = cg.tensor(wv, requires_grad=True)
        out = CASES[name](_base(t, layout), w)
        if create_graph:
            gt, gw = cg.autograd.grad(out, (t, w), create_graph=True)
            ((gt * gt * t).sum() + (gw * gw * w).sum()).backward()
        else:
            out.backward()
        return t.grad._data, w.grad._data, out._data


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("layout", ["contiguous", "transposed"])
def test_engines_agree_bitwise(both, dtype, layout, create_graph):
    rng = np.random.default_rng(11)
    for name in CASES:
        x = rng.standard_normal((3, 4)).astype(dtype)
        wv = rng.standard_normal(4).astype(dtype)
        want = run("python", name, x, wv, layout, create_graph)
        got = run("cpp", name, x, wv, layout, create_graph)
        for g, r in zip(got, want):
            assert bits_equal(g, r), (name, layout, g, r)


def _forbid(monkeypatch, kind):
    def boom(*args, **kwargs):
        raise AssertionError(f"reference kernel of kind {kind} called")

    monkeypatch.setitem(ref_kernels._KERNELS, kind, boom)


@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("name", sorted(CASES))
def test_runs_natively(engine, monkeypatch, name, dtype):
    if engine != "cpp":
        pytest.skip("the reference engine always runs the NumPy kernels")
    rng = np.random.default_rng(5)
    x = rng.standard_normal((3, 4)).astype(dtype)
    wv = rng.standard_normal(4).astype(dtype)
    want = run("python", name, x, wv, "transposed")
    _forbid(monkeypatch, K.AS_STRIDED)
    _forbid(monkeypatch, K.COPY_SLICES)
    with pytest.raises(AssertionError, match="reference kernel"):
        run("python", name, x, wv, "transposed")  # the patch is in effect
    got = run("cpp", name, x, wv, "transposed")
    for g, r in zip(got, want):
        assert bits_equal(g, r), name


def test_names_and_kinds(engine):
    x = cg.randn(3, 4, requires_grad=True)
    y = x * 2
    v = y[:, 1]
    y[0].add_(1)
    assert y.grad_fn.name() == "CopySlices" and y.grad_fn.kind == K.COPY_SLICES
    assert v.grad_fn.name() == "AsStridedBackward0" and v.grad_fn.kind == K.AS_STRIDED
    # CopySlices: the old base's history, then the op's node (whose input is AsStrided).
    (base_fn, _), (op_fn, _) = y.grad_fn.next_functions
    assert base_fn.name() == "MulBackward0"
    assert op_fn.next_functions[0][0].name() == "AsStridedBackward0"


def test_large_views_release_the_gil_and_agree(both):
    """Views past the kernels' no-GIL threshold (32768 elements)."""
    x = np.random.default_rng(2).standard_normal((300, 300))
    outs = []
    for name in ("python", "cpp"):
        with _engine.use(name):
            t = cg.tensor(x, requires_grad=True)
            y = t * 1.0
            e = y[:1].expand(300, 300)
            y[100:].mul_(2.0)
            ((e * e).sum() + (y * y).sum()).backward()
            outs.append(t.grad._data)
    assert bits_equal(outs[1], outs[0])


def test_placements_are_cached_read_only_and_exact(engine):
    x = cg.randn(4, 5, requires_grad=True)
    y = x * 1
    i1, o1 = _views.placement(y[1:3, ::2]._data, y._data)
    i2, o2 = _views.placement(y[1:3, ::2]._data, y._data)
    assert i1 is i2 and not o1 and not i1.flags.writeable
    np.testing.assert_array_equal(i1, np.arange(20).reshape(4, 5)[1:3, ::2])
    # Same shape and strides at another offset: another placement.
    i3, _ = _views.placement(y[2:4, ::2]._data, y._data)
    np.testing.assert_array_equal(i3, np.arange(20).reshape(4, 5)[2:4, ::2])
    e, ov = _views.placement(y[0:1].expand(3, 5)._data, y._data)
    assert ov and (e == np.arange(5)).all()
    # A cached placement never skips the checks: a mismatched element size still raises.
    with pytest.raises(RuntimeError, match="element size"):
        _views.placement(y._data.view(np.int16), y._data)


def test_placement_cache_memory_is_bounded():
    base = np.zeros((64, 1 << 15), np.float32)
    for i in range(64):  # 64 distinct 32K-element rows: 2M index elements if all were kept
        _views.placement(base[i], base)
        kept = sum(idx.size for idx, _ in _views._PLACEMENTS.values())
        assert kept == _views._cached_total[0] <= _views._MAX_CACHED_TOTAL
    assert len(_views._PLACEMENTS) <= _views._MAX_PLACEMENTS


def test_kind_numbers_match_the_core():
    import pathlib
    import re

    src = (pathlib.Path(__file__).resolve().parents[1] / "csrc" / "graph.h").read_text()
    for name in ("AS_STRIDED", "COPY_SLICES"):
        m = re.search(rf"\b{name} = (\d+)", src)
        assert m and int(m.group(1)) == getattr(K, name), name
