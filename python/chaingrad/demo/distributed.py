"""``python -m chaingrad.demo --distributed`` under ``mpiexec -n N``: the same training,
data-parallel. Each rank trains a DistributedDataParallel copy of the model (batch norm made
SyncBatchNorm) on its DistributedSampler share of every global batch (the global batch size
stays the one-process demo's, so the runs match), rank 0 prints, and at the end the ranks
compare a SHA-256 of all their parameters and buffers: they must be bitwise identical."""

from __future__ import annotations

import hashlib

import numpy as np

import chaingrad
from chaingrad import distributed as dist
from chaingrad import nn


def setup() -> tuple[int, int]:
    """Join the MPI job; returns (rank, world size)."""
    if not dist.is_available():
        raise SystemExit("--distributed needs mpi4py: pip install chaingrad[distributed], then "
                         "mpiexec -n 2 python -m chaingrad.demo --distributed")
    if not dist.is_initialized():
        dist.init_process_group()
    return dist.get_rank(), dist.get_world_size()


def wrap(model: nn.Module) -> nn.Module:
    """DistributedDataParallel around ``model`` (rank 0's initial weights win), its batch norm
    layers made SyncBatchNorm so they normalise over the global batch, as one process does."""
    from chaingrad.nn.parallel import DistributedDataParallel

    return DistributedDataParallel(nn.SyncBatchNorm.convert_sync_batchnorm(model))


def sum_across_ranks(value: float) -> float:
    t = chaingrad.tensor([value], dtype=chaingrad.float64)
    dist.all_reduce(t)
    return t.item()


def state_digest(model: nn.Module) -> bytes:
    """SHA-256 over every parameter and buffer, names and bytes, in state_dict order."""
    h = hashlib.sha256()
    for name, t in model.state_dict().items():
        h.update(name.encode())
        h.update(np.ascontiguousarray(t.detach().numpy()).tobytes())
    return h.digest()


def identical_across_ranks(model: nn.Module) -> tuple[bool, str]:
    """(whether every rank holds bitwise the same parameters and buffers, rank 0's digest)."""
    mine = chaingrad.from_numpy(np.frombuffer(state_digest(model), dtype=np.uint8).copy())
    digests = [chaingrad.zeros_like(mine) for _ in range(dist.get_world_size())]
    dist.all_gather(digests, mine)
    same = all(np.array_equal(d.numpy(), digests[0].numpy()) for d in digests)
    return same, digests[0].numpy().tobytes().hex()
