"""Soak test: 10,000 training steps of the demo MLP; RSS and live chaingrad objects must stay flat.

    python tools/soak.py                    # 10,000 steps on the C++ engine
    python tools/soak.py --steps 2000 --engine python

Trains the demo's MLP (Standardize -> 2 x [Linear, BatchNorm1d, ReLU, Dropout] -> Linear) on
the bundled digits with AdamW, a cosine schedule stepped every epoch, batches of 32. After a
warm-up (default 1,000 steps) it samples, every ``--every`` steps, the resident set size
(/proc/self/statm) and, after ``gc.collect()``, the number of live objects whose type comes
from chaingrad (tensors, graph nodes, ...). It passes when the RSS at every later sample is
within ``--tolerance`` (1 %) of the warm-up RSS and the live-object count never exceeds the
warm-up count. Prints the figures; exit status 1 on failure.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import sys
import time


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def live_chaingrad_objects() -> int:
    gc.collect()
    n = 0
    for o in gc.get_objects():
        mod = type(o).__dict__.get("__module__") or type(o).__module__
        if isinstance(mod, str) and mod.startswith("chaingrad"):
            n += 1
    return n


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=10_000)
    p.add_argument("--warmup", type=int, default=1_000)
    p.add_argument("--every", type=int, default=500)
    p.add_argument("--tolerance", type=float, default=0.01, help="relative RSS growth allowed")
    p.add_argument("--engine", default="cpp", choices=("cpp", "python"))
    args = p.parse_args(argv)
    if not os.path.exists("/proc/self/statm"):
        print("tools/soak.py reads /proc/self/statm (Linux only)", file=sys.stderr)
        return 2

    import numpy as np

    import chaingrad
    from chaingrad import engine, nn
    from chaingrad.demo.blas import limit_blas_threads
    from chaingrad.demo.train import build_mlp, load_data

    limit_blas_threads(1)
    engine.set_engine(args.engine)
    chaingrad.manual_seed(0)
    data = load_data()
    model = build_mlp(data.x_train)
    opt = chaingrad.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    n = len(data.y_train)
    per_epoch = math.ceil(n / 32)
    sched = chaingrad.optim.lr_scheduler.CosineAnnealingLR(
        opt, T_max=math.ceil(args.steps / per_epoch), eta_min=2e-3 / 50)
    loss_fn = nn.CrossEntropyLoss()
    rng = np.random.default_rng(0)
    model.train()

    samples: list[tuple[int, int, int, float]] = []  # step, rss, live objects, loss
    order = rng.permutation(n)
    t0 = time.perf_counter()
    for step in range(1, args.steps + 1):
        k = (step - 1) % per_epoch
        if k == 0 and step > 1:
            order = rng.permutation(n)
            sched.step()
        idx = order[k * 32:(k + 1) * 32]
        x = chaingrad.tensor(data.x_train[idx])
        y = chaingrad.tensor(data.y_train[idx])
        loss = loss_fn(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step >= args.warmup and (step - args.warmup) % args.every == 0 or step == args.steps:
            lv = float(loss.item())
            del x, y, loss
            samples.append((step, rss_bytes(), live_chaingrad_objects(), lv))
    secs = time.perf_counter() - t0

    base_step, base_rss, base_live, _ = samples[0]
    print(f"soak: {args.steps} steps of the demo MLP on the {args.engine} engine in {secs:.1f} s "
          f"({secs / args.steps * 1e3:.2f} ms/step); samples every {args.every} steps after "
          f"{args.warmup} warm-up steps")
    print(f"{'step':>6} {'RSS MiB':>9} {'vs warm-up':>10} {'live objs':>9} {'loss':>8}")
    for step, rss, live, lv in samples:
        print(f"{step:>6} {rss / 2**20:>9.2f} {100 * (rss - base_rss) / base_rss:>+9.2f}% "
              f"{live:>9} {lv:>8.4f}")
    worst = max(abs(r - base_rss) / base_rss for _, r, _, _ in samples)
    max_live = max(lv for _, _, lv, _ in samples)
    ok_rss = worst <= args.tolerance
    ok_live = max_live <= base_live
    print(f"RSS: largest change after warm-up {100 * worst:.2f} % (limit "
          f"{100 * args.tolerance:.0f} %): {'ok' if ok_rss else 'FAIL'}")
    print(f"live chaingrad objects: {base_live} at step {base_step}, at most {max_live} later: "
          f"{'ok' if ok_live else 'FAIL'}")
    return 0 if ok_rss and ok_live else 1


if __name__ == "__main__":
    sys.exit(main())
