"""``chaingrad.utils.data``: torch.utils.data's datasets, samplers and DataLoader.

``from chaingrad.utils.data import DataLoader, TensorDataset`` works like torch's; batches are
ordinary chaingrad tensors, and the samplers draw from chaingrad's generators exactly as torch's
draw from torch's, so one seed gives the same batches on both (docs/data.md).
"""

from __future__ import annotations

from ... import _missing
from ._utils.collate import default_collate, default_convert
from ._utils.worker import get_worker_info
from .dataloader import DataLoader
from .dataset import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    StackDataset,
    Subset,
    TensorDataset,
    random_split,
)
from .distributed import DistributedSampler
from .sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

__all__ = [
    "BatchSampler", "ChainDataset", "ConcatDataset", "DataLoader", "Dataset",
    "DistributedSampler", "IterableDataset",
    "RandomSampler", "Sampler", "SequentialSampler", "StackDataset", "Subset",
    "SubsetRandomSampler", "TensorDataset", "WeightedRandomSampler", "default_collate",
    "default_convert", "get_worker_info", "random_split",
]

__getattr__ = _missing.module_getattr("torch.utils.data", __name__)
