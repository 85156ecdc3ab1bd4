"""Module-level functions (``torch.tanh(x)``, ``torch.mul(a, b)``, ``F.relu(x)``,
``torch.tensor(0.5, dtype=..., requires_grad=True)``, ``torch.from_numpy(a)``) take the same C++
fast paths as the methods, agree with them bit for bit on both engines, and fall back to the
Python functions (or raise torch's TypeError) for anything else."""

from __future__ import annotations

import numpy as np
import pytest

import chaingrad as cg
import chaingrad.nn.functional as F
from chaingrad import _core
from chaingrad import engine as _engine
from chaingrad.ops import _fast

from ._helpers import bits_equal

F32, F64 = np.float32, np.float64
FAST = bool(_fast.REPLACED)

UNARY = ["neg", "exp", "log", "tanh", "sigmoid", "relu"]
BINARY = ["add", "sub", "mul", "div", "multiply", "divide", "true_divide"]


def _leaf(v, dtype):
    return cg.tensor(np.asarray(v, dtype=dtype), requires_grad=True)


def _both_ways(fn_module, fn_method, arrays, dtype):
    """(output, grad_fn name, input grads) via the module function and via the method."""
    res = []
    for fn in (fn_module, fn_method):
        ts = [_leaf(a, dtype) for a in arrays]
        out = fn(*ts)
        out.backward(cg.ones_like(out))
        res.append((out._data, out.grad_fn.name(), [t.grad._data for t in ts]))
    return res


def test_installed_as_builtins():
    if not FAST:
        pytest.skip("fast paths disabled")
    for name in UNARY + BINARY + ["pow", "matmul", "sum", "mean", "tensor", "from_numpy"]:
        assert type(getattr(cg, name)).__name__ == "builtin_function_or_method", name
    for fn in (F.relu, F.tanh, F.sigmoid):
        assert type(fn).__name__ == "builtin_function_or_method"
    assert cg.tanh.__name__ == "tanh" and cg.tanh.__module__ == "chaingrad"
    assert ("chaingrad", "tanh") in _fast.REPLACED_FUNCTIONS


@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("shape", [(), (5,), (2, 3)])
@pytest.mark.parametrize("name", UNARY)
def test_unary_function_equals_method(engine, name, shape, dtype):
    a = np.abs(np.random.default_rng(0).standard_normal(shape)) + 0.25
    method = {"neg": "neg"}.get(name, name)
    (o1, n1, g1), (o2, n2, g2) = _both_ways(getattr(cg, name),
                                            lambda t: getattr(t, method)(), [a], dtype)
    assert bits_equal(o1, o2) and n1 == n2 and bits_equal(g1[0], g2[0])


@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("name", BINARY + ["pow"])
def test_binary_function_equals_method(engine, name, dtype):
    rng = np.random.default_rng(1)
    a, b = np.abs(rng.standard_normal((2, 3))) + 0.5, rng.standard_normal((2, 3))
    meth = {"multiply": "mul", "divide": "div", "true_divide": "div"}.get(name, name)
    (o1, n1, g1), (o2, n2, g2) = _both_ways(getattr(cg, name),
                                            lambda x, y: getattr(x, meth)(y), [a, b], dtype)
    assert bits_equal(o1, o2) and n1 == n2
    assert all(bits_equal(x, y) for x, y in zip(g1, g2))


def test_scalars_reductions_matmul(engine):
    x = _leaf(np.arange(6.0).reshape(2, 3) + 1, F64)
    w = _leaf(np.ones((3, 2)), F64)
    assert bits_equal(cg.mul(x, 2.5)._data, (x * 2.5)._data)
    assert bits_equal(cg.pow(x, 2)._data, (x ** 2)._data)
    assert cg.pow(x, 2).grad_fn.name() == "PowBackward0"
    assert bits_equal(cg.matmul(x, w)._data, (x @ w)._data)
    assert cg.matmul(x, w).grad_fn.name() == "MmBackward0"
    assert bits_equal(cg.sum(x, 1)._data, x.sum(1)._data)
    assert bits_equal(cg.sum(x, dim=1, keepdim=True)._data, x.sum(1, True)._data)
    assert cg.mean(x).grad_fn.name() == "MeanBackward0"


def test_same_result_on_both_engines(both):
    outs = []
    for eng in ("cpp", "python"):
        with _engine.use(eng):
            a = cg.tensor(0.3, dtype=cg.float64, requires_grad=True)
            b = cg.tensor(-0.7, dtype=cg.float64, requires_grad=True)
            y = cg.relu(cg.tanh(cg.add(cg.mul(a, b), 1.0)) ** 2) + F.sigmoid(F.tanh(a))
            y.backward()
            outs.append((y._data, a.grad._data, b.grad._data, y.grad_fn.name()))
    assert all(bits_equal(p, q) for p, q in zip(outs[0][:3], outs[1][:3]))
    assert outs[0][3] == outs[1][3]


def test_fallbacks_keep_python_semantics(engine):
    a = _leaf([1.0, 2.0], F32)
    b = _leaf([3.0, 4.0], F32)
    np.testing.assert_array_equal(cg.add(a, b, alpha=2)._data, [7.0, 10.0])
    np.testing.assert_array_equal(cg.sub(a, b, alpha=0.5)._data, [-0.5, 0.0])
    np.testing.assert_array_equal(cg.sum(a, dtype=cg.float64)._data, 3.0)
    assert cg.sum(a, dtype=cg.float64).dtype == F64
    # F.relu: positional or keyword inplace=False is fast; inplace=True keeps its meaning.
    x = cg.tensor([-1.0, 2.0])
    assert F.relu(x, False) is not x and F.relu(x, inplace=False) is not x
    assert F.relu(x, True) is x
    np.testing.assert_array_equal(x._data, [0.0, 2.0])
    # integer tensors take the Python op
    np.testing.assert_array_equal(cg.mul(cg.tensor([1, 2]), 3)._data, [3, 6])


@pytest.mark.parametrize("call", [
    lambda: cg.tanh([1.0]), lambda: cg.mul(np.ones(2), cg.ones(2)),
    lambda: cg.sum(np.ones(2)), lambda: cg.matmul("x", cg.ones(2)), lambda: F.relu(None),
    lambda: F.tanh((1.0,)),
])
def test_non_tensor_input_is_type_error(engine, call):
    with pytest.raises(TypeError, match=r"argument 'input' \(position 1\) must be Tensor"):
        call()


@pytest.mark.parametrize("dtype", [cg.float32, cg.float64])
@pytest.mark.parametrize("rg", [True, False])
def test_tensor_from_float(engine, dtype, rg):
    for v in (0.1, -2.5e-300, 1e-46, float("nan"), float("-inf"), 3.4028235e38):
        t = cg.tensor(v, dtype=dtype, requires_grad=rg)
        want = np.array(v, dtype=np.float64).astype(dtype)
        assert t.dtype == dtype and t.shape == () and t.requires_grad is rg and t.is_leaf
        assert t.grad is None and t.grad_fn is None
        assert bits_equal(t._data, want)
        assert t._data.flags.writeable and t._data.flags.owndata
    t = cg.tensor(0.5, cg.float64, True)  # positional
    assert t.dtype == F64 and t.requires_grad
    assert cg.tensor(0.5).dtype == F32  # default dtype: the Python path
    assert cg.tensor(0.5, dtype=cg.float64, requires_grad=1).requires_grad  # Python path
    with pytest.warns(RuntimeWarning, match="overflow"):  # NumPy's cast warning, as before
        cg.tensor(1e300, dtype=cg.float32)
    with pytest.raises(TypeError, match="is not a dtype"):
        cg.tensor(0.5, dtype="nope")
    with pytest.raises(RuntimeError, match="floating point"):
        cg.tensor(1, dtype=cg.int64, requires_grad=True)


def test_tensor_leaf_trains(engine):
    w = cg.tensor(0.5, dtype=cg.float64, requires_grad=True)
    (cg.tanh(w) * 3.0).backward()
    assert abs(w.grad.item() - 3.0 * (1 - np.tanh(0.5) ** 2)) < 1e-15
    w.grad = None
    with cg.no_grad():
        w -= 0.1
    assert w.item() == 0.4


def test_from_numpy(engine):
    for dt in (F32, F64, np.int64, np.int32, np.uint8, np.bool_, np.float16):
        a = np.zeros(3, dtype=dt)
        t = cg.from_numpy(a)
        assert t.dtype == dt and np.shares_memory(t._data, a) and not t.requires_grad
        assert t.is_leaf and t.grad_fn is None
    a = np.arange(4.0)
    cg.from_numpy(a)._data[0] = 7.0
    assert a[0] == 7.0
    with pytest.raises(TypeError, match="from_numpy expects an np.ndarray"):
        cg.from_numpy([1.0, 2.0])
    with pytest.raises(TypeError, match="not supported"):
        cg.from_numpy(np.zeros(2, dtype=np.complex128))
    be = np.zeros(2, dtype=">f8")  # non-native byte order: the Python path decides
    assert cg.from_numpy(be).shape == (2,)


def test_counted_as_fast(both):
    if not FAST:
        pytest.skip("fast paths disabled")
    a = cg.tensor(0.5, dtype=cg.float64, requires_grad=True)
    before = _core.fast_ops_stats()["fast"]
    cg.tanh(a), F.relu(a), cg.mul(a, a), cg.tensor(0.1, dtype=cg.float64)
    assert _core.fast_ops_stats()["fast"] - before == 4


def test_reference_engine_uses_python_ops(both):
    with _engine.use("python"):
        a = cg.tensor(0.5, dtype=cg.float64, requires_grad=True)
        y = cg.tanh(a)
        assert type(y.grad_fn).__module__.startswith("chaingrad._reference")
