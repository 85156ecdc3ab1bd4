"""``DistributedSampler``: each rank's share of a dataset, with torch's indices (the same
``randperm(n)`` seeded with ``seed + epoch`` on every rank, padded by wrapping around so each
rank gets as many, then every ``num_replicas``-th index from ``rank``)."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sized
from typing import TypeVar

from ..._generator import Generator
from ...creation import randperm
from .sampler import Sampler

__all__ = ["DistributedSampler"]

T_co = TypeVar("T_co", covariant=True)


def _int_arg(name: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"DistributedSampler(): {name} must be an int, got "
                        f"{type(value).__name__}")
    return value


class DistributedSampler(Sampler[T_co]):
    """Restricts loading to this rank's part of ``dataset`` (pass it as a DataLoader's
    ``sampler``; call ``set_epoch(epoch)`` before each epoch so the shuffle changes).
    ``num_replicas``/``rank`` default to the process group's world size and rank."""

    def __init__(self, dataset: Sized, num_replicas: int | None = None,
                 rank: int | None = None, shuffle: bool = True, seed: int = 0,
                 drop_last: bool = False) -> None:
        if num_replicas is None or rank is None:
            from ... import distributed as dist

            if not dist.is_available():
                raise RuntimeError("Requires distributed package to be available (pip install "
                                   "chaingrad[distributed]), or pass num_replicas and rank")
            if num_replicas is None:
                num_replicas = dist.get_world_size()
            if rank is None:
                rank = dist.get_rank()
        num_replicas = _int_arg("num_replicas", num_replicas)
        rank = _int_arg("rank", rank)
        seed = _int_arg("seed", seed)
        if num_replicas < 1:
            raise ValueError(f"DistributedSampler(): num_replicas must be at least 1, got "
                             f"{num_replicas}")
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval "
                             f"[0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        n = len(dataset)
        if drop_last and n % num_replicas != 0:
            # Drop the tail so every rank gets the same number of samples.
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self) -> Iterator[T_co]:
        n = len(self.dataset)
        if self.shuffle:
            g = Generator()
            g.manual_seed(self.seed + self.epoch)
            indices = randperm(n, generator=g).tolist()
        else:
            indices = list(range(n))
        if not self.drop_last:
            pad = self.total_size - len(indices)
            if pad <= len(indices):
                indices += indices[:pad]
            else:
                indices += (indices * math.ceil(pad / len(indices)))[:pad]
        else:
            indices = indices[:self.total_size]
        return iter(indices[self.rank:self.total_size:self.num_replicas])

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Seed the next shuffle with ``seed + epoch`` (every rank must pass the same)."""
        self.epoch = _int_arg("epoch", epoch)
