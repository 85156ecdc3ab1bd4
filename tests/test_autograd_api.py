"""chaingrad.autograd: grad/backward options, custom Functions (ctx API), grad mode, tensor
hooks, and graph lifetime with the new node kinds."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

import chaingrad as cg
from chaingrad.autograd import Function, gradcheck, gradgradcheck

from ._helpers import garbage_of_ours
from .conftest import t64


# ------------------------------------------------------------------ grad / backward
def test_grad_with_several_outputs_and_grad_outputs():
    x = t64([1.0, 2.0])
    y1, y2 = x * x, x.exp()
    (g,) = cg.autograd.grad([y1, y2], x, [cg.ones(2, dtype=cg.float64), t64([2.0, 0.0], False)])
    np.testing.assert_allclose(g.numpy(), [2 + 2 * np.e, 4])


def test_grad_materialize_grads_gives_zeros_for_unused_inputs():
    x, y = t64([1.0]), t64([2.0, 3.0])
    gx, gy = cg.autograd.grad((x * 2).sum(), [x, y], materialize_grads=True)
    assert gx.item() == 2.0 and gy.tolist() == [0.0, 0.0]


def test_grad_of_non_leaf_inputs():
    x = t64([1.0, 2.0])
    h = x * 3
    (gh,) = cg.autograd.grad((h * h).sum(), h)
    np.testing.assert_allclose(gh.numpy(), [6.0, 12.0])


def test_backward_with_grad_tensors_and_inputs():
    x, y = t64([1.0, 2.0]), t64([3.0])
    z = x * y
    cg.autograd.backward(z, cg.tensor([1.0, 10.0], dtype=cg.float64), inputs=[y])
    assert x.grad is None and y.grad.item() == 21.0


def test_retain_graph_for_two_grads():
    x = t64([2.0])
    y = (x ** 3).sum()
    (g1,) = cg.autograd.grad(y, x, retain_graph=True)
    (g2,) = cg.autograd.grad(y, x)
    assert g1.item() == g2.item() == 12.0
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        cg.autograd.grad(y, x)


# ------------------------------------------------------------------ custom Functions
class Cube(Function):
    @staticmethod
    def forward(ctx, x, scale):
        ctx.save_for_backward(x)
        ctx.scale = scale
        return x * x * x * scale

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x * x * ctx.scale, None


def test_function_with_non_tensor_argument_and_higher_order():
    x = t64([1.0, -2.0])
    assert gradcheck(lambda t: Cube.apply(t, 0.5), (x,))
    assert gradgradcheck(lambda t: Cube.apply(t, 0.5), (x,))
    (g,) = cg.autograd.grad(Cube.apply(x, 2.0).sum(), x, create_graph=True)
    (gg,) = cg.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), 12 * x.detach().numpy())


class NeedsInputGrad(Function):
    seen: tuple = ()

    @staticmethod
    def forward(ctx, a, b):
        NeedsInputGrad.seen = ctx.needs_input_grad
        return a * b

    @staticmethod
    def backward(ctx, g):
        assert ctx.needs_input_grad == NeedsInputGrad.seen
        return (g * 2 if ctx.needs_input_grad[0] else None,
                g * 3 if ctx.needs_input_grad[1] else None)


def test_needs_input_grad():
    a, b = t64([1.0]), cg.tensor([1.0], dtype=cg.float64)
    NeedsInputGrad.apply(a, b).sum().backward()
    assert NeedsInputGrad.seen == (True, False) and a.grad.item() == 2.0


class SortWithIndices(Function):
    @staticmethod
    def forward(ctx, x):
        order = np.argsort(x.detach().numpy(), kind="stable")
        idx = cg.tensor(order.astype(np.float64))  # a float output that is not differentiable
        ctx.mark_non_differentiable(idx)
        ctx.order = order
        return cg.tensor(x.detach().numpy()[order]), idx

    @staticmethod
    def backward(ctx, g, g_idx):
        out = np.zeros_like(g.numpy())
        out[ctx.order] = g.numpy()
        return cg.tensor(out)


def test_multiple_outputs_and_mark_non_differentiable():
    x = t64([3.0, 1.0, 2.0])
    values, idx = SortWithIndices.apply(x)
    assert values.requires_grad and not idx.requires_grad and idx.grad_fn is None
    (values * cg.tensor([1.0, 10.0, 100.0], dtype=cg.float64)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [100, 1, 10])


class TwoOutputs(Function):
    received: list = []

    @staticmethod
    def forward(ctx, x):
        ctx.set_materialize_grads(False)
        return x * 2, x * 3

    @staticmethod
    def backward(ctx, g1, g2):
        TwoOutputs.received.append((g1 is None, g2 is None))
        total = None
        if g1 is not None:
            total = g1 * 2
        if g2 is not None:
            total = g2 * 3 if total is None else total + g2 * 3
        return total


def test_set_materialize_grads_false_passes_none():
    x = t64([1.0])
    a, _ = TwoOutputs.apply(x)
    a.sum().backward()
    assert TwoOutputs.received[-1] == (False, True) and x.grad.item() == 2.0


def test_saved_tensors_only_inside_backward():
    ctx_box = []

    class Keep(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            ctx_box.append(ctx)
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return g

    Keep.apply(t64([1.0]))
    with pytest.raises(RuntimeError, match="only available inside backward"):
        _ = ctx_box[0].saved_tensors


def test_save_for_backward_rejects_non_tensors():
    class Bad(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(np.ones(2))
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(TypeError, match="save_for_backward can only save Tensors"):
        Bad.apply(t64([1.0]))


def test_function_saved_input_modified_in_place_is_detected():
    x = t64([1.0, 2.0])
    h = x * 1.0
    y = Cube.apply(h, 1.0)
    with cg.no_grad():
        h.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


# ------------------------------------------------------------------ grad mode and hooks
def test_set_grad_enabled_as_function_and_context():
    x = t64([1.0])
    with cg.set_grad_enabled(False):
        assert not (x * 2).requires_grad
        with cg.enable_grad():
            assert (x * 2).requires_grad
    assert cg.is_grad_enabled()
    cg.set_grad_enabled(False)
    try:
        assert not (x * 2).requires_grad
    finally:
        cg.set_grad_enabled(True)
    assert (x * 2).requires_grad


def test_no_grad_ops_of_the_full_op_set_record_nothing():
    x = t64([[1.0, 2.0], [3.0, 4.0]])
    with cg.no_grad():
        outs = [x.sqrt(), x.clamp(0, 1), x.max(0).values, x.norm(), x.var(), x[0],
                cg.einsum("ij->j", x), cg.cat([x, x]), x.gather(0, cg.tensor([[0, 1]])),
                x.prod(), x.logsumexp(1), cg.where(x > 2, x, 0.0)]
    assert all(not o.requires_grad and o.grad_fn is None for o in outs)


def test_register_hook_on_leaf_and_intermediate_with_removable_handles():
    x = t64([1.0, 2.0])
    seen = []
    h1 = x.register_hook(lambda g: seen.append(("x", g.tolist())))
    y = x.sqrt()
    h2 = y.register_hook(lambda g: g * 10)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 10 / (2 * np.sqrt([1.0, 2.0])))
    assert seen and seen[0][0] == "x"
    h1.remove()
    h2.remove()
    x.grad = None
    seen.clear()
    x.sqrt().sum().backward()
    assert not seen
    np.testing.assert_allclose(x.grad.numpy(), 1 / (2 * np.sqrt([1.0, 2.0])))


def test_hook_under_create_graph_is_differentiable():
    x = t64([3.0])
    y = x * x
    y.register_hook(lambda g: g * x)  # the hook's result depends on x
    (g,) = cg.autograd.grad(y.sum(), x, create_graph=True)  # g = x * 2x
    (gg,) = cg.autograd.grad(g.sum(), x)
    assert g.item() == 18.0 and gg.item() == 12.0


# ------------------------------------------------------------------ graph lifetime
def _new_kind_graph(x):
    h = x.sqrt().clamp(0.1, 5.0)
    m = cg.maximum(h, h.flip(0)).max()
    return (m + h.norm() + cg.einsum("i,i->", h, h) + h.var() + h.cumsum(0).prod()
            + x[[0, 0]].sum() + cg.where(x > 1, x, 0.0).logsumexp(0))


def test_new_kinds_free_their_graph_without_gc_and_form_no_cycles():
    gc.collect()
    gc.disable()
    try:
        x = cg.tensor([1.0, 2.0, 4.0], requires_grad=True)
        y = _new_kind_graph(x)
        ref = weakref.ref(y.grad_fn)
        y.backward()
        del y
        assert ref() is None
        y = _new_kind_graph(x)
        ref = weakref.ref(y.grad_fn)
        del y  # never backpropagated
        assert ref() is None
        assert garbage_of_ours() == []
    finally:
        gc.enable()


def test_intermediate_outputs_may_be_dropped_before_backward():
    # Kinds without a C++ kernel run through the reference kernel; that must not depend on
    # the intermediate tensors (and their node wrappers) still being alive.
    x = t64([1.0, 4.0, 9.0])
    y = (((x.sqrt() * 2).abs().rsqrt() + x.amax()).var() + x.prod(0)).logsumexp(0)
    (g,) = cg.autograd.grad(y, x)
    assert np.isfinite(g.numpy()).all()
    assert gradcheck(lambda t: ((t.sqrt() * 2).abs().rsqrt() + t.amax()).var(), (x,))


def test_double_backward_when_the_forward_outputs_are_gone():
    # The formulas rebuild saved outputs (sqrt's y, prod's result) as tensors of the original
    # nodes; the second backward runs those nodes again after every forward tensor is dropped.
    x = t64([1.0, 4.0, 9.0])
    (g,) = cg.autograd.grad((x.sqrt().prod(0) + x.rsqrt().amax()).exp(), x, create_graph=True)
    (gg,) = cg.autograd.grad(g.sum(), x)
    assert np.isfinite(gg.numpy()).all()
    assert gradgradcheck(lambda t: (t.sqrt().prod(0) + t.rsqrt().amax()).exp(), (x,))
