"""Small CNN step on 8x8 inputs: conv3x3(1->8, pad 1) -> relu -> flatten -> linear -> CE.

Runs on chaingrad only once `cg.nn.Conv2d` exists; until then its rows read n/a.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bench import floors, peers
from bench.workloads import _mlp
from bench.workloads.base import Case, Spec, Unavailable, run_spec

BATCH, CHANNELS, SIDE, CLASSES = 32, 8, 8, 10
LR = 0.01

SPEC = Spec(
    name="small_cnn", title="small CNN step", unit="ms/step", scale=1e3,
    backends=("floor", "cpp", "python", "torch"), size=BATCH, quick_size=BATCH,
    repeats=15, quick_repeats=5, warmup=1, steps=20,
)


def _data(batch: int) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    feat = CHANNELS * SIDE * SIDE
    params = [
        (rng.standard_normal((CHANNELS, 9)) / 3.0).astype(np.float32),
        np.zeros(CHANNELS, np.float32),
        (rng.standard_normal((feat, CLASSES)) * np.sqrt(2.0 / feat)).astype(np.float32),
        np.zeros(CLASSES, np.float32),
    ]
    x = rng.standard_normal((batch, 1, SIDE, SIDE)).astype(np.float32)
    y = np.eye(CLASSES, dtype=np.float32)[rng.integers(0, CLASSES, batch)]
    return params, x, y


def _sgd_step(lib: peers.TensorLib, params: list[Any]) -> Any:
    """The library's own SGD if it has one, else an in-place update under no_grad."""
    sgd = getattr(getattr(lib.mod, "optim", None), "SGD", None)
    if sgd is not None:
        opt = sgd(params, lr=LR)

        def step() -> None:
            opt.step()
            for p in params:
                p.grad = None

        return step

    def manual() -> None:
        with lib.no_grad():
            for p in params:
                p -= LR * p.grad
                p.grad = None

    return manual


def _tensor_case(backend: str, batch: int) -> Case:
    lib = peers.tensor_lib(backend)
    conv_cls = getattr(getattr(lib.mod, "nn", None), "Conv2d", None)
    if conv_cls is None:
        raise Unavailable("n/a (not available: cg.nn.Conv2d)")
    p_np, x_np, y_np = _data(batch)
    conv = conv_cls(1, CHANNELS, 3, padding=1)
    w, b = (lib.tensor(p, requires_grad=True) for p in p_np[2:])
    x, y = lib.tensor(x_np), lib.tensor(y_np)
    params = [conv.weight, conv.bias, w, b]

    def forward() -> Any:
        feat = conv(x).relu().reshape(batch, CHANNELS * SIDE * SIDE)
        return _mlp.tensor_loss(lib, [w, b], feat, y)

    def reset() -> None:
        for p in params:
            p.grad = None

    return Case(forward, lambda loss: loss.backward(), 1, reset, _sgd_step(lib, params))


def _floor_case(batch: int) -> Case:
    p_np, x, y = _data(batch)
    state: dict[str, Any] = {"p": p_np, "g": None}

    def backward(tape: Any) -> None:
        state["g"] = floors.cnn_backward(tape, state["p"])

    def update() -> None:
        state["p"] = floors.sgd(state["p"], state["g"], LR)

    return Case(lambda: floors.cnn_forward(state["p"], x, y), backward, 1, update=update)


def build(backend: str, n: int) -> Case:
    if backend == "floor":
        return _floor_case(n)
    return _tensor_case(backend, n)


def run(backend: str, quick: bool, repeat: int | None = None) -> dict[str, Any]:
    return run_spec(SPEC, build, backend, quick, repeat)
