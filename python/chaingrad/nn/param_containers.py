"""``ParameterList`` and ``ParameterDict``: containers whose entries are registered as the
module's parameters (named "0", "1", ... or by key), so they appear in ``parameters()`` and
``state_dict`` and move with ``.to(dtype)``. A plain tensor is wrapped in a ``Parameter``,
as torch does; entries must be tensors (torch also allows other objects)."""

from __future__ import annotations

import operator
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ..tensor import Tensor
from .module import Module
from .parameter import Parameter

__all__ = ["ParameterList", "ParameterDict"]


def _as_param(value: Any, where: str) -> Parameter | None:
    if value is None or isinstance(value, Parameter):
        return value
    if isinstance(value, Tensor):
        return Parameter(value)
    raise TypeError(f"{where}: expected a chaingrad Tensor or Parameter, got "
                    f"{type(value).__name__}")


def _describe(p: Any) -> str:
    kind = "Parameter" if isinstance(p, Parameter) else "Tensor"
    size = "x".join(str(s) for s in p.shape)
    return f"{kind} containing: [chaingrad.{p.dtype} of size {size}]"


class ParameterList(Module):
    """A list of parameters: ``pl[i]``, ``append``, ``extend``, ``len``, iteration, slicing."""

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        super().__init__()
        self._size = 0
        if values is not None:
            self += values

    def _index(self, idx: Any) -> int:
        i = operator.index(idx)
        if not -self._size <= i < self._size:
            raise IndexError(f"index {i} is out of range")
        return i % self._size

    def __getitem__(self, idx: Any) -> Any:
        if isinstance(idx, slice):
            return ParameterList([self[i] for i in range(self._size)[idx]])
        return getattr(self, str(self._index(idx)))

    def __setitem__(self, idx: int, param: Any) -> None:
        i = self._index(idx)
        self.register_parameter(str(i), _as_param(param, "ParameterList"))

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[Any]:
        return iter(self[i] for i in range(self._size))

    def __iadd__(self, parameters: Iterable[Any]) -> ParameterList:
        return self.extend(parameters)

    def append(self, value: Any) -> ParameterList:
        """Add ``value`` at the end (a plain tensor becomes a Parameter)."""
        new = self._size
        self.register_parameter(str(new), _as_param(value, "ParameterList.append"))
        self._size += 1
        return self

    def extend(self, values: Iterable[Any]) -> ParameterList:
        if isinstance(values, Tensor) or not isinstance(values, Iterable):
            raise TypeError("ParameterList.extend should be called with an iterable, but got "
                            + type(values).__name__)
        for v in values:
            self.append(v)
        return self

    def extra_repr(self) -> str:
        return "\n".join(f"  ({k}): {_describe(p)}" for k, p in enumerate(self)
                         if p is not None)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("ParameterList should not be called.")


class ParameterDict(Module):
    """An ordered dict of parameters with string keys and the ``dict`` methods."""

    def __init__(self, parameters: Any = None) -> None:
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key: str) -> Any:
        return self._parameters[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.register_parameter(key, _as_param(value, "ParameterDict"))

    def __delitem__(self, key: str) -> None:
        del self._parameters[key]

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Iterator[str]:
        return iter(self._parameters)

    def __reversed__(self) -> Iterator[str]:
        return reversed(list(self._parameters))

    def __contains__(self, key: object) -> bool:
        return key in self._parameters

    def keys(self) -> Any:
        return self._parameters.keys()

    def values(self) -> Any:
        return self._parameters.values()

    def items(self) -> Any:
        return self._parameters.items()

    def get(self, key: str, default: Any = None) -> Any:
        return self._parameters.get(key, default)

    def pop(self, key: str) -> Any:
        v = self[key]
        del self[key]
        return v

    def popitem(self) -> tuple[str, Any]:
        k = next(reversed(list(self._parameters)))
        return k, self.pop(k)

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key not in self:
            self[key] = default
        return self[key]

    def clear(self) -> None:
        for k in list(self._parameters):
            del self[k]

    def copy(self) -> ParameterDict:
        return ParameterDict(dict(self._parameters))

    def fromkeys(self, keys: Iterable[str], default: Any = None) -> ParameterDict:
        return ParameterDict((k, default) for k in keys)

    def update(self, parameters: Any) -> None:
        """Add the (key, value) pairs of a mapping, a ParameterDict or an iterable of pairs."""
        if isinstance(parameters, (Mapping, ParameterDict)):
            pairs = list(parameters.items())
        elif isinstance(parameters, Iterable) and not isinstance(parameters, (str, Tensor)):
            pairs = []
            for j, p in enumerate(parameters):
                if not isinstance(p, (tuple, list)) or len(p) != 2:
                    raise ValueError(f"ParameterDict update sequence element #{j} should be an "
                                     f"iterable of length 2")
                pairs.append((p[0], p[1]))
        else:
            raise TypeError("ParameterDict.update should be called with an iterable of "
                            "key/value pairs, but got " + type(parameters).__name__)
        for k, v in pairs:
            self[k] = v

    def extra_repr(self) -> str:
        return "\n".join(f"  ({k}): {_describe(p)}" for k, p in self.items() if p is not None)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("ParameterDict should not be called.")
