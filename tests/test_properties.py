"""Property tests over random shapes, broadcasting, dims and indices (hypothesis).

Each property compares with NumPy, computing the expected gradient independently (an explicit
sum over broadcast dims, ``np.add.at`` for indexing), so the engines' broadcasting reduction
and scatter logic are checked on shapes nobody wrote down.
"""

from __future__ import annotations

import numpy as np
import pytest

import chaingrad as cg

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def _sum_to(g: np.ndarray, shape: tuple) -> np.ndarray:
    lead = g.ndim - len(shape)
    g = g.sum(axis=tuple(range(lead)))
    axes = tuple(k for k, s in enumerate(shape) if s == 1 and g.shape[k] != 1)
    return g.sum(axis=axes, keepdims=True).reshape(shape)


def _arr(rng: np.random.Generator, shape: tuple, positive: bool = False) -> np.ndarray:
    a = rng.standard_normal(shape)
    # An array even for shape (): a NumPy scalar would become a float32 tensor.
    return np.asarray(np.abs(a) + 0.5 if positive else a)


# Elementwise binary ops with their partial derivatives (NumPy, independent of chaingrad).
BINARY = {
    "add": (lambda a, b: a + b, lambda a, b, y: (np.ones_like(y), np.ones_like(y))),
    "sub": (lambda a, b: a - b, lambda a, b, y: (np.ones_like(y), -np.ones_like(y))),
    "mul": (lambda a, b: a * b, lambda a, b, y: (b + 0 * y, a + 0 * y)),
    "div": (lambda a, b: a / b, lambda a, b, y: (1 / b + 0 * y, -a / b**2 + 0 * y)),
    "pow": (lambda a, b: a ** b, lambda a, b, y: (b * a ** (b - 1), y * np.log(a))),
    "maximum": (np.maximum, lambda a, b, y: ((a > b) + 0 * y, (b > a) + 0 * y)),
}
_CG = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
       "div": lambda a, b: a / b, "pow": lambda a, b: a ** b, "maximum": cg.maximum}


@SETTINGS
@given(op=st.sampled_from(sorted(BINARY)),
       shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=4, max_side=3),
       seed=st.integers(0, 2**16))
def test_binary_broadcasting_values_and_gradients(op, shapes, seed):
    rng = np.random.default_rng(seed)
    sa, sb = shapes.input_shapes
    a_np, b_np = _arr(rng, sa, positive=True), _arr(rng, sb, positive=True)
    ref, dref = BINARY[op]
    a, b = cg.tensor(a_np, requires_grad=True), cg.tensor(b_np, requires_grad=True)
    y = _CG[op](a, b)
    y_np = ref(a_np, b_np)
    np.testing.assert_allclose(y.detach().numpy(), y_np, rtol=1e-12)
    w = rng.standard_normal(y_np.shape)
    ga, gb = cg.autograd.grad(y, [a, b], cg.tensor(w))
    da, db = dref(a_np, b_np, y_np)
    np.testing.assert_allclose(ga.numpy(), _sum_to(w * da, sa), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gb.numpy(), _sum_to(w * db, sb), rtol=1e-10, atol=1e-12)


@st.composite
def shape_and_dims(draw, min_dims=1):
    shape = draw(hnp.array_shapes(min_dims=min_dims, max_dims=4, min_side=1, max_side=4))
    dims = draw(st.lists(st.integers(0, len(shape) - 1), unique=True, min_size=1,
                         max_size=len(shape)))
    neg = draw(st.booleans())
    dims = tuple(d - len(shape) if neg else d for d in dims)
    return shape, dims


REDUCTIONS = {
    "sum": (lambda x, d, k: x.sum(d, keepdim=k), lambda a, d, k: a.sum(axis=d, keepdims=k)),
    "mean": (lambda x, d, k: x.mean(d, keepdim=k), lambda a, d, k: a.mean(axis=d, keepdims=k)),
    "amax": (lambda x, d, k: x.amax(d, keepdim=k), lambda a, d, k: a.max(axis=d, keepdims=k)),
    "amin": (lambda x, d, k: x.amin(d, keepdim=k), lambda a, d, k: a.min(axis=d, keepdims=k)),
    "var": (lambda x, d, k: x.var(d, keepdim=k, correction=0),
            lambda a, d, k: a.var(axis=d, keepdims=k)),
    "logsumexp": (lambda x, d, k: x.logsumexp(d, keepdim=k),
                  lambda a, d, k: np.log(np.exp(a).sum(axis=d, keepdims=k))),
    "norm": (lambda x, d, k: x.norm(dim=d, keepdim=k),
             lambda a, d, k: np.sqrt((a * a).sum(axis=d, keepdims=k))),
}


@SETTINGS
@given(op=st.sampled_from(sorted(REDUCTIONS)), sd=shape_and_dims(), keep=st.booleans(),
       seed=st.integers(0, 2**16))
def test_reductions_over_random_dims(op, sd, keep, seed):
    shape, dims = sd
    a_np = np.asarray(np.random.default_rng(seed).standard_normal(shape))
    ours, ref = REDUCTIONS[op]
    x = cg.tensor(a_np, requires_grad=True)
    y = ours(x, dims, keep)
    np.testing.assert_allclose(y.detach().numpy(), ref(a_np, dims, keep), rtol=1e-10,
                               atol=1e-12)
    (g,) = cg.autograd.grad(y.sum(), x)
    assert g.shape == x.shape and np.isfinite(g.numpy()).all()
    if op == "sum":
        np.testing.assert_array_equal(g.numpy(), np.ones(shape))
    if op in ("amax", "amin"):  # no ties in random data: one 1 per reduced slice
        np.testing.assert_allclose(g.numpy().sum(axis=dims), 1.0)


@SETTINGS
@given(shape=hnp.array_shapes(min_dims=1, max_dims=4, max_side=4), data=st.data())
def test_permute_reshape_roundtrip_and_gradient(shape, data):
    perm = data.draw(st.permutations(range(len(shape))))
    a_np = np.arange(float(np.prod(shape))).reshape(shape)
    x = cg.tensor(a_np, requires_grad=True)
    p = x.permute(*perm)
    np.testing.assert_array_equal(p.detach().numpy(), a_np.transpose(perm))
    back = p.reshape(-1).reshape(p.shape).permute(*np.argsort(perm))
    np.testing.assert_array_equal(back.detach().numpy(), a_np)
    w = np.random.default_rng(0).standard_normal(p.shape)
    (g,) = cg.autograd.grad(p, x, cg.tensor(w))
    np.testing.assert_array_equal(g.numpy(), w.transpose(np.argsort(perm)))


@st.composite
def basic_index(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5))
    key = []
    for s in shape:
        kind = draw(st.sampled_from(["slice", "int", "all"]))
        if kind == "int":
            key.append(draw(st.integers(-s, s - 1)))
        elif kind == "slice":
            start = draw(st.none() | st.integers(-s - 1, s + 1))
            stop = draw(st.none() | st.integers(-s - 1, s + 1))
            step = draw(st.none() | st.integers(1, 3) | st.integers(-3, -1))
            key.append(slice(start, stop, step))
        else:
            key.append(slice(None))
    if draw(st.booleans()):
        key.insert(draw(st.integers(0, len(key))), None)
    return shape, tuple(key)


@SETTINGS
@given(sk=basic_index(), seed=st.integers(0, 2**16))
def test_basic_indexing_values_gradient_and_view(sk, seed):
    shape, key = sk
    a_np = np.random.default_rng(seed).standard_normal(shape)
    x = cg.tensor(a_np, requires_grad=True)
    y = x[key]
    np.testing.assert_array_equal(y.detach().numpy(), a_np[key])
    w = np.random.default_rng(seed + 1).standard_normal(a_np[key].shape)
    (g,) = cg.autograd.grad(y, x, cg.tensor(w))
    expected = np.zeros(shape)
    expected[key] += w
    np.testing.assert_array_equal(g.numpy(), expected)


@SETTINGS
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), data=st.data())
def test_advanced_indexing_with_repeats_scatter_adds(shape, data):
    idx = data.draw(st.lists(st.integers(-shape[0], shape[0] - 1), min_size=1, max_size=6))
    a_np = np.random.default_rng(len(idx)).standard_normal(shape)
    x = cg.tensor(a_np, requires_grad=True)
    y = x[cg.tensor(idx)]
    w = np.random.default_rng(7).standard_normal(y.shape)
    (g,) = cg.autograd.grad(y, x, cg.tensor(w))
    expected = np.zeros(shape)
    np.add.at(expected, np.array(idx), w)
    np.testing.assert_allclose(g.numpy(), expected, rtol=1e-12, atol=1e-15)


@SETTINGS
@given(n=st.integers(1, 3), sizes=st.lists(st.integers(1, 4), min_size=4, max_size=4),
       batch=st.booleans(), seed=st.integers(0, 2**16))
def test_einsum_matmul_chains_match_matmul(n, sizes, batch, seed):
    rng = np.random.default_rng(seed)
    letters = "ijkl"
    b = "z" if batch else ""
    shapes = [((2,) if batch else ()) + (sizes[k], sizes[k + 1]) for k in range(n)]
    arrays = [rng.standard_normal(s) for s in shapes]
    terms = [b + letters[k] + letters[k + 1] for k in range(n)]
    eq = ",".join(terms) + "->" + b + letters[0] + letters[n]
    xs = [cg.tensor(a, requires_grad=True) for a in arrays]
    ys = [cg.tensor(a, requires_grad=True) for a in arrays]
    e = cg.einsum(eq, *xs)
    m = ys[0]
    for t in ys[1:]:
        m = m @ t
    np.testing.assert_allclose(e.detach().numpy(), m.detach().numpy(), rtol=1e-10, atol=1e-12)
    w = cg.tensor(rng.standard_normal(tuple(m.shape)))
    for ge, gm in zip(cg.autograd.grad(e, xs, w), cg.autograd.grad(m, ys, w)):
        np.testing.assert_allclose(ge.numpy(), gm.numpy(), rtol=1e-10, atol=1e-12)


@SETTINGS
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3),
       seed=st.integers(0, 2**16))
def test_engines_agree_bitwise_on_random_graphs(shapes, seed):
    rng = np.random.default_rng(seed)
    arrays = [_arr(rng, s, positive=True) for s in shapes.input_shapes]

    def run(name):
        with cg.engine.use(name):
            a, b, c = (cg.tensor(x, requires_grad=True) for x in arrays)
            y = (cg.maximum(a, b).sqrt() * c.clamp(0.7, 1.5) + (a / c).log1p()).var()
            y = y + cg.where(a > b, a, c).amax() + (a * b * c).norm(p=3)
            return [g.numpy() for g in cg.autograd.grad(y, [a, b, c])]

    for g_cpp, g_py in zip(run("cpp"), run("python")):
        np.testing.assert_array_equal(g_cpp, g_py)
