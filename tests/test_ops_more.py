"""The issue-9 ops beyond op_db's gradient and parity cases: Tensor conveniences, named
results, views, dtypes of integer inputs, warnings and accuracy of erf/erfinv over wide ranges."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import chaingrad as cg

torch = pytest.importorskip("torch")


def test_queries_and_conveniences():
    x = cg.tensor(np.arange(12.0).reshape(3, 4))
    assert cg.numel(x) == 12 and x.nelement() == 12
    assert cg.is_tensor(x) and not cg.is_tensor(np.ones(2))
    assert cg.is_floating_point(x) and not x.long().is_floating_point()
    assert cg.tensor([0.5]).is_nonzero() and not cg.is_nonzero(cg.tensor([[0]]))
    assert x.element_size() == 8 and x.float().element_size() == 4
    assert x.is_contiguous() and not x.T.is_contiguous()
    assert x.stride() == (4, 1) and x.T.stride() == (1, 4) and x.stride(-1) == 1
    assert x[1:, 2:].storage_offset() == 6 and x.storage_offset() == 0
    assert x.data_ptr() == x.numpy().__array_interface__["data"][0]
    assert x[1].data_ptr() == x.data_ptr() + 4 * 8
    assert x.cpu() is x
    assert x.type() == "torch.DoubleTensor" and x.int().type() == "torch.IntTensor"
    assert x.type(cg.float32).dtype == np.float32
    assert x.type("torch.LongTensor").dtype == np.int64
    assert x.half().dtype == np.float16


def test_new_tensors_take_dtype_and_requires_grad():
    x = cg.ones(2, dtype=cg.float64, requires_grad=True)
    z = x.new_zeros(2, 3)
    assert z.shape == (2, 3) and z.dtype == np.float64 and not z.requires_grad
    assert x.new_ones((4,), dtype=cg.int32).dtype == np.int32
    f = x.new_full((2, 2), 7, requires_grad=True)
    assert f.requires_grad and f.is_leaf and float(f.sum()) == 28.0
    assert x.new_empty(3).shape == (3,)
    src = np.array([1, 2])
    t = x.new_tensor(src)
    src[0] = 5
    assert t.dtype == np.float64 and t.tolist() == [1.0, 2.0]  # a copy, in x's dtype
    assert x.new_tensor(x).grad_fn is None


def test_named_results_are_torch_return_types():
    x = cg.tensor([[3.0, 1.0, 2.0]])
    for fn in ("sort", "topk", "kthvalue", "cummax", "cummin"):
        args = {"topk": (2,), "kthvalue": (1,), "cummax": (1,), "cummin": (1,)}.get(fn, ())
        r = getattr(x, fn)(*args)
        assert type(r).__name__ == fn and type(r) is getattr(cg.return_types, fn)
        values, indices = r
        assert values is r.values and indices is r.indices and indices.dtype == np.int64
    sd = cg.std_mean(x)
    assert type(sd) is tuple and len(sd) == 2


def test_diagonal_is_a_view_and_writes_reach_the_base():
    x = cg.zeros(3, 3)
    d = x.diagonal()
    d.fill_(1.0)
    assert np.array_equal(x.numpy(), np.eye(3, dtype=np.float32))
    x.add_(1.0)
    assert d.tolist() == [2.0, 2.0, 2.0]
    # Under autograd: the base's history is rewritten (CopySlices), as torch's.
    w = cg.ones(3, 3, dtype=cg.float64, requires_grad=True)
    y = w * 2
    y.diagonal().mul_(w.diagonal())
    y.sum().backward()
    wt = torch.ones(3, 3, dtype=torch.float64, requires_grad=True)
    yt = wt * 2
    yt.diagonal().mul_(wt.diagonal())
    yt.sum().backward()
    assert np.allclose(w.grad.numpy(), wt.grad.numpy())


def test_meshgrid_warns_without_indexing_like_torch():
    a, b = cg.arange(3), cg.arange(2)
    with pytest.warns(UserWarning, match="indexing argument"):
        g = cg.meshgrid(a, b)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h = cg.meshgrid([a, b], indexing="xy")
    assert g[0].shape == (3, 2) and h[0].shape == (2, 3)


INT_OPS = {
    "cumprod": lambda M, a: M.cumprod(a, 0),
    "floor": lambda M, a: M.floor(a),
    "fmod": lambda M, a: M.fmod(a, 3),
    "remainder": lambda M, a: M.remainder(a, -3),
    "atan2": lambda M, a: M.atan2(a, a),
    "erf": lambda M, a: M.erf(a),
    "sort": lambda M, a: M.sort(a, descending=True).values,
    "tril": lambda M, a: M.tril(a.reshape(2, 2)),
    "diag": lambda M, a: M.diag(a),
    "trace": lambda M, a: M.trace(a.reshape(2, 2)),
    "nansum": lambda M, a: M.nansum(a),
    "count_nonzero": lambda M, a: M.count_nonzero(a),
    "diff": lambda M, a: M.diff(a > 2),
    "kron": lambda M, a: M.kron(a, a),
}


@pytest.mark.parametrize("op", sorted(INT_OPS))
@pytest.mark.parametrize("dtype", ["int64", "int32"])
def test_integer_inputs_give_torch_dtypes(op, dtype):
    a = np.array([5, -7, 2, 9], dtype=dtype)
    ours = INT_OPS[op](cg, cg.tensor(a)).numpy()
    theirs = INT_OPS[op](torch, torch.tensor(a)).numpy()
    assert ours.dtype == theirs.dtype
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_erf_family_accuracy_over_wide_ranges(dtype):
    x = np.concatenate([np.linspace(-7, 7, 2001), [0.0, -0.0, 1e-300, np.inf, -np.inf]])
    x = x.astype(dtype)
    for name in ("erf", "erfc"):
        ours = getattr(cg, name)(cg.tensor(x)).numpy()
        theirs = getattr(torch, name)(torch.tensor(x)).numpy()
        np.testing.assert_allclose(ours, theirs, rtol=4 * np.finfo(dtype).eps, atol=1e-300)
    y = np.concatenate([np.linspace(-1, 1, 2001), [1 - 1e-12, -(1 - 1e-15), 0.5, 1.5]])
    y = y.astype(dtype)
    ours = cg.erfinv(cg.tensor(y)).numpy()
    theirs = torch.erfinv(torch.tensor(y)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=8 * np.finfo(dtype).eps, equal_nan=True)


def test_cumprod_with_zeros_matches_torch_to_second_order():
    a = np.array([[1.5, 0.0, 2.0, -3.0], [0.0, 2.0, 0.0, 4.0]])
    x = cg.tensor(a, requires_grad=True)
    xt = torch.tensor(a, requires_grad=True)
    (g,) = cg.autograd.grad(cg.cumprod(x, 1).sum(), x, create_graph=True)
    (gt,) = torch.autograd.grad(torch.cumprod(xt, 1).sum(), xt, create_graph=True)
    np.testing.assert_allclose(g.detach().numpy(), gt.detach().numpy())
    (gg,) = cg.autograd.grad((g * g).sum(), x)
    (ggt,) = torch.autograd.grad((gt * gt).sum(), xt)
    np.testing.assert_allclose(gg.numpy(), ggt.numpy())


def test_topk_and_kthvalue_ties_take_the_lower_index():
    x = cg.tensor([1.0, 3.0, 3.0, 2.0, 3.0])
    assert cg.topk(x, 2).indices.tolist() == [1, 2]
    assert cg.topk(x, 2, largest=False).indices.tolist() == [0, 3]
    assert cg.kthvalue(x, 3).indices.tolist() == 1


def test_sort_gradient_goes_to_the_selected_elements():
    x = cg.tensor([3.0, 1.0, 2.0], dtype=cg.float64, requires_grad=True)
    v, i = cg.sort(x, descending=True)
    (v * cg.tensor([1.0, 10.0, 100.0], dtype=cg.float64)).sum().backward()
    assert x.grad.tolist() == [1.0, 100.0, 10.0] and i.tolist() == [0, 2, 1]


def test_inplace_variants_without_grad_write_through_views():
    x = cg.tensor(np.linspace(-2, 2, 12).reshape(3, 4))
    v = x[:, 1:]
    v.floor_()
    assert np.array_equal(x.numpy()[:, 1:], np.floor(np.linspace(-2, 2, 12).reshape(3, 4))[:, 1:])
    y = cg.ones(3, 3)
    y.tril_(-1)
    assert y.numpy().sum() == 3.0


def test_unique_keeps_nans_apart_like_torch():
    a = np.array([1.0, np.nan, 2.0, np.nan, 1.0])
    out, inv, cnt = cg.unique(cg.tensor(a), return_inverse=True, return_counts=True)
    t_out, t_inv, t_cnt = torch.unique(torch.tensor(a), return_inverse=True, return_counts=True)
    np.testing.assert_array_equal(out.numpy(), t_out.numpy())
    assert inv.tolist() == t_inv.tolist() and cnt.tolist() == t_cnt.tolist()


def test_number_mod_tensor_values_match_torch():
    a = np.array([0.7, -1.3, 2.0, 3.5])
    np.testing.assert_allclose((2.5 % cg.tensor(a)).numpy(), (2.5 % torch.tensor(a)).numpy())
    np.testing.assert_array_equal((7 % cg.tensor([3, -4])).numpy(), [1, -1])


def test_copysign_gives_other_a_zero_gradient():
    a = cg.tensor([1.5, -2.0], dtype=cg.float64, requires_grad=True)
    b = cg.tensor([-1.0, 3.0], dtype=cg.float64, requires_grad=True)
    cg.copysign(a, b).sum().backward()
    assert a.grad.tolist() == [-1.0, -1.0] and b.grad.tolist() == [0.0, 0.0]


def test_floor_divide_leaves_the_graph_and_matches_torch():
    a = np.array([7.5, -7.5, 3.0, -0.5])
    x = cg.tensor(a, requires_grad=True)
    r = x // 2
    assert not r.requires_grad
    np.testing.assert_array_equal(r.numpy(), (torch.tensor(a) // 2).numpy())
    np.testing.assert_array_equal((7.0 // cg.tensor(a)).numpy(), (7.0 // torch.tensor(a)).numpy())
