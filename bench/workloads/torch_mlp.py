"""MLP training step written the way a torch user writes it (issue 9).

``nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))``, ``F.cross_entropy`` with
int64 labels, ``optim.SGD``; each step takes the next of a few batches through
``torch.from_numpy``. forward = ``zero_grad()`` + batch + loss, backward = ``loss.backward()``,
update = ``optimizer.step()`` (timed into `total` only). Floor: the same math by hand in
NumPy (torch's weight layout, in-place SGD).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bench import backends
from bench.workloads.base import Case, Spec, run_spec

SIZES = (64, 128, 10)
BATCH = 32
N_BATCHES = 8
LR = 0.01
SEED = 3

SPEC = Spec(
    name="torch_mlp", title="torch-style MLP step", unit="ms/step", scale=1e3,
    backends=("floor", "cpp", "python", "torch"), size=BATCH, quick_size=BATCH,
    repeats=15, quick_repeats=5, warmup=1, steps=50,
)


def data(batch: int) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """Weights in torch's layout [W1 (128, 64), b1, W2 (10, 128), b2] and the batches."""
    rng = np.random.default_rng(SEED)
    params: list[np.ndarray] = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        bound = 1.0 / np.sqrt(fan_in)
        params.append(rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32))
        params.append(rng.uniform(-bound, bound, fan_out).astype(np.float32))
    xs = [rng.standard_normal((batch, SIZES[0])).astype(np.float32) for _ in range(N_BATCHES)]
    ys = [rng.integers(0, SIZES[-1], batch).astype(np.int64) for _ in range(N_BATCHES)]
    return params, xs, ys


def _tensor_case(backend: str, batch: int) -> Case:
    torch = backends.torch() if backend == "torch" else backends.chaingrad()
    nn = torch.nn
    F = torch.nn.functional
    p_np, xs, ys = data(batch)
    model = nn.Sequential(nn.Linear(SIZES[0], SIZES[1]), nn.ReLU(), nn.Linear(SIZES[1], SIZES[2]))
    with torch.no_grad():
        for p, a in zip(model.parameters(), p_np):
            p.copy_(torch.from_numpy(a))
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    step = [0]

    def forward() -> Any:
        opt.zero_grad()
        k = step[0] % N_BATCHES
        step[0] += 1
        x = torch.from_numpy(xs[k])
        y = torch.from_numpy(ys[k])
        return F.cross_entropy(model(x), y)

    def grads() -> list[Any]:
        return [p.grad.numpy() for p in model.parameters()]

    return Case(forward, lambda loss: loss.backward(), 1, update=opt.step, grads=grads)


def _floor_case(batch: int) -> Case:
    params, xs, ys = data(batch)
    w1, b1, w2, b2 = params
    state: dict[str, Any] = {"step": 0, "g": None}

    def forward() -> Any:
        k = state["step"] % N_BATCHES
        state["step"] += 1
        x, y = xs[k], ys[k]
        z1 = x @ w1.T + b1
        h = np.maximum(z1, 0.0)
        logits = h @ w2.T + b2
        z = logits - logits.max(axis=1, keepdims=True)
        e = np.exp(z)
        s = e.sum(axis=1, keepdims=True)
        logp = z - np.log(s)
        loss = -logp[np.arange(len(y)), y].mean()
        return loss, x, y, z1, h, e / s

    def backward(tape: Any) -> None:
        _, x, y, z1, h, probs = tape
        g = probs.copy()
        g[np.arange(len(y)), y] -= 1.0
        g /= len(y)
        gw2 = g.T @ h
        gb2 = g.sum(axis=0)
        gh = (g @ w2) * (z1 > 0)
        gw1 = gh.T @ x
        gb1 = gh.sum(axis=0)
        state["g"] = [gw1, gb1, gw2, gb2]

    def update() -> None:
        for p, g in zip(params, state["g"]):
            p -= LR * g

    return Case(forward, backward, 1, update=update, grads=lambda: state["g"])


def build(backend: str, n: int) -> Case:
    if backend == "floor":
        return _floor_case(n)
    return _tensor_case(backend, n)


def run(backend: str, quick: bool, repeat: int | None = None) -> dict[str, Any]:
    return run_spec(SPEC, build, backend, quick, repeat)
