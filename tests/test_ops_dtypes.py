"""Dtypes end to end: torch's promotion, float32/float64 gradients, integer and bool tensors
for indices and masks; plus the ops' small API details (return types, Python-bool results)."""

from __future__ import annotations

import numpy as np
import pytest

import chaingrad as cg

F32, F64, I64, I32, B = cg.float32, cg.float64, cg.int64, cg.int32, cg.bool


def _t(dtype, shape=(2,)):
    return cg.ones(*shape, dtype=dtype) if dtype != B else cg.ones(*shape, dtype=B)


PROMOTION = [
    # (a dtype, a shape, b dtype, b shape, result)
    (F32, (2,), F64, (2,), F64),
    (F32, (2,), F64, (), F32),  # a 0-d tensor does not promote a dimensioned one
    (F64, (), F32, (2,), F32),
    (I64, (2,), F32, (), F32),  # but a higher category does
    (I64, (2,), F64, (2,), F64),
    (I32, (2,), I64, (2,), I64),
    (B, (2,), I32, (2,), I32),
    (B, (2,), F32, (2,), F32),
]


def _operand(dt, shape):
    return cg.ones(*shape, dtype=dt)


PROMOTING_OPS = {
    "add": lambda a, b: a + b,
    "mul": lambda a, b: a * b,
    "maximum": cg.maximum,
    "where": lambda a, b: cg.where(cg.ones(2, dtype=B), a, b),
    "clamp": lambda a, b: cg.clamp(a, min=b),
    "pow": lambda a, b: a ** b,
}


@pytest.mark.parametrize("a_dt,a_shape,b_dt,b_shape,want", PROMOTION)
@pytest.mark.parametrize("op", sorted(PROMOTING_OPS))
def test_binary_promotion_follows_torch(op, a_dt, a_shape, b_dt, b_shape, want):
    if op in ("add", "pow") and a_dt == B and b_dt == B:
        want = I64 if op == "add" else B
    r = PROMOTING_OPS[op](_operand(a_dt, a_shape), _operand(b_dt, b_shape))
    assert r.dtype == want


@pytest.mark.parametrize("a_dt,b_dt", [(F32, F64), (I32, I64), (B, F32), (I64, F32)])
def test_cat_stack_einsum_promote_like_dimensioned_operands(a_dt, b_dt):
    a, b = _operand(a_dt, (2,)), _operand(b_dt, (2,))
    want = F32 if {a_dt, b_dt} in ({B, F32}, {I64, F32}) else np.promote_types(a_dt, b_dt)
    assert cg.cat([a, b]).dtype == want and cg.stack([a, b]).dtype == want
    if B not in (a_dt, b_dt):
        assert cg.einsum("i,i->i", a, b).dtype == want


@pytest.mark.parametrize("dtype", [F32, F64])
def test_python_scalars_never_widen(dtype):
    x = cg.ones(3, dtype=dtype)
    for r in (x + 1.5, 2.0 * x, x / 3, x ** 2.5, 2.0 ** x, x.clamp(0.1, 0.2),
              cg.where(x > 0, x, 0.5), x.masked_fill(x > 0, 1e300 if dtype == F64 else 1.0),
              x.lerp(x, 0.5)):
        assert r.dtype == dtype


def test_integer_inputs_of_floating_ops_give_float32():
    i = cg.tensor([1, 4, 9])
    for r in (i.sqrt(), i / 2, i.exp(), i.log1p(), i.sin(), i.rsqrt(), i.reciprocal(),
              i + 0.5, i.logsumexp(0)):
        assert r.dtype == F32
    for r in (i.abs(), i.sign(), i.square(), i * 2, i.clamp(2, 5), i.sum(), i.prod(),
              i.cumsum(0), i.max(), i.amax(), i[[0, 0]], cg.maximum(i, i), i.flip(0)):
        assert r.dtype == I64, r
    assert cg.tensor([True, False]).sum().dtype == I64


@pytest.mark.parametrize("dtype", [F32, F64])
def test_gradients_keep_each_input_dtype(dtype):
    other = F64 if dtype == F32 else F32
    a = cg.ones(3, dtype=dtype, requires_grad=True)
    b = cg.ones(3, dtype=other, requires_grad=True)
    y = (cg.maximum(a, b * 2) * a.sqrt() + cg.einsum("i,i->i", a, b) + cg.cat([a, b])[:3])
    y.sum().backward()
    assert a.grad.dtype == dtype and b.grad.dtype == other
    (g,) = cg.autograd.grad((a.to(other) * 3).sum(), a, create_graph=True)
    assert g.dtype == dtype


def test_indices_and_masks_accept_int_and_bool_dtypes():
    x = cg.arange(6.0).reshape(2, 3)
    for idx in (cg.tensor([0, 2]), cg.tensor([0, 2], dtype=I32), np.array([0, 2]), [0, 2]):
        assert x[:, idx].tolist() == [[0.0, 2.0], [3.0, 5.0]]
        assert x.index_select(1, idx if not isinstance(idx, list) else cg.tensor(idx)).shape \
            == (2, 2)
    assert x[x > 2].tolist() == [3.0, 4.0, 5.0]
    assert x.gather(1, cg.tensor([[2], [0]], dtype=I32)).tolist() == [[2.0], [3.0]]
    assert x.masked_fill(cg.tensor([True, False, True]), -1.0).tolist() == [[-1, 1, -1],
                                                                            [-1, 4, -1]]


def test_only_float32_and_float64_can_require_grad():
    for dt in (I64, I32, B, cg.float16):
        with pytest.raises(RuntimeError, match="floating point"):
            cg.zeros(2, dtype=dt).requires_grad_()


def test_comparisons_and_logical_ops_return_bool():
    x = cg.tensor([1.0, 2.0, float("nan")])
    for r in (x.eq(1.0), x.ne(x), x.lt(2), x.le(2), x.gt(1), x.ge(1), cg.eq(x, x),
              x == 1.0, x != 1.0, x < 2, x <= 2, x > 1, x >= 1, x.isnan(), x.isfinite(),
              x.isinf(), cg.logical_not(x > 1), (x > 1) & (x < 3), (x > 1) | (x < 3),
              (x > 1) ^ (x < 3), ~(x > 1), cg.isclose(x, x), x.all(), x.any()):
        assert r.dtype == B
    assert x.isnan().tolist() == [False, False, True]
    assert (x == x).tolist() == [True, True, False]
    assert cg.isclose(x, x, equal_nan=True).tolist() == [True, True, True]
    assert cg.tensor(0.5).lt(1) and cg.tensor([1, 2]).lt(1.5).tolist() == [True, False]


def test_python_bool_results_and_return_types():
    a = cg.tensor([1.0, 2.0])
    assert cg.equal(a, a.clone()) is True and cg.equal(a, a[:1]) is False
    assert cg.allclose(a, a + 1e-9) is True and cg.allclose(a, a + 1) is False
    r = cg.max(cg.tensor([[1.0, 5.0], [7.0, 2.0]]), dim=1)
    assert isinstance(r, cg.return_types.max) and isinstance(r, tuple)
    values, indices = r
    assert values.tolist() == [5.0, 7.0] and indices.tolist() == [1, 0]
    assert r.indices.dtype == I64 and r[0] is r.values
    assert cg.min(a, 0).indices.item() == 0


def test_where_and_nonzero_index_forms():
    m = cg.tensor([[True, False], [False, True]])
    rows, cols = cg.where(m)
    assert rows.tolist() == [0, 1] and cols.tolist() == [0, 1]
    assert cg.nonzero(m).tolist() == [[0, 0], [1, 1]]
    assert [t.tolist() for t in m.nonzero(as_tuple=True)] == [[0, 1], [0, 1]]


def test_ndarray_matmul_and_reflected_ops():
    a = cg.tensor(np.eye(2) * 2.0, requires_grad=True)
    m = np.array([[1.0, 2.0], [3.0, 4.0]])
    r = m @ a
    assert isinstance(r, cg.Tensor) and r.tolist() == [[2.0, 4.0], [6.0, 8.0]]
    r.sum().backward()
    assert a.grad.tolist() == [[4.0, 4.0], [6.0, 6.0]]
    assert (1.0 - cg.tensor([3.0])).item() == -2.0 and (2 ** cg.tensor([3.0])).item() == 8.0


def test_to_accepts_torch_style_arguments():
    x = cg.tensor([1.5], requires_grad=True)
    assert x.to("cpu") is x
    assert x.to("cpu", cg.float64).dtype == F64
    assert x.to(dtype=cg.float64).dtype == F64
    assert x.to(cg.zeros(1, dtype=F64)).dtype == F64
    y = x.to(I64)
    assert y.dtype == I64 and not y.requires_grad
    assert x.long().dtype == I64 and x.int().dtype == I32 and x.bool().dtype == B
    assert x.double().dtype == F64 and x.double().float().dtype == F32
