"""Every example of the seed documents, with the values and reprs they print."""

from __future__ import annotations

import pathlib
import runpy

import pytest

import chaingrad as torch

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples" / "seeds"


def test_product_gradients_12_8_6(capsys):
    x = torch.tensor([2.0], requires_grad=True)
    y = torch.tensor([3.0], requires_grad=True)
    z = torch.tensor([4.0], requires_grad=True)
    f = x * y * z
    f.backward()
    print(f"Gradient df/dx: {x.grad}")
    print(f"Gradient df/dy: {y.grad}")
    print(f"Gradient df/dz: {z.grad}")
    assert capsys.readouterr().out.splitlines() == [
        "Gradient df/dx: tensor([12.])",
        "Gradient df/dy: tensor([8.])",
        "Gradient df/dz: tensor([6.])",
    ]


def test_chain_rule_blocks_4(capsys):
    def h(x):
        return x**2

    def f(y):
        return y + 1

    x = torch.tensor(2.0, requires_grad=True)
    z = f(h(x))
    z.backward()
    print("Gradient of z with respect to x:", x.grad)
    assert capsys.readouterr().out == "Gradient of z with respect to x: tensor(4.)\n"


def test_sum_then_product_minus3_minus3_4():
    x = torch.tensor(1.0, requires_grad=True)
    y = torch.tensor(3.0, requires_grad=True)
    z = torch.tensor(-3.0, requires_grad=True)
    p = x + y
    g = p * z
    assert p.item() == 4 and g.item() == -12
    g.backward()
    assert (x.grad.item(), y.grad.item(), z.grad.item()) == (-3.0, -3.0, 4.0)
    assert repr(x.grad) == "tensor(-3.)"


def test_paths_sum_and_retain_grad_2_5_2_3_1(capsys):
    a = torch.tensor([2.0], requires_grad=True)
    b = torch.tensor([1.0], requires_grad=True)
    c = a + b
    d = b + 1
    e = c * d
    c.retain_grad()
    d.retain_grad()
    e.retain_grad()
    print(e)
    e.backward()
    print(a.grad)
    print(b.grad)
    print(a.grad, b.grad, c.grad, d.grad, e.grad)
    assert capsys.readouterr().out.splitlines() == [
        "tensor([6.], grad_fn=<MulBackward0>)",
        "tensor([2.])",
        "tensor([5.])",
        "tensor([2.]) tensor([5.]) tensor([2.]) tensor([3.]) tensor([1.])",
    ]


def test_training_loop_w_minus_lr_grad():
    """Seed 002: W = W - learning_rate * gradients, repeated until the loss is small."""
    torch.manual_seed(0)
    X = torch.randn(64, 3)
    true_w = torch.tensor([[1.5], [-2.0], [0.5]])
    Y = X @ true_w
    W = torch.zeros(3, 1, requires_grad=True)
    lr = 0.1
    for _ in range(200):
        loss = ((X @ W - Y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            W -= lr * W.grad
        W.grad.zero_()
    assert loss.item() < 1e-6
    assert abs(W[0, 0].item() - 1.5) < 1e-3


@pytest.mark.parametrize("script", sorted(p.name for p in EXAMPLES.glob("*.py")))
def test_seed_programs_run_unchanged(script, capsys, engine, monkeypatch):
    """The seed programs with `import torch` swapped for `import chaingrad as torch`."""
    monkeypatch.setenv("CHAINGRAD_ENGINE", engine)
    path = EXAMPLES / script
    expected = path.with_suffix(".out").read_text()
    runpy.run_path(str(path), run_name="__main__")
    assert capsys.readouterr().out == expected
