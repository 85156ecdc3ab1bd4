"""In-place ops on views of tensors in the graph (torch's CopySlices), and in-place ops on a base
whose views are in the graph (their histories are regenerated on the modified base).

Every scenario is written once against the API chaingrad shares with torch and run on both:
values, gradients and the ``grad_fn`` names of the base and its views must agree.
"""

from __future__ import annotations

import numpy as np
import pytest

import chaingrad as cg
from chaingrad.autograd import gradcheck, gradgradcheck

from .conftest import t64


def _arrays(shapes: dict) -> dict:
    rng = np.random.default_rng(7)
    return {k: rng.standard_normal(s) for k, s in shapes.items()}


def _run(lib, scenario, arrays: dict) -> tuple[dict, dict, dict]:
    leaves = {k: lib.tensor(a, dtype=lib.float64, requires_grad=True) for k, a in arrays.items()}
    out, named = scenario(lib, leaves)
    # torch's CopySlices.name() is "torch::autograd::CopySlices"; its repr says CopySlices.
    names = {k: None if t.grad_fn is None else t.grad_fn.name().split("::")[-1]
             for k, t in named.items()}
    values = {k: np.array(t.detach().numpy()) for k, t in named.items()}
    (out * lib.tensor(np.arange(1.0, out.numel() + 1).reshape(tuple(out.shape)))).sum().backward()
    grads = {k: None if t.grad is None else np.array(t.grad.numpy()) for k, t in leaves.items()}
    return names, values, grads


def _check_parity(scenario, shapes: dict) -> None:
    torch = pytest.importorskip("torch")
    arrays = _arrays(shapes)
    names, values, grads = _run(cg, scenario, arrays)
    t_names, t_values, t_grads = _run(torch, scenario, arrays)
    assert names == t_names
    for k in values:
        np.testing.assert_allclose(values[k], t_values[k], rtol=1e-12, atol=1e-12, err_msg=k)
    for k in grads:
        if t_grads[k] is None:
            assert grads[k] is None or not np.any(grads[k]), k
        else:
            np.testing.assert_allclose(grads[k], t_grads[k], rtol=1e-12, atol=1e-12, err_msg=k)


# ------------------------------------------------------------------ scenarios (torch parity)
def s_brief(lib, L):
    y = L["x"] * 2
    c = y[:, 0]
    c.mul_(3)
    r = y[1]
    r.add_(L["z"])
    v = y.view(-1)
    v[2] = L["w"]
    t = y.T
    t.clamp_(min=0)
    return y, {"y": y, "c": c, "r": r, "v": v, "t": t}


def s_base_modified(lib, L):
    y = L["x"] * 2
    v = y[0]
    u = y[:, 1:3]
    y.mul_(2)
    y.add_(L["z"])
    return v * u.sum(), {"y": y, "v": v, "u": u}


def s_base_modified_through_another_view(lib, L):
    y = L["x"] * 2
    v = y[0]
    y[:, 1].mul_(L["x"][:, 0] + 1)
    return v.exp(), {"y": y, "v": v}


def s_view_of_view(lib, L):
    y = L["x"] * 1
    a = y[1:]
    b = a[:, 2]
    b.mul_(5)
    a.T[0].sub_(L["x"][1:, 3] * 2)
    return y, {"y": y, "a": a, "b": b}


def s_chain(lib, L):
    y = L["x"] * 1
    v = y[0]
    v.mul_(2)
    v.add_(1)
    v.neg_()
    v.sub_(L["x"][1], alpha=2)
    v.exp_()  # saves its output: the last one here (torch refuses a later in-place)
    return y, {"y": y, "v": v}


def s_saving_ops(lib, L):
    y = L["x"] + 3
    v = y[1:, ::2]
    v.mul_(L["z"][:2])
    v.div_(L["w"] + 2)
    v.pow_(2)
    v.log_()
    y[0].clamp_(min=2.5, max=3.5)
    return y, {"y": y, "v": v}


def s_setitem_on_views(lib, L):
    y = L["x"] * 1
    v = y.view(-1)
    v[2] = L["w"]
    v[[0, 5]] = L["z"][:2]
    y.T[1][1:] = L["z"][1:]
    y[2][y[2] > 0] = 0.5
    return y, {"y": y, "v": v}


def s_base_without_grad(lib, L):
    b = lib.zeros(3, 4, dtype=lib.float64)
    v = b[1]
    u = b[:, 0]
    v.add_(L["z"])
    return b * u[:, None], {"b": b, "v": v, "u": u}


def s_transposed_view_tensor_operand(lib, L):
    y = L["x"] * 1
    t = y.T
    t[1].mul_(L["z"][:3])
    t[:, 2].copy_(L["z"])
    return y, {"y": y, "t": t}


def s_fill_zero_copy(lib, L):
    y = L["x"] * 1
    y[0].fill_(L["w"])
    y[1].zero_()
    y[2, 1:3].copy_(L["z"][:2] * 3)
    return y, {"y": y}


def s_expanded_row(lib, L):
    y = L["z"][None] * 1
    e = y.expand(3, 4)
    e[1].mul_(2)
    return e, {"y": y, "e": e}


def s_non_contiguous_base(lib, L):
    y = (L["x"] * 2).T.clone()  # an F-ordered base: the view's position goes through its strides
    y[1:3, 0].mul_(L["z"][:2])
    v = y[:, 2]
    y.add_(1)
    return y * v[:, None], {"y": y, "v": v}


def s_double_inplace_on_base_and_view(lib, L):
    y = L["x"] * 1.5
    v = y[0]
    w = y[:, 1]
    v.mul_(w[0] * 1)  # w's element is read, then multiplied: clone via * 1 before y changes
    y.mul_(2)
    w.add_(1)
    return v.sum() * w, {"y": y, "v": v, "w": w}


def s_iadd_through_index(lib, L):
    y = L["x"] * 2
    y[0] += L["z"]
    y[:, 1] *= 3
    return y, {"y": y}


def s_scalar_view(lib, L):
    y = L["x"] * 1
    v = y[1, 2]  # a 0-d view
    v.mul_(L["w"])
    y[0][3].add_(v)
    return y * y, {"y": y, "v": v}


SCENARIOS = {
    "scalar_view": (s_scalar_view, {"x": (3, 4), "w": ()}),
    "brief": (s_brief, {"x": (3, 4), "z": (4,), "w": ()}),
    "base_modified": (s_base_modified, {"x": (3, 4), "z": (4,)}),
    "base_modified_through_view": (s_base_modified_through_another_view, {"x": (3, 4)}),
    "view_of_view": (s_view_of_view, {"x": (4, 4)}),
    "chain": (s_chain, {"x": (3, 4)}),
    "saving_ops": (s_saving_ops, {"x": (3, 4), "z": (4,), "w": ()}),
    "setitem_on_views": (s_setitem_on_views, {"x": (3, 4), "z": (3,), "w": ()}),
    "base_without_grad": (s_base_without_grad, {"z": (4,)}),
    "transposed": (s_transposed_view_tensor_operand, {"x": (3, 4), "z": (4,)}),
    "fill_zero_copy": (s_fill_zero_copy, {"x": (3, 4), "z": (4,), "w": ()}),
    "expanded_row": (s_expanded_row, {"z": (4,)}),
    "non_contiguous_base": (s_non_contiguous_base, {"x": (3, 4), "z": (3,)}),
    "base_and_view": (s_double_inplace_on_base_and_view, {"x": (3, 4)}),
    "iadd_through_index": (s_iadd_through_index, {"x": (3, 4), "z": (4,)}),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_torch_parity(name):
    scenario, shapes = SCENARIOS[name]
    _check_parity(scenario, shapes)


def test_grad_fn_names_without_torch():
    x = t64(np.ones((3, 4)))
    y = x * 2
    c = y[:, 0]
    assert c.grad_fn.name() == "SelectBackward0"
    c.mul_(3)
    assert y.grad_fn.name() == "CopySlices"
    assert c.grad_fn.name() == "AsStridedBackward0"
    assert c._base is y and y._base is None and c._is_view()
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy()[:, 0], [6, 6, 6])
    np.testing.assert_array_equal(x.grad.numpy()[:, 1:], 2)


def test_view_of_view_has_the_first_base():
    y = t64(np.ones((3, 4))) * 1
    b = y[1:][:, 2]
    assert b._base is y
    b.mul_(2)
    assert y.grad_fn.name() == "CopySlices"


def test_negative_strides_and_steps():
    # NumPy slices with negative steps are views (torch has none): the geometry follows them.
    x = t64(np.arange(1.0, 13.0).reshape(3, 4))
    y = x * 1
    v = y[::-1, 1::2]
    v.mul_(t64([10.0, 100.0]))
    y.sum().backward()
    expect = np.ones((3, 4))
    expect[:, 1] = 10
    expect[:, 3] = 100
    np.testing.assert_array_equal(x.grad.numpy(), expect)
    np.testing.assert_array_equal(y.detach().numpy(), np.arange(1.0, 13.0).reshape(3, 4) * expect)


# ------------------------------------------------------------------ gradcheck through CopySlices
def _fn_views(x, z, w):
    y = x * x
    y[1:, ::2].mul_(z)
    y.T[0].add_(w * 3)
    y[2, 1].mul_(w[0])  # a 0-d view
    v = y[2]
    y.mul_(y.sum() * 0 + 1.5)  # a tensor factor: the base's history changes, v follows
    y[0].copy_(v * 2)
    v.sigmoid_()
    return y * v


def test_gradcheck_through_copy_slices():
    rng = np.random.default_rng(3)
    x = t64(rng.standard_normal((3, 4)))
    z = t64(rng.standard_normal(2))
    w = t64(rng.standard_normal(3))
    assert gradcheck(_fn_views, (x, z, w))
    assert gradgradcheck(_fn_views, (x, z, w))


def test_gradcheck_non_contiguous_base_and_setitem():
    rng = np.random.default_rng(4)

    def fn(x, w):
        y = (x * 2).T.clone()
        y[1:3, 0].mul_(w[:2])
        y[[0, 3], 1] = w[1:] * w[:2]
        return y.exp()

    assert gradcheck(fn, (t64(rng.standard_normal((3, 4))), t64(rng.standard_normal(3))))
    assert gradgradcheck(fn, (t64(rng.standard_normal((3, 4))), t64(rng.standard_normal(3))))


def test_double_backward_matches_torch():
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(5).standard_normal((3, 4))

    def run(lib):
        x = lib.tensor(a, dtype=lib.float64, requires_grad=True)
        y = x * x
        y[:, 1].mul_(y[:, 2].clone())
        y[0].exp_()
        (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), x)
        return g.detach().numpy(), gg.numpy()

    for mine, theirs in zip(run(cg), run(torch)):
        np.testing.assert_allclose(mine, theirs, rtol=1e-12)


# ------------------------------------------------------------------ errors (torch's messages)
def test_view_of_a_leaf_is_refused_under_grad_and_allowed_under_no_grad():
    x = t64([1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad is "
                                           "being used in an in-place operation"):
        x[0].mul_(2)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable"):
        x.expand(2, 3)[0].mul_(2)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable"):
        x[1:][0] = 5.0
    with cg.no_grad():
        x[0].mul_(2)
        x[1:][0] = 5.0
    assert x.is_leaf and x.tolist() == [2.0, 5.0, 3.0]


def test_expanded_view_with_overlap_is_refused():
    y = t64(np.ones((1, 3))) * 1
    e = y.expand(4, 3)
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor "
                                           "refers to a single memory location"):
        e.mul_(2)
    with cg.no_grad(), pytest.raises(RuntimeError, match="more than one element"):
        e.add_(1)


def test_view_made_under_no_grad_is_refused_under_grad():
    y = t64([1.0, 2.0, 3.0]) * 1
    with cg.no_grad():
        v = y[:2]
    assert not v.requires_grad
    with pytest.raises(RuntimeError, match="A view was created in no_grad mode and is being "
                                           "modified inplace with grad mode enabled"):
        v.mul_(2)
    b = cg.zeros(3, dtype=cg.float64)
    with cg.no_grad():
        u = b[:2]
    with pytest.raises(RuntimeError, match="created in no_grad mode"):
        u.add_(t64([1.0, 1.0]))
    with cg.no_grad():
        v.mul_(2)  # both in no_grad: fine
    assert y.tolist() == [2.0, 4.0, 3.0]


def test_outputs_of_split_are_refused_and_go_stale():
    y = t64(np.arange(4.0)) * 1
    a, c = y.split(2)
    with pytest.raises(RuntimeError, match="Output 0 of Split is a view and is being modified "
                                           "inplace. This view is the output of a function that "
                                           "returns multiple views"):
        a.mul_(2)
    with cg.no_grad():
        a.mul_(2)  # not recorded: allowed, as in torch
    y.mul_(2)
    assert c.grad_fn.name() == "Invalid"
    with pytest.raises(RuntimeError, match="Output 1 of Split is a view and its base or another "
                                           "view of its base has been modified inplace"):
        c.sum().backward()


def test_custom_function_views_are_refused():
    class Identity(cg.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a

        @staticmethod
        def backward(ctx, g):
            return -g

    class View(cg.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a.view(-1)

        @staticmethod
        def backward(ctx, g):
            return g.view(2, 2)

    y = t64(np.ones((2, 2))) * 1
    o = Identity.apply(y)
    with pytest.raises(RuntimeError, match="Output 0 of Identity is a view and is being modified "
                                           "inplace. This view was created inside a custom "
                                           "Function"):
        o.mul_(2)
    p = View.apply(y)
    assert p._base is y
    with pytest.raises(RuntimeError, match="Output 0 of View is a view"):
        p.mul_(2)
    y.mul_(2)  # o's custom backward cannot be replayed on the new y: using o raises
    with pytest.raises(RuntimeError, match="Output 0 of Identity is a view and its base"):
        o.sum().backward()


def test_saved_values_are_checked():
    x = t64(np.ones((3, 4)))
    y = x * 1
    q = y.sin()  # saves y
    y[0].mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        q.sum().backward()
    y = x * 1
    v = y[0]
    q = v.sin()  # saves v
    y.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        q.sum().backward()
    y = x * 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y[:, 1].mul_(y[:, 2])  # the operand is a view of the written memory, saved by mul
        y.sum().backward()


def test_base_data_replaced_leaves_no_stale_view():
    y = t64(np.ones((2, 3))) * 1
    v = y[0]
    y.data = cg.zeros(2, 3, dtype=cg.float64)  # v no longer shares y's memory
    with pytest.raises(RuntimeError, match="no longer inside its base"):
        v.mul_(2)


def test_views_are_released():
    import gc
    import weakref

    y = t64(np.ones((3, 4))) * 1
    v = y[0]
    ref = weakref.ref(v)
    v.mul_(2)
    del v
    gc.collect()
    assert ref() is None
    assert len(y._vc) == 1  # the registry forgot the dead view
