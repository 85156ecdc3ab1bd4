"""The native forward fast paths of the view ops (csrc/forward_shape.cpp) against the Python
ops they replaced (ops/shape.py, ops/indexing.py): the same NumPy view, view registration,
node and errors."""

from __future__ import annotations

import gc
import os
import subprocess
import sys

import numpy as np
import pytest

import chaingrad as cg
from chaingrad.ops import _fast

CASES = [
    ("view", (4, 1, 6)), ("view", ((2, -1),)), ("view", ([24],)), ("view", (-1,)),
    ("reshape", (6, 4)), ("reshape", ((3, 8),)), ("reshape", (-1, 2)),
    ("unsqueeze", (0,)), ("unsqueeze", (-1,)), ("unsqueeze", (2,)),
    ("squeeze", ()), ("squeeze", (None,)), ("squeeze", (0,)), ("squeeze", (-1,)),
    ("permute", (1, 0, 2)), ("permute", ((2, 0, 1),)), ("permute", (-1, 0, 1)),
    ("transpose", (0, 1)), ("transpose", (-1, 0)), ("transpose", (1, 1)),
    ("__getitem__", (0,)), ("__getitem__", (-1,)), ("__getitem__", (slice(1, None),)),
    ("__getitem__", ((slice(None), 2),)), ("__getitem__", ((Ellipsis, 1),)),
    ("__getitem__", ((1, Ellipsis, slice(None, None, -2)),)),
    ("__getitem__", ((slice(None, None, -1), slice(5, 1, -2), 0),)),
    ("__getitem__", ((0, 1, 2),)), ("__getitem__", (Ellipsis,)),
    ("__getitem__", ((slice(3, 3), 0),)), ("__getitem__", ((slice(-100, 100), Ellipsis),)),
]

# expand on every layout: most are errors on the layouts without a size-1 dimension (compared
# like the results), the rest broadcast the size-1 and new leading dimensions.
EXPAND_CASES = [
    ("expand", (2, 3, 4)), ("expand", (5, 2, 3, 4)), ("expand", ((1, 2, 3, 4),)),
    ("expand", ([3, 2, 3, 4],)), ("expand", (-1, -1, -1)), ("expand", (4, 2, 8)),
    ("expand", (3, 4, 5, 8)), ("expand", (2, -1, 5, -1)), ("expand", (8, 3, 4)),
    ("expand", (4, 3, 2)), ("expand", (2, 4, 6, 2)), ("expand", (2, 1, -1)),
    ("expand", (4, 1, 8)), ("expand", (0, 4, 1, 8)), ("expand", (4, 0, 8)),
    ("expand", (np.int64(3), 4, 2, 8)),
]

# (base shape, how the input is made from it through the Python ops, so that only the op
# under test differs): contiguous, a transposed view, a strided slice.
LAYOUTS = [
    ((2, 3, 4), None),
    ((4, 3, 2), ("permute", (2, 1, 0))),
    ((2, 6, 4), ("__getitem__", ((slice(None), slice(None, None, 2)),))),
    ((4, 1, 8), None),
    ((2, 1, 4), ("permute", (2, 1, 0))),
]


def _fast_installed() -> bool:
    return bool(_fast.REPLACED) and "view" in _fast.REPLACED


def _node(t: cg.Tensor) -> tuple:
    fn = t.grad_fn
    if fn is None:
        return (None,)
    return (fn.name(), fn.kind, tuple(fn.scalars), fn.next_functions[0][0] is not None)


def _describe(out: cg.Tensor, base: cg.Tensor) -> tuple:
    d = out._data
    info = out._view
    return (
        type(d), d.dtype, d.shape, d.strides, d.flags.c_contiguous, d.flags.f_contiguous,
        d.flags.writeable, d.flags.owndata, d.flags.aligned, d.dtype is base._data.dtype,
        d.base is base._data, d.base is base._data.base,
        np.shares_memory(d, base._data), out._vc is base._vc, out.requires_grad, _node(out),
        None if info is None else (info.base is (base._view.base if base._view else base),
                                   info.nograd, info.forbid),
        None if out._vc is None else len(out._vc),
    )


def _run(name: str, args: tuple, layout: int, grad: bool, fast: bool,
         dtype: type = np.float32) -> tuple:
    shape, make = LAYOUTS[layout]
    base_arr = np.arange(int(np.prod(shape))).astype(dtype).reshape(shape)
    grad = grad and np.dtype(dtype).kind == "f"
    root = cg.tensor(base_arr, requires_grad=grad)
    x = root * 1 if grad else root
    if make is not None:
        x = _fast.python_op(make[0])(x, *make[1])
    op = getattr(cg.Tensor, name) if fast else _fast.python_op(name)
    try:
        out = op(x, *args)
    except Exception as e:  # noqa: BLE001 - the exception itself is compared
        return ("raised", type(e), str(e))
    desc = _describe(out, x)
    bits = out._data.tobytes()
    if grad and out.requires_grad:
        out.backward(cg.tensor(np.ones(out.shape, dtype=out._data.dtype) * 2))
        return desc, bits, root.grad._data.tobytes()
    return desc, bits


needs_fast = pytest.mark.skipif(not _fast_installed(), reason="fast paths not installed")


@needs_fast
@pytest.mark.parametrize("grad", [False, True])
@pytest.mark.parametrize("layout", range(len(LAYOUTS)))
@pytest.mark.parametrize("case", range(len(CASES)))
def test_view_ops_match_python_ops(engine, case, layout, grad):
    name, args = CASES[case]
    assert _run(name, args, layout, grad, True) == _run(name, args, layout, grad, False)


@needs_fast
@pytest.mark.parametrize("grad", [False, True])
@pytest.mark.parametrize("layout", range(len(LAYOUTS)))
@pytest.mark.parametrize("case", range(len(EXPAND_CASES)))
def test_expand_matches_python_op(engine, case, layout, grad):
    name, args = EXPAND_CASES[case]
    assert _run(name, args, layout, grad, True) == _run(name, args, layout, grad, False)


@needs_fast
def test_expand_of_the_input_itself_and_its_siblings(engine):
    x = cg.randn(4, 1, 8, requires_grad=True)
    assert x.expand(4, 1, 8) is x and x.expand(-1, 1, -1) is x and x.expand((4, 1, 8)) is x
    o = cg.zeros(3, 4, 2, 8)
    for out in (x.expand_as(o), cg.broadcast_to(x, (3, 4, 2, 8)), cg.broadcast_to(x, [3, 4, 2, 8])):
        assert out.grad_fn.name() == "ExpandBackward0" and out._view.base is x
        assert out._data.strides == (0, 32, 0, 4) and not out._data.flags.writeable
    y = cg.broadcast_to(np.float32(2.0), 3)
    assert y.shape == (3,) and y.grad_fn is None
    with pytest.raises(RuntimeError, match="cannot be expanded"):
        x.expand_as(cg.zeros(4, 3, 7))
    with pytest.raises(TypeError, match="shape must be a sequence of ints"):
        cg.broadcast_to(x, (4, 2.0, 8))


@needs_fast
@pytest.mark.parametrize("dtype", [np.float64, np.int32, np.bool_])
def test_other_dtypes_match(engine, dtype):
    for name, args in CASES[::3] + EXPAND_CASES[::2]:
        for layout in (0, 3):
            assert (_run(name, args, layout, True, True, dtype)
                    == _run(name, args, layout, True, False, dtype))


@needs_fast
def test_no_grad_views_are_registered_with_the_flag(engine):
    x = cg.randn(3, 4, requires_grad=True)
    y = x * 2
    with cg.no_grad():
        v = y.view(12)
        s = y[1:]
    for t in (v, s):
        assert t._view.base is y and t._view.nograd and t.grad_fn is None
        assert t._vc is y._vc
    w = s.transpose(0, 1)  # a view of a view: the root base; s is outside the graph
    assert w._view.base is y and not w._view.nograd and w.grad_fn is None
    u = y[1:].transpose(0, 1)
    assert u._view.base is y and not u._view.nograd
    assert u.grad_fn.name() == "TransposeBackward0"


@needs_fast
def test_dead_views_leave_the_version_counter(engine):
    y = cg.randn(3, 4)
    vs = [y.view(12), y[0], y.transpose(0, 1), y.unsqueeze(0), y.squeeze(), y.permute(1, 0),
          y.reshape(2, 6)]
    assert len(y._vc) == 1 + len(vs)
    del vs
    gc.collect()
    assert len(y._vc) == 1
    c = y.transpose(0, 1).reshape(12)  # a copy: not a view of y
    assert c._view is None and c._vc is None and len(y._vc) == 1


@needs_fast
def test_in_place_through_fast_views(engine):
    """The registration is what in-place ops need: writes show through views and CopySlices
    gives the base its gradient."""
    a = cg.randn(3, 4, requires_grad=True)
    b = a * 1
    v = b[1]
    v.mul_(3)
    b.sum().backward()
    g = np.ones((3, 4), np.float32)
    g[1] = 3
    np.testing.assert_array_equal(a.grad.numpy(), g)
    assert b.grad_fn.name() == "CopySlices"
    b2 = (a * 1).view(12)
    t = b2.view(3, 4)
    b2.add_(1)
    assert t._version == b2._version


@needs_fast
def test_errors_are_the_python_ops(engine):
    x = cg.randn(2, 3, 4, requires_grad=True)
    bad = [
        ("view", (5, 5)), ("view", (2.0, 12)), ("view", (True, 24)), ("reshape", (5, 5)),
        ("view", (-1, -1)), ("unsqueeze", (4,)), ("unsqueeze", (1.5,)), ("squeeze", (3,)),
        ("permute", (0, 1)), ("permute", (0, 0, 1)), ("permute", (0, 1, 3)),
        ("transpose", (0, 3)), ("transpose", (0,)), ("__getitem__", (2,)),
        ("__getitem__", ((0, 0, 0, 0),)), ("__getitem__", ((Ellipsis, Ellipsis),)),
        ("__getitem__", (slice(0, 1.5),)), ("__getitem__", (1.0,)),
        ("expand", (2, 3)), ("expand", (2, 5, 4)), ("expand", (-1, 2, 3, 4)),
        ("expand", (2.0, 3, 4)), ("expand", (True, 3, 4)), ("expand", (2, -2, 4)),
        ("expand", ((2, 3, 4), 1)),
    ]
    for name, args in bad:
        got = _run(name, args, 0, True, True)
        assert got == _run(name, args, 0, True, False), (name, args)
        assert got[0] == "raised", (name, args)
    xt = x.transpose(0, 2)
    with pytest.raises(RuntimeError, match="view size"):
        xt.view(24)


@needs_fast
def test_common_forms_take_the_fast_path(engine):
    if engine != "cpp":
        pytest.skip("the reference engine always runs the Python ops")
    x = cg.randn(4, 8, requires_grad=True) * 1
    core = cg.engine.current()
    before = core.fast_ops_stats()
    x.view(4, 1, 8).unsqueeze(0).squeeze(0).permute(2, 0, 1).transpose(0, 1)[:, 2:5][0]
    x.view(4, 1, 8).expand(4, 2, 8).expand_as(cg.zeros(3, 4, 2, 8))
    after = core.fast_ops_stats()
    assert after["fast"] - before["fast"] == 10
    assert after["fallback"] == before["fallback"]


def test_python_ops_when_fast_ops_are_off():
    code = (
        "import chaingrad as cg, numpy as np\n"
        "from chaingrad.ops import shape, indexing\n"
        "assert cg.Tensor.view is shape.view and cg.Tensor.__getitem__ is indexing.getitem\n"
        "x = cg.randn(2, 3, requires_grad=True) * 1\n"
        "v = x[1].unsqueeze(0)\n"
        "assert v._view.base is x and v.grad_fn.name() == 'UnsqueezeBackward0'\n"
    )
    env = dict(os.environ, CHAINGRAD_FAST_OPS="0")
    subprocess.run([sys.executable, "-c", code], env=env, check=True)


@needs_fast
@pytest.mark.parametrize("shape", [(), (0, 3), (3, 0, 1)])
def test_zero_d_and_empty_tensors(engine, shape):
    cases = [("__getitem__", (Ellipsis,)), ("unsqueeze", (0,)), ("squeeze", ()),
             ("view", (-1,)), ("reshape", ((1,) + shape,)), ("transpose", (0, -1)),
             ("__getitem__", ((slice(1, None),),)), ("__getitem__", (0,)),
             ("expand", ((2,) + shape,)), ("expand", (-1,) * len(shape)),
             ("expand", ((0,) + shape,))]
    for name, args in cases:
        got = []
        for fast in (True, False):
            x = cg.zeros(shape, requires_grad=True) * 1
            op = getattr(cg.Tensor, name) if fast else _fast.python_op(name)
            try:
                out = op(x, *args)
            except Exception as e:  # noqa: BLE001 - the exception itself is compared
                got.append(("raised", type(e), str(e)))
                continue
            got.append(_describe(out, x))
        assert got[0] == got[1], (name, args)
