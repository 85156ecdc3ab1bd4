"""Workload registry, in run order. Each module has SPEC, build(backend, n) and run()."""

from __future__ import annotations

from types import ModuleType

from bench.workloads import (
    broadcast_chain,
    chain,
    fan_in,
    large_mlp,
    memory,
    reductions,
    scalar_graph,
    shape_chain,
    small_cnn,
    small_mlp,
    torch_mlp,
    torch_scalar,
)

TIMED: tuple[ModuleType, ...] = (scalar_graph, chain, fan_in, shape_chain, broadcast_chain,
                                 reductions, small_mlp, large_mlp, small_cnn, torch_scalar,
                                 torch_mlp)
NAMES: tuple[str, ...] = tuple(m.SPEC.name for m in TIMED) + (memory.SPEC.name,)

ALIASES = {"scalar": "scalar_graph", "fanin": "fan_in", "mlp": "small_mlp", "cnn": "small_cnn",
           "mem": "memory", "shape": "shape_chain", "broadcast": "broadcast_chain",
           "reduce": "reductions", "tscalar": "torch_scalar",
           "tmlp": "torch_mlp"}


def resolve(names: str) -> list[str]:
    """'scalar,chain' -> canonical names; a unique prefix is enough."""
    out: list[str] = []
    for raw in filter(None, (n.strip() for n in names.split(","))):
        name = ALIASES.get(raw, raw)
        hits = [n for n in NAMES if n == name] or [n for n in NAMES if n.startswith(name)]
        if len(hits) != 1:
            raise ValueError(f"unknown or ambiguous workload {raw!r}; choose from "
                             f"{', '.join(NAMES)}")
        if hits[0] not in out:
            out.append(hits[0])
    return out
