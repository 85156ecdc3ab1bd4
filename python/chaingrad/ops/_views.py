"""Which tensors share memory: views share their base's version counter and are remembered.

A view op (reshape, permute, slicing, expand, ...) gives its output the base's version counter,
so modifying either in place invalidates every saved copy of the memory. The counter (a list
whose item 0 is the version, read by both engines) also carries, after item 0, weak references
to the views made of that memory. In-place ops under autograd use them to refuse the cases whose
history cannot be rewritten correctly: modifying a view (its base's history would go stale) or a
tensor that has views requiring grad (their histories would go stale).
"""

from __future__ import annotations

import weakref

from ..tensor import Tensor


def make_view(out: Tensor, base: Tensor) -> Tensor:
    """Mark ``out`` as a view of ``base``'s memory (same version counter)."""
    vc = base._version_counter()
    out._vc = vc

    def forget(ref: weakref.ref, vc: list = vc) -> None:
        try:
            vc.remove(ref)
        except ValueError:
            pass

    vc.append(weakref.ref(out, forget))
    return out


def is_view(t: Tensor) -> bool:
    vc = t._vc
    if vc is None or len(vc) == 1:
        return False
    return any(r() is t for r in vc[1:])


def views_requiring_grad(t: Tensor) -> bool:
    """Whether a live view of ``t``'s memory, other than ``t``, is part of a graph."""
    vc = t._vc
    if vc is None or len(vc) == 1:
        return False
    for r in vc[1:]:
        v = r()
        if v is not None and v is not t and v._requires_grad:
            return True
    return False
