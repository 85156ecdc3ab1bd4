"""Samplers with torch.utils.data's names, arguments and random streams: each draws from
chaingrad's generators exactly the calls torch makes (``randperm``, ``randint`` in chunks of 32,
``multinomial``, one int64 ``random_`` for a fresh seed), so a seed gives torch's indices."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence, Sized
from typing import Generic, TypeVar

from ..._generator import Generator
from ...creation import as_tensor, empty, multinomial, randint, randperm
from ...dtypes import float64, int64

__all__ = ["BatchSampler", "RandomSampler", "Sampler", "SequentialSampler",
           "SubsetRandomSampler", "WeightedRandomSampler"]

T_co = TypeVar("T_co", covariant=True)


def _fresh_seed(generator: Generator | None = None) -> int:
    """torch's ``int(torch.empty((), dtype=torch.int64).random_(generator=g).item())``."""
    return int(empty((), dtype=int64).random_(generator=generator).item())


class Sampler(Generic[T_co]):
    """Base class: subclasses implement ``__iter__`` over indices (or lists of indices), and
    ``__len__`` if ``len(DataLoader)`` should work."""

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError


class SequentialSampler(Sampler[int]):
    """``0, 1, ..., len(data_source) - 1``."""

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler[int]):
    """A random permutation of the indices (repeated and cut to ``num_samples`` if given), or,
    with ``replacement=True``, ``num_samples`` uniform draws. Without a ``generator`` each pass
    seeds a fresh one from the default generator, as torch does."""

    def __init__(self, data_source: Sized, replacement: bool = False,
                 num_samples: int | None = None, generator: Generator | None = None) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(replacement, bool):
            raise TypeError("replacement should be a boolean value, but got "
                            f"replacement={replacement}")
        n = self.num_samples
        if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
            raise ValueError("num_samples should be a positive integer value, but got "
                             f"num_samples={n}")

    @property
    def num_samples(self) -> int:
        if self._num_samples is None:
            return len(self.data_source)
        return self._num_samples

    def __iter__(self) -> Iterator[int]:
        for chunk in self._chunks():
            yield from chunk

    def _chunks(self) -> Iterator[list]:
        """The indices as the lists torch's ``__iter__`` yields from, each drawn when torch
        draws it (when the previous one is used up), so BatchSampler can slice them."""
        n = len(self.data_source)
        generator = self.generator
        if generator is None:
            generator = Generator()
            generator.manual_seed(_fresh_seed())
        total = self.num_samples
        if self.replacement:
            for _ in range(total // 32):
                yield randint(0, n, (32,), dtype=int64, generator=generator).tolist()
            yield randint(0, n, (total % 32,), dtype=int64, generator=generator).tolist()
        else:
            for _ in range(total // n):
                yield randperm(n, generator=generator).tolist()
            # torch always draws a last permutation and keeps total % n of it; drawn from a
            # private generator that nobody sees again, an empty cut can be skipped.
            if total % n or self.generator is not None:
                yield randperm(n, generator=generator).tolist()[:total % n]

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler[int]):
    """The given indices in a random order (``randperm(len(indices))``), without replacement."""

    def __init__(self, indices: Sequence[int], generator: Generator | None = None) -> None:
        self.indices = indices
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        perm = randperm(len(self.indices), generator=self.generator).tolist()
        indices = self.indices
        for i in perm:
            yield indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler[int]):
    """``num_samples`` indices into ``weights`` drawn with probability proportional to the
    weights (``multinomial``), with or without replacement."""

    def __init__(self, weights: Sequence[float], num_samples: int, replacement: bool = True,
                 generator: Generator | None = None) -> None:
        if not isinstance(num_samples, int) or isinstance(num_samples, bool) or \
                num_samples <= 0:
            raise ValueError("num_samples should be a positive integer value, but got "
                             f"num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError("replacement should be a boolean value, but got "
                             f"replacement={replacement}")
        w = as_tensor(weights, dtype=float64)
        if w.dim() != 1:
            raise ValueError("weights should be a 1d sequence but given weights have shape "
                             f"{tuple(w.shape)}")
        self.weights = w
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        drawn = multinomial(self.weights, self.num_samples, self.replacement,
                             generator=self.generator)
        yield from drawn.tolist()

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler[list]):
    """Groups the indices of ``sampler`` into lists of ``batch_size`` (the last one shorter
    unless ``drop_last``)."""

    def __init__(self, sampler: Sampler[int] | Iterable[int], batch_size: int,
                 drop_last: bool) -> None:
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError("batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list]:
        size = self.batch_size
        kind = type(self.sampler)
        if kind is SequentialSampler or kind is RandomSampler:
            # Slice the sampler's lists instead of pulling index by index (same batches, same
            # draws at the same moments).
            yield from _slice_batches(self.sampler, size, self.drop_last)
            return
        it = iter(self.sampler)
        if self.drop_last:
            for batch in zip(*([it] * size)):
                yield list(batch)
        else:
            batch = list(itertools.islice(it, size))
            while batch:
                yield batch
                batch = list(itertools.islice(it, size))

    def __len__(self) -> int:
        n = len(self.sampler)  # type: ignore[arg-type]
        if self.drop_last:
            return n // self.batch_size
        return (n + self.batch_size - 1) // self.batch_size


def _slice_batches(sampler: SequentialSampler | RandomSampler, size: int,
                   drop_last: bool) -> Iterator[list]:
    """BatchSampler's batches cut from the sampler's index lists: a list is fetched only when
    a batch needs an index past the previous one, as ``islice`` over ``iter(sampler)`` does."""
    if isinstance(sampler, SequentialSampler):
        chunks: Iterator = iter([range(len(sampler.data_source))])
    else:
        chunks = sampler._chunks()
    rest: list = []
    for chunk in chunks:
        start = 0
        if rest:
            start = size - len(rest)
            rest.extend(chunk[:start])
            if len(rest) < size:
                continue
            yield rest
            rest = []
        stop = len(chunk) - size
        while start <= stop:
            yield list(chunk[start:start + size])
            start += size
        rest = list(chunk[start:])
    if rest and not drop_last:
        yield rest
