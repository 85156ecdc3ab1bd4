"""Cost of anomaly mode: a training step of the demo MLP and a scalar graph, off vs on.

    python bench/anomaly.py [--steps N] [--nodes N] [--repeat R]

Off, the engines read one flag per backward call (nothing per node) and the native forward
fast paths run; on, every op goes through the Python forward and records its stack, and every
node's gradients are checked for NaN/inf. Off and on runs are interleaved.
"""

from __future__ import annotations

import argparse
import time


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--nodes", type=int, default=20_000)
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args(argv)

    import numpy as np

    import chaingrad
    from chaingrad import nn
    from chaingrad.demo.blas import limit_blas_threads
    from chaingrad.demo.train import build_mlp, load_data

    limit_blas_threads(1)
    chaingrad.manual_seed(0)
    data = load_data()
    model = build_mlp(data.x_train)
    opt = chaingrad.optim.AdamW(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    rng = np.random.default_rng(0)
    batches = [rng.integers(0, len(data.y_train), 32) for _ in range(args.steps)]

    def mlp() -> None:
        for idx in batches:
            loss = loss_fn(model(chaingrad.tensor(data.x_train[idx])),
                           chaingrad.tensor(data.y_train[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()

    def scalar() -> None:
        x = chaingrad.tensor(0.5, dtype=chaingrad.float64, requires_grad=True)
        y = x
        for _ in range(args.nodes // 2):
            y = (y * 0.999).tanh()
        y.backward()

    rows = []
    for name, fn, per in (("demo MLP step (batch 32)", mlp, args.steps),
                          ("scalar graph, per node", scalar, args.nodes)):
        best = {False: float("inf"), True: float("inf")}
        for _ in range(args.repeat):
            for on in (False, True):
                with chaingrad.autograd.set_detect_anomaly(on):
                    t0 = time.perf_counter()
                    fn()
                    best[on] = min(best[on], (time.perf_counter() - t0) / per)
        rows.append((name, best[False], best[True]))
    print(f"anomaly mode cost (engine {chaingrad.engine.get_engine_name()}, best of "
          f"{args.repeat})")
    print(f"{'workload':<28} {'off':>10} {'on':>10} {'on/off':>7}")
    for name, off, on in rows:
        print(f"{name:<28} {off * 1e6:>8.1f}us {on * 1e6:>8.1f}us {on / off:>6.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
