"""Engine semantics both engines must share: ordering, accumulation, release, hooks."""

from __future__ import annotations

import numpy as np
import pytest

import chaingrad as cg
from chaingrad import autograd


def test_each_node_runs_once_after_all_consumers():
    calls = []
    x = cg.tensor(2.0, requires_grad=True)
    y = x * x  # used by three consumers below
    y.register_hook(lambda g: calls.append(g.item()))
    z = y + y * 3 + y.exp() * 0
    z.backward()
    assert calls == [4.0]  # one summed gradient: 1 + 3 + 0
    assert x.grad.item() == pytest.approx(16.0)


def test_gradients_accumulate_across_backward_calls():
    x = cg.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [6.0, 6.0])
    x.grad.zero_()
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0])


def test_backward_twice_through_freed_graph_raises():
    x = cg.tensor(3.0, requires_grad=True)
    y = x * x
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_retain_graph_allows_second_backward():
    x = cg.tensor(3.0, requires_grad=True)
    y = x.tanh() * x
    y.backward(retain_graph=True)
    first = x.grad.item()
    y.backward()
    assert x.grad.item() == pytest.approx(2 * first)


def test_graph_without_saved_values_can_be_rerun():
    x = cg.tensor(1.0, requires_grad=True)
    y = x + 2
    y.backward()
    y.backward()  # torch allows it: nothing was saved, nothing freed
    assert x.grad.item() == 2.0


def test_broadcast_gradient_is_summed_to_input_shape():
    a = cg.tensor(np.ones((2, 3)), dtype=cg.float64, requires_grad=True)
    b = cg.tensor(np.arange(3.0), dtype=cg.float64, requires_grad=True)
    c = cg.tensor([[1.0], [2.0]], dtype=cg.float64, requires_grad=True)
    ((a + b) * c).sum().backward()
    assert b.grad.shape == (3,)
    np.testing.assert_allclose(b.grad.numpy(), [3.0, 3.0, 3.0])
    assert c.grad.shape == (2, 1)
    np.testing.assert_allclose(c.grad.numpy(), [[3.0 + 3.0], [3.0 + 3.0]])


def test_mixed_dtype_gradient_has_input_dtype():
    a = cg.tensor([1.0, 2.0], requires_grad=True)  # float32
    b = cg.tensor([3.0, 4.0], dtype=cg.float64, requires_grad=True)
    out = a * b
    assert out.dtype == np.float64
    out.sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64
    np.testing.assert_array_equal(a.grad.numpy(), [3.0, 4.0])


def test_non_scalar_backward_needs_gradient():
    x = cg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="only for scalar outputs"):
        (x * 2).backward()
    (x * 2).backward(gradient=cg.tensor([1.0, 10.0]))
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 20.0])


def test_gradient_of_wrong_shape_is_rejected():
    x = cg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        (x * 2).backward(gradient=cg.tensor([1.0, 2.0, 3.0]))


def test_backward_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        cg.tensor(1.0).backward()


def test_no_grad_records_nothing():
    x = cg.tensor(1.0, requires_grad=True)
    with cg.no_grad():
        y = x * 2
        with cg.enable_grad():
            z = x * 3
    assert y.grad_fn is None and not y.requires_grad
    assert z.grad_fn is not None
    assert cg.is_grad_enabled()


def test_no_grad_as_decorator_and_set_grad_enabled():
    @cg.no_grad()
    def f(t):
        return t * 2

    x = cg.tensor(1.0, requires_grad=True)
    assert f(x).grad_fn is None
    with cg.set_grad_enabled(False):
        assert (x * 2).grad_fn is None
    assert (x * 2).grad_fn is not None


def test_detach_cuts_the_graph():
    x = cg.tensor(2.0, requires_grad=True)
    y = (x * x).detach()
    assert y.is_leaf and not y.requires_grad
    z = y * x
    z.backward()
    assert x.grad.item() == 4.0


def test_hooks_can_replace_gradient_and_be_removed():
    x = cg.tensor(1.0, requires_grad=True)
    h = x.register_hook(lambda g: g * 10)
    (x * 2).backward()
    assert x.grad.item() == 20.0
    h.remove()
    x.grad = None
    (x * 2).backward()
    assert x.grad.item() == 2.0


def test_non_leaf_grad_is_none_without_retain_grad():
    x = cg.tensor(1.0, requires_grad=True)
    y = x * 2
    (y * 3).backward()
    assert y.grad is None
    assert not y.is_leaf


def test_autograd_grad_does_not_touch_dot_grad():
    x = cg.tensor(3.0, requires_grad=True)
    y = x * x
    (g,) = autograd.grad(y, x)
    assert g.item() == 6.0
    assert x.grad is None


def test_autograd_grad_unused_input():
    x = cg.tensor(3.0, requires_grad=True)
    w = cg.tensor(1.0, requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match="not have been used in the graph"):
        autograd.grad(y, [x, w], retain_graph=True)
    gx, gw = autograd.grad(y, [x, w], allow_unused=True)
    assert gx.item() == 2.0 and gw is None


def test_create_graph_second_derivative():
    x = cg.tensor(2.0, dtype=cg.float64, requires_grad=True)
    y = x**3 + x.exp() * x.tanh()
    (g,) = autograd.grad(y, x, create_graph=True)
    (gg,) = autograd.grad(g, x)
    e, t = np.exp(2.0), np.tanh(2.0)
    s2 = 1 - t * t
    expected = 6 * 2.0 + e * t + 2 * e * s2 + e * (-2 * t * s2)
    assert gg.item() == pytest.approx(expected, rel=1e-12)


def test_backward_inputs_accumulates_only_those():
    a = cg.tensor(1.0, requires_grad=True)
    b = cg.tensor(2.0, requires_grad=True)
    (a * b).backward(inputs=[a])
    assert a.grad.item() == 2.0 and b.grad is None


def test_leaf_grad_is_not_aliased_between_leaves():
    # AddBackward passes one gradient array to both inputs; in-place accumulation into one
    # leaf's .grad must not change the other's.
    a = cg.tensor([1.0], requires_grad=True)
    b = cg.tensor([1.0], requires_grad=True)
    (a + b).sum().backward()
    (a * 5).sum().backward()
    assert a.grad.item() == 6.0 and b.grad.item() == 1.0


def test_user_gradient_is_not_aliased():
    x = cg.tensor([1.0, 2.0], requires_grad=True)
    g = cg.tensor([1.0, 1.0])
    (x + 0).backward(gradient=g)
    (x + 0).backward(gradient=g)
    np.testing.assert_array_equal(g.numpy(), [1.0, 1.0])
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0])


def test_grad_setter_validates():
    x = cg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="different size"):
        x.grad = cg.tensor([1.0])
    with pytest.raises(RuntimeError, match="different type"):
        x.grad = cg.tensor([1.0, 2.0], dtype=cg.float64)
    x.grad = cg.tensor([5.0, 5.0])
    (x * 1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [6.0, 6.0])


def test_inplace_modification_of_saved_tensor_is_detected():
    x = cg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = y * y  # saves y
    with cg.no_grad():
        y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_inplace_modification_of_saved_output_is_detected():
    x = cg.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()  # saves its output
    with cg.no_grad():
        y.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_inplace_on_leaf_requiring_grad_needs_no_grad():
    w = cg.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w -= 1.0


def test_node_introspection():
    a = cg.tensor([2.0], requires_grad=True)
    e = (a + 1) * a
    fn = e.grad_fn
    assert fn.name() == "MulBackward0"
    names = [f.name() for f, _ in fn.next_functions]
    assert names == ["AddBackward0", "AccumulateGrad"]
    assert repr(fn).startswith("<MulBackward0 object at 0x")


@pytest.mark.parametrize("choice", ["cpp", "python"])
def test_engine_selected_by_environment(choice, engine):
    """CHAINGRAD_ENGINE picks the engine at import (a fresh interpreter: import order matters)."""
    import os
    import subprocess
    import sys

    if engine != choice:
        pytest.skip("runs once per choice")
    code = (
        "import chaingrad as cg; x = cg.tensor(2.0, requires_grad=True); (x * x).backward(); "
        "print(cg.engine.get_engine_name(), x.grad.item())"
    )
    env = dict(os.environ, CHAINGRAD_ENGINE=choice)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [choice, "4.0"]


def test_unknown_engine_is_rejected():
    with pytest.raises(ValueError, match="unknown engine"):
        cg.engine.set_engine("gpu")


def test_fallback_kind_runs_after_its_output_tensor_is_gone():
    # NORM has no C++ kernel: the core hands the node to the reference kernel; the node must
    # stay usable although the intermediate tensor it produced no longer exists.
    x = cg.tensor([3.0, 4.0], dtype=cg.float64, requires_grad=True)
    y = (x.norm() * 2).sum()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.2, 1.6])
