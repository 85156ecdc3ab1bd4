"""Walk through the seed documents' examples: each graph's values, gradients and ``grad_fn``."""

from __future__ import annotations

from pathlib import Path

import chaingrad as torch
from chaingrad import viz

# Where each example's picture goes (set by main); None: print only.
_PICTURES: Path | None = None


def _picture(name: str, root: torch.Tensor, tensors: dict[str, torch.Tensor]) -> None:
    """Write the example's graph next to its printout: SVG with Graphviz, DOT text without."""
    if _PICTURES is None:
        return
    _PICTURES.mkdir(parents=True, exist_ok=True)
    suffix = ".svg" if viz.graphviz_available() else ".dot"
    path = viz.draw(root, tensors).render(_PICTURES / f"{name}{suffix}")
    print(f"   picture: {path}")


def _show_graph(t: torch.Tensor, indent: str = "  ") -> None:
    """Print the backward graph under ``t`` (iteratively: graphs may be deep)."""
    stack = [(t.grad_fn, 0)]
    seen: set[int] = set()
    while stack:
        fn, depth = stack.pop()
        if fn is None:
            continue
        print(f"{indent}{'  ' * depth}{fn.name()}")
        if id(fn) in seen:
            continue
        seen.add(id(fn))
        for nxt, _ in reversed(fn.next_functions):
            stack.append((nxt, depth + 1))


def product() -> None:
    print("1. f(x, y, z) = x * y * z at x=2, y=3, z=4")
    x = torch.tensor([2.0], requires_grad=True)
    y = torch.tensor([3.0], requires_grad=True)
    z = torch.tensor([4.0], requires_grad=True)
    f = x * y * z
    print("   f =", f)
    _show_graph(f, "   ")
    f.backward()
    print(f"   df/dx = {x.grad}   (y*z)")
    print(f"   df/dy = {y.grad}   (x*z)")
    print(f"   df/dz = {z.grad}   (x*y)")
    _picture("1_product", f, {"x": x, "y": y, "z": z, "f": f})


def blocks() -> None:
    print("2. z = f(h(x)), h(x) = x**2, f(y) = y + 1, at x=2")
    x = torch.tensor(2.0, requires_grad=True)
    y = x**2
    z = y + 1
    print("   z =", z)
    _show_graph(z, "   ")
    z.backward()
    print("   dz/dx =", x.grad, "  (2x)")
    _picture("2_blocks", z, {"x": x, "y": y, "z": z})


def add_then_multiply() -> None:
    print("3. g = (x + y) * z at x=1, y=3, z=-3")
    x = torch.tensor(1.0, requires_grad=True)
    y = torch.tensor(3.0, requires_grad=True)
    z = torch.tensor(-3.0, requires_grad=True)
    p = x + y
    g = p * z
    print("   p =", p, "  g =", g)
    g.backward()
    print(f"   dg/dx = {x.grad}, dg/dy = {y.grad}, dg/dz = {z.grad}")
    _picture("3_add_then_multiply", g, {"x": x, "y": y, "z": z, "p": p, "g": g})


def paths() -> None:
    print("4. e = (a + b) * (b + 1) at a=2, b=1: b reaches e by two paths")
    a = torch.tensor([2.0], requires_grad=True)
    b = torch.tensor([1.0], requires_grad=True)
    c = a + b
    d = b + 1
    e = c * d
    for t in (c, d, e):
        t.retain_grad()
    print("   e =", e)
    _show_graph(e, "   ")
    e.backward()
    print("   a.grad, b.grad, c.grad, d.grad, e.grad =", a.grad, b.grad, c.grad, d.grad, e.grad)
    print("   de/db = 1*2 + 1*3 = 5: the sum over both paths")
    _picture("4_paths", e, {"a": a, "b": b, "c": c, "d": d, "e": e})


def training_loop() -> None:
    print("5. training: W = W - learning_rate * gradient, on y = 2*x1 - 3*x2 + 0.5")
    torch.manual_seed(0)
    X = torch.randn(100, 2)
    Y = X @ torch.tensor([[2.0], [-3.0]]) + 0.5
    W = torch.zeros(2, 1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    for step in range(101):
        cost = ((X @ W + b - Y) ** 2).mean()
        cost.backward()
        with torch.no_grad():
            W -= 0.1 * W.grad
            b -= 0.1 * b.grad
        W.grad = None
        b.grad = None
        if step % 25 == 0:
            print(f"   step {step:3d}  cost {cost.item():.6f}")
    learned = W.detach().numpy().ravel().round(3).tolist()
    print("   learned W =", learned, " b =", round(b.item(), 3))


def main(pictures: str | Path | None = None) -> None:
    """Print each example; with ``pictures``, also write each graph's picture there."""
    global _PICTURES
    _PICTURES = None if pictures is None else Path(pictures)
    print(f"chaingrad seed examples (engine: {torch.engine.get_engine_name()})\n")
    for demo in (product, blocks, add_then_multiply, paths, training_loop):
        demo()
        print()


if __name__ == "__main__":
    main()
