"""Tensor API, dtypes, reprs and the misuse paths of the foundation."""

from __future__ import annotations

import numpy as np
import pytest

import chaingrad as cg


def test_default_dtypes_follow_torch():
    assert cg.tensor(1.0).dtype == cg.float32
    assert cg.tensor([1, 2]).dtype == cg.int64
    assert cg.tensor([True]).dtype == cg.bool
    assert cg.tensor(1.0, dtype=cg.float64).dtype == np.float64
    assert cg.tensor(np.ones(2)).dtype == np.float64  # ndarrays keep their dtype
    assert cg.randn(2, 3).dtype == cg.float32 and cg.zeros(2).shape == (2,)


def test_reprs_match_torch():
    assert repr(cg.tensor(4.0)) == "tensor(4.)"
    assert repr(cg.tensor([12.0])) == "tensor([12.])"
    assert repr(cg.tensor([0.5, 1.25])) == "tensor([0.5000, 1.2500])"
    assert repr(cg.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(cg.tensor([2.0], requires_grad=True)) == "tensor([2.], requires_grad=True)"
    assert repr(cg.tensor([[1.0, 2.0], [3.0, 4.0]])) == "tensor([[1., 2.],\n        [3., 4.]])"
    assert repr(cg.tensor([1.0], dtype=cg.float64)) == "tensor([1.], dtype=torch.float64)"
    x = cg.tensor([2.0], requires_grad=True)
    assert repr(x * 3) == "tensor([6.], grad_fn=<MulBackward0>)"
    assert repr(x + 1) == "tensor([3.], grad_fn=<AddBackward0>)"
    assert repr(x**2) == "tensor([4.], grad_fn=<PowBackward0>)"


def test_python_scalars_do_not_promote_and_mixed_tensors_do():
    f32 = cg.tensor([1.0, 2.0])
    assert (f32 * 2.5).dtype == cg.float32
    assert (2.5 * f32).dtype == cg.float32
    assert (f32 + cg.tensor([1.0], dtype=cg.float64)).dtype == cg.float64
    assert (f32 + cg.tensor(1.0, dtype=cg.float64)).dtype == cg.float32  # 0-d doesn't win
    assert (cg.tensor([1, 2]) * 1.5).dtype == cg.float32
    assert (cg.tensor([1, 2]) / cg.tensor([2, 2])).dtype == cg.float32


def test_numpy_arrays_on_either_side():
    x = cg.tensor([1.0, 2.0], requires_grad=True)
    y = np.array([3.0, 4.0], dtype=np.float32) * x
    assert isinstance(y, cg.Tensor) and y.requires_grad
    z = x - np.array([1.0, 1.0], dtype=np.float32)
    (y.sum() + z.sum()).backward()
    np.testing.assert_array_equal(x.grad.numpy(), [4.0, 5.0])
    np.testing.assert_array_equal(np.asarray(x), [1.0, 2.0])


def test_attributes():
    x = cg.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    assert x.shape == (1, 3) and x.size() == (1, 3) and x.size(1) == 3 and x.dim() == 2
    assert x.ndim == 2 and x.numel() == 3 and x.is_leaf
    assert x.T.shape == (3, 1)
    assert x.detach().numpy().tolist() == [[1.0, 2.0, 3.0]]
    assert x.tolist() == [[1.0, 2.0, 3.0]]
    assert cg.tensor(5.0).item() == 5.0
    assert x.data.requires_grad is False
    assert len(x) == 1


def test_mismatched_shapes_name_both():
    a, b = cg.tensor(np.ones((2, 3))), cg.tensor(np.ones(4))
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4,\)"):
        a + b
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4,\)"):
        a * b
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(2, 3\)"):
        a @ a


def test_failed_op_leaves_no_half_built_graph():
    x = cg.tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(ValueError):
        x * cg.tensor(np.ones(4))
    (x * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full((2, 3), 2.0))


def test_integer_tensor_cannot_require_grad():
    with pytest.raises(RuntimeError, match="floating point"):
        cg.tensor([1, 2], requires_grad=True)
    t = cg.tensor([1, 2])
    with pytest.raises(RuntimeError, match="floating point"):
        t.requires_grad_()


def test_non_numeric_data_raises_type_error():
    with pytest.raises(TypeError, match="numeric"):
        cg.tensor(["a", "b"])
    with pytest.raises(TypeError):
        cg.tensor({"a": 1})
    with pytest.raises(TypeError):
        cg.tensor([1.0]) * "x"


def test_ragged_data_raises_value_error():
    with pytest.raises(ValueError, match="could not build"):
        cg.tensor([[1.0], [1.0, 2.0]])


def test_item_of_many_elements():
    with pytest.raises(RuntimeError, match="3 elements cannot be converted"):
        cg.tensor([1.0, 2.0, 3.0]).item()


def test_numpy_of_grad_tensor_raises_like_torch():
    x = cg.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="detach"):
        x.numpy()


def test_requires_grad_of_non_leaf_cannot_be_cleared():
    x = cg.tensor([1.0], requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match="leaf"):
        y.requires_grad = False


def test_bad_dims_raise():
    x = cg.tensor(np.ones((2, 3)))
    with pytest.raises(IndexError, match="out of range"):
        x.sum(dim=2)
    with pytest.raises(RuntimeError, match="invalid for input of size 6"):
        x.reshape(4, 2)
    with pytest.raises(RuntimeError, match="at least 1D"):
        cg.tensor(1.0) @ cg.tensor(1.0)


def test_engines_agree_bitwise(rng):
    a = rng.standard_normal((4, 5)).astype(np.float32)
    b = rng.standard_normal((5,)).astype(np.float32)
    outs = []
    for name in ("cpp", "python"):
        if name not in cg.engine.available():
            pytest.skip("C++ core not built")
        with cg.engine.use(name):
            x = cg.tensor(a, requires_grad=True)
            w = cg.tensor(b, requires_grad=True)
            y = ((x * w).sigmoid() / (w.tanh() + 2) - (x**2).relu() + (3.0 / (x.exp() + 1)))
            y.mean().backward()
            outs.append((y.detach().numpy().copy(), x.grad.numpy().copy(), w.grad.numpy().copy()))
    for u, v in zip(outs[0], outs[1]):
        np.testing.assert_array_equal(u, v)


def test_numpy_scalars_keep_their_dtype():
    assert cg.tensor(np.float64(1.5)).dtype == cg.float64
    assert cg.tensor(np.int32(3)).dtype == cg.int32


def test_deepcopy_of_leaves_and_state_dicts():
    import copy

    x = cg.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    y = copy.deepcopy(x)
    assert y is not x and y.requires_grad and y.is_leaf
    np.testing.assert_array_equal(y.grad.numpy(), [3.0, 3.0])
    with cg.no_grad():
        y.add_(1)
    np.testing.assert_array_equal(x.detach().numpy(), [1.0, 2.0])  # a real copy
    with pytest.raises(RuntimeError, match="graph leaves"):
        copy.deepcopy(x * 2)
