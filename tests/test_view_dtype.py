"""Tensor.view(dtype): bits, shapes, errors and autograd behaviour as torch 2.13's."""

from __future__ import annotations

import numpy as np
import pytest

import chaingrad as cg

torch = pytest.importorskip("torch")

_DTYPES = ["float16", "float32", "float64", "int8", "uint8", "int16", "int32", "int64", "bool"]

# Layouts as functions of a module (the same call on chaingrad and torch).
_LAYOUTS = {
    "contiguous": lambda M, x: x,
    "transposed": lambda M, x: x.t(),
    "row_slice": lambda M, x: x[1:],
    "col_prefix": lambda M, x: x[:, :4],
    "col_offset_odd": lambda M, x: x[:, 1:5],
    "col_step": lambda M, x: x[:, ::2],
    "odd_cols": lambda M, x: x[:, :3],
    "one_col": lambda M, x: x[:, :1],
    "zero_d": lambda M, x: x[0, 0],
    "empty_rows": lambda M, x: x[:0],
    "empty_cols": lambda M, x: x[:, :0],
    "expanded": lambda M, x: x[:, :1].expand(4, 8),
    "3d_permuted": lambda M, x: x.reshape(2, 2, 8).permute(1, 0, 2),
}


def _source(M, dtype: str):
    base = np.arange(32, dtype=np.int64).reshape(4, 8) * 37 % 251
    return M.tensor(base.astype(np.dtype(dtype)))


def _run(M, layout: str, src: str, dst: str):
    x = _LAYOUTS[layout](M, _source(M, src))
    return x.view(getattr(M, dst))


@pytest.mark.parametrize("layout", sorted(_LAYOUTS))
@pytest.mark.parametrize("src", ["float32", "int8", "float64", "bool"])
@pytest.mark.parametrize("dst", _DTYPES)
def test_bits_shape_and_errors_match_torch(layout, src, dst):
    try:
        expected = _run(torch, layout, src, dst)
    except RuntimeError as e:
        gist = str(e).split(" to view ")[0]  # e.g. "self.stride(-1) must be 1"
        with pytest.raises(RuntimeError, match=r"view\(dtype\): " + gist.replace("(", r"\(")
                           .replace(")", r"\)").replace(".", r"\.")):
            _run(cg, layout, src, dst)
        return
    got = _run(cg, layout, src, dst)
    assert tuple(got.shape) == tuple(expected.shape)
    assert got.dtype == np.dtype(dst)
    # Compare bytes: a bool view of arbitrary bytes, or NaN payloads, must be bit-identical.
    np.testing.assert_array_equal(np.ascontiguousarray(got.numpy()).view(np.uint8),
                                  np.ascontiguousarray(expected.numpy()).view(np.uint8))


def test_shares_memory_and_version_counter():
    x = cg.zeros(2, 4)
    v = x.view(cg.int32)
    assert np.shares_memory(v.numpy(), x.numpy())
    v.add_(1)  # 1 as int32 bits is the smallest positive float32 subnormal
    assert x._version == v._version == 1
    assert x.numpy().view(np.int32).tolist() == [[1] * 4] * 2
    x.mul_(2.0)
    assert v._version == 2


def test_not_differentiable_like_torch():
    for M in (cg, torch):
        x = M.ones(2, 4, dtype=M.float32, requires_grad=True)
        for dt in (M.float32, M.float64, M.float16, M.int32):
            v = (x * 2).view(dt)
            assert not v.requires_grad and v.is_leaf and v.grad_fn is None
        # It is a leaf of its own: it can be made to require grad and get a gradient.
        v = x.detach().view(M.float64).requires_grad_()
        (v * 3).sum().backward()
        assert v.grad is not None and float(v.grad.sum()) == 12.0


def test_write_through_view_is_seen_by_backward():
    x = cg.ones(2, 4, requires_grad=True)
    y = x * 2
    z = y * y  # saves y
    y.view(cg.int32).add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_inplace_with_grad_on_dtype_view_leaves_the_base_history_alone():
    x = cg.ones(2, 4, requires_grad=True)
    y = x * 2
    q = cg.ones(2, 2, dtype=cg.float64, requires_grad=True)
    v = y.view(cg.float64)
    v.mul_(q)  # torch allows it: the view is not a differentiable view of y
    assert v.requires_grad and y.grad_fn.name() == "MulBackward0"
    v.sum().backward()
    assert q.grad is not None


def test_keyword_and_bad_arguments():
    x = cg.zeros(2, 4)
    assert x.view(dtype=cg.int16).shape == (2, 8)
    with pytest.raises(TypeError, match="not supported"):
        x.view(np.complex64)
    with pytest.raises(TypeError, match="either a dtype or a shape"):
        x.view(8, dtype=cg.int32)
    with pytest.raises(TypeError, match="is not a dtype"):
        x.view(object())
