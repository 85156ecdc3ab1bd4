"""Named results of the ops that return several tensors (``torch.return_types``)."""

from __future__ import annotations

from typing import NamedTuple

from .tensor import Tensor


class max(NamedTuple):  # noqa: N801, A001 - torch's names
    values: Tensor
    indices: Tensor


class min(NamedTuple):  # noqa: N801, A001
    values: Tensor
    indices: Tensor



class sort(NamedTuple):  # noqa: N801
    values: Tensor
    indices: Tensor


class topk(NamedTuple):  # noqa: N801
    values: Tensor
    indices: Tensor


class kthvalue(NamedTuple):  # noqa: N801
    values: Tensor
    indices: Tensor


class cummax(NamedTuple):  # noqa: N801
    values: Tensor
    indices: Tensor


class cummin(NamedTuple):  # noqa: N801
    values: Tensor
    indices: Tensor


class median(NamedTuple):  # noqa: N801
    values: Tensor
    indices: Tensor


class nanmedian(NamedTuple):  # noqa: N801
    values: Tensor
    indices: Tensor


class mode(NamedTuple):  # noqa: N801
    values: Tensor
    indices: Tensor


class aminmax(NamedTuple):  # noqa: N801
    min: Tensor  # noqa: A003
    max: Tensor  # noqa: A003


class frexp(NamedTuple):  # noqa: N801
    mantissa: Tensor
    exponent: Tensor
