"""``chaingrad.device``: torch's device object, for the one device chaingrad has (the CPU).

``torch.device("cuda" if torch.cuda.is_available() else "cpu")`` and ``map_location=...``
work unchanged; any other device type raises a ``NotImplementedError`` saying chaingrad is
CPU-only.
"""

from __future__ import annotations

from typing import Any

from . import _missing


class device:  # noqa: N801 (torch's name)
    """A device: always ``device(type='cpu')``. Accepts ``"cpu"``, ``"cpu:0"``,
    ``("cpu", 0)``, another device or 0-free forms torch accepts for the CPU."""

    __slots__ = ("_index",)

    def __init__(self, type: Any, index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            index, type = type.index, "cpu"
        if not isinstance(type, str):
            raise TypeError(f"device() expects a device string such as 'cpu', got "
                            f"{type.__class__.__name__}")
        kind, sep, idx = type.partition(":")
        if sep:
            if index is not None:
                raise RuntimeError(f"type (string) must not include an index because index was "
                                   f"passed explicitly: {type}")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}'")
            index = int(idx)
        if kind != "cpu":
            if kind in ("cuda", "mps", "xpu", "meta", "mtia", "hpu", "xla", "ipu", "privateuseone"):
                raise _missing.error(f"torch.{kind}", attribute=False)
            raise RuntimeError(f"Expected one of cpu, cuda, ... device type at start of device "
                               f"string: {type}")
        if index is not None and (not isinstance(index, int) or index < 0):
            raise RuntimeError(f"Device index must not be negative, got {index}")
        self._index = index

    @property
    def type(self) -> str:
        return "cpu"

    @property
    def index(self) -> int | None:
        return self._index

    def __repr__(self) -> str:
        if self._index is None:
            return "device(type='cpu')"
        return f"device(type='cpu', index={self._index})"

    def __str__(self) -> str:
        return "cpu" if self._index is None else f"cpu:{self._index}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            try:
                other = device(other)
            except (RuntimeError, TypeError, NotImplementedError):
                return False
        return isinstance(other, device) and other._index == self._index

    def __hash__(self) -> int:
        return hash(("cpu", self._index))

    def __reduce__(self) -> Any:
        return (device, (str(self),))


CPU = device("cpu")
