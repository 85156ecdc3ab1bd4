"""DataLoader throughput: batches per second over a TensorDataset, chaingrad vs torch.

    python bench/dataloader.py [--rows 10000] [--cols 64] [--batch 32] [--repeat 5]

One epoch of ``DataLoader(TensorDataset(x, y), batch_size=B, shuffle=...)`` (x float32
rows × cols, y int64 labels), iterated and discarded, for: chaingrad (its TensorDataset fast
path: one NumPy gather per tensor), chaingrad through the general path (a TensorDataset
subclass, so each sample is ``ds[i]`` and ``default_collate`` stacks them, as for any
Dataset), and torch (one thread). Repeats are interleaved; medians are printed with the
chaingrad/torch ratio. No chaingrad row trains anything: this is the loader's own cost.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from typing import Any, Callable

import numpy as np


def _epoch(loader: Any) -> Callable[[], int]:
    def run() -> int:
        n = 0
        for _ in loader:
            n += 1
        return n
    return run


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=10_000)
    p.add_argument("--cols", type=int, default=64)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args(argv)

    import chaingrad
    from chaingrad.utils import data as cdata

    x = np.random.default_rng(0).standard_normal((args.rows, args.cols)).astype(np.float32)
    y = np.random.default_rng(1).integers(0, 10, args.rows)

    class General(cdata.TensorDataset):  # overriding __getitem__ turns the fast path off
        def __getitem__(self, i: Any) -> tuple:
            return tuple(t[i] for t in self.tensors)

    runs: dict[str, Callable[[], int]] = {}
    for shuffle in (False, True):
        tag = "shuffle" if shuffle else "in order"
        ds = cdata.TensorDataset(chaingrad.from_numpy(x), chaingrad.from_numpy(y))
        runs[f"chaingrad  {tag}"] = _epoch(cdata.DataLoader(ds, batch_size=args.batch,
                                                            shuffle=shuffle))
        gen = General(chaingrad.from_numpy(x), chaingrad.from_numpy(y))
        runs[f"chaingrad general path  {tag}"] = _epoch(
            cdata.DataLoader(gen, batch_size=args.batch, shuffle=shuffle))
    try:
        import torch
        from torch.utils import data as tdata
    except ImportError:
        torch = None
    if torch is not None:
        torch.set_num_threads(1)
        for shuffle in (False, True):
            tag = "shuffle" if shuffle else "in order"
            ds = tdata.TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
            runs[f"torch  {tag}"] = _epoch(tdata.DataLoader(ds, batch_size=args.batch,
                                                            shuffle=shuffle))

    samples: dict[str, list[float]] = {k: [] for k in runs}
    counts: dict[str, int] = {}
    for fn in runs.values():
        fn()  # warm up
    gc.disable()
    try:
        for _ in range(args.repeat):
            for name, fn in runs.items():
                t0 = time.perf_counter()
                counts[name] = fn()
                samples[name].append(time.perf_counter() - t0)
    finally:
        gc.enable()
    rate = {k: counts[k] / statistics.median(v) for k, v in samples.items()}
    print(f"TensorDataset {args.rows} x {args.cols} float32 + int64 labels, batch "
          f"{args.batch}; median of {args.repeat} epochs")
    for name, r in rate.items():
        line = f"{name:<34} {r:>9,.0f} batches/s"
        torch_key = "torch  " + name.rsplit("  ", 1)[1]
        if torch is not None and not name.startswith("torch") and torch_key in rate:
            line += f"   {r / rate[torch_key]:.1f}x torch"
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
