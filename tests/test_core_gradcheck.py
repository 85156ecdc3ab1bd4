"""Finite-difference checks (float64) of the foundation ops, with broadcasting, on both engines."""

from __future__ import annotations

import numpy as np
import pytest

import chaingrad as cg
from chaingrad.autograd import gradcheck, gradgradcheck

from .conftest import t64

R = np.random.default_rng(7)


def _pos(*shape):
    return t64(R.uniform(0.5, 2.0, size=shape))


def _any(*shape):
    return t64(R.standard_normal(shape))


BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
}

SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((2, 1), (1, 4)), ((), (2, 2)), ((4, 1, 3), (2, 1))]


@pytest.mark.parametrize("op", sorted(BINARY))
@pytest.mark.parametrize("shapes", SHAPES, ids=str)
def test_binary_ops(op, shapes):
    a, b = _any(*shapes[0]), _pos(*shapes[1])
    assert gradcheck(BINARY[op], (a, b))
    assert gradgradcheck(BINARY[op], (a, b))


SCALAR = {
    "add_s": lambda a: a + 2.5,
    "radd_s": lambda a: 2.5 + a,
    "sub_s": lambda a: a - 2.5,
    "rsub_s": lambda a: 2.5 - a,
    "mul_s": lambda a: a * -1.5,
    "rmul_s": lambda a: -1.5 * a,
    "div_s": lambda a: a / 3.0,
    "rdiv_s": lambda a: 3.0 / a,
    "neg": lambda a: -a,
    "pow2": lambda a: a**2,
    "pow3": lambda a: a**3,
    "pow_half": lambda a: a**0.5,
    "pow_neg": lambda a: a**-1.5,
    "pow0": lambda a: a**0,
    "exp": lambda a: a.exp(),
    "log": lambda a: a.log(),
    "tanh": lambda a: a.tanh(),
    "sigmoid": lambda a: a.sigmoid(),
    "relu": lambda a: (a - 1.2).relu(),
    "pow_tensor": lambda a: a ** (a * 0.5),
    "rpow": lambda a: 2.0**a,
}


@pytest.mark.parametrize("op", sorted(SCALAR))
@pytest.mark.parametrize("shape", [(), (5,), (2, 3)], ids=str)
def test_unary_and_scalar_ops(op, shape):
    a = _pos(*shape)
    assert gradcheck(SCALAR[op], (a,))
    assert gradgradcheck(SCALAR[op], (a,))


REDUCE = {
    "sum": lambda a: a.sum(),
    "sum0": lambda a: a.sum(0),
    "sum_keep": lambda a: a.sum(dim=1, keepdim=True),
    "sum_neg_tuple": lambda a: a.sum(dim=(-1, 0)),
    "mean": lambda a: a.mean(),
    "mean1": lambda a: a.mean(1),
    "mean_keep": lambda a: a.mean(dim=0, keepdim=True),
}


@pytest.mark.parametrize("op", sorted(REDUCE))
def test_reductions(op):
    a = _any(3, 4)
    assert gradcheck(REDUCE[op], (a,))
    assert gradgradcheck(REDUCE[op], (a,))


MATMUL_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
                 ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)), ((1, 2, 3), (4, 3, 2))]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
def test_matmul(shapes):
    a, b = _any(*shapes[0]), _any(*shapes[1])
    assert gradcheck(lambda x, y: x @ y, (a, b))
    assert gradgradcheck(lambda x, y: x @ y, (a, b))


SHAPE_OPS = {
    "reshape": lambda a: a.reshape(4, 3) * 2,
    "view_neg": lambda a: a.view(-1),
    "transpose": lambda a: a.transpose(0, 1),
    "T": lambda a: a.T,
    "permute": lambda a: a.permute(1, 0),
    "index_int": lambda a: a[1],
    "index_slice_step": lambda a: a[::2, 1:],
    "index_neg": lambda a: a[-1, -2],
    "index_array_repeat": lambda a: a[np.array([0, 0, 2])],
    "index_mask": lambda a: a[a > 0],
    "index_none_ellipsis": lambda a: a[None, ..., 1],
    "unsqueeze": lambda a: a.unsqueeze(1),
    "expand": lambda a: a[:, :1].expand(3, 5),
}


@pytest.mark.parametrize("op", sorted(SHAPE_OPS))
def test_shape_and_indexing(op):
    a = _any(3, 4)
    assert gradcheck(SHAPE_OPS[op], (a,))
    assert gradgradcheck(SHAPE_OPS[op], (a,))


def test_composite_mlp_like():
    x, w, b = _any(4, 3), _any(3, 2), _any(2)
    f = lambda x, w, b: ((x @ w + b).tanh().sigmoid() * 2 - (x @ w).relu()).mean()  # noqa: E731
    assert gradcheck(f, (x, w, b))
    assert gradgradcheck(f, (x, w, b))


def test_gradcheck_reports_wrong_gradient():
    class Bad(cg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 3

    with pytest.raises(RuntimeError, match="Jacobian mismatch.*numerical 2.*analytical 3"):
        gradcheck(Bad.apply, (_any(3),))


def test_gradcheck_requires_float64():
    with pytest.raises(ValueError, match="float64"):
        gradcheck(lambda a: a * 2, (cg.tensor([1.0], requires_grad=True),))
