"""In-place ops: the no-grad fast path, torch's history rewrite, version counters shared by
views, and the cases that must be refused."""

from __future__ import annotations

import numpy as np
import pytest

import chaingrad as cg

from .conftest import t64


def _x():
    return t64([1.0, 2.0, 3.0])


# ------------------------------------------------------------------ no grad (optimizer path)
def test_no_grad_update_of_a_leaf_keeps_it_a_leaf_and_bumps_its_version():
    w = _x()
    (w * w).sum().backward()
    v0 = w._version
    with cg.no_grad():
        w -= 0.1 * w.grad
        w.mul_(2).add_(1.0, alpha=0.5)
    assert w.is_leaf and w.requires_grad and w.grad_fn is None
    np.testing.assert_allclose(w.detach().numpy(), (np.array([1, 2, 3]) * 0.8) * 2 + 0.5)
    assert w._version == v0 + 3


def test_inplace_writes_through_views_of_the_same_memory():
    a = cg.zeros(2, 3)
    a[0].fill_(1.0)
    a.T[2].add_(5.0)
    a.view(-1)[1] = 7.0
    np.testing.assert_array_equal(a.numpy(), [[1, 7, 6], [0, 0, 5]])


def test_full_integer_index_is_a_zero_dim_view():
    y = cg.tensor([[1.0, 2.0], [3.0, 4.0]])
    v = y[1, 0]
    assert v.shape == ()
    v += 10
    y[0][1].mul_(-1)
    assert y.tolist() == [[1.0, -2.0], [13.0, 4.0]]


def test_augmented_assignment_through_an_index_under_autograd():
    x = _x()
    y = x * 2
    y[[0]] += 1  # advanced index: a copy, then setitem rewrites y's history
    y[1:] = y[1:] * 3  # the out-of-place spelling of a basic-index update
    y[0] += 1  # a view: the in-place add rewrites y's history (CopySlices), then setitem
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2, 6, 6])


def test_operators_iadd_isub_imul_idiv_under_no_grad():
    t = cg.tensor([1.0, 2.0])
    u = t
    t += 1
    t -= cg.tensor([0.5, 0.5])
    t *= 4
    t /= 2
    assert u is t
    np.testing.assert_array_equal(t.numpy(), [3.0, 5.0])


def test_grad_zero_and_data_update_patterns():
    w = _x()
    (w * 3).sum().backward()
    w.grad.zero_()
    assert not w.grad.numpy().any()
    w.data.add_(1.0)
    np.testing.assert_array_equal(w.detach().numpy(), [2, 3, 4])


def test_addcmul_addcdiv_lerp_inplace_values():
    t = cg.tensor([1.0, 2.0], dtype=cg.float64)
    a = cg.tensor([2.0, 3.0], dtype=cg.float64)
    b = cg.tensor([4.0, 5.0], dtype=cg.float64)
    t.addcmul_(a, b, value=0.5)
    np.testing.assert_array_equal(t.numpy(), [1 + 4.0, 2 + 7.5])
    t.addcdiv_(a, b, value=2)
    np.testing.assert_allclose(t.numpy(), [5 + 1.0, 9.5 + 1.2])
    t.lerp_(cg.zeros(2, dtype=cg.float64), 0.75)
    np.testing.assert_allclose(t.numpy(), [6 * 0.25, 10.7 * 0.25])


# ------------------------------------------------------------------ history rewrite
def test_inplace_on_non_leaf_rewrites_history_like_torch():
    x = _x()
    y = x * 2
    old = y.grad_fn
    y.mul_(3)
    assert y.grad_fn is not old and y.grad_fn.name() == "MulBackward0"
    assert y.grad_fn.next_functions[0][0] is old
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [6, 6, 6])


def test_inplace_with_a_grad_operand_makes_a_plain_tensor_part_of_the_graph():
    x = _x()
    z = cg.zeros(3, dtype=cg.float64)
    z.add_(x * x)
    assert not z.is_leaf and z.requires_grad
    z.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2, 4, 6])


def test_residual_style_iadd_under_autograd():
    x = _x()
    h = x * 2
    h += x.tanh()
    h.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 + 1 - np.tanh([1, 2, 3]) ** 2)


def test_iadd_into_an_output_its_node_saved_fails_as_in_torch():
    x = _x()
    h = x.tanh()  # TanhBackward0 saves h itself
    h += x
    with pytest.raises(RuntimeError, match="TanhBackward0 is at version 1"):
        h.sum().backward()


def test_inplace_needs_old_value_uses_a_copy_not_the_overwritten_memory():
    x = _x()
    y = x * 1.0
    y.mul_(y.detach() + 1)  # d(y*(c))/dy = c, c computed from the old y
    y.pow_(2)  # pow saves its input: must be the value before pow_
    y.sum().backward()
    v = np.array([1.0, 2, 3])
    np.testing.assert_allclose(x.grad.numpy(), 2 * (v * (v + 1)) * (v + 1))


def test_fill_and_copy_with_grad_values():
    x = _x()
    v = cg.tensor(2.0, dtype=cg.float64, requires_grad=True)
    y = x * 1.0
    y.fill_(v)
    (y * cg.tensor([1.0, 2.0, 3.0], dtype=cg.float64)).sum().backward()
    assert v.grad.item() == 6.0
    assert not x.grad.numpy().any()
    src = t64([[1.0, 2.0, 3.0]])
    z = cg.zeros(2, 3, dtype=cg.float64)
    z.copy_(src)
    z.sum().backward()
    np.testing.assert_array_equal(src.grad.numpy(), [[2, 2, 2]])


def test_setitem_with_grad_rewrites_history_and_routes_value_gradient():
    x = _x()
    y = x * 1.0
    y[0] = 5.0
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0, 1, 1])
    w = t64([7.0, 8.0])
    buf = cg.zeros(3, dtype=cg.float64)
    buf[1:] = w
    assert buf.grad_fn.name() == "CopySlices"  # a basic key: torch copies into the view
    buf[[0]] = 1.0
    assert buf.grad_fn.name() == "IndexPutBackward0"
    (buf * buf).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [14, 16])


def test_setitem_broadcast_value_gets_summed_gradient():
    w = t64([1.0])
    a = cg.zeros(2, 3, dtype=cg.float64)
    a[:, 1:] = w
    a.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [4.0])


def test_setitem_advanced_and_mask_keys():
    x = t64(np.arange(6.0).reshape(2, 3))
    y = x * 1.0
    y[y > 3] = 0.0
    y[[0, 0], [1, 2]] = -1.0
    np.testing.assert_array_equal(y.detach().numpy(), [[0, -1, -1], [3, 0, 0]])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[1, 0, 0], [1, 0, 0]])


def test_setitem_no_grad_and_dtype_cast():
    a = cg.zeros(3, dtype=cg.int64)
    a[1] = 2.7  # cast like torch (truncation)
    assert a.tolist() == [0, 2, 0]
    b = cg.zeros(2)
    b[cg.tensor([True, False])] = cg.tensor([3.0])
    assert b.tolist() == [3.0, 0.0]


# ------------------------------------------------------------------ refusals
def test_inplace_on_leaf_requiring_grad_is_refused():
    x = _x()
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        x.add_(1)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        x[0] = 1.0
    with pytest.raises(RuntimeError, match="leaf Variable"):
        x += 1


def test_inplace_on_a_base_with_grad_views_rewrites_the_views():
    x = _x()
    y = x * 2
    v = y.view(3, 1)
    y.mul_(2)  # v's history now goes through the modified y (tests/test_inplace_views.py)
    assert v.grad_fn.name() == "AsStridedBackward0"
    v.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [4, 4, 4])


def test_inplace_on_expanded_view_is_refused():
    a = cg.zeros(3, 1).expand(3, 4)
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        a.add_(1)


def test_inplace_cannot_broadcast_the_tensor_itself():
    t = cg.zeros(3)
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(3,\)"):
        t.add_(cg.ones(2, 3))
    x = _x()
    with pytest.raises(RuntimeError, match="shape"):
        (x * 1.0).add_(cg.ones(2, 3, dtype=cg.float64))


def test_inplace_float_into_int_is_refused():
    t = cg.tensor([1, 2])
    with pytest.raises(RuntimeError, match="can't be cast"):
        t += 0.5
    with pytest.raises(RuntimeError, match="can't be cast"):
        t.div_(2)


# ------------------------------------------------------------------ version counters
VIEWS = {
    "view": lambda b: b.view(-1),
    "reshape": lambda b: b.reshape(6),
    "transpose": lambda b: b.transpose(0, 1),
    "permute": lambda b: b.permute(1, 0),
    "T": lambda b: b.T,
    "slice": lambda b: b[:, 1:],
    "int_index": lambda b: b[0],
    "scalar_index": lambda b: b[1, 2],
    "ellipsis_none": lambda b: b[None, ..., 0],
    "squeeze": lambda b: b[None].squeeze(0),
    "unsqueeze": lambda b: b.unsqueeze(0),
    "flatten": lambda b: b.flatten(),
    "narrow": lambda b: b.narrow(1, 0, 2),
    "select": lambda b: b.select(1, 2),
    "split": lambda b: b.split(1, 0)[1],
    "chunk": lambda b: b.chunk(3, 1)[0],
    "unbind": lambda b: b.unbind(0)[0],
    "detach": lambda b: b.detach(),
    "data": lambda b: b.data,
    "view_as": lambda b: b.view_as(b),
}


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_modifying_a_view_invalidates_saved_base(name):
    x = t64(np.arange(1.0, 7.0).reshape(2, 3))
    b = x.exp()  # ExpBackward0 saves its output b
    v = VIEWS[name](b)
    with cg.no_grad():
        v.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        b.sum().backward()


@pytest.mark.parametrize("name", sorted(set(VIEWS) - {"detach", "data"}))
def test_modifying_the_base_invalidates_a_saved_view(name):
    x = t64(np.arange(1.0, 7.0).reshape(2, 3))
    b = x * 1.0
    v = VIEWS[name](b)
    y = v.exp()  # saves its output (a different tensor): fine
    z = v * v  # saves v
    with cg.no_grad():
        b.add_(1)
    y.sum().backward(retain_graph=True)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


COPIES = {
    "clone": lambda b: b.clone(),
    "flip": lambda b: b.flip(0),
    "reshape_noncontiguous": lambda b: b.T.reshape(6),
    "advanced_index": lambda b: b[[0, 1]],
    "mask_index": lambda b: b[b > 0],
    "contiguous_of_T": lambda b: b.T.contiguous(),
    "repeat": lambda b: b.repeat(1, 1),
    "to_float32": lambda b: b.to(cg.float32),
}


@pytest.mark.parametrize("name", sorted(COPIES))
def test_copies_do_not_share_the_version_counter(name):
    x = t64(np.arange(1.0, 7.0).reshape(2, 3))
    b = x.exp()
    c = COPIES[name](b)
    with cg.no_grad():
        c.mul_(2)
    b.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp(np.arange(1.0, 7.0).reshape(2, 3)))


def test_inplace_on_a_tensor_another_node_saved_fails_at_backward():
    x = _x()
    y = x * 2
    z = y * y
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_version_counts_each_inplace_op():
    t = cg.zeros(3)
    v = t[1:]
    assert t._version == 0
    t.add_(1)
    v.mul_(2)
    t[0] = 3.0
    assert t._version == 3 and v._version == 3


def test_retain_grad_follows_the_tensor_through_in_place_ops():
    """torch moves retain_grad to the tensor's new node: .grad is the gradient of the value the
    tensor holds after the in-place op, accumulated across backward calls (values from torch
    2.13)."""
    x = cg.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    y.mul_(3)
    y.sum().backward()
    np.testing.assert_array_equal(y.grad.numpy(), [1.0, 1.0, 1.0])

    y = x * 2
    y.retain_grad()
    (y * y).sum().backward(retain_graph=True)
    y.add_(1)
    (y * 5).sum().backward()
    np.testing.assert_array_equal(y.grad.numpy(), [9.0, -3.0, 17.0])

    x = cg.tensor([[1.0, -2.0], [3.0, 4.0]], requires_grad=True)
    y = x * 2
    y.retain_grad()
    y[0].mul_(3)  # through a view: y's node becomes CopySlices
    (y * y).sum().backward()
    np.testing.assert_array_equal(y.grad.numpy(), [[12.0, -24.0], [12.0, 16.0]])

    y = x * 2
    v = y[1]
    v.retain_grad()
    y.mul_(2)  # the view's history is regenerated on the modified base
    (v * v).sum().backward()
    np.testing.assert_array_equal(v.grad.numpy(), [24.0, 32.0])
