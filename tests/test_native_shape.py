"""The shape kinds (RESHAPE, PERMUTE, EXPAND, TO_COPY, SLICE; csrc/kernels_shape.cpp) agree bit
for bit with the reference NumPy kernels over shapes, dtypes and layouts (non-contiguous inputs
and gradients), keep torch's grad_fn names, run without the reference kernel, and never let the
engine write into a gradient another node can still see (their C++ kernels return views of g).

The comparisons build the same computation in each engine themselves, so they run once (under
the ``cpp`` parametrization of the autouse ``engine`` fixture).
"""

from __future__ import annotations

import numpy as np
import pytest

import chaingrad as cg
from chaingrad import _kinds as K
from chaingrad import engine as _engine
from chaingrad._reference import kernels as ref_kernels
from chaingrad._reference.kernels_shape import slice_key
from chaingrad.ops.indexing import slice_scalars

from ._helpers import bits_equal

F16, F32, F64 = np.float16, np.float32, np.float64

# name -> (kind, grad_fn name, fn, input shape). Inputs are leaves, or (see LAYOUTS) views.
OPS = {
    "reshape": (K.RESHAPE, "ViewBackward0", lambda t: t.reshape(4, -1), (2, 3, 4)),
    "reshape_0d": (K.RESHAPE, "ViewBackward0", lambda t: t.reshape(1, 1), ()),
    "view": (K.RESHAPE, "ViewBackward0", lambda t: t.contiguous().view(-1), (3, 4)),
    "flatten": (K.RESHAPE, "ViewBackward0", lambda t: t.flatten(1), (2, 3, 4)),
    "flatten_0d": (K.RESHAPE, "ViewBackward0", lambda t: t.flatten(), ()),
    "unflatten": (K.RESHAPE, "ViewBackward0", lambda t: t.unflatten(1, (2, 2)), (3, 4)),
    "squeeze": (K.RESHAPE, "SqueezeBackward1", lambda t: t.squeeze(), (3, 1, 4, 1)),
    "squeeze_dim": (K.RESHAPE, "SqueezeBackward1", lambda t: t.squeeze(1), (3, 1, 4)),
    "unsqueeze": (K.RESHAPE, "UnsqueezeBackward0", lambda t: t.unsqueeze(-1), (3, 4)),
    "unsqueeze_0d": (K.RESHAPE, "UnsqueezeBackward0", lambda t: t.unsqueeze(0), ()),
    "permute": (K.PERMUTE, "PermuteBackward0", lambda t: t.permute(2, 0, 1), (2, 3, 4)),
    "permute_0d": (K.PERMUTE, "PermuteBackward0", lambda t: t.permute(), ()),
    "T": (K.PERMUTE, "PermuteBackward0", lambda t: t.T, (2, 3, 4)),
    "transpose": (K.PERMUTE, "TransposeBackward0", lambda t: t.transpose(0, -1), (2, 3, 4)),
    "t": (K.PERMUTE, "TransposeBackward0", lambda t: t.t(), (3, 4)),
    "expand": (K.EXPAND, "ExpandBackward0", lambda t: t.expand(2, 3, 4), (3, 1)),
    "expand_lead": (K.EXPAND, "ExpandBackward0", lambda t: t.expand(5, 3, 4), (3, 4)),
    "broadcast_to": (K.EXPAND, "ExpandBackward0", lambda t: cg.broadcast_to(t, (2, 1, 3)),
                     (1, 3)),
    "to_f64": (K.TO_COPY, "ToCopyBackward0", lambda t: t.to(cg.float64), (3, 4)),
    "to_f32": (K.TO_COPY, "ToCopyBackward0", lambda t: t.to(cg.float32), (3, 4)),
    "to_f16": (K.TO_COPY, "ToCopyBackward0", lambda t: t.to(cg.float16), (3, 4)),
    "clone": (K.TO_COPY, "CloneBackward0", lambda t: t.clone(), (3, 4)),
    "contiguous": (K.TO_COPY, "CloneBackward0", lambda t: t.T.contiguous(), (3, 4)),
    "index_int": (K.SLICE, "SelectBackward0", lambda t: t[1], (3, 4)),
    "index_all_ints": (K.SLICE, "SelectBackward0", lambda t: t[-1, 2], (3, 4)),
    "index_np_int": (K.SLICE, "SelectBackward0", lambda t: t[:, np.int64(-2)], (3, 4)),
    "index_step": (K.SLICE, "SliceBackward0", lambda t: t[::2, 1::3], (5, 7)),
    "index_neg_step": (K.SLICE, "SliceBackward0", lambda t: t[::-2, -1:0:-3], (5, 7)),
    "index_neg_to_front": (K.SLICE, "SliceBackward0", lambda t: t[3::-1], (5, 2)),
    "index_empty": (K.SLICE, "SliceBackward0", lambda t: t[3:1, -10::-1], (5, 4)),
    "index_clip": (K.SLICE, "SliceBackward0", lambda t: t[-100:100, 2:], (3, 4)),
    "index_ellipsis": (K.SLICE, "SliceBackward0", lambda t: t[..., 1:3], (2, 3, 4)),
    "index_ellipsis_int": (K.SLICE, "SelectBackward0", lambda t: t[1, ..., -1], (2, 3, 4)),
    "index_0d": (K.SLICE, "SliceBackward0", lambda t: t[...], ()),
    "narrow": (K.SLICE, "SliceBackward0", lambda t: t.narrow(1, 1, 2), (3, 4)),
    "select": (K.SLICE, "SelectBackward0", lambda t: t.select(0, -1), (3, 4)),
    "unbind": (K.SLICE, "SelectBackward0", lambda t: t.unbind(1)[2], (3, 4)),
}

# How the op's input is made from a leaf of the listed shape: the leaf itself, or a
# non-contiguous view of a larger leaf (so the op and its gradient see strided arrays).
LAYOUTS = ("leaf", "transposed", "strided")


def make_input(leaf, layout):
    if layout == "leaf":
        return leaf
    if layout == "transposed":
        return leaf.permute(*range(leaf.ndim - 1, -1, -1))
    return leaf[(slice(None, None, 2),) * leaf.ndim]


def leaf_shape(shape, layout):
    if layout == "transposed":
        return shape[::-1]
    if layout == "strided":
        return tuple(2 * s for s in shape)
    return shape


def run(engine_name, fn, x, layout, g_seed, chained):
    """x's gradient after backward through ``fn`` (with the output's gradient drawn from
    ``g_seed``), and the forward output."""
    with _engine.use(engine_name):
        leaf = cg.tensor(x, requires_grad=True)
        out = fn(make_input(leaf, layout))
        rng = np.random.default_rng(g_seed)
        g = np.asarray(rng.standard_normal(out.shape).astype(out.dtype))
        if chained:
            # A gradient that passes a MUL first, so the shape op's backward sees an owned array.
            w = cg.tensor(np.full(out.shape, 0.75, dtype=out.dtype))
            (out * w).backward(gradient=cg.tensor(g))
        else:
            out.backward(gradient=cg.tensor(g))
    return leaf.grad._data, out._data


@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_engines_agree_bitwise(both, dtype, layout):
    rng = np.random.default_rng(7)
    checked = 0
    for name, (_, _, fn, shape) in OPS.items():
        x = np.asarray(rng.standard_normal(leaf_shape(shape, layout)).astype(dtype))
        for chained in (False, True):
            seed = int(rng.integers(2**31))
            want, out_ref = run("python", fn, x, layout, seed, chained)
            got, out_cpp = run("cpp", fn, x, layout, seed, chained)
            assert out_cpp.dtype == out_ref.dtype and np.array_equal(out_cpp, out_ref), name
            assert got.dtype == want.dtype and got.shape == want.shape, (name, layout)
            assert bits_equal(got, want), (name, layout, chained, got, want)
            checked += 1
    assert checked == 2 * len(OPS)


def test_chains_agree_bitwise(both):
    """Long chains mixing the kinds, with several paths into the same views and leaves."""

    def model(t):
        a = t.reshape(4, 6).T  # (6, 4) view
        b = a.unsqueeze(0).expand(3, 6, 4)[1:, ::-1, 1::2]  # (2, 6, 2)
        c = b.permute(2, 0, 1).reshape(2, -1) * 1.5  # a copy of a strided gradient
        d = a[2:, 1].to(cg.float64).clone()  # (4,)
        e = (c.sum(0).reshape(6, 2) @ a[:2, :2]).flatten()
        return c.sum() + (d * d).sum() + (e * t.reshape(-1)[:12]).sum() + a.T[0].sum()

    for dtype in (F32, F64):
        x = np.random.default_rng(1).standard_normal((2, 3, 4)).astype(dtype)
        grads = []
        for name in ("python", "cpp"):
            with _engine.use(name):
                t = cg.tensor(x, requires_grad=True)
                model(t).backward()
                model(t).backward()  # accumulates into the .grad the first call made
                grads.append(t.grad._data)
        assert bits_equal(grads[1], grads[0])


@pytest.mark.parametrize("name", sorted(OPS))
def test_names_and_kinds(engine, name):
    kind, node_name, fn, shape = OPS[name]
    t = cg.tensor(np.ones(shape, dtype=F64 if name == "to_f32" else F32), requires_grad=True)
    out = fn(t)
    assert out.grad_fn.kind == kind and out.grad_fn.name() == node_name
    assert len(out.grad_fn.next_functions) == 1  # one edge, like torch's
    with cg.no_grad():
        assert fn(t).grad_fn is None


def test_new_axes_stay_functions(engine):
    """A key with None keeps the Function path (kind PY), with the same names as before."""
    t = cg.tensor(np.ones((3, 4)), requires_grad=True)
    for out, name in ((t[None, 1:], "SliceBackward0"), (t[1, None], "SelectBackward0")):
        assert out.grad_fn.kind == K.PY and out.grad_fn.name() == name
        out.sum().backward()
    np.testing.assert_array_equal(t.grad._data, [[0] * 4, [2] * 4, [1] * 4])


def test_views_share_memory_and_version(engine):
    t = cg.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    for fn in (lambda a: a.reshape(4, 3), lambda a: a.T, lambda a: a.expand(2, 3, 4),
               lambda a: a[1:, ::2], lambda a: a.unsqueeze(0), lambda a: a.select(1, 2)):
        v = fn(t)
        assert np.shares_memory(v._data, t._data)
        assert v._vc is t._version_counter()
    for fn in (lambda a: a.clone(), lambda a: a.to(cg.float32), lambda a: a.T.contiguous()):
        assert not np.shares_memory(fn(t)._data, t._data)


def test_contiguous_is_c_contiguous(engine):
    t = cg.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    c = t.T.contiguous()
    assert c._data.flags.c_contiguous and c.grad_fn.name() == "CloneBackward0"
    c.view(-1).sum().backward()
    np.testing.assert_array_equal(t.grad._data, np.ones((3, 4)))
    assert t.contiguous() is t


def test_saved_view_modified_in_place_is_detected(engine):
    """A view of a tensor saved by a later node shares its version counter."""
    x = cg.tensor(np.ones((2, 3)), requires_grad=True)
    y = x * 1.0
    v = y.reshape(-1)
    z = v * v  # saves v, whose memory belongs to y
    with cg.no_grad():
        y.mul_(2.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_view_errors_unchanged(engine):
    t = cg.tensor(np.ones((3, 4)), requires_grad=True)
    with pytest.raises(RuntimeError, match="view size .* is not compatible"):
        t.T.view(-1)
    with pytest.raises(RuntimeError, match="shape '\\[5, -1\\]' is invalid for input of size 12"):
        t.reshape(5, -1)
    with pytest.raises(IndexError, match="out of range"):
        t[3]


def test_gradient_views_are_never_overwritten(engine):
    """The RESHAPE/PERMUTE kernels hand on views of g. One gradient reaching two paths, each
    through a view and into kernels that reuse owned buffers, must still give the sums."""
    x = cg.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    y = x * 1.0
    a, b = y.reshape(3, 2), y.T
    loss = (a * 2.0).sum() + (b * 3.0).sum() + (a.exp() * 0.0).sum() + y.sum()
    g_root = cg.tensor(np.float64(1.0))
    loss.backward(gradient=g_root)
    np.testing.assert_array_equal(x.grad._data, np.full((2, 3), 6.0))
    assert g_root._data == 1.0
    # The leaf's first .grad would be a view of the caller's gradient: it must be a copy.
    x.grad = None
    seed = cg.tensor(np.ones((3, 2)))
    x.reshape(3, 2).backward(gradient=seed)
    x.grad._data[...] = 5.0
    np.testing.assert_array_equal(seed._data, np.ones((3, 2)))
    x.T.backward(gradient=seed.reshape(2, 3).T)  # accumulates in place into x.grad
    np.testing.assert_array_equal(seed._data, np.ones((3, 2)))
    np.testing.assert_array_equal(x.grad._data, np.full((2, 3), 6.0))


def test_higher_order_through_shape_kinds(engine):
    x = cg.tensor(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), requires_grad=True)
    y = (x.T.reshape(-1)[1::2].unsqueeze(0).expand(2, 3) ** 3).sum()
    (g,) = cg.autograd.grad(y, x, create_graph=True)
    # d/dx sum(2 * x_i^3) over the selected elements x.T.flat[1::2] = (4, 5, 6) -> x[1, :]
    np.testing.assert_allclose(g._data, [[0, 0, 0], [96, 150, 216]])
    g.sum().backward()
    np.testing.assert_allclose(x.grad._data, [[0, 0, 0], [48, 60, 72]])


def _keys(shape, rng):
    """Random keys of ints, slices (any bounds and steps) and at most one Ellipsis."""
    def one(n):
        r = rng.random()
        if r < 0.3 and n:
            return int(rng.integers(-n, n))
        pick = [None, *range(-n - 2, n + 3)]
        start, stop = rng.choice(pick), rng.choice(pick)
        step = rng.choice([None, 1, 2, 3, -1, -2, -5])
        return slice(start, stop, step)

    for _ in range(60):
        key = [one(n) for n in shape]
        k = int(rng.integers(0, len(shape) + 1))
        if rng.random() < 0.3:  # an Ellipsis standing for some of the dims
            j = int(rng.integers(0, len(shape) - k + 1))
            key = key[:j] + [Ellipsis] + key[j + k:]
        else:
            key = key[:len(shape) - k]  # trailing dims left out
        yield tuple(key)


@pytest.mark.parametrize("shape", [(), (0,), (1,), (5,), (4, 3), (2, 0, 5), (3, 1, 4, 2)])
def test_slice_encoding_roundtrips(engine, shape):
    """slice_key(slice_scalars(key)) selects exactly what the key selects, for any ints and
    slices; the backward writes g at those positions."""
    rng = np.random.default_rng(len(shape))
    x = np.arange(int(np.prod(shape)), dtype=F64).reshape(shape)
    for key in _keys(shape, rng):
        try:
            want = x[key]
        except IndexError:
            continue
        got = x[slice_key(slice_scalars(key, shape))]
        assert got.shape == want.shape and np.array_equal(got, want), key
        t = cg.tensor(x, requires_grad=True)
        out = t[key]
        g = np.asarray(rng.standard_normal(out.shape))
        out.backward(gradient=cg.tensor(g))
        ref = np.zeros(shape)
        ref[key] = g
        assert bits_equal(t.grad._data, ref), key


def _forbid(monkeypatch, kind):
    def boom(*args, **kwargs):
        raise AssertionError(f"reference kernel of kind {kind} called")

    monkeypatch.setitem(ref_kernels._KERNELS, kind, boom)


@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("name", sorted(OPS))
def test_runs_natively(engine, monkeypatch, name, dtype):
    if engine != "cpp":
        pytest.skip("the reference engine always runs the NumPy kernels")
    kind, _, fn, shape = OPS[name]
    if name in ("to_f32", "to_f64") and np.dtype(dtype) == np.dtype(name[3:].replace("f", "float")):
        dtype = F64 if dtype == F32 else F32  # a cast to the same dtype records nothing
    x = np.asarray(np.random.default_rng(3).standard_normal(shape).astype(dtype))
    want = [run("python", fn, x, "leaf", 5, c)[0] for c in (False, True)]
    _forbid(monkeypatch, kind)
    with pytest.raises(AssertionError, match="reference kernel"):
        run("python", fn, x, "leaf", 5, False)  # the patch is in effect
    for chained, w in zip((False, True), want):
        got, _ = run("cpp", fn, x, "leaf", 5, chained)
        assert bits_equal(got, w)


def test_long_chain_runs(engine):
    """A 20,000-node chain of shape ops backs up without recursion."""
    x = cg.tensor(np.ones((2, 3)), requires_grad=True)
    y = x
    for i in range(5000):
        y = y.reshape(3, 2).T.unsqueeze(0)[0].expand(2, 3) if i % 2 else y.T.T.reshape(2, 3)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad._data, np.ones((2, 3)))


def test_kind_numbers_match_the_core():
    """The C++ enum (graph.h) and _kinds.py agree on the shape kinds."""
    import pathlib
    import re

    src = (pathlib.Path(__file__).resolve().parents[1] / "csrc" / "graph.h").read_text()
    for name in ("RESHAPE", "PERMUTE", "EXPAND", "TO_COPY", "SLICE"):
        m = re.search(rf"\b{name} = (\d+)", src)
        assert m and int(m.group(1)) == getattr(K, name), name
