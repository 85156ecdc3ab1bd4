"""One MLP training step (relu hidden layers, softmax cross-entropy, SGD), any layer sizes.

Cross-entropy is written with raw ops: logits minus a detached row max, log-sum-exp,
one-hot multiply, mean. `forward` is the loss, `backward` is `.backward()`, and the SGD
update is timed into `total` only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bench import floors, peers
from bench.workloads.base import Case

LR = 0.01
CLASSES_SEED = 2


def data(sizes: tuple[int, ...], batch: int) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(CLASSES_SEED)
    params: list[np.ndarray] = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        params.append((rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in))
                      .astype(np.float32))
        params.append(np.zeros(fan_out, np.float32))
    x = rng.standard_normal((batch, sizes[0])).astype(np.float32)
    y = np.eye(sizes[-1], dtype=np.float32)[rng.integers(0, sizes[-1], batch)]
    return params, x, y


def tensor_loss(lib: peers.TensorLib, params: list[Any], x: Any, y: Any) -> Any:
    h = x
    n = len(params) // 2
    for i in range(n):
        h = h @ params[2 * i] + params[2 * i + 1]
        if i < n - 1:
            h = h.relu()
    m = lib.tensor(lib.numpy(h).max(axis=1, keepdims=True))  # constant: no grad through max
    z = h - m
    logp = z - z.exp().sum(dim=1, keepdim=True).log()
    return -(logp * y).sum(dim=1).mean()


def tensor_case(backend: str, sizes: tuple[int, ...], batch: int) -> Case:
    lib = peers.tensor_lib(backend)
    p_np, x_np, y_np = data(sizes, batch)
    state = [lib.tensor(p, requires_grad=True) for p in p_np]
    x, y = lib.tensor(x_np), lib.tensor(y_np)

    def update() -> None:
        state[:] = lib.sgd_rebuild(state, LR)

    def reset() -> None:
        for p in state:
            p.grad = None

    return Case(lambda: tensor_loss(lib, state, x, y), lambda loss: loss.backward(), 1,
                reset, update)


def autograd_case(sizes: tuple[int, ...], batch: int) -> Case:
    anp = peers.autograd_numpy()
    p_np, x, y = data(sizes, batch)
    state = {"p": tuple(p_np), "g": None}

    def f(params: Any) -> Any:
        h = x
        n = len(params) // 2
        for i in range(n):
            h = anp.dot(h, params[2 * i]) + params[2 * i + 1]
            if i < n - 1:
                h = anp.maximum(h, 0.0)
        z = h - peers.autograd_constant(h).max(axis=1, keepdims=True)
        logp = z - anp.log(anp.sum(anp.exp(z), axis=1, keepdims=True))
        return -anp.mean(anp.sum(logp * y, axis=1))

    vjp_of = peers.autograd_vjp(f)

    def backward(out: Any) -> None:
        state["g"] = out[0](np.float32(1.0))

    def update() -> None:
        state["p"] = tuple(p - LR * g for p, g in zip(state["p"], state["g"]))

    return Case(lambda: vjp_of(state["p"]), backward, 1, update=update)


def floor_case(sizes: tuple[int, ...], batch: int) -> Case:
    p_np, x, y = data(sizes, batch)
    state: dict[str, Any] = {"p": p_np, "g": None}

    def backward(tape: Any) -> None:
        state["g"] = floors.mlp_backward(tape, state["p"])

    def update() -> None:
        state["p"] = floors.sgd(state["p"], state["g"], LR)

    return Case(lambda: floors.mlp_forward(state["p"], x, y), backward, 1, update=update)


def build(backend: str, sizes: tuple[int, ...], batch: int) -> Case:
    if backend == "floor":
        return floor_case(sizes, batch)
    if backend == "autograd":
        return autograd_case(sizes, batch)
    return tensor_case(backend, sizes, batch)
