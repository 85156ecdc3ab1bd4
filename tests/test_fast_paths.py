"""The C++ engine's native forward fast paths and backward kernels agree bit for bit with the
pure-Python reference engine, fall back to the Python ops wherever they do not apply, and keep
NumPy's floating-point warnings and errstate behaviour.

Tests that compare the two engines build the same computation inside each engine themselves, so
they run once (under the ``cpp`` parametrization of the autouse ``engine`` fixture).
"""

from __future__ import annotations

import gc
import warnings
import weakref

import numpy as np
import pytest

import chaingrad as cg
from chaingrad import _core
from chaingrad import engine as _engine

from ._helpers import bits_equal, garbage_of_ours

F32, F64 = np.float32, np.float64





def run(engine_name: str, fn, arrays, grad=True):
    """fn(*tensors) under one engine: (output array, grad_fn name, grads of the inputs)."""
    with _engine.use(engine_name):
        ts = [cg.tensor(a, requires_grad=grad and a.dtype in (F32, F64)) for a in arrays]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = fn(*ts)
            name = out.grad_fn.name() if out.grad_fn is not None else None
            if grad and out.requires_grad:
                g = np.linspace(-1.5, 2.0, out._data.size).reshape(out.shape).astype(out.dtype)
                out.backward(gradient=cg.tensor(g))
        grads = [t.grad._data if t.grad is not None else None for t in ts]
        return out._data, name, grads


def assert_engines_agree(fn, *arrays, grad=True):
    o1, n1, g1 = run("cpp", fn, arrays, grad)
    o2, n2, g2 = run("python", fn, arrays, grad)
    assert bits_equal(o1, o2), (o1, o2)
    assert n1 == n2
    for a, b in zip(g1, g2):
        assert (a is None) == (b is None)
        if a is not None:
            assert bits_equal(a, b), (a, b)


def _values(shape, dtype, seed=0, positive=False):
    rng = np.random.default_rng(seed)
    v = rng.standard_normal(shape) * 2
    if positive:
        v = np.abs(v) + 0.1
    return np.asarray(v, dtype=dtype)


SHAPES = [(), (1,), (16,), (3, 4)]
BINARY = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b, "method_add": lambda a, b: a.add(b),
    "method_mul": lambda a, b: a.mul(b), "method_div": lambda a, b: a.div(b),
    "method_sub": lambda a, b: a.sub(b),
}


@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("op", sorted(BINARY))
def test_binary_same_shape(both, op, shape, dtype):
    a, b = _values(shape, dtype, 1), _values(shape, dtype, 2, positive=True)
    assert_engines_agree(BINARY[op], a, b)


@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("shapes", [((3, 4), ()), ((), (3, 4)), ((3, 4), (1, 1)), ((5,), (1,)),
                                    ((3, 4), (4,)), ((4,), (3, 4)), ((3, 1), (1, 4)),
                                    ((2, 3, 4), (3, 1))])
@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
def test_binary_broadcast(both, op, shapes, dtype):
    a, b = _values(shapes[0], dtype, 3), _values(shapes[1], dtype, 4, positive=True)
    assert_engines_agree(BINARY[op], a, b)


SCALAR_OPS = {
    "add": lambda a, s: a + s, "radd": lambda a, s: s + a, "sub": lambda a, s: a - s,
    "rsub": lambda a, s: s - a, "mul": lambda a, s: a * s, "rmul": lambda a, s: s * a,
    "div": lambda a, s: a / s, "rdiv": lambda a, s: s / a, "pow": lambda a, s: a ** s,
}


@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("shape", [(), (16,), (3, 4)])
@pytest.mark.parametrize("s", [0.1, 3, -2.5, 1e-3, 7.0, 1 << 30])
@pytest.mark.parametrize("op", sorted(SCALAR_OPS))
def test_scalar_operand(both, op, s, shape, dtype):
    a = _values(shape, dtype, 5, positive=op in ("pow", "rdiv"))
    if op == "pow" and abs(s) > 10:
        s = 1.3
    assert_engines_agree(lambda t: SCALAR_OPS[op](t, s), a)


@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("e", [0, 1, 2, 3, 0.5, -0.5, -1, -2, 1.7, -3, 2.5, 0.0, 1.0, True])
def test_pow_exponents(both, e, dtype):
    a = _values((16,), dtype, 6, positive=True)
    assert_engines_agree(lambda t: t ** e, a)
    assert_engines_agree(lambda t: t.pow(e), a)


UNARY = {
    "neg": lambda t: -t, "neg_m": lambda t: t.neg(), "exp": lambda t: t.exp(),
    "log": lambda t: t.log(), "tanh": lambda t: t.tanh(), "sigmoid": lambda t: t.sigmoid(),
    "relu": lambda t: t.relu(), "fn_tanh": lambda t: cg.tanh(t),
}


@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("shape", SHAPES + [(257,)])
@pytest.mark.parametrize("op", sorted(UNARY))
def test_unary(both, op, shape, dtype):
    a = _values(shape, dtype, 7, positive=op == "log") * (1 if op == "log" else 3)
    assert_engines_agree(UNARY[op], a.astype(dtype))


@pytest.mark.parametrize("dtype", [F32, F64])
def test_special_values(both, dtype):
    vals = np.array([0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 1e-30, -1e-30, 30.0, -30.0,
                     88.0, -88.0, 1e30], dtype=dtype)
    for op in ("neg", "exp", "tanh", "sigmoid", "relu"):
        assert_engines_agree(UNARY[op], vals)
    for op in ("add", "sub", "mul", "div"):
        assert_engines_agree(BINARY[op], vals, vals[::-1].copy())
    for op in ("mul", "add", "rdiv", "div"):
        assert_engines_agree(lambda t, op=op: SCALAR_OPS[op](t, 2.5), vals)
    assert_engines_agree(lambda t: t ** 2, vals)
    assert_engines_agree(lambda t: t ** 0.5, vals)
    assert_engines_agree(lambda t: t.log(), np.abs(vals))


def test_chained_graph_matches_reference(both):
    """The bench's scalar block and chain block, many times over, bit for bit."""
    def scalar_block(a, w, b):
        t = acc = a
        for _ in range(200):
            t = ((t * w + b).tanh() ** 2).relu()
            acc = acc + t
        return acc

    def chain(x, w, c):
        for _ in range(100):
            x = (x * w + c).tanh()
        return x.sum()

    s = [np.asarray(v, F32) for v in (0.5, 0.5, 0.3)]
    assert_engines_agree(scalar_block, *s)
    rng = np.random.default_rng(0)
    v = [rng.uniform(-1, 1, 16).astype(F32), np.ones(16, F32), np.zeros(16, F32)]
    assert_engines_agree(chain, *v)


def test_fan_in_accumulation_matches_reference(both):
    rng = np.random.default_rng(1)
    cs = list(rng.standard_normal((50, 16)).astype(F32))

    def fan(x):
        acc = x * cg.tensor(cs[0])
        for c in cs[1:]:
            acc = acc + x * cg.tensor(c)
        return acc.sum()

    assert_engines_agree(fan, rng.standard_normal(16).astype(F32))


def test_mlp_step_matches_reference(both):
    rng = np.random.default_rng(2)
    arrays = [rng.standard_normal((8, 5)).astype(F32), rng.standard_normal((5, 7)).astype(F32),
              rng.standard_normal(7).astype(F32), rng.standard_normal((7, 3)).astype(F32),
              np.zeros(3, F32)]

    def step(x, w1, b1, w2, b2):
        h = (x @ w1 + b1).relu()
        z = h @ w2 + b2
        m = cg.tensor(z._data.max(axis=1, keepdims=True))
        z = z - m
        logp = z - z.exp().sum(dim=1, keepdim=True).log()
        return -(logp * cg.tensor(np.eye(3, dtype=F32)[[0, 1, 2, 0, 1, 2, 0, 1]])).sum(dim=1).mean()

    assert_engines_agree(step, *arrays)


# -- fallbacks: same results as the Python ops, through them ----------------------------------

def test_fallback_cases_agree(both):
    f32 = _values((3, 4), F32, 8)
    f64 = _values((3, 4), F64, 9)
    i64 = np.arange(12).reshape(3, 4)
    assert_engines_agree(lambda a, b: a * b, f32, f64)  # mixed dtypes
    assert_engines_agree(lambda a, b: a + b, f32, i64)
    assert_engines_agree(lambda a: a * np.float32(2), f32)  # NumPy scalar
    assert_engines_agree(lambda a: a * np.full((3, 4), 2, F32), f32)  # ndarray operand
    assert_engines_agree(lambda a: np.full((3, 4), 2, F32) - a, f32)
    assert_engines_agree(lambda a, b: a.add(b, alpha=2), f32, f32)  # keyword
    assert_engines_agree(lambda a: a.T * 2.0, f32)  # non-contiguous operand
    assert_engines_agree(lambda a: a.T.tanh(), f32)
    assert_engines_agree(lambda a: a * True, f32)  # bool scalar
    assert_engines_agree(lambda a: a + (1 << 40), f32)  # int beyond float32's exact range
    assert_engines_agree(lambda a: a ** 2, f32.astype(np.float16))
    assert_engines_agree(lambda a: a * 3, i64, grad=False)


def test_error_paths_are_the_python_ops():
    a = cg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(ValueError, match="cannot be broadcast"):
        a + cg.tensor([1.0, 2.0])
    with pytest.raises(TypeError):
        a * "x"
    with pytest.raises(TypeError):
        a.tanh(1)
    with pytest.raises(TypeError, match="bool"):
        -cg.tensor([True])


def test_floating_point_warnings_match(both):
    big = np.array([3e38, 1.0], F32)
    for name in ("cpp", "python"):
        with _engine.use(name):
            x = cg.tensor(big, requires_grad=True)
            with pytest.warns(RuntimeWarning, match="overflow"):
                y = x * 10.0
            assert np.isinf(y._data[0])
            with pytest.warns(RuntimeWarning, match="divide by zero"):
                cg.tensor([0.0, 1.0]).log()
            with np.errstate(over="raise"):
                with pytest.raises(FloatingPointError):
                    x * x
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                x * 0.5  # no warning where NumPy gives none


@pytest.mark.parametrize("shape", [(), (4,), (40,)])
@pytest.mark.parametrize("op,value,flag", [("exp", 100.0, "overflow"),
                                          ("exp", -120.0, "underflow")])
def test_simd_loop_flags_reach_numpys_handling(engine, shape, op, value, flag):
    # NumPy's float32 SIMD exp reports overflow/underflow on the x87 status word, not in
    # MXCSR: the fast path must see it there too and warn or raise as NumPy does.
    a = np.full(shape, value, F32)
    with np.errstate(over="warn", under="warn"), pytest.warns(RuntimeWarning, match=flag):
        want = getattr(np, op)(a)
    with np.errstate(over="warn", under="warn"), pytest.warns(RuntimeWarning, match=flag):
        got = getattr(cg.tensor(a, requires_grad=True), op)()
    assert got._data.tobytes() == want.tobytes()
    with np.errstate(over="raise", under="raise"), pytest.raises(FloatingPointError, match=flag):
        getattr(cg.tensor(a), op)()


def test_reference_engine_is_not_routed_through_core():
    with _engine.use("python"):
        x = cg.tensor([1.0], requires_grad=True)
        y = x * 2.0 + x.tanh()
        assert type(y.grad_fn).__module__.startswith("chaingrad._reference")


def test_fast_path_used_for_common_cases(engine):
    import os

    if os.environ.get("CHAINGRAD_FAST_OPS", "1").strip() == "0":
        pytest.skip("fast paths switched off (CHAINGRAD_FAST_OPS=0)")
    # Fails (rather than skips) when the Tensor class changed so that the C++ constructor can no
    # longer mirror Tensor._from_array: the fast paths then stay off, silently slow.
    assert _core.fast_ops_stats()["enabled"]
    before = _core.fast_ops_stats()["fast"]
    x = cg.tensor(np.ones(16, F32), requires_grad=True)
    ((x * x + 1.0).tanh() - x).relu()
    assert _core.fast_ops_stats()["fast"] - before == (5 if engine == "cpp" else 0)
    assert all(all(v) for v in _core.fast_ops_stats()["numpy_loops"].values())


def test_no_grad_and_requires_grad_propagation():
    x = cg.tensor([1.0, 2.0], requires_grad=True)
    c = cg.tensor([3.0, 4.0])
    with cg.no_grad():
        y = x * c
    assert y.grad_fn is None and not y.requires_grad and y.is_leaf
    z = c * c + 1.0
    assert z.grad_fn is None and not z.requires_grad
    w = c * x
    assert w.requires_grad and w.grad_fn.name() == "MulBackward0"
    fns = w.grad_fn.next_functions
    assert fns[0] == (None, 0) and fns[1][0].name() == "AccumulateGrad"


def test_node_introspection_matches_reference(both):
    def describe(name):
        with _engine.use(name):
            a = cg.tensor([2.0, 3.0], requires_grad=True)
            y = (1.0 / a) * a.exp() - a ** 2.5
            out = []
            stack = [y.grad_fn]
            while stack:
                n = stack.pop()
                if n is None:
                    continue
                out.append((n.name(), n.kind, tuple(n.scalars),
                            tuple(None if m is None else (tuple(m[0]), str(m[1])) for m in n.meta),
                            len(n.next_functions)))
                if n.name() != "AccumulateGrad":
                    out.append(tuple(np.asarray(s).tolist() if not hasattr(s, "_data")
                                     else s._data.tolist() for s in n.saved_tensors))
                stack.extend(f for f, _ in n.next_functions)
            return out

    assert describe("cpp") == describe("python")


class Sub(cg.Tensor):
    __slots__ = ()


def test_tensor_subclass_operands():
    p = Sub._from_array(np.array([1.0, 2.0], F32))
    p.requires_grad = True
    y = (p * 3.0 + p).tanh()
    assert type(y) is cg.Tensor
    y.sum().backward()
    assert p.grad is not None and p.grad.shape == (2,)


# -- gradient buffers reused in place: never visible to anyone else ----------------------------

def test_hooked_gradients_are_not_overwritten():
    seen = []
    x = cg.tensor(np.linspace(-1, 1, 8, dtype=F32), requires_grad=True)
    h = x * 2.0
    h.register_hook(lambda g: seen.append(g) or None)
    u = h.tanh()
    u.register_hook(lambda g: seen.append(g) or None)
    y = (u * 3.0).exp().sum()
    y.backward()
    g_u, g_h = seen[0]._data.copy(), seen[1]._data.copy()
    ref = np.exp(3 * np.tanh(2 * x._data)) * 3
    np.testing.assert_allclose(g_u, ref, rtol=1e-6)
    np.testing.assert_allclose(g_h, ref * (1 - np.tanh(2 * x._data) ** 2), rtol=1e-5)
    np.testing.assert_array_equal(seen[0]._data, g_u)  # still the values the hook saw
    np.testing.assert_array_equal(seen[1]._data, g_h)


def test_retained_and_captured_gradients_are_not_overwritten():
    x = cg.tensor(np.ones(4, F32), requires_grad=True)
    h = x * 2.0
    h.retain_grad()
    y = (h.tanh() * 5.0).sum()
    (gh,) = cg.autograd.grad(y, [h], retain_graph=True)
    snapshot = gh._data.copy()
    y.backward()
    np.testing.assert_array_equal(gh._data, snapshot)
    # retain_grad also saw the autograd.grad pass (both engines do this)
    np.testing.assert_array_equal(h.grad._data, snapshot + snapshot)


def test_leaf_grad_accumulates_in_place_and_bumps_version():
    x = cg.tensor(np.ones(4, F32), requires_grad=True)
    (x * 2.0).sum().backward()
    g = x.grad
    g._version_counter()  # exists once someone saved or viewed the tensor
    v0 = g._version
    (x * 3.0).sum().backward()
    assert x.grad is g and g._version == v0 + 1
    np.testing.assert_array_equal(g._data, [5, 5, 5, 5])


def test_user_gradient_array_is_never_written():
    x = cg.tensor(np.ones(3, F32), requires_grad=True)
    g = np.array([1.0, 2.0, 3.0], F32)
    gt = cg.tensor(g)
    (x.tanh() * 2.0).backward(gradient=gt)
    (x.tanh() * 2.0).backward(gradient=gt)
    np.testing.assert_array_equal(gt._data, [1.0, 2.0, 3.0])


def test_saved_tensor_version_check_on_fast_path():
    x = cg.tensor(np.ones(3, F32), requires_grad=True)
    h = x * 2.0
    y = h * h
    with cg.no_grad():
        h.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()
    e = x.exp()
    with cg.no_grad():
        e.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        e.sum().backward()


def test_saved_values_released_and_second_backward_raises():
    x = cg.tensor(np.ones(3, F32), requires_grad=True)
    h = x * 3.0
    y = (h * h).sum()
    r = weakref.ref(h)
    del h
    assert r() is not None
    y.backward()
    assert r() is None
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_create_graph_through_fast_nodes_matches_reference(both):
    def second(name):
        with _engine.use(name):
            x = cg.tensor(np.array([0.3, -0.7], F64), requires_grad=True)
            y = ((x * x).tanh() * 2.0 + x.sigmoid() / (x + 3.0) - x.relu() ** 3).sum()
            (g,) = cg.autograd.grad(y, x, create_graph=True)
            (gg,) = cg.autograd.grad(g.sum(), x)
            return g._data, gg._data

    a, b = second("cpp"), second("python")
    assert bits_equal(a[0], b[0]) and bits_equal(a[1], b[1])


def test_graph_has_no_cycles_and_nodes_are_freed():
    gc.collect()
    gc.disable()
    try:
        x = cg.tensor(np.ones(3, F32), requires_grad=True)
        y = ((x * 2.0).tanh() + x).sum()
        r = weakref.ref(y.grad_fn)
        y.backward()
        del y
        assert r() is None
        assert garbage_of_ours() == []
    finally:
        gc.enable()


def test_cycle_through_hook_is_collected():
    gc.collect()
    x = cg.tensor(np.ones(2, F32), requires_grad=True)
    y = x * 2.0
    node = y.grad_fn
    holder = {}
    # closure -> dict -> node -> closure (holder is deleted below; the closure keeps the cell)
    node.register_hook(lambda gi, go: holder)  # noqa: F821
    holder["node"] = node
    r = weakref.ref(node)
    del y, node, holder
    gc.collect()
    assert r() is None


def test_tensors_of_the_other_engine_give_a_clear_error(both):
    with _engine.use("python"):
        x = cg.tensor([1.0], requires_grad=True)
        y = x * 2.0
    with pytest.raises(RuntimeError, match="another engine"):
        y * 3.0


def test_node_cannot_be_instantiated_and_rejects_foreign_self(both):
    with pytest.raises(TypeError):
        type(( cg.tensor([1.0], requires_grad=True) * 2.0).grad_fn)()
    fn = (cg.tensor([1.0], requires_grad=True) * 2.0).grad_fn
    with pytest.raises(TypeError):
        type(fn).name(42)


def test_deep_chain_of_fast_nodes():
    x = cg.tensor(1.0, dtype=cg.float64, requires_grad=True)
    y = x
    for _ in range(300_000):
        y = (y * 1.0).tanh() + 0.0
    y.backward()
    assert x.grad is not None
    del y


# -- matmul and reductions: NumPy computes, C++ wraps and records ------------------------------

@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("shapes", [((5,), (5,)), ((3, 5), (5,)), ((5,), (5, 4)), ((3, 5), (5, 4)),
                                    ((2, 3, 5), (5, 4)), ((2, 3, 5), (2, 5, 4)), ((5,), (2, 5, 4)),
                                    ((2, 3, 5), (5,))])
def test_matmul_shapes(both, shapes, dtype):
    a, b = _values(shapes[0], dtype, 10), _values(shapes[1], dtype, 11)
    assert_engines_agree(lambda x, y: x @ y, a, b)
    assert_engines_agree(lambda x, y: x.matmul(y), a, b)


@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("args", [{}, {"dim": 0}, {"dim": 1}, {"dim": -1, "keepdim": True},
                                  {"dim": (0, 2)}, {"dim": (2, 0), "keepdim": True},
                                  {"dim": (0, 1, 2)}, {"keepdim": True},
                                  {"dim": 1, "keepdim": False}])
@pytest.mark.parametrize("op", ["sum", "mean"])
def test_reductions(both, op, args, dtype):
    a = _values((7, 13, 5), dtype, 12) * 100
    assert_engines_agree(lambda t: getattr(t, op)(**args), a)
    if "dim" in args and "keepdim" in args:
        assert_engines_agree(lambda t: getattr(t, op)(args["dim"], args["keepdim"]), a)


def test_mean_rounds_like_numpy(both):
    rng = np.random.default_rng(13)
    for n in (3, 7, 11, 13, 37, 97, 1000):
        a = (rng.standard_normal((n, 9)) * 1e3).astype(F32)
        assert_engines_agree(lambda t: t.mean(dim=0), a)
        assert_engines_agree(lambda t: t.mean(), a)


def test_reduction_fallbacks_and_errors():
    a = cg.tensor(np.ones((2, 3), F32), requires_grad=True)
    assert a.sum(dim=[0, 1]).item() == 6.0  # list dims: the Python op
    assert a.sum(dim=np.int64(1)).shape == (2,)
    with pytest.raises(IndexError, match="out of range"):
        a.sum(dim=2)
    with pytest.raises(RuntimeError, match="multiple times"):
        a.sum(dim=(1, -1))
    with pytest.raises(TypeError):
        a.sum(axis=1)
    with pytest.raises(RuntimeError, match="could not infer output dtype"):
        cg.tensor([1, 2]).mean()
    assert cg.tensor(2.5, requires_grad=True).sum(dim=0).item() == 2.5  # 0-d
    with pytest.raises(RuntimeError, match="at least 1D"):
        a @ cg.tensor(1.0)
    with pytest.raises(ValueError, match="cannot be multiplied"):
        a @ cg.tensor(np.ones((2, 2), F32))


def test_products_accumulated_into_shared_buffers(both):
    """MUL gradients are added straight into an owned buffer: same sums, same order."""
    rng = np.random.default_rng(14)

    def f(x, w):
        acc = x * x
        for k in range(20):
            acc = acc + (x * w) * float(k + 1) + x * x
        return (acc * w).sum()

    for shape, dt in (((16,), F32), ((), F64)):
        assert_engines_agree(f, rng.standard_normal(shape).astype(dt),
                             rng.standard_normal(shape).astype(dt))


def test_threads_with_long_loops_that_release_the_gil(engine):
    """Loops over >= 32768 elements run without the GIL; concurrent passes stay correct.

    The graphs are built first; the threads run backward passes and forward computations on
    tensors that need no grad (grad mode is per thread: tests/test_threads.py).
    """
    import threading

    from chaingrad import grad_mode

    n = 40_000
    rng = np.random.default_rng(15)
    data = [rng.standard_normal(n).astype(F64) for _ in range(4)]

    def build(k):
        x = cg.tensor(data[k], requires_grad=True)
        w = cg.tensor(data[(k + 1) % 4], requires_grad=True)
        y = ((x * w + 1.0).tanh() * x - w.sigmoid() / 3.0).relu().sum()
        return x, w, y

    def forward_only(k):
        t = cg.tensor(data[k])  # requires no grad: nothing is recorded whatever the mode
        return ((t * t + 1.0).tanh() * 2.0 - t.exp() / 3.0).relu()._data.copy()

    expected_f = [forward_only(k) for k in range(4)]
    graphs = [build(k) for k in range(4)]
    for _x, _w, y in graphs:
        y.backward(retain_graph=True)
    expected_g = [(x.grad._data.copy(), w.grad._data.copy()) for x, w, _ in graphs]
    for x, w, _ in graphs:
        x.grad = None
        w.grad = None
    results = [None] * 8

    def run(k):
        if k < 4:
            x, w, y = graphs[k]
            y.backward()
            results[k] = (x.grad._data.copy(), w.grad._data.copy())
        else:
            results[k] = forward_only(k - 4)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(8)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        grad_mode._enabled[0] = True
    for k in range(4):
        assert bits_equal(results[k][0], expected_g[k][0])
        assert bits_equal(results[k][1], expected_g[k][1])
        assert bits_equal(results[4 + k], expected_f[k])


def test_replaced_python_ops_are_kept():
    from chaingrad.ops import _fast, elementwise, indexing, shape

    if not _fast.REPLACED:
        pytest.skip("fast paths not installed (CHAINGRAD_FAST_OPS=0 or no C++ core)")
    assert _fast.python_op("tanh") is elementwise.tanh
    assert _fast.python_op("__mul__") is elementwise.mul
    assert _fast.python_op("reshape") is shape.reshape
    assert _fast.python_op("__getitem__") is indexing.getitem
    assert _fast.python_op("flatten") is cg.Tensor.flatten  # no fast path: the attribute itself
