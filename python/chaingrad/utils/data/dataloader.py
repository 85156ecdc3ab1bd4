"""``DataLoader``: torch's arguments, checks, batching and random draws, loading in the main
process.

Per pass it makes torch's draws in torch's order: one int64 ``random_`` from ``generator`` (or
the default generator) for the workers' base seed when the iterator is created, then the
sampler's own (a ``RandomSampler`` without a generator draws one more int64 seed from the default
generator on the first batch). So ``manual_seed(s)`` gives torch's batches, epoch after epoch.

``num_workers > 0`` is accepted and loads in the main process too: a map-style dataset gives
the same batches in the same order as torch's workers would (torch returns them in order);
``worker_init_fn`` is not called and ``get_worker_info()`` stays None. ``pin_memory``,
``timeout``, ``prefetch_factor``, ``persistent_workers``, ``multiprocessing_context`` and
``in_order`` are checked as torch checks them and otherwise ignored (no devices, no workers).

Fast path: a ``TensorDataset`` (or a ``Subset`` of one, as ``random_split`` makes) with the
default ``collate_fn`` is batched by one NumPy gather per tensor instead of one ``ds[i]`` per
sample and a stack; the result is the same ``[tensor, ...]`` list ``default_collate`` builds.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Iterator
from typing import Any, Callable, Generic, TypeVar

import numpy as np

from ..._generator import Generator
from ...tensor import Tensor
from ._utils.collate import default_collate, default_convert
from ._utils.worker import get_worker_info
from .dataset import Dataset, IterableDataset, Subset, TensorDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler, _fresh_seed

__all__ = ["DataLoader", "default_collate", "default_convert", "get_worker_info"]

T_co = TypeVar("T_co", covariant=True)


class _DatasetKind:
    Map = 0
    Iterable = 1


class _InfiniteConstantSampler(Sampler):
    """``None`` forever: the index sampler of an IterableDataset."""

    def __iter__(self) -> Iterator[None]:
        while True:
            yield None


def _check_count(name: str, value: Any) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} option should be an int, but got {name}={value!r}")


class DataLoader(Generic[T_co]):
    """Iterate over ``dataset`` in batches (torch's ``torch.utils.data.DataLoader``).

    ``batch_size=None`` turns batching off (each sample goes through ``default_convert``);
    ``shuffle=True`` uses ``RandomSampler(dataset, generator=generator)``; ``sampler`` and
    ``batch_sampler`` replace the default index order. See the module docstring for workers.
    """

    __initialized = False

    def __init__(self, dataset: Dataset[T_co], batch_size: int | None = 1,
                 shuffle: bool | None = None, sampler: Sampler | Iterable | None = None,
                 batch_sampler: Sampler | Iterable | None = None, num_workers: int = 0,
                 collate_fn: Callable[[list], Any] | None = None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Callable[[int], None] | None = None,
                 multiprocessing_context: Any = None, generator: Generator | None = None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True) -> None:
        _check_count("num_workers", num_workers)
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to "
                             "disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in "
                             "multiprocessing.let num_workers > 0 to enable multiprocessing, "
                             "otherwise set prefetch_factor to None.")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if multiprocessing_context is not None and num_workers == 0:
            raise ValueError("multiprocessing_context can only be used with multi-process "
                             "loading (num_workers > 0), but got num_workers=0")

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order

        if isinstance(dataset, IterableDataset):
            self._dataset_kind = _DatasetKind.Iterable
            if shuffle not in (False, None):
                raise ValueError("DataLoader with IterableDataset: expected unspecified shuffle "
                                 f"option, but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified sampler "
                                 f"option, but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified "
                                 f"batch_sampler option, but got batch_sampler={batch_sampler}")
        else:
            shuffle = bool(shuffle)
            self._dataset_kind = _DatasetKind.Map

        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")

        if sampler is None:
            if self._dataset_kind == _DatasetKind.Iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)  # type: ignore[arg-type]
            else:
                sampler = SequentialSampler(dataset)  # type: ignore[arg-type]
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if batch_sampler is not None else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self.__initialized = True
        self._IterableDataset_len_called: int | None = None

    def __setattr__(self, attr: str, val: Any) -> None:
        if self.__initialized and attr in ("batch_size", "batch_sampler", "sampler",
                                           "drop_last", "dataset", "persistent_workers"):
            raise ValueError(f"{attr} attribute should not be set after "
                             f"{type(self).__name__} is initialized")
        super().__setattr__(attr, val)

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    @property
    def _index_sampler(self) -> Any:
        return self.batch_sampler if self._auto_collation else self.sampler

    def __iter__(self) -> _DataLoaderIter:
        return _DataLoaderIter(self)

    def __len__(self) -> int:
        if self._dataset_kind == _DatasetKind.Iterable:
            length = len(self.dataset)  # type: ignore[arg-type]
            self._IterableDataset_len_called = length
            if self.batch_size is not None:
                length = length // self.batch_size if self.drop_last else \
                    math.ceil(length / self.batch_size)
            return length
        return len(self._index_sampler)


def _tensor_source(dataset: Any) -> tuple | None:
    """``(TensorDataset, [Subset.indices, outermost first])`` when ``dataset`` is a plain
    TensorDataset, or plain Subsets of one; None otherwise (a subclass may change ``ds[i]``)."""
    maps = []
    while type(dataset) is Subset:
        maps.append(dataset.indices)
        dataset = dataset.dataset
    cls = type(dataset)
    if not isinstance(dataset, TensorDataset) or cls.__getitem__ is not \
            TensorDataset.__getitem__ or getattr(cls, "__getitems__", None) is not None:
        return None
    return dataset, maps


class _DataLoaderIter:
    """One pass over a DataLoader (torch's ``_SingleProcessDataLoaderIter``)."""

    def __init__(self, loader: DataLoader) -> None:
        self._dataset = loader.dataset
        self._dataset_kind = loader._dataset_kind
        self._IterableDataset_len_called = loader._IterableDataset_len_called
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        self._num_workers = loader.num_workers
        self._collate_fn = loader.collate_fn
        self._sampler_iter = iter(self._index_sampler)
        # torch draws the workers' base seed even with no workers; so do we, to stay in step.
        self._base_seed = _fresh_seed(loader.generator)
        self._num_yielded = 0
        self._source = None
        self._iter = None
        if self._dataset_kind == _DatasetKind.Iterable:
            self._iter = iter(self._dataset)  # type: ignore[call-overload]
            self._ended = False
        elif self._auto_collation and self._collate_fn is default_collate:
            self._source = _tensor_source(self._dataset)

    def __iter__(self) -> _DataLoaderIter:
        return self

    def __len__(self) -> int:
        return len(self._index_sampler)

    def __next__(self) -> Any:
        index = next(self._sampler_iter)
        data = self._fetch_iterable(index) if self._iter is not None else self._fetch_map(index)
        self._num_yielded += 1
        if self._IterableDataset_len_called is not None and \
                self._num_yielded > self._IterableDataset_len_called:
            warnings.warn(f"Length of IterableDataset {self._dataset} was reported to be "
                          f"{self._IterableDataset_len_called}(when accessing len(dataloader)), "
                          f"but {self._num_yielded} samples have been fetched. ", stacklevel=2)
        return data

    def _fetch_map(self, index: Any) -> Any:
        if self._source is not None:
            batch = self._gather(index)
            if batch is not None:
                return batch
        dataset = self._dataset
        if not self._auto_collation:
            return self._collate_fn(dataset[index])
        getitems = getattr(dataset, "__getitems__", None)
        data = getitems(index) if getitems else [dataset[i] for i in index]
        return self._collate_fn(data)

    def _gather(self, indices: list) -> list | None:
        """``default_collate([ds[i] for i in indices])`` for a TensorDataset source, by one
        fancy index per tensor; None sends the batch down the general path (odd indices,
        tensors that require grad, an index out of range: that path raises torch's error)."""
        if not indices:
            return None
        dataset, maps = self._source  # type: ignore[misc]
        for m in maps:
            indices = [m[i] for i in indices]
        idx = np.asarray(indices)
        if idx.dtype.kind not in "iu" or idx.ndim != 1:
            return None
        tensors = dataset.tensors
        for t in tensors:
            if not isinstance(t, Tensor) or t._requires_grad:
                return None
        try:
            return [Tensor._from_array(t._data[idx]) for t in tensors]
        except IndexError:
            return None

    def _fetch_iterable(self, index: Any) -> Any:
        if self._ended:
            raise StopIteration
        if not self._auto_collation:
            return self._collate_fn(next(self._iter))  # type: ignore[arg-type]
        data = []
        for _ in index:
            try:
                data.append(next(self._iter))  # type: ignore[arg-type]
            except StopIteration:
                self._ended = True
                break
        if not data or (self._drop_last and len(data) < len(index)):
            raise StopIteration
        return self._collate_fn(data)
