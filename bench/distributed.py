"""``mpiexec -n 2 python -m bench.distributed``: data-parallel figures on 2 ranks.

1. **Large MLP step** (784-512-512-10, ReLU, cross-entropy, SGD; global batch 256, float32):
   one process on the whole batch (rank 0 alone while the other ranks wait) against
   DistributedDataParallel on every rank with its 256/N share. Step = zero_grad + forward +
   backward (reduction included) + optimizer.step.
2. **Allreduce throughput**: ``chaingrad.distributed.all_reduce`` against raw mpi4py
   ``comm.Allreduce(MPI.IN_PLACE, a)`` on the same float32 buffers (back-to-back calls, ~8 MB
   per timing, the two alternated; median of repeats; bandwidth = buffer bytes / time per
   call). Target: chaingrad ≥ 0.9x raw.
3. **Overlap**, on the large MLP under DDP: backward alone (inside ``no_sync()``), backward
   with DDP's bucketed Iallreduce started from the gradient hooks, and backward followed by one
   blocking Allreduce of all gradients. ``hidden`` is the share of the blocking reduction's
   cost that the overlapped version hides.

Times are each step's slowest rank (a data-parallel step ends when the last rank is done);
rank 0 prints a Markdown table and, with ``--json``, writes the figures. BLAS is pinned to one
thread per rank. ``--repeats`` (default 30) timed repeats per row: about 10 s in all.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

SIZES = (784, 512, 512, 10)
BATCH = 256
BUFFER_MB = (0.0625, 1.0, 4.0, 25.0)


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="mpiexec -n 2 python -m bench.distributed",
                                description=__doc__.split("\n\n")[0])
    p.add_argument("--repeats", type=int, default=30, help="timed repeats per row")
    p.add_argument("--engine", choices=("cpp", "python"), default=None)
    p.add_argument("--json", type=Path, default=None, help="also write the figures here")
    return p.parse_args(argv)


def slowest(comm: Any, fn: Callable[[], Any], repeats: int, warmup: int = 2) -> float:
    """Median over repeats of the slowest rank's time for ``fn()`` (ranks start together)."""
    times = []
    for i in range(warmup + repeats):
        comm.Barrier()
        t0 = time.perf_counter()
        fn()
        dt = time.perf_counter() - t0
        dt = comm.allreduce(dt, op=_mpi().MAX)
        if i >= warmup:
            times.append(dt)
    return statistics.median(times)


def _mpi() -> Any:
    from mpi4py import MPI

    return MPI


def make_mlp(seed: int = 0) -> Any:
    import chaingrad as cg
    from chaingrad import nn

    cg.manual_seed(seed)
    layers: list[Any] = []
    for i, (a, b) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(SIZES) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def batch(rank: int, world: int) -> tuple[Any, Any]:
    import chaingrad as cg

    rng = np.random.default_rng(0)
    x = rng.standard_normal((BATCH, SIZES[0])).astype(np.float32)
    y = rng.integers(0, SIZES[-1], BATCH)
    return cg.from_numpy(x[rank::world].copy()), cg.from_numpy(y[rank::world].copy())


def step_fn(model: Any, x: Any, y: Any) -> Callable[[], None]:
    import chaingrad as cg

    opt = cg.optim.SGD(model.parameters(), lr=0.01)

    def step() -> None:
        opt.zero_grad()
        cg.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()

    return step


def bench_steps(comm: Any, repeats: int) -> dict[str, float]:
    from chaingrad.nn.parallel import DistributedDataParallel as DDP

    rank, world = comm.Get_rank(), comm.Get_size()
    single = step_fn(make_mlp(), *batch(0, 1))
    one = slowest(comm, single if rank == 0 else (lambda: None), repeats)
    ddp = DDP(make_mlp())
    many = slowest(comm, step_fn(ddp, *batch(rank, world)), repeats)
    return {"one_rank_ms": one * 1e3, "ddp_ms": many * 1e3, "speedup": one / many,
            "buckets": len(ddp.bucket_sizes())}


def _allreduce_row(comm: Any, mb: float, repeats: int) -> dict[str, float]:
    import chaingrad as cg
    import chaingrad.distributed as dist

    MPI = _mpi()
    t = cg.zeros(int(mb * 2**20) // 4)  # zeros: repeated sums never overflow
    a = t._data
    calls = max(1, int(8 / mb))  # back to back, ~8 MB per timing

    def raw_calls() -> None:
        for _ in range(calls):
            comm.Allreduce(MPI.IN_PLACE, a, op=MPI.SUM)

    def our_calls() -> None:
        for _ in range(calls):
            dist.all_reduce(t)

    ours, raw = [], []
    for i in range(2 + repeats):  # alternate, so drift hits both alike
        r = slowest(comm, raw_calls, 1, 0) / calls
        o = slowest(comm, our_calls, 1, 0) / calls
        if i >= 2:
            raw.append(r)
            ours.append(o)
    r, o = statistics.median(raw), statistics.median(ours)
    return {"mb": mb, "raw_ms": r * 1e3, "chaingrad_ms": o * 1e3,
            "raw_gbs": a.nbytes / r / 1e9, "chaingrad_gbs": a.nbytes / o / 1e9, "ratio": r / o}


def bench_allreduce(comm: Any, repeats: int) -> list[dict[str, float]]:
    return [_allreduce_row(comm, mb, repeats) for mb in BUFFER_MB]


def bench_overlap(comm: Any, repeats: int) -> dict[str, float]:
    import chaingrad as cg
    from chaingrad.nn.parallel import DistributedDataParallel as DDP

    MPI = _mpi()
    rank, world = comm.Get_rank(), comm.Get_size()
    ddp = DDP(make_mlp())
    x, y = batch(rank, world)
    params = list(ddp.parameters())
    flat = np.empty(sum(p.numel() for p in params), dtype=np.float32)

    def loss() -> Any:
        for p in params:
            p.grad = None
        return cg.nn.functional.cross_entropy(ddp(x), y)

    def timed(fn: Callable[[Any], None]) -> float:
        out: list[float] = []

        def run() -> None:
            ls = loss()  # forward outside the timed part
            comm.Barrier()
            t0 = time.perf_counter()
            fn(ls)
            out.append(time.perf_counter() - t0)

        for _ in range(2 + repeats):
            run()
        worst = [comm.allreduce(t, op=MPI.MAX) for t in out[2:]]
        return statistics.median(worst)

    def local(ls: Any) -> None:
        with ddp.no_sync():
            ls.backward()

    def blocking(ls: Any) -> None:
        local(ls)
        off = 0
        for p in params:
            n = p.numel()
            flat[off:off + n] = p.grad._data.reshape(-1)
            off += n
        comm.Allreduce(MPI.IN_PLACE, flat, op=MPI.SUM)
        np.divide(flat, world, out=flat)
        off = 0
        for p in params:
            n = p.numel()
            p.grad._data[...] = flat[off:off + n].reshape(p.grad._data.shape)
            off += n

    bwd = timed(local)
    over = timed(lambda ls: ls.backward())
    seq = timed(blocking)
    comm_cost = seq - bwd
    return {"backward_ms": bwd * 1e3, "overlapped_ms": over * 1e3, "sequential_ms": seq * 1e3,
            "hidden": (seq - over) / comm_cost if comm_cost > 0 else float("nan"),
            "buckets_started_in_backward": ddp._reducer.launched_in_backward,
            "buckets": len(ddp.bucket_sizes())}


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    import chaingrad as cg
    import chaingrad.distributed as dist
    from chaingrad.demo.blas import limit_blas_threads

    if args.engine:
        cg.engine.set_engine(args.engine)
    limit_blas_threads(1)
    dist.init_process_group()
    comm = dist._state.group().comm
    rank, world = dist.get_rank(), dist.get_world_size()
    if world < 2 and rank == 0:
        print("note: run under mpiexec -n 2 (or more) for the data-parallel rows",
              file=sys.stderr)
    start = time.perf_counter()
    steps = bench_steps(comm, args.repeats)
    reduce_rows = bench_allreduce(comm, args.repeats)
    overlap = bench_overlap(comm, args.repeats)
    if rank == 0:
        eng = cg.engine.get_engine_name()
        print(f"chaingrad.distributed on {world} ranks ({_mpi().Get_library_version().split()[0]}"
              f" {'.'.join(map(str, _mpi().Get_version()))}), engine {eng}, BLAS 1 thread/rank,"
              f" median of {args.repeats}\n")
        print(f"large MLP step {'-'.join(map(str, SIZES))}, global batch {BATCH}:\n")
        print("| | ms/step | speed-up |\n|---|---:|---:|")
        print(f"| 1 rank, batch {BATCH} | {steps['one_rank_ms']:.2f} | 1.00x |")
        print(f"| {world} ranks DDP, batch {BATCH // world} each ({steps['buckets']} buckets) | "
              f"{steps['ddp_ms']:.2f} | {steps['speedup']:.2f}x |\n")
        print("allreduce (SUM, float32, in place):\n")
        print("| buffer | raw mpi4py ms | chaingrad ms | raw GB/s | chaingrad GB/s | "
              "chaingrad/raw |\n|---:|---:|---:|---:|---:|---:|")
        for r in reduce_rows:
            print(f"| {r['mb']:g} MB | {r['raw_ms']:.3f} | {r['chaingrad_ms']:.3f} | "
                  f"{r['raw_gbs']:.2f} | {r['chaingrad_gbs']:.2f} | {r['ratio']:.2f}x |")
        o = overlap
        print(f"\noverlap, large MLP backward on {world} ranks ({o['buckets']} buckets, "
              f"{o['buckets_started_in_backward']} started during backward):\n")
        print("| | ms | vs backward alone |\n|---|---:|---:|")
        for label, key in (("backward alone (no_sync)", "backward_ms"),
                           ("backward + DDP bucketed Iallreduce", "overlapped_ms"),
                           ("backward, then one blocking Allreduce", "sequential_ms")):
            print(f"| {label} | {o[key]:.2f} | {o[key] / o['backward_ms']:.2f}x |")
        print(f"\nshare of the blocking reduction's cost hidden by overlap: {o['hidden']:.0%}")
        print(f"(bench wall time {time.perf_counter() - start:.1f} s)")
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps({"world_size": world, "engine": eng,
                                             "repeats": args.repeats, "step": steps,
                                             "allreduce": reduce_rows, "overlap": overlap},
                                            indent=1) + "\n")
    dist.destroy_process_group()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
